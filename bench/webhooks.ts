/**
 * Webhook throughput, the emulator side: an in-process emulator whose every GUURU webhook goes to
 * the receiver (`webhookUrl`). First a warm-up (`--warmup` deliveries on chats of their own, not
 * measured), then the `--chats` fresh chats of every round (creating a chat fires no webhook), then
 * `READY <url>`. Each of the `--rounds` rounds waits for a line `go` on stdin (at once with `--auto`) and
 * generates `--deliveries` events through the domain commands, `--batch` per event-loop turn so the
 * API keeps answering in between: every chat assigned (chat-assigned) and accepted (chat-opened),
 * then user messages round-robin over the chats (message-created). Each event is serialised,
 * signed and queued by the emulator's own publisher, as in normal use. A round prints
 * `ENQUEUED <round> <ms>` when its last event is queued and `RESULT <round> <json>` once
 * `dispatcher.idle()` resolves. After the last round it keeps answering until stdin closes (with
 * `--auto` it stops and exits).
 *
 *   node --import tsx bench/webhook-receiver.ts   # prints its URL
 *   node --import tsx bench/webhooks.ts --receiver http://127.0.0.1:PORT --auto [--deliveries 20000] [--chats 500]
 *     [--batch 500] [--warmup 3000] [--rounds 1] [--concurrency 64] [--pipelining 16] [--profile round1.cpuprofile]
 *     [--heap-profile drain1.heapprofile [--survivors]] [--gc-log]
 *
 * `--profile` writes an inspector CPU profile of round 1's measured phase only (first event → idle);
 * `--heap-profile` a sampling heap profile of round 1's drain (see heapProfileTo).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { constants, monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { exitWithParent, round } from './lib.js';

exitWithParent();

const flag = (name: string, fallback: string): string => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const receiver = flag('--receiver', '');
const deliveries = Number(flag('--deliveries', '20000'));
const chats = Number(flag('--chats', '500'));
const batch = Number(flag('--batch', '500'));
/** Requests in flight per URL and per connection; empty: the emulator's defaults. */
const concurrencyFlag = flag('--concurrency', '');
const pipeliningFlag = flag('--pipelining', '');
const warmup = Number(flag('--warmup', '3000'));
const rounds = Number(flag('--rounds', '1'));
const auto = process.argv.includes('--auto');
/** Writes a CPU profile of the measured phase only (from the first event to idle) to this file. */
const profileTo = flag('--profile', '');
/**
 * Writes a sampling heap profile of round 1's drain (last event queued → idle): every allocation, or
 * with `--survivors` only those a young collection did not collect (what the scavenges copied).
 */
const heapProfileTo = flag('--heap-profile', '');
const survivorsOnly = process.argv.includes('--survivors');
/** Prints `GC <start, ms since the epoch> <duration ms> <kind>` for each collection of a round's measured phase (to line pauses up with a prober's slow samples). */
const gcLog = process.argv.includes('--gc-log');
if (!receiver) throw new Error('--receiver <url of bench/webhook-receiver.ts> is required');
if (deliveries < 2 * chats)
  throw new Error(`--deliveries must be at least 2 × --chats (${2 * chats}): every chat is assigned and accepted`);

const { createEmulator, silentLogger } = await import('../src/index.js');
const { acceptChat, assignChat, createChat, postMessage } = await import('../src/domain/chats.js');

const emu = await createEmulator({
  port: 0,
  logger: silentLogger,
  webhookUrl: `${receiver}/hook`,
  deliveryLogSize: 1000,
  ...(concurrencyFlag ? { webhookConcurrency: Number(concurrencyFlag) } : {}),
  ...(pipeliningFlag ? { webhookPipelining: Number(pipeliningFlag) } : {}),
});
const { webhookConcurrency: concurrency, webhookPipelining: pipelining } = emu.config;
const url = await emu.start();
const tenant = emu.store.tenant('guuru-qa');
if (!tenant) throw new Error('no tenant guuru-qa');
const dispatcher = emu.webhooks.dispatcher;

async function startProfile(): Promise<{ stop(file: string): Promise<void> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  return {
    async stop(file) {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

/** Samples allocations (one per 16 KiB on average), including those the GC has collected by the end. */
async function startHeapProfile(): Promise<{ stop(file: string): Promise<void> }> {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 16_384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: !survivorsOnly,
    // Node 20's types of the protocol do not list the two include flags yet.
  } as never);
  return {
    async stop(file) {
      const { profile } = await session.post('HeapProfiler.stopSampling');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

function logCollections(): PerformanceObserver {
  const kinds: Record<number, string> = {
    [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
    [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
  };
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      // A gc entry's detail holds its kind (Node's types leave it out of PerformanceEntry).
      const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? 0;
      console.log(
        `GC ${round(performance.timeOrigin + e.startTime, 2)} ${round(e.duration, 2)} ${kinds[kind] ?? kind}`,
      );
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return observer;
}

/** With --gc-log: `STALL <start, ms since the epoch> <wall ms> <CPU ms of this process>` when a 1 ms timer comes 10 ms late or more. */
function logStalls(): NodeJS.Timeout {
  let wall = performance.now();
  let cpu = process.cpuUsage();
  return setInterval(() => {
    const now = performance.now();
    const used = process.cpuUsage(cpu);
    if (now - wall >= 10)
      console.log(
        `STALL ${round(performance.timeOrigin + wall, 2)} ${round(now - wall, 2)} ${round((used.user + used.system) / 1000, 2)}`,
      );
    wall = now;
    cpu = process.cpuUsage();
  }, 1);
}

const USER = { kind: 'user' } as const;
/** `count` chats and a function that fires event number i (0-based) of the plan over them. */
function plan(count: number, label: string): (i: number) => void {
  const t = tenant as NonNullable<typeof tenant>;
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(createChat(emu.domain, t, { question: `${label} question ${i}` }).id);
  if (dispatcher.log.counts().pending !== 0)
    throw new Error('creating chats queued webhooks: the event plan would be off');
  return (i) => {
    const chatId = ids[i % count] as string;
    if (i < count) assignChat(emu.domain, t, chatId, ['api']);
    else if (i < 2 * count) acceptChat(emu.domain, t, chatId, {});
    else postMessage(emu.domain, t, chatId, { type: 'text', text: `${label} message ${i}` }, USER);
  };
}

/** Fires events 0..total-1, `batch` per event-loop turn; resolves with the busy time. */
async function fireAll(fire: (i: number) => void, total: number): Promise<number> {
  let busyMs = 0;
  for (let from = 0; from < total; from += batch) {
    const batchStart = performance.now();
    for (let i = from; i < Math.min(from + batch, total); i++) fire(i);
    busyMs += performance.now() - batchStart;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return busyMs;
}

/** What the 'settled' and 'attempt' listeners count, per round; `current` undefined during the warm-up. */
interface Tally {
  delivered: number;
  failed: number;
  attempts: number;
  firstSettledMs?: number;
  lastSettledMs: number;
}
const warmupTally: Tally = { delivered: 0, failed: 0, attempts: 0, lastSettledMs: 0 };
let current: Tally | undefined;
dispatcher.on('attempt', () => {
  (current ?? warmupTally).attempts += 1;
});
dispatcher.on('settled', (delivery) => {
  const tally = current ?? warmupTally;
  if (delivery.status === 'delivered') tally.delivered += 1;
  else tally.failed += 1;
  const now = performance.now();
  tally.firstSettledMs ??= now;
  tally.lastSettledMs = now;
});

// Warm-up on chats of their own (the JIT, the connection pool), not measured.
const warmupStart = performance.now();
if (warmup > 0) {
  await fireAll(plan(Math.min(chats, Math.floor(warmup / 2)), 'warm-up'), warmup);
  await dispatcher.idle();
}
const warmupMs = performance.now() - warmupStart;
if (warmupTally.failed > 0)
  throw new Error(
    `${warmupTally.failed} warm-up deliveries failed: is the receiver up at ${receiver}? First: ${JSON.stringify(
      dispatcher.log.list({ status: 'failed' })[0]?.attempts,
    )}`,
  );

/** Resolves on the n-th `go` line on stdin (at once with --auto). */
let gos = 0;
const goWaiters: { n: number; resolve: () => void }[] = [];
if (!auto) {
  let input = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    input += chunk;
    gos = input.split('\n').filter((l) => l.trim() === 'go').length;
    for (const w of goWaiters.filter((w) => w.n <= gos)) {
      goWaiters.splice(goWaiters.indexOf(w), 1);
      w.resolve();
    }
  });
  process.stdin.resume();
}
const go = (n: number) =>
  auto || gos >= n ? Promise.resolve() : new Promise<void>((resolve) => goWaiters.push({ n, resolve }));

const LOOP_RESOLUTION_MS = 2;
// The histogram holds the interval between two ticks of its timer: the lag is what exceeds the resolution.
const lag = (ns: number) => round(Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS), 1);

// Every round's chats made now, not between rounds: creating 500 chats holds the loop for 20–40 ms,
// and done right after a round's RESULT it delayed the prober's last query of that round's drain.
const plans = Array.from({ length: rounds }, (_, i) => plan(chats, `round ${i + 1}`));
console.log(`READY ${url}`);
for (let r = 1; r <= rounds; r++) {
  const fire = plans[r - 1] as (i: number) => void;
  const logAtStart = dispatcher.log.counts();
  await go(r);
  const tally: Tally = { delivered: 0, failed: 0, attempts: 0, lastSettledMs: 0 };
  current = tally;
  const profiler = profileTo && r === 1 ? await startProfile() : undefined;
  const gcObserver = gcLog ? logCollections() : undefined;
  const stalls = gcLog ? logStalls() : undefined;
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loopDelay.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const enqueueBusyMs = await fireAll(fire, deliveries);
  const enqueuedMs = performance.now() - t0;
  const settledWhileQueueing = tally.delivered + tally.failed;
  console.log(`ENQUEUED ${r} ${round(enqueuedMs)}`);
  const heapProfiler = heapProfileTo && r === 1 ? await startHeapProfile() : undefined;
  await dispatcher.idle();
  const totalMs = performance.now() - t0;
  if (heapProfiler) await heapProfiler.stop(heapProfileTo);
  const cpu = process.cpuUsage(cpu0);
  loopDelay.disable();
  gcObserver?.disconnect();
  if (stalls) clearInterval(stalls);
  current = undefined;
  if (profiler) await profiler.stop(profileTo);

  const counts = dispatcher.log.counts();
  const failed = dispatcher.log.list({ status: 'failed' }).slice(0, 5);
  console.log(
    `RESULT ${r} ${JSON.stringify({
      round: r,
      deliveries,
      chats,
      batch,
      concurrency,
      pipelining,
      warmup,
      warmupMs: round(warmupMs),
      warmupPerSecond: round(warmup / (warmupMs / 1000)),
      enqueueMs: round(enqueuedMs),
      enqueueBusyMs: round(enqueueBusyMs),
      totalMs: round(totalMs),
      drainAfterEnqueueMs: round(totalMs - enqueuedMs),
      settledWhileQueueing,
      firstSettledMs: tally.firstSettledMs === undefined ? undefined : round(tally.firstSettledMs - t0, 1),
      lastSettledMs: round(tally.lastSettledMs - t0),
      perSecond: round((tally.delivered + tally.failed) / (totalMs / 1000)),
      delivered: tally.delivered,
      failed: tally.failed,
      attempts: tally.attempts,
      failedSamples: failed.map((d) => ({
        id: d.id,
        event: d.event,
        attempts: d.attempts.map((a) => a.error ?? a.statusCode),
      })),
      log: { ...counts, evictedDuringRound: counts.evicted - logAtStart.evicted },
      cpuUserMs: round(cpu.user / 1000),
      cpuSystemMs: round(cpu.system / 1000),
      cpuPercentOfWall: round(((cpu.user + cpu.system) / 1000 / totalMs) * 100),
      eventLoopLagMs: {
        p50: lag(loopDelay.percentile(50)),
        p99: lag(loopDelay.percentile(99)),
        max: lag(loopDelay.max),
      },
      rssBytes: process.memoryUsage().rss,
    })}`,
  );
}
// Run by the bench: stay up for its latency samples after the last round; it ends us by closing
// stdin or with SIGTERM.
if (auto) {
  await emu.stop();
  process.exit(0);
}
