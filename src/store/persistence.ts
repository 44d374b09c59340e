import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DataFile as LowDataFile } from 'lowdb/node';
import { Low } from 'lowdb';
import { Generators, type GeneratorState } from '../kernel/generators.js';
import { STATE_FORMAT, STATE_VERSION, type StateFile, type TenantData } from './model.js';
import type { Store } from './store.js';

export class DataFileError extends Error {}

const ARRAYS: (keyof TenantData)[] = ['tokens', 'categories', 'experts', 'personas', 'chats', 'submissions', 'payouts', 'communityExperts', 'pages'];

/** Longest wait between a change and the start of the write that saves it (changes in between share one write). */
export const SAVE_DELAY_MS = 20;

/** What a data file holds besides its format marks. */
export interface SavedState {
  tenants: TenantData[];
  /** Absent in files written before the generators were kept. */
  generators?: GeneratorState;
}

/** Refuses anything that is not a state file this version wrote, with the reason and a way out. */
function validate(file: string, value: unknown): SavedState {
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
  if (state.generators !== undefined) {
    const problem = Generators.problem(state.generators);
    if (problem) throw refuse(`its "generators" entry is damaged (${problem})`);
  }
  return { tenants: state.tenants, ...(state.generators ? { generators: state.generators } : {}) };
}

/** The reason a path cannot hold the state file, with what to do (undefined when it can). */
function pathProblem(file: string, error?: NodeJS.ErrnoException): string | undefined {
  const absolute = resolve(file);
  const dir = dirname(absolute);
  if (!existsSync(dir)) return `the folder ${dir} does not exist. Create it (mkdir -p ${dir}) or pass another --data path`;
  if (!statSync(dir).isDirectory()) return `${dir} is not a folder. Pass a --data path inside a folder`;
  if (existsSync(absolute) && statSync(absolute).isDirectory()) return `${absolute} is a folder. Pass a file path such as ${absolute}/guuru-state.json`;
  if (error?.code === 'EACCES' || error?.code === 'EPERM' || error?.code === 'EROFS') {
    return `this user cannot write ${absolute} (or create files in ${dir}): ${error.code}. Make the folder writable or pass another --data path`;
  }
  if (error) return `${error.message}. Pass another --data path`;
  return undefined;
}

/**
 * `--data FILE` with lowdb: loads and validates the state at start, then saves the whole state
 * after changes. At most one write is in flight and at most one is pending; a pending write takes
 * its snapshot (a JSON string of the live state, made synchronously, so it is consistent) only
 * when it starts, so memory never holds more than one copy however fast changes come. lowdb's
 * writer replaces the file atomically (temp file + rename): a crash leaves the previous save.
 *
 * Promise: a change is in the file at most SAVE_DELAY_MS plus two writes after it was answered
 * (one write of the built-in seed takes ~10 ms); a clean stop (close()) saves every change.
 */
export class DataFile {
  private readonly db: Low<StateFile | null>;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight: Promise<void> | undefined;
  private dirty = false;
  private detach: (() => void) | undefined;
  private attached: { store: Store; now: () => number; generators: Generators } | undefined;
  private lastError: string | undefined;
  /** Writes completed (diagnostics, tests). */
  writes = 0;

  constructor(
    readonly file: string,
    /** Where a failed write is reported (the emulator passes its logger). */
    private readonly onError: (message: string) => void,
  ) {
    this.db = new Low<StateFile | null>(new LowDataFile<StateFile | null>(file, { parse: JSON.parse, stringify: (data) => JSON.stringify(data) }), null);
  }

  /** The saved state, or undefined when the file does not exist yet. Refuses a path that cannot hold it. */
  async load(): Promise<SavedState | undefined> {
    const problem = pathProblem(this.file);
    if (problem) throw new DataFileError(`cannot keep state in ${this.file}: ${problem}.`);
    if (!existsSync(this.file)) return undefined;
    try {
      await this.db.read();
    } catch (error) {
      const reason = error instanceof SyntaxError ? `it is not valid JSON (${error.message})` : `it cannot be read (${(error as Error).message})`;
      throw new DataFileError(`refusing to use ${this.file}: ${reason}. The emulator never overwrites a file it cannot read; move it away or pass another --data path.`);
    }
    return validate(this.file, this.db.data);
  }

  /** Saves now (a path that cannot be written is refused here, before the emulator listens), then after every change. */
  async attach(store: Store, now: () => number, generators: Generators): Promise<void> {
    this.attached = { store, now, generators };
    try {
      await this.write();
    } catch (error) {
      throw new DataFileError(`cannot keep state in ${this.file}: ${pathProblem(this.file, error as NodeJS.ErrnoException) ?? (error as Error).message}.`);
    }
    this.detach = store.onChange(() => this.changed());
  }

  /** Saves what is not saved yet and stops listening. Rejects when that last write fails. */
  async close(): Promise<void> {
    this.detach?.();
    this.detach = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
    if (this.dirty) {
      this.dirty = false;
      await this.write();
    }
  }

  /** Resolves once every change made so far is in the file. */
  async flushed(): Promise<void> {
    while (this.dirty || this.inFlight) {
      if (this.timer) {
        clearTimeout(this.timer);
        this.timer = undefined;
        this.startWrite();
      }
      await this.inFlight;
    }
  }

  private changed(): void {
    this.dirty = true;
    // A write in flight starts the pending one when it ends.
    if (this.timer || this.inFlight) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.startWrite();
    }, SAVE_DELAY_MS);
  }

  private startWrite(): void {
    if (!this.dirty || this.inFlight) return;
    this.dirty = false;
    this.inFlight = this.write()
      .then(
        () => {
          if (this.lastError) this.onError(`${this.file} is written again.`);
          this.lastError = undefined;
        },
        (error: unknown) => {
          // Kept dirty: the next change (or close) tries again. Reported once per kind of failure.
          this.dirty = true;
          const message = `could not write ${this.file} (${(error as Error).message}); changes are kept in memory and written on the next change.`;
          if (message !== this.lastError) this.onError(message);
          this.lastError = message;
        },
      )
      .finally(() => {
        this.inFlight = undefined;
        if (this.dirty && this.detach && !this.lastError) this.startWrite();
      });
  }

  private async write(): Promise<void> {
    if (!this.attached) return;
    const { store, now, generators } = this.attached;
    // The lowdb adapter stringifies synchronously inside write(): the snapshot is taken now.
    this.db.data = { format: STATE_FORMAT, version: STATE_VERSION, savedAt: now(), generators: generators.state(), tenants: store.tenants().map((t) => t.data) };
    const writing = this.db.write();
    this.db.data = null;
    await writing;
    this.writes += 1;
  }
}
