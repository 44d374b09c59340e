/**
 * What every command that works on an emulator shares: reach the one at --url, or start one in this
 * process listening there (so an integration configured for that URL reaches it), and talk to it
 * through testing/'s ControlClient. One usage error (exit 2) for all of them.
 */
import { createEmulator, type Emulator } from '../app/emulator.js';
import { VirtualClock } from '../kernel/clock.js';
import { silentLogger } from '../kernel/logger.js';
import { ControlApiError, ControlClient } from '../testing/control-client.js';

/** A mistake in how a command was called, or an emulator it cannot use: exit 2 with this message. */
export class UsageError extends Error {}

/** True when a guuru-emulator answers its health check at `url` (another server there does not count). */
export async function reachable(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/_emulator/health`, { signal: AbortSignal.timeout(1_500) });
    return res.ok && ((await res.json()) as { name?: string }).name === 'guuru-emulator';
  } catch {
    return false;
  }
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]', '0.0.0.0']);

/** Where to start an emulator for --url: its host and port when that is this machine, else a UsageError saying why not. */
export function localAddress(url: string, command: string): { host: string; port: number } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--url: "${url}" is not a URL (e.g. http://127.0.0.1:4000).`);
  }
  if (parsed.protocol !== 'http:')
    throw new UsageError(
      `No emulator answers at ${url}, and ${command} only starts one over http: use --url http://127.0.0.1:PORT.`,
    );
  if (!LOCAL_HOSTS.has(parsed.hostname)) {
    throw new UsageError(
      `No emulator answers at ${url}. ${command} starts one only on this machine (127.0.0.1, localhost): start guuru-emulator on ${parsed.hostname}, or point --url at a local address.`,
    );
  }
  const host = parsed.hostname === 'localhost' ? '127.0.0.1' : parsed.hostname.replace(/^\[|\]$/g, '');
  return { host, port: parsed.port === '' ? 80 : Number(parsed.port) };
}

export interface RemoteOptions {
  /** The emulator's address (--url). */
  url: string;
  /** The command's name, for messages (`scenario run`). */
  command: string;
  /** --admin-token (env ADMIN_TOKEN is read when absent). */
  adminToken?: string;
  tenant?: string;
  /** Start a local emulator on a virtual clock (scenario time passes at the run's pace). */
  virtualClock?: boolean;
  /** Scenario folders a local emulator loads. */
  scenarios?: string[];
  /** Called before a local emulator is started; throws a UsageError when this command cannot use one. */
  beforeStart?: () => void;
  /** Said after "started one in this process at URL" (` (it stops when the run ends)`). */
  lifetime?: string;
}

/** An emulator a command talks to: the one at --url, or one it started and must stop. */
export interface Remote {
  base: string;
  control: ControlClient;
  /** The emulator this process started, when none answered. */
  local?: Emulator;
  stop(): Promise<void>;
}

/** Reaches the emulator at `options.url`, or starts one in this process listening there. */
export async function reachOrStart(options: RemoteOptions, out: Pick<Console, 'log'> = console): Promise<Remote> {
  const url = options.url.replace(/\/+$/, '');
  const remote = (base: string, local?: Emulator): Remote => ({
    base,
    local,
    control: new ControlClient(base, {
      adminToken: local ? local.adminToken : (options.adminToken ?? process.env.ADMIN_TOKEN),
      tenant: options.tenant,
    }),
    stop: async () => local?.stop(),
  });
  if (await reachable(url)) return remote(url);
  const where = localAddress(url, options.command);
  options.beforeStart?.();
  const local = await createEmulator({
    ...where,
    logger: silentLogger,
    ...(options.virtualClock ? { clock: new VirtualClock(Date.now()) } : {}),
    ...(options.scenarios && options.scenarios.length > 0 ? { scenarios: options.scenarios } : {}),
    // The test suite's contract check of the control API (see control/answer-recorder.ts).
    ...(process.env.GUURU_EMULATOR_RECORD_CONTROL
      ? { recordControlTo: process.env.GUURU_EMULATOR_RECORD_CONTROL }
      : {}),
  });
  let base: string;
  try {
    base = await local.start();
  } catch (error) {
    await local.stop();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new UsageError(
        `No emulator answers at ${url}, and one cannot be started there (${code}): something else uses that address (port ${where.port} is taken by another program). Stop it, or pass --url of a running guuru-emulator.`,
      );
    }
    throw new UsageError(`No emulator answers at ${url}, and one cannot listen there: ${(error as Error).message}`);
  }
  out.log(`no emulator at ${url}; started one in this process at ${base}${options.lifetime ?? ''}`);
  return remote(base, local);
}

/** The message of a failed control call, as a person reads it (the API's own message when it gave one). */
export const messageOf = (error: unknown): string =>
  error instanceof ControlApiError ? (error.body.message ?? error.message) : (error as Error).message;
