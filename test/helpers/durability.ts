import { existsSync, statSync } from 'node:fs';
import type { Running } from './spawn.js';

// `kill -9` under load against the built CLI with --data: shared by test/e2e/store/durability.test.ts
// (a few short cycles) and bench/durability.ts (the long runs at 50 tenants and 100,000 chats).

/** One acknowledged write: what it made and when its answer arrived (real time). */
export interface Ack {
  kind: 'chat' | 'tenant';
  id: string;
  at: number;
}

export type WriterKind = Ack['kind'];

const json = { 'content-type': 'application/json' };
const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: json, body: JSON.stringify(body) });

/** Writers back to back (one per kind given), each recording its acknowledged writes, until stopped or the process is gone. */
export function writers(url: string, kinds: WriterKind[]): { acks: Ack[]; stop: () => Promise<void> } {
  const acks: Ack[] = [];
  let going = true;
  const loops = kinds.map(async (kind, w) => {
    for (let n = 0; going; n++) {
      try {
        const res =
          kind === 'chat'
            ? await post(`${url}/_emulator/tenants/guuru-qa/chats`, { question: `writer ${w} write ${n}` })
            : await post(`${url}/_emulator/tenants`, {});
        if (res.status !== 201) {
          // A full tenant list answers 409: this writer is done, the others go on.
          if (kind === 'tenant' && res.status === 409) return;
          continue;
        }
        const id = ((await res.json()) as { id: string }).id;
        acks.push({ kind, id, at: Date.now() });
      } catch {
        return; // the process is gone
      }
    }
  });
  return {
    acks,
    stop: async () => {
      going = false;
      await Promise.all(loops);
    },
  };
}

export const exited = (app: Running) =>
  new Promise<number | null>((resolve) =>
    app.child.exitCode !== null || app.child.signalCode !== null
      ? resolve(app.child.exitCode)
      : app.child.once('exit', (code) => resolve(code)),
  );

/** The acknowledged writes a (restarted) emulator does not have. */
export async function missing(url: string, acks: Ack[]): Promise<Ack[]> {
  const lost: Ack[] = [];
  for (const ack of acks) {
    const path = ack.kind === 'chat' ? `/_emulator/tenants/guuru-qa/chats/${ack.id}` : `/_emulator/tenants/${ack.id}`;
    const res = await fetch(`${url}${path}`);
    if (res.status !== 200) lost.push(ack);
  }
  return lost;
}

/** Bytes of the state file and its change log. */
export function stateBytes(file: string): number {
  return [file, `${file}.log`].reduce((sum, f) => sum + (existsSync(f) ? statSync(f).size : 0), 0);
}

export interface CycleResult {
  acknowledged: number;
  lost: Ack[];
  /** Lost writes acknowledged more than `promiseMs` before the kill: the promise broken. */
  broken: Ack[];
  /** Age at the kill of the oldest lost write (ms; negative: its answer was on its way). */
  oldestLossMs: number | undefined;
  /** The state on disk right after the kill (bytes of the file and its log). */
  bytesAtKill: number;
  /** The emulator started again on the same file. */
  again: Running;
}

/**
 * Loads `app` with the writers for `loadMs` (at least 20 writes), kills it with SIGKILL, starts it
 * again with `restart` and looks for every acknowledged write.
 */
export async function killCycle(options: {
  app: Running;
  file: string;
  kinds: WriterKind[];
  loadMs: number;
  promiseMs: number;
  restart: () => Promise<Running>;
}): Promise<CycleResult> {
  const load = writers(options.app.url, options.kinds);
  const started = Date.now();
  while (load.acks.length < 20 || Date.now() - started < options.loadMs)
    await new Promise((resolve) => setTimeout(resolve, 5));
  const killedAt = Date.now();
  options.app.child.kill('SIGKILL');
  await exited(options.app);
  await load.stop();
  const bytesAtKill = stateBytes(options.file);
  const again = await options.restart();
  const lost = await missing(again.url, load.acks);
  const ages = lost.map((a) => killedAt - a.at);
  return {
    acknowledged: load.acks.length,
    lost,
    broken: lost.filter((a) => killedAt - a.at > options.promiseMs),
    oldestLossMs: ages.length ? Math.max(...ages) : undefined,
    bytesAtKill,
    again,
  };
}
