import { isRandomState, Random, type RandomState } from './random.js';

/** Offsets from the emulator seed: each stream its own, so one kind of id never shifts another. */
const STREAMS = {
  /** Created tenants' id suffix, token and Gurusup key (the store). */
  tenants: 7,
  /** Chat, message, persona, user and Gurusup message ids (domain commands). */
  domain: 13,
  /** Webhook Idempotency-Keys: never reset, so two events never share one. */
  webhookKeys: 29,
  /** Retry jitter of webhook deliveries. */
  jitter: 31,
} as const;

export type StreamName = keyof typeof STREAMS;

/** What a state file keeps of the generators (`generators` in a `--data` file). */
export interface GeneratorState {
  /** How many times the emulator started on this state (each start forks every stream). */
  generation: number;
  /** Tenants created so far (the N of `tenant-N-…`). */
  tenantsCreated: number;
  streams: Record<StreamName, RandomState>;
}

/**
 * The emulator's long-lived seeded generators, in one place: the id streams, the webhook keys and
 * the tenant counter. A fresh start with a seed is deterministic; with `--data` the state file keeps
 * where they were, so after a restart nothing (ids, tenant ids, Idempotency-Keys) repeats.
 *
 * Use `state()` to save and `resume(saved)` when starting from a saved state. Snapshot restores
 * (which roll data back, not time) must NOT restore this: rewinding would hand out ids and keys
 * that receivers have already seen.
 */
export class Generators {
  private streams: Record<StreamName, Random>;
  private generation = 0;
  private created = 0;

  constructor(readonly seed: number) {
    this.streams = Generators.fresh(seed);
  }

  get tenants(): Random {
    return this.streams.tenants;
  }

  get domain(): Random {
    return this.streams.domain;
  }

  get webhookKeys(): Random {
    return this.streams.webhookKeys;
  }

  get jitter(): Random {
    return this.streams.jitter;
  }

  /** The next tenant number (1, 2, …), counted across restarts with `--data`. */
  nextTenantNumber(): number {
    this.created += 1;
    return this.created;
  }

  /** A full reset: domain ids repeat the sequence of a fresh start; tenant ids and webhook keys go on. */
  resetDomain(): void {
    this.streams.domain = new Random(this.seed + STREAMS.domain);
  }

  /**
   * After a snapshot restore: the domain stream moves to a new branch. A restore never rewinds it,
   * and the fork keeps it clear of draws a full reset may have rewound since the snapshot was taken.
   */
  forkDomain(): void {
    this.streams.domain.fork(STREAMS.domain);
  }

  state(): GeneratorState {
    const streams = Object.fromEntries(Object.entries(this.streams).map(([name, random]) => [name, random.state()]));
    return { generation: this.generation, tenantsCreated: this.created, streams: streams as GeneratorState['streams'] };
  }

  /**
   * Continues from saved state (or, for a file saved before generators were kept, from the seed)
   * and forks every stream with the new generation number: draws made after the last save before
   * a crash are never drawn again.
   */
  resume(saved: GeneratorState | undefined): void {
    if (saved) {
      for (const name of Object.keys(STREAMS) as StreamName[]) this.streams[name].restore(saved.streams[name]);
      this.created = saved.tenantsCreated;
      this.generation = saved.generation;
    }
    this.generation += 1;
    for (const random of Object.values(this.streams)) random.fork(this.generation);
  }

  /** Checks a `generators` value read from a file; returns why it is not one, or undefined. */
  static problem(value: unknown): string | undefined {
    if (!value || typeof value !== 'object') return 'it is not an object';
    const v = value as Partial<GeneratorState>;
    if (!Number.isInteger(v.generation) || (v.generation as number) < 0) return 'generation is not a whole number';
    if (!Number.isInteger(v.tenantsCreated) || (v.tenantsCreated as number) < 0)
      return 'tenantsCreated is not a whole number';
    for (const name of Object.keys(STREAMS) as StreamName[]) {
      if (!isRandomState((v.streams as Record<string, unknown> | undefined)?.[name]))
        return `streams.${name} is not four 32-bit integers`;
    }
    return undefined;
  }

  private static fresh(seed: number): Record<StreamName, Random> {
    const entries = Object.entries(STREAMS).map(([name, offset]) => [name, new Random(seed + offset)]);
    return Object.fromEntries(entries) as Record<StreamName, Random>;
  }
}
