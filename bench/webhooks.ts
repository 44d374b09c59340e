/**
 * Webhook throughput, the emulator side: an in-process emulator whose every GUURU webhook goes to
 * the receiver (`webhookUrl`), `--chats` chats created up front (chat creation fires no webhook).
 * It prints `READY <url>` and waits for a line `go` on stdin (or starts at once with `--auto`);
 * then it generates `--deliveries` events through the domain commands, `--batch` per event-loop
 * turn so the API keeps answering in between: every chat assigned (chat-assigned) and accepted
 * (chat-opened), then user messages round-robin over the chats (message-created). Each event is
 * serialised, signed and queued by the emulator's own publisher, as in normal use. Prints
 * `ENQUEUED <ms>` when the last event is queued and `RESULT <json>` once `dispatcher.idle()`
 * resolves.
 *
 *   node --import tsx bench/webhook-receiver.ts   # prints its URL
 *   node --import tsx bench/webhooks.ts --receiver http://127.0.0.1:PORT --auto [--deliveries 20000] [--chats 500] [--batch 500]
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
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
const concurrency = Number(flag('--concurrency', '16'));
const auto = process.argv.includes('--auto');
if (!receiver) throw new Error('--receiver <url of bench/webhook-receiver.ts> is required');
if (deliveries < 2 * chats) throw new Error(`--deliveries must be at least 2 × --chats (${2 * chats}): every chat is assigned and accepted`);

const { createEmulator, silentLogger } = await import('../src/index.js');
const { acceptChat, assignChat, createChat, postMessage } = await import('../src/domain/chats.js');

const emu = await createEmulator({
  port: 0,
  logger: silentLogger,
  webhookUrl: `${receiver}/hook`,
  deliveryLogSize: 1000,
  webhookConcurrency: concurrency,
});
const url = await emu.start();
const tenant = emu.store.tenant('guuru-qa');
if (!tenant) throw new Error('no tenant guuru-qa');
const dispatcher = emu.webhooks.dispatcher;

const chatIds: string[] = [];
for (let i = 0; i < chats; i++) chatIds.push(createChat(emu.domain, tenant, { question: `bench question ${i}` }).id);
if (dispatcher.log.counts().pending !== 0) throw new Error('creating chats queued webhooks: the event plan below would be off');

/** Event number i (0-based) of the plan. */
const USER = { kind: 'user' } as const;
function fire(i: number): void {
  const chatId = chatIds[i % chats] as string;
  if (i < chats) assignChat(emu.domain, tenant as NonNullable<typeof tenant>, chatId, ['api']);
  else if (i < 2 * chats) acceptChat(emu.domain, tenant as NonNullable<typeof tenant>, chatId, {});
  else postMessage(emu.domain, tenant as NonNullable<typeof tenant>, chatId, { type: 'text', text: `message ${i}` }, USER);
}

const settledBy = { delivered: 0, failed: 0 };
let firstSettledMs: number | undefined;
let lastSettledMs = 0;
let attempts = 0;
dispatcher.on('attempt', () => (attempts += 1));
dispatcher.on('settled', (delivery) => {
  const now = performance.now();
  firstSettledMs ??= now;
  lastSettledMs = now;
  if (delivery.status === 'delivered') settledBy.delivered += 1;
  else settledBy.failed += 1;
});

const started = new Promise<void>((resolve) => {
  if (auto) {
    resolve();
    return;
  }
  let input = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    input += chunk;
    if (/^go$/m.test(input)) resolve();
  });
  process.stdin.resume();
});

console.log(`READY ${url}`);
await started;

const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let enqueueBusyMs = 0;
for (let from = 0; from < deliveries; from += batch) {
  const batchStart = performance.now();
  for (let i = from; i < Math.min(from + batch, deliveries); i++) fire(i);
  enqueueBusyMs += performance.now() - batchStart;
  await new Promise<void>((resolve) => setImmediate(resolve));
}
const enqueuedMs = performance.now() - t0;
console.log(`ENQUEUED ${round(enqueuedMs)}`);
await dispatcher.idle();
const totalMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
loopDelay.disable();

const counts = dispatcher.log.counts();
const failed = dispatcher.log.list({ status: 'failed' }).slice(0, 5);
const ns = (value: number) => round(value / 1e6, 1);
console.log(
  `RESULT ${JSON.stringify({
    deliveries,
    chats,
    batch,
    concurrency,
    enqueueMs: round(enqueuedMs),
    enqueueBusyMs: round(enqueueBusyMs),
    totalMs: round(totalMs),
    drainAfterEnqueueMs: round(totalMs - enqueuedMs),
    firstSettledMs: firstSettledMs === undefined ? undefined : round(firstSettledMs - t0, 1),
    lastSettledMs: round(lastSettledMs - t0),
    perSecond: round((settledBy.delivered + settledBy.failed) / (totalMs / 1000)),
    delivered: settledBy.delivered,
    failed: settledBy.failed,
    attempts,
    failedSamples: failed.map((d) => ({ id: d.id, event: d.event, attempts: d.attempts.map((a) => a.error ?? a.statusCode) })),
    log: counts,
    cpuUserMs: round(cpu.user / 1000),
    cpuSystemMs: round(cpu.system / 1000),
    cpuPercentOfWall: round(((cpu.user + cpu.system) / 1000 / totalMs) * 100),
    eventLoopDelayMs: { p50: ns(loopDelay.percentile(50)), p99: ns(loopDelay.percentile(99)), max: ns(loopDelay.max) },
    rssBytes: process.memoryUsage().rss,
  })}`,
);
await emu.stop();
process.exit(0);
