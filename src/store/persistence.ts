import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DataFile as LowDataFile, TextFileSync } from 'lowdb/node';
import { Low } from 'lowdb';
import { Generators, type GeneratorState } from '../kernel/generators.js';
import { encodeChange, LOG_FORMAT, Replay, ReplayError, type LogHeader, type LogOp } from './change-log.js';
import { READABLE_STATE_VERSIONS, STATE_FORMAT, STATE_VERSION, type StateFile, type TenantData } from './model.js';
import type { Store, StoreChange } from './store.js';

export class DataFileError extends Error {}

const ARRAYS: (keyof TenantData)[] = [
  'tokens',
  'categories',
  'experts',
  'personas',
  'chats',
  'submissions',
  'payouts',
  'communityExperts',
  'pages',
];

/** The log is folded into a new snapshot once it is larger than the snapshot and than this. */
export const COMPACT_MIN_BYTES = 8 * 1024 * 1024;

/** What a data file holds besides its format marks. */
export interface SavedState {
  tenants: TenantData[];
  /** Absent in files written before the generators were kept. */
  generators?: GeneratorState;
  /** Set when the state file carries a log: its id and the last line it holds. */
  log?: { id: string; through: number };
}

/** Refuses anything that is not a state file this version wrote, with the reason and a way out. */
function validate(file: string, value: unknown): SavedState {
  const refuse = (why: string) =>
    new DataFileError(
      `refusing to use ${file}: ${why}. The emulator never overwrites a file it cannot read; move it away or pass another --data path.`,
    );
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw refuse('it does not hold a JSON object');
  const state = value as Partial<StateFile>;
  if (state.format !== STATE_FORMAT)
    throw refuse(`it is not a guuru-emulator state file (no "format": "${STATE_FORMAT}")`);
  if (!(READABLE_STATE_VERSIONS as readonly unknown[]).includes(state.version)) {
    throw refuse(
      `it has state format version ${String(state.version)}, this emulator reads versions ${READABLE_STATE_VERSIONS.join(' and ')}`,
    );
  }
  if (!Array.isArray(state.tenants) || state.tenants.length === 0) throw refuse('it lists no tenants');
  for (const [i, tenant] of state.tenants.entries()) {
    if (!tenant || typeof tenant.id !== 'string') throw refuse(`tenant #${i} has no id`);
    for (const key of ARRAYS) if (!Array.isArray(tenant[key])) throw refuse(`tenant "${tenant.id}" has no ${key} list`);
  }
  if (state.generators !== undefined) {
    const problem = Generators.problem(state.generators);
    if (problem) throw refuse(`its "generators" entry is damaged (${problem})`);
  }
  const log = state.log;
  if (log !== undefined && (typeof log !== 'object' || typeof log.id !== 'string' || !Number.isInteger(log.through)))
    throw refuse('its "log" entry is damaged');
  return {
    tenants: state.tenants,
    ...(state.generators ? { generators: state.generators } : {}),
    ...(log ? { log } : {}),
  };
}

/** The reason a path cannot hold the state file, with what to do (undefined when it can). */
function pathProblem(file: string, error?: NodeJS.ErrnoException): string | undefined {
  const absolute = resolve(file);
  const dir = dirname(absolute);
  if (!existsSync(dir))
    return `the folder ${dir} does not exist. Create it (mkdir -p ${dir}) or pass another --data path`;
  if (!statSync(dir).isDirectory()) return `${dir} is not a folder. Pass a --data path inside a folder`;
  if (existsSync(absolute) && statSync(absolute).isDirectory())
    return `${absolute} is a folder. Pass a file path such as ${absolute}/guuru-state.json`;
  if (error?.code === 'EACCES' || error?.code === 'EPERM' || error?.code === 'EROFS') {
    return `this user cannot write ${absolute} (or create files in ${dir}): ${error.code}. Make the folder writable or pass another --data path`;
  }
  if (error) return `${error.message}. Pass another --data path`;
  return undefined;
}

/** The log's lines after its header, parsed; a damaged last line (a write cut off by a crash) is dropped and reported. */
function readLog(
  logFile: string,
  snapshot: string,
  expectedId: string,
  warn: (message: string) => void,
): LogOp[] | undefined {
  const text = readFileSync(logFile, 'utf8');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const header = parseLine(lines[0] ?? '') as Partial<LogHeader> | undefined;
  if (!header || header.format !== LOG_FORMAT || header.id !== expectedId) {
    warn(`ignoring ${logFile}: it does not follow ${snapshot} (another log id); the state is the snapshot alone.`);
    return undefined;
  }
  const ops: LogOp[] = [];
  for (let i = 1; i < lines.length; i++) {
    const op = parseLine(lines[i] as string) as LogOp | undefined;
    if (op && Number.isInteger(op.n) && typeof op.op === 'string') {
      ops.push(op);
      continue;
    }
    if (i === lines.length - 1) {
      warn(
        `ignoring the last line of ${logFile}: it was cut off (the process stopped while writing it); that change was not acknowledged.`,
      );
      break;
    }
    throw new DataFileError(
      `refusing to use ${snapshot}: line ${i + 1} of ${logFile} is damaged and ${lines.length - 1 - i} changes follow it. The emulator never overwrites a file it cannot read; move ${logFile} away to start from the snapshot alone (the changes in it are then lost).`,
    );
  }
  return ops;
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/**
 * `--data FILE`: a snapshot of the whole state (FILE, written with lowdb through a temporary file and
 * a rename, so never half-written) and a change log beside it (FILE.log, one JSON line per change,
 * store/change-log.ts). A change is appended to the log when the store announces it, before the
 * command that made it answers, so keeping a write costs what the write is, whatever the size of the
 * state, and a crash (`kill -9`) loses no acknowledged write. Once the log is larger than the
 * snapshot (and COMPACT_MIN_BYTES) it is folded into a new snapshot, written in the background while
 * the log goes on: the cost of a snapshot is spread over at least as many bytes of changes. A load reads the snapshot and replays the
 * log lines after the last one it holds. A clean stop (close()) writes a snapshot with every change
 * and removes the log, so FILE alone holds the state.
 */
export class DataFile {
  readonly logFile: string;
  private readonly db: Low<StateFile | null>;
  private detach: (() => void) | undefined;
  private attached: { store: Store; now: () => number; generators: Generators } | undefined;
  private lastError: string | undefined;
  /** A fold of the log into a snapshot is to start on the next turn of the event loop. */
  private foldScheduled = false;
  /** The log's file descriptor (append) and its lineage id. */
  private fd: number | undefined;
  private logId = '';
  /** The number of the last line written. */
  private line = 0;
  private logBytes = 0;
  private snapshotBytes = 0;
  /** Set while a snapshot is written: the lines appended meanwhile, which the new log starts with. */
  private tail: string[] | undefined;
  private compacting: Promise<void> | undefined;
  /** A log write failed: changes go into a snapshot instead of being appended to a log that may end mid-line. */
  private broken = false;
  /** Changes came while broken and a snapshot was on its way: it may not hold them. */
  private missed = false;
  /** Log appends done (diagnostics, tests). */
  writes = 0;
  /** Snapshots written since attach, the first included (diagnostics, tests). */
  compactions = 0;

  constructor(
    readonly file: string,
    /** Where a failed write is reported (the emulator passes its logger). */
    private readonly onError: (message: string) => void,
  ) {
    this.logFile = `${file}.log`;
    this.db = new Low<StateFile | null>(
      new LowDataFile<StateFile | null>(file, { parse: JSON.parse, stringify: (data) => JSON.stringify(data) }),
      null,
    );
  }

  /** The saved state (the snapshot with its log replayed), or undefined when the file does not exist yet. Refuses a path that cannot hold it. */
  async load(): Promise<SavedState | undefined> {
    const problem = pathProblem(this.file);
    if (problem) throw new DataFileError(`cannot keep state in ${this.file}: ${problem}.`);
    if (!existsSync(this.file)) return undefined;
    try {
      await this.db.read();
    } catch (error) {
      const reason =
        error instanceof SyntaxError
          ? `it is not valid JSON (${error.message})`
          : `it cannot be read (${(error as Error).message})`;
      throw new DataFileError(
        `refusing to use ${this.file}: ${reason}. The emulator never overwrites a file it cannot read; move it away or pass another --data path.`,
      );
    }
    const saved = validate(this.file, this.db.data);
    this.db.data = null;
    if (!saved.log || !existsSync(this.logFile)) return saved;
    const ops = readLog(this.logFile, this.file, saved.log.id, this.onError);
    if (!ops) return saved;
    const replay = new Replay(saved.tenants);
    for (const op of ops) {
      if (op.n <= saved.log.through) continue;
      try {
        replay.apply(op);
      } catch (error) {
        if (!(error instanceof ReplayError)) throw error;
        throw new DataFileError(
          `refusing to use ${this.file}: ${this.logFile} does not fit it (${error.message}). Move ${this.logFile} away to start from the snapshot alone.`,
        );
      }
    }
    const generators = replay.generators ?? saved.generators;
    return validate(this.file, {
      format: STATE_FORMAT,
      version: STATE_VERSION,
      ...(generators ? { generators } : {}),
      tenants: replay.result(),
    });
  }

  /** Writes a snapshot now (a path that cannot be written is refused here, before the emulator listens) and starts a fresh log. */
  async attach(store: Store, now: () => number, generators: Generators): Promise<void> {
    this.attached = { store, now, generators };
    try {
      await this.compact();
    } catch (error) {
      throw new DataFileError(
        `cannot keep state in ${this.file}: ${pathProblem(this.file, error as NodeJS.ErrnoException) ?? (error as Error).message}.`,
      );
    }
    this.detach = store.onChange((change) => this.changed(change));
  }

  /** Writes every change into a last snapshot, removes the log and stops listening. Rejects when that write fails (the log then still holds every change). */
  async close(): Promise<void> {
    if (!this.attached) return;
    this.detach?.();
    this.detach = undefined;
    while (this.compacting) await this.compacting;
    await this.compact();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    unlinkSync(this.logFile);
    this.attached = undefined;
  }

  /** Resolves once every change made so far is in the log or a snapshot (each change is written as it is made). */
  async flushed(): Promise<void> {
    while (this.broken && this.compacting) await this.compacting;
  }

  /**
   * Appends the change to the log now, synchronously: the command that made it answers only after
   * this, so no acknowledged write waits in memory (work of later requests cannot delay it).
   */
  private changed(change: StoreChange): void {
    if (!this.attached) return;
    const { store, generators } = this.attached;
    if (this.broken) {
      // The state in memory has every change: a snapshot keeps them all.
      if (this.compacting) this.missed = true;
      else this.scheduleFold();
      return;
    }
    const body = encodeChange(
      change,
      (id) => store.tenant(id),
      () => store.tenants().map((t) => t.data),
    );
    if (!body) return;
    const lines = [JSON.stringify({ n: ++this.line, ...body })];
    // The tenant counter goes with the tenants it numbered (the id streams are forked at each start anyway).
    if (body.op === 'tenant' || body.op === 'everything')
      lines.push(JSON.stringify({ n: ++this.line, op: 'generators', generators: generators.state() }));
    const text = `${lines.join('\n')}\n`;
    try {
      if (this.fd === undefined) throw new Error('the log is not open');
      writeSync(this.fd, text);
    } catch (error) {
      this.broken = true;
      this.report(
        `could not append to ${this.logFile} (${(error as Error).message}); changes are kept in memory and written in a snapshot instead.`,
      );
      if (this.compacting) this.missed = true;
      else this.scheduleFold();
      return;
    }
    this.writes += 1;
    this.logBytes += Buffer.byteLength(text);
    this.tail?.push(text);
    if (this.logBytes > Math.max(COMPACT_MIN_BYTES, this.snapshotBytes)) this.scheduleFold();
  }

  /** Folds the log into a snapshot on the next turn of the event loop, not inside the command that wrote the last line. */
  private scheduleFold(): void {
    if (this.foldScheduled || this.compacting) return;
    this.foldScheduled = true;
    setImmediate(() => {
      this.foldScheduled = false;
      if (this.attached && !this.compacting) this.startCompaction();
    });
  }

  private startCompaction(): void {
    this.compacting = this.compact()
      .then(
        () => {
          if (this.lastError) this.onError(`${this.file} is written again.`);
          this.lastError = undefined;
        },
        (error: unknown) => {
          this.report(
            `could not write ${this.file} (${(error as Error).message}); the log ${this.logFile} keeps the changes, and the next change tries again.`,
          );
        },
      )
      .finally(() => {
        this.compacting = undefined;
        if (this.missed && this.attached) {
          this.missed = false;
          this.startCompaction();
        }
      });
  }

  private report(message: string): void {
    if (message !== this.lastError) this.onError(message);
    this.lastError = message;
  }

  /**
   * A snapshot of the state now, holding every line written so far, then a new log holding the
   * lines written while the snapshot was on its way. Until the rename, the old snapshot and the
   * whole log still give the state; after it, the new snapshot skips the lines it holds.
   */
  private async compact(): Promise<void> {
    if (!this.attached) return;
    const { store, now, generators } = this.attached;
    const wasBroken = this.broken;
    const id = this.fd === undefined || wasBroken ? randomUUID() : this.logId;
    const through = this.line;
    // The lowdb adapter stringifies synchronously inside write(): the snapshot is taken now.
    this.db.data = {
      format: STATE_FORMAT,
      version: STATE_VERSION,
      savedAt: now(),
      generators: generators.state(),
      log: { id, through },
      tenants: store.tenants().map((t) => t.data),
    };
    const writing = this.db.write();
    this.db.data = null;
    const tail: string[] = [];
    this.tail = tail;
    try {
      await writing;
    } finally {
      this.tail = undefined;
    }
    this.snapshotBytes = statSync(this.file).size;
    // Synchronous from here: no append can fall between the new log's content and its rename.
    const header: LogHeader = { format: LOG_FORMAT, id };
    const text = `${JSON.stringify(header)}\n${tail.join('')}`;
    new TextFileSync(this.logFile).write(text);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = openSync(this.logFile, 'a');
    this.logId = id;
    this.logBytes = Buffer.byteLength(text);
    if (wasBroken) this.broken = false;
    this.compactions += 1;
  }
}
