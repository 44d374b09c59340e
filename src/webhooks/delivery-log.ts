import { BoundedMap } from '../kernel/bounded-map.js';

/** One HTTP attempt of a delivery, as the delivery log shows it. */
export interface Attempt {
  attempt: number;
  /** Clock time the attempt started. */
  at: number;
  durationMs: number;
  statusCode?: number;
  error?: string;
  /** The start of the receiver's response body. */
  response?: string;
  /** Set when fault injection changed this attempt. */
  fault?: string;
}

export type DeliveryStatus = 'queued' | 'held' | 'sending' | 'retrying' | 'delivered' | 'failed';

/** One event on its way to one URL: what the delivery log lists and redelivery repeats. */
export interface Delivery {
  id: string;
  /** Which product's webhook: GUURU's signed events or Gurusup's send-message event. */
  source: 'guuru' | 'gurusup';
  tenantId: string;
  /** The event id (e.g. chat-opened); the header may carry a legacy name. */
  event: string;
  chatId?: string;
  url: string;
  idempotencyKey?: string;
  headers: Record<string, string>;
  body: string;
  status: DeliveryStatus;
  createdAt: number;
  attempts: Attempt[];
  nextAttemptAt?: number;
  /** The delivery this one repeats (manual redelivery). */
  redeliveryOf?: string;
  /** The delivery this one duplicates (fault injection). */
  duplicateOf?: string;
  /** Fault rules applied to this delivery. */
  faults: string[];
}

/** Most bytes of finished deliveries the log keeps (bodies, headers, attempts); the oldest are forgotten first. */
export const DELIVERY_LOG_BYTES = 32 * 2 ** 20;

/**
 * About the bytes one delivery keeps. Its URL is not counted: it is the subscription's own string
 * (at most 2,048 characters), shared by every delivery to it, not a copy per entry.
 */
function sizeOfDelivery(d: Delivery): number {
  let size = 512 + d.body.length;
  const headers = d.headers;
  for (const name in headers) size += name.length + (headers[name]?.length ?? 0);
  for (const a of d.attempts) size += 64 + (a.response?.length ?? 0) + (a.error?.length ?? 0);
  return size;
}

export const isFinal = (d: Delivery): boolean => d.status === 'delivered' || d.status === 'failed';

export interface DeliveryFilter {
  event?: string;
  chatId?: string;
  status?: DeliveryStatus;
  tenantId?: string;
  source?: Delivery['source'];
  idempotencyKey?: string;
}

/**
 * The bounded delivery log. Deliveries still under way are always kept (they are the queue's
 * work: nothing is lost); finished ones are kept up to `limit`, oldest dropped first, so a long
 * run does not grow memory without bound.
 */
export class DeliveryLog {
  private readonly pending = new Map<string, Delivery>();
  private readonly finished: BoundedMap<Delivery>;
  private seq = 0;

  /** `limit` finished deliveries at most, and about `maxBytes` bytes of them (DELIVERY_LOG_BYTES). */
  constructor(limit: number, maxBytes = DELIVERY_LOG_BYTES) {
    this.finished = new BoundedMap(limit, maxBytes);
  }

  nextId(): string {
    this.seq += 1;
    return String(this.seq);
  }

  add(delivery: Delivery): void {
    this.pending.set(delivery.id, delivery);
  }

  /** Called when a delivery reaches delivered or failed. */
  settle(delivery: Delivery): void {
    if (!this.pending.delete(delivery.id)) return;
    this.finished.add(delivery.id, delivery, sizeOfDelivery(delivery));
  }

  get(id: string): Delivery | undefined {
    return this.pending.get(id) ?? this.finished.get(id);
  }

  /** Matching deliveries in creation order. */
  list(filter: DeliveryFilter = {}): Delivery[] {
    const all = [...this.finished.values(), ...this.pending.values()].filter(
      (d) =>
        (filter.event === undefined || d.event === filter.event) &&
        (filter.chatId === undefined || d.chatId === filter.chatId) &&
        (filter.status === undefined || d.status === filter.status) &&
        (filter.tenantId === undefined || d.tenantId === filter.tenantId) &&
        (filter.source === undefined || d.source === filter.source) &&
        (filter.idempotencyKey === undefined || d.idempotencyKey === filter.idempotencyKey),
    );
    return all.sort((a, b) => Number(a.id) - Number(b.id));
  }

  counts(): { pending: number; finished: number; evicted: number; limit: number } {
    return {
      pending: this.pending.size,
      finished: this.finished.size,
      evicted: this.finished.evicted,
      limit: this.finished.limit,
    };
  }

  clearFinished(): number {
    return this.finished.clear();
  }
}
