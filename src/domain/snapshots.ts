import { StoreError, type Store, type StoreSnapshot } from '../store/store.js';
import { DomainError, invalidArgument } from './errors.js';
import type { EventBus } from './events.js';
import { findTenant } from './tenants.js';
import { quote } from './field-limits.js';

/** Snapshots kept at most (each is a full copy of its tenants' data). */
export const MAX_SNAPSHOTS = 50;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export interface SnapshotInfo {
  name: string;
  /** The one tenant it holds, or null for the whole emulator. */
  tenant: string | null;
  /** Emulator-clock time it was taken. */
  createdAt: number;
  /** The tenants it holds, with their chat counts. */
  tenants: { id: string; chats: number }[];
}

interface Entry {
  info: SnapshotInfo;
  capture: StoreSnapshot;
  bytes: number;
}

/**
 * Named in-memory snapshots of the data (every tenant, or one): a test suite sets up a state once
 * and returns to it between tests. A restore replaces data only: webhook settings, the delivery
 * log and the id generators stay as they are, so ids and Idempotency-Keys made after a restore
 * never repeat earlier ones. Announced as `store.reset` with the snapshot's name.
 */
export class Snapshots {
  private readonly byName = new Map<string, Entry>();

  constructor(private readonly deps: { store: Store; events: EventBus; now: () => number }) {}

  list(): SnapshotInfo[] {
    return [...this.byName.values()].map((e) => e.info);
  }

  get(name: string): SnapshotInfo {
    return this.entry(name).info;
  }

  /** Takes `name` of the whole emulator, or of one tenant. */
  take(name: string, tenantId?: string): SnapshotInfo {
    if (!NAME.test(name))
      throw invalidArgument(
        'name',
        `A snapshot name is 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit; got ${quote(name, 40)}.`,
      );
    if (this.byName.has(name))
      throw new DomainError(
        'CONFLICT',
        `A snapshot "${name}" exists already; DELETE /_emulator/snapshots/${name} first, or pick another name.`,
      );
    if (this.byName.size >= MAX_SNAPSHOTS)
      throw new DomainError('CONFLICT', `${MAX_SNAPSHOTS} snapshots are kept at most; DELETE one you no longer need.`);
    if (tenantId !== undefined) findTenant(this.deps.store, tenantId);
    const capture = this.deps.store.capture(tenantId);
    // A snapshot is a full copy of its tenants: it counts toward --max-stored-mb like the data.
    const bytes = capture.tenants.reduce((sum, t) => sum + t.json.length, 0);
    const { store } = this.deps;
    if (store.storedBytes() + bytes > store.storedAllowance) {
      throw new DomainError(
        'LIMIT_REACHED',
        `The tenants and snapshots hold ${(store.storedBytes() / 2 ** 20).toFixed(1)} MiB of data, and this snapshot (${(bytes / 2 ** 20).toFixed(1)} MiB) would pass the most this emulator keeps (--max-stored-mb ${store.limits.storedBytes / 2 ** 20}). DELETE snapshots you no longer need, or raise --max-stored-mb.`,
        { limit: store.storedAllowance },
      );
    }
    const info: SnapshotInfo = {
      name,
      tenant: tenantId ?? null,
      createdAt: this.deps.now(),
      tenants: capture.tenants.map((t) => ({ id: t.id, chats: t.chats })),
    };
    this.byName.set(name, { info, capture, bytes });
    this.report();
    return info;
  }

  /** Puts the snapshot's data back; returns it and the tenants a whole restore removed. */
  restore(name: string): SnapshotInfo & { removed: string[] } {
    const { info, capture } = this.entry(name);
    let removed: string[];
    try {
      ({ removed } = this.deps.store.restore(capture));
    } catch (error) {
      if (error instanceof StoreError)
        throw new DomainError('CONFLICT', `Cannot restore snapshot "${name}": ${error.message}.`);
      throw error;
    }
    for (const tenantId of removed) this.deps.events.emit('tenant.removed', { tenantId });
    this.deps.events.emit('store.reset', {
      ...(info.tenant !== null ? { tenantId: info.tenant } : {}),
      snapshot: name,
    });
    return { ...info, removed };
  }

  remove(name: string): void {
    this.entry(name);
    this.byName.delete(name);
    this.report();
  }

  private report(): void {
    let total = 0;
    for (const entry of this.byName.values()) total += entry.bytes;
    this.deps.store.setRetained('snapshots', total);
  }

  private entry(name: string): Entry {
    const entry = this.byName.get(name);
    if (!entry) {
      const known = [...this.byName.keys()];
      throw new DomainError(
        'NOT_FOUND',
        `No snapshot ${quote(name, 40)}. ${known.length > 0 ? `Snapshots: ${known.join(', ')}.` : 'Take one with POST /_emulator/snapshots {"name": "..."}.'}`,
      );
    }
    return entry;
  }
}
