import { apiCallEvidence, integratorCallsOf, type ApiCallEvidence } from '../journal/chat-calls.js';
import type { RequestJournal, RequestRecord } from '../journal/request-journal.js';
import { Quiescence, type QuietOutcome, type QuietRule } from './quiescence.js';

/** What one chat's observation saw: its calls from the mark until it was quiet (or the bound). */
export interface Observed {
  calls: ObservedCall[];
  outcome: QuietOutcome;
}

/** One mutation of the integration on one of the watched chats (a refused one too). */
export interface ObservedCall extends ApiCallEvidence {
  /** Arrival order among the calls seen by this observer. */
  seq: number;
}

/**
 * What the integration did through the Admin API, read from the request journal: every mutation
 * field that names one of the watched chats, in the order the answers were sent, refused calls
 * included (the API's error code tells why). Waits are wall-clock: the integration is a real
 * process, whatever the emulator's clock does.
 */
export class IntegratorCalls {
  readonly calls: ObservedCall[] = [];
  private readonly chats = new Set<string>();
  private readonly listeners = new Set<() => void>();
  private readonly off: () => void;
  /** Calls and deliveries per chat: when a chat is quiet (the observation rule, quiescence.ts). */
  private readonly activity = new Quiescence();

  constructor(
    journal: RequestJournal,
    private readonly tenantId: string,
  ) {
    this.off = journal.subscribe((record) => this.onRecord(record));
  }

  watch(chatId: string): void {
    this.chats.add(chatId);
  }

  /** The position after the calls seen so far ("what happened after this point"). */
  mark(): number {
    return this.calls.length;
  }

  on(chatId: string, since = 0): ObservedCall[] {
    return this.calls.slice(since).filter((c) => c.chatId === chatId);
  }

  count(chatId: string, operation: string, since = 0): number {
    return this.on(chatId, since).filter((c) => c.operation === operation).length;
  }

  /** Resolves true as soon as `check` holds (re-checked on every call), false after `timeoutMs`. */
  waitFor(check: () => boolean, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (check()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (result: boolean) => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        signal?.removeEventListener('abort', abort);
        resolve(result);
      };
      const listener = () => {
        if (check()) done(true);
      };
      const abort = () => done(check());
      const timer = setTimeout(() => done(check()), timeoutMs);
      this.listeners.add(listener);
      signal?.addEventListener('abort', abort);
    });
  }

  /** A delivery to the chat is in flight (activity) until the returned function is called. */
  delivering(chatId: string): () => void {
    return this.activity.begin(chatId);
  }

  /**
   * The chat's calls after `since`, read once the chat has been quiet for the rule's grace while
   * `ready` holds (or at its bound): two chats observed this way are compared on equal terms.
   */
  async observe(
    chatId: string,
    since: number,
    rule: QuietRule,
    options: { ready?: (calls: ObservedCall[]) => boolean; signal?: AbortSignal } = {},
  ): Promise<Observed> {
    const ready = options.ready;
    const outcome = await this.activity.until([chatId], rule, {
      ...(ready ? { ready: () => ready(this.on(chatId, since)) } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { calls: this.on(chatId, since), outcome };
  }

  /**
   * Resolves once every watched chat has been quiet for the rule's grace (or at its bound): the
   * integration has finished reacting. Absence cannot be observed, so the negative checks ("it
   * did not accept") are read after this.
   */
  settle(rule: QuietRule, signal?: AbortSignal): Promise<QuietOutcome> {
    return this.activity.until([...this.chats], rule, signal ? { signal } : {});
  }

  close(): void {
    this.off();
    this.listeners.clear();
  }

  private onRecord(record: RequestRecord): void {
    if (record.tenantId !== this.tenantId) return;
    const mine = integratorCallsOf(record, { mutationsOnly: true }).filter((call) => this.chats.has(call.chatId));
    if (mine.length === 0) return;
    for (const call of mine) {
      // seq right after kind: the report's JSON keeps its key order.
      const { kind, ...evidence } = apiCallEvidence(call);
      this.calls.push({ kind, seq: this.calls.length, ...evidence });
    }
    for (const call of mine) this.activity.touch(call.chatId);
    for (const listener of [...this.listeners]) listener();
  }
}

/** "acceptChat ×1, sendChatMessage ×2 (1 refused: CHAT_NOT_OPEN)": a chat's calls in one phrase. */
export function describeCalls(calls: readonly ApiCallEvidence[]): string {
  if (calls.length === 0) return 'no Admin API call';
  const byOperation = new Map<string, ApiCallEvidence[]>();
  for (const call of calls) byOperation.set(call.operation, [...(byOperation.get(call.operation) ?? []), call]);
  return [...byOperation]
    .map(([operation, list]) => {
      const refused = list.filter((c) => !c.ok);
      const codes = [...new Set(refused.map((c) => c.errorCode ?? 'error'))].join(', ');
      return `${operation} ×${list.length}${refused.length > 0 ? ` (${refused.length} refused: ${codes})` : ''}`;
    })
    .join(', ');
}

/**
 * The answers among a chat's calls: what it did before closing it. When to close is the
 * integration's choice (right after its reply, or seconds later), and what it does after a close
 * is judged by the close checks; a message is answered by what is sent before.
 */
export function answersOf<T extends ApiCallEvidence>(calls: readonly T[]): T[] {
  const close = calls.findIndex((c) => c.operation === 'closeChat');
  return close < 0 ? [...calls] : calls.slice(0, close);
}

/** The operations of a list of calls as a sorted multiset key ("closeChat,sendChatMessage"). */
export const operationsOf = (calls: readonly ApiCallEvidence[]): string =>
  calls
    .map((c) => c.operation)
    .sort()
    .join(',');
