import { existsSync } from 'node:fs';
import { JSONFile } from 'lowdb/node';
import { Low } from 'lowdb';
import { STATE_FORMAT, STATE_VERSION, type StateFile, type TenantData } from './model.js';
import type { Store } from './store.js';

export class DataFileError extends Error {}

const ARRAYS: (keyof TenantData)[] = ['tokens', 'categories', 'experts', 'personas', 'chats', 'submissions', 'payouts', 'communityExperts', 'pages'];

/** Refuses anything that is not a state file this version wrote, with the reason and a way out. */
function validate(file: string, value: unknown): TenantData[] {
  const refuse = (why: string) =>
    new DataFileError(`refusing to use ${file}: ${why}. The emulator never overwrites a file it cannot read; move it away or pass another --data path.`);
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw refuse('it does not hold a JSON object');
  const state = value as Partial<StateFile>;
  if (state.format !== STATE_FORMAT) throw refuse(`it is not a guuru-emulator state file (no "format": "${STATE_FORMAT}")`);
  if (state.version !== STATE_VERSION) throw refuse(`it has state format version ${String(state.version)}, this emulator reads version ${STATE_VERSION}`);
  if (!Array.isArray(state.tenants) || state.tenants.length === 0) throw refuse('it lists no tenants');
  for (const [i, tenant] of state.tenants.entries()) {
    if (!tenant || typeof tenant.id !== 'string') throw refuse(`tenant #${i} has no id`);
    for (const key of ARRAYS) if (!Array.isArray(tenant[key])) throw refuse(`tenant "${tenant.id}" has no ${key} list`);
  }
  return state.tenants;
}

/**
 * `--data FILE` with lowdb: loads and validates the state at start, then writes the whole state
 * after changes (coalesced; lowdb's writer replaces the file atomically through a temp file).
 */
export class DataFile {
  private readonly db: Low<StateFile | null>;
  private pending: ReturnType<typeof setTimeout> | undefined;
  private writing: Promise<void> = Promise.resolve();
  private detach: (() => void) | undefined;
  private attached: { store: Store; now: () => number } | undefined;

  constructor(readonly file: string) {
    this.db = new Low<StateFile | null>(new JSONFile<StateFile | null>(file), null);
  }

  /** The saved tenants, or undefined when the file does not exist yet. */
  async load(): Promise<TenantData[] | undefined> {
    if (!existsSync(this.file)) return undefined;
    try {
      await this.db.read();
    } catch (error) {
      const reason = error instanceof SyntaxError ? `it is not valid JSON (${error.message})` : `it cannot be read (${(error as Error).message})`;
      throw new DataFileError(`refusing to use ${this.file}: ${reason}. The emulator never overwrites a file it cannot read; move it away or pass another --data path.`);
    }
    return validate(this.file, this.db.data);
  }

  /** Saves now, then after every store change. */
  async attach(store: Store, now: () => number): Promise<void> {
    this.attached = { store, now };
    await this.save();
    this.detach = store.onChange(() => {
      if (this.pending) return;
      this.pending = setTimeout(() => {
        this.pending = undefined;
        void this.save();
      }, 20);
    });
  }

  /** Writes what is pending and stops listening. */
  async close(): Promise<void> {
    this.detach?.();
    if (this.pending) {
      clearTimeout(this.pending);
      this.pending = undefined;
      await this.save();
    }
    await this.writing;
  }

  private save(): Promise<void> {
    if (!this.attached) return this.writing;
    const { store, now } = this.attached;
    const snapshot: StateFile = { format: STATE_FORMAT, version: STATE_VERSION, savedAt: now(), tenants: store.snapshot() };
    this.writing = this.writing
      .then(async () => {
        this.db.data = snapshot;
        await this.db.write();
      })
      .catch((error: unknown) => console.error(`guuru-emulator: could not write ${this.file}:`, error));
    return this.writing;
  }
}
