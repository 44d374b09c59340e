/**
 * Shared helpers of the benchmark: child processes that never outlive the bench, CPU pinning,
 * a small HTTP client without undici's first-use cost, and statistics.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fstatSync, readFileSync } from 'node:fs';
import { get, request, type Agent } from 'node:http';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';

export const TOKEN = 'demo-token';
export const AUTH_HEADER = `Bearer ${TOKEN}`;

export const Q1 = '{ partner { id } }';
export const Q2 =
  '{ partner { chats(first: 100, orderBy: {field: id, direction: asc}) { edges { cursor node { id status question createdAt } } pageInfo { hasNextPage endCursor } } } }';

// ---------------------------------------------------------------------------------------------
// Children: every process the bench starts is registered here and killed when the bench ends,
// however it ends (normal exit, exception, Ctrl-C, SIGTERM).

const children = new Set<ChildProcess>();

function killAll(signal: NodeJS.Signals): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
    }
  }
}

let guarded = false;
/** Installs the exit hooks once. */
export function guardChildren(): void {
  if (guarded) return;
  guarded = true;
  process.on('exit', () => killAll('SIGKILL'));
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      console.error(`\n${signal}: stopping the benchmark and its child processes`);
      killAll('SIGKILL');
      process.exit(130);
    });
  }
  process.on('uncaughtException', (error) => {
    console.error(error);
    killAll('SIGKILL');
    process.exit(1);
  });
  process.on('unhandledRejection', (error) => {
    console.error(error);
    killAll('SIGKILL');
    process.exit(1);
  });
}

let tasksetOk: boolean | undefined;
/** True when `taskset -c 0` works here (checked once). */
export function canPin(): boolean {
  tasksetOk ??= (() => {
    try {
      return spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore', timeout: 5000 }).status === 0;
    } catch {
      return false;
    }
  })();
  return tasksetOk;
}

export interface SpawnOptions {
  /** Run on one CPU (`cpu`, default 0) through `taskset -c` when available. */
  pin?: boolean;
  /** The CPU `pin` uses (default 0); a CPU this machine does not have means no pinning. */
  cpu?: number;
  env?: NodeJS.ProcessEnv;
  /** Forward the child's stderr to ours (default true). */
  stderr?: boolean;
}

export interface Child {
  process: ChildProcess;
  pid: number;
  pinned: boolean;
  /** Everything the child wrote on stdout so far. */
  stdout(): string;
  /** Resolves with the first match of `pattern` in stdout; rejects on exit or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code once the child is gone. */
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the child is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts `command args` (pinned to CPU 0 if asked and possible) and registers it for cleanup. */
export function spawnChild(command: string, args: string[], options: SpawnOptions = {}): Child {
  guardChildren();
  const cpu = options.cpu ?? 0;
  const pinned = options.pin === true && canPin() && cpu < cpus().length;
  const [file, argv] = pinned ? ['taskset', ['-c', String(cpu), command, ...args]] : [command, args];
  // stdin stays an open pipe: the children written for the bench exit when it closes,
  // so they die with the bench even if it is killed with SIGKILL.
  const child = spawn(file, argv, {
    stdio: ['pipe', 'pipe', options.stderr === false ? 'ignore' : 'inherit'],
    env: options.env ?? process.env,
  });
  children.add(child);
  let out = '';
  const waiters = new Set<() => void>();
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    out += chunk;
    for (const w of waiters) w();
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      children.delete(child);
      for (const w of waiters) w();
      resolve(code);
    });
    child.once('error', (error) => {
      children.delete(child);
      out += `\n[spawn error] ${error.message}`;
      for (const w of waiters) w();
      resolve(null);
    });
  });
  return {
    process: child,
    pid: child.pid ?? -1,
    pinned,
    stdout: () => out,
    exited,
    waitFor(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(out);
          if (match) {
            done();
            resolve(match);
          } else if (child.exitCode !== null || child.signalCode !== null || out.includes('[spawn error]')) {
            done();
            reject(
              new Error(
                `${command} ${args.join(' ')} exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}. stdout:\n${out}`,
              ),
            );
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(
              `${command} ${args.join(' ')} printed nothing matching ${pattern} within ${timeoutMs} ms. stdout:\n${out}`,
            ),
          );
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async stop(graceMs = 3000) {
      if (child.exitCode !== null || child.signalCode !== null || !children.has(child)) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Matches the URL in the CLI's "listening on http://..." line (and the baseline's). */
export const LISTENING = /listening on (http:\/\/127\.0\.0\.1:\d+)/;

/** Resident set size of a process in bytes, from /proc (Linux); undefined elsewhere. */
export function rssOf(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match?.[1] ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Peak resident set size of a process in bytes (VmHWM, Linux): what it held at its largest so far. */
export function peakRssOf(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on every Linux build this runs on). */
const USER_HZ = 100;

/**
 * CPU seconds a process has used (user + system, /proc/PID/stat; Linux). Throughput per CPU second
 * compares servers fairly on a busy machine: what another process takes from one server's CPU
 * lowers its req/s but not its requests per CPU second.
 */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) in parentheses; utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
  } catch {
    return undefined;
  }
}

/** The same in milliseconds. */
export function cpuMsOf(pid: number): number | undefined {
  const seconds = cpuSecondsOf(pid);
  return seconds === undefined ? undefined : seconds * 1000;
}

// ---------------------------------------------------------------------------------------------
// HTTP

export interface GraphQLAnswer {
  status: number;
  body: string;
  json: { data?: unknown; errors?: unknown[] } | undefined;
}

/**
 * POST {query} to `url` with the demo token, over a fresh connection (no keep-alive pool), or
 * through `agent` (e.g. a keep-alive `http.Agent`) when given.
 */
export function postGraphQL(
  url: string,
  query: string,
  timeoutMs = 10_000,
  agent: Agent | false = false,
): Promise<GraphQLAnswer> {
  const payload = JSON.stringify({ query });
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          authorization: AUTH_HEADER,
        },
        timeout: timeoutMs,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          let json: GraphQLAnswer['json'];
          try {
            json = JSON.parse(body) as GraphQLAnswer['json'];
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body, json });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** GET `url` and parse the answer as JSON (fresh connection). */
export function getJson<T>(url: string, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`GET ${url}: ${res.statusCode} ${body.slice(0, 500)}`));
        else resolve(JSON.parse(body) as T);
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/** Edge count of a `partner.chats` answer, or undefined when the answer is not one. */
export function edgeCount(answer: GraphQLAnswer): number | undefined {
  const data = answer.json?.data as { partner?: { chats?: { edges?: unknown[] } } } | undefined;
  return data?.partner?.chats?.edges?.length;
}

/** Throws unless the answer is a 200 without errors. */
export function assertOk(answer: GraphQLAnswer, what: string): void {
  if (answer.status !== 200 || !answer.json || answer.json.errors) {
    throw new Error(`${what}: unexpected answer ${answer.status} ${answer.body.slice(0, 500)}`);
  }
}

/**
 * `{ partner { id } }` one after another through `agent` with `gapMs` between, until `until()`; each
 * answer must be a 200 without errors (`what` names the probe in the error). Returns the latencies (ms).
 */
export async function probeQ1(
  url: string,
  agent: Agent,
  until: () => boolean,
  gapMs: number,
  what: string,
  timeoutMs = 10_000,
): Promise<number[]> {
  const samples: number[] = [];
  while (!until()) {
    const start = performance.now();
    const answer = await postGraphQL(url, Q1, timeoutMs, agent);
    samples.push(performance.now() - start);
    assertOk(answer, what);
    await sleep(gapMs);
  }
  return samples;
}

// ---------------------------------------------------------------------------------------------
// Numbers

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The p-th percentile (0–100), nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export const min = (values: readonly number[]): number => Math.min(...values);
export const max = (values: readonly number[]): number => Math.max(...values);
export const round = (value: number, digits = 0): number => Number(value.toFixed(digits));
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Encodes a chat cursor exactly as the emulator does: base64url of ["chat", seq]. */
export const chatCursor = (seq: number): string => Buffer.from(JSON.stringify(['chat', seq])).toString('base64url');

/** Runs a bench child that prints `RESULT <json>` as its last stdout line, with a time limit. */
export async function runJsonChild<T>(script: string, args: string[], timeoutMs: number, pin = false): Promise<T> {
  const child = spawnChild(process.execPath, ['--import', 'tsx', script, ...args], { pin });
  const timer = setTimeout(() => {
    console.error(`${script} ran longer than ${timeoutMs} ms: killing it`);
    child.process.kill('SIGKILL');
  }, timeoutMs);
  const code = await child.exited;
  clearTimeout(timer);
  const line = child
    .stdout()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('RESULT '));
  if (code !== 0 || !line) throw new Error(`${script} failed (exit ${code}). stdout:\n${child.stdout()}`);
  return JSON.parse(line.slice('RESULT '.length)) as T;
}

/**
 * For children: exit when the parent goes away (its end of our stdin pipe closes). Only when stdin
 * is a pipe: run by hand from a terminal or with </dev/null, the script just runs.
 */
export function exitWithParent(): void {
  try {
    const stdin = fstatSync(0);
    if (!stdin.isFIFO() && !stdin.isSocket()) return;
  } catch {
    return;
  }
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
}

/** Count, p50, p99 and max of latencies (ms), to 0.1 ms. */
export const latencySummary = (samples: number[]) => ({
  samples: samples.length,
  p50Ms: round(percentile(samples, 50), 1),
  p99Ms: round(percentile(samples, 99), 1),
  maxMs: round(Math.max(...samples), 1),
});
