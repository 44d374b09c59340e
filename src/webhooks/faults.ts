import type { Delivery } from './delivery-log.js';
import { DomainError } from '../domain/errors.js';

/**
 * Delivery faults an integrator switches on to test its receiver (the docs warn that duplicates
 * happen): each rule matches deliveries (optionally by event, chat or tenant) and applies to the
 * next `times` of them (null: every one).
 * - duplicate: the event is delivered twice (same key, same body).
 * - delay: the first attempt waits `delayMs`; later events of the same chat wait behind it.
 * - reorder: the delivery is held back and sent after the next delivery to the same URL.
 * - drop-first-attempt: the first attempt is never sent (logged as dropped) and the retry
 *   policy takes over, as if the request had been lost.
 */
export const FAULT_KINDS = ['duplicate', 'delay', 'reorder', 'drop-first-attempt'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRuleInput {
  kind: FaultKind;
  event?: string;
  chatId?: string;
  tenantId?: string;
  /** How many deliveries to affect; null for all of them. Default 1. */
  times?: number | null;
  /** For delay. Default 5000 ms. */
  delayMs?: number;
}

export interface FaultRule {
  id: string;
  kind: FaultKind;
  event?: string;
  chatId?: string;
  tenantId?: string;
  remaining: number | null;
  delayMs: number;
  applied: number;
  createdAt: number;
}

/** Fault rules kept at most: spent ones are forgotten first, then a new rule is refused. */
export const MAX_FAULT_RULES = 1_000;

export class FaultRules {
  private rules: FaultRule[] = [];
  private seq = 0;

  add(input: FaultRuleInput, now: number): FaultRule {
    if (this.rules.length >= MAX_FAULT_RULES) this.rules = this.rules.filter((r) => r.remaining !== 0);
    if (this.rules.length >= MAX_FAULT_RULES) {
      throw new DomainError(
        'LIMIT_REACHED',
        `${this.rules.length} fault rules are live, the most the emulator keeps (${MAX_FAULT_RULES}). Remove some (DELETE /_emulator/faults or /_emulator/faults/:id).`,
        { limit: MAX_FAULT_RULES },
      );
    }
    this.seq += 1;
    const rule: FaultRule = {
      id: `fault-${this.seq}`,
      kind: input.kind,
      ...(input.event !== undefined ? { event: input.event } : {}),
      ...(input.chatId !== undefined ? { chatId: input.chatId } : {}),
      ...(input.tenantId !== undefined ? { tenantId: input.tenantId } : {}),
      remaining: input.times === undefined ? 1 : input.times,
      delayMs: input.delayMs ?? 5_000,
      applied: 0,
      createdAt: now,
    };
    this.rules.push(rule);
    return rule;
  }

  list(): FaultRule[] {
    return [...this.rules];
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length < before;
  }

  clear(): number {
    const n = this.rules.length;
    this.rules = [];
    return n;
  }

  /** The first live rule of `kind` matching the delivery, consumed by one use. */
  take(kind: FaultKind, delivery: Delivery): FaultRule | undefined {
    if (this.rules.length === 0) return undefined;
    const rule = this.rules.find(
      (r) =>
        r.kind === kind &&
        (r.remaining === null || r.remaining > 0) &&
        (r.event === undefined || r.event === delivery.event) &&
        (r.chatId === undefined || r.chatId === delivery.chatId) &&
        (r.tenantId === undefined || r.tenantId === delivery.tenantId),
    );
    if (!rule) return undefined;
    rule.applied += 1;
    if (rule.remaining !== null) rule.remaining -= 1;
    // Spent rules stay listed (with remaining 0) so a test can see they fired.
    return rule;
  }
}
