/**
 * Reads at the chat cap: one in-process emulator on a virtual clock set behind the seed time, so
 * the chats created on it are dated out of creation order, as in a soak without reset. Tenant
 * `guuru-qa` keeps its seeded 260 chats (the baseline); a tenant made with POST /_emulator/tenants
 * is filled to the cap (20,000) through the domain's createChat, one virtual minute apart. Then the
 * documented orders and date filters of `partner.chats` are timed on both tenants, interleaved
 * round-robin over HTTP (sequential, keep-alive), and each order's p50/p99 compared. Each tenant's
 * windows are its own (quartiles and median of its dates), so every page is full on both.
 * Prints `RESULT <json>`.
 *
 *   node --import tsx bench/reads.ts [--chats 20000] [--samples 200]
 */
import { performance } from 'node:perf_hooks';
import { exitWithParent, percentile, round } from './lib.js';

exitWithParent();

const flag = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const capChats = flag('--chats', 20_000);
const samples = flag('--samples', 200);
const warmup = 20;
const DAY = 86_400_000;

const { createEmulator, silentLogger, VirtualClock } = await import('../src/index.js');
const { createChat } = await import('../src/domain/chats.js');

const seedTime = Date.UTC(2026, 10, 22);
// 150 days behind the seed time: inside the seeded chats' dates, so windows mix old and new chats.
const clock = new VirtualClock(seedTime - 150 * DAY);
const emu = await createEmulator({ port: 0, logger: silentLogger, seedTime, clock, maxChats: capChats });
const url = await emu.start();

const created = (await (
  await fetch(`${url}/_emulator/tenants`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'at-cap' }),
  })
).json()) as { id: string; token: string };
const big = emu.store.tenant(created.id);
const small = emu.store.tenant('guuru-qa');
if (!big || !small) throw new Error('tenants missing');
const fillStarted = performance.now();
while (big.data.chats.length < capChats) {
  createChat(emu.domain, big, { question: `Question ${big.data.chats.length}` });
  clock.advance(60_000);
}
const fillMs = performance.now() - fillStarted;

const tenants = [
  { name: 'seeded', token: 'demo-token', chats: small.data.chats },
  { name: 'at cap', token: created.token, chats: big.data.chats },
];

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
const FIELDS = 'edges { cursor node { id status question createdAt } } pageInfo { hasNextPage endCursor }';
type Args = (dates: { q25: number; median: number; q75: number }) => string;
const variants: { name: string; args: Args }[] = [
  { name: 'default order (id asc)', args: () => 'first: 10' },
  { name: 'id desc', args: () => 'first: 10, orderBy: {field: id, direction: desc}' },
  { name: 'createdAt asc', args: () => 'first: 10, orderBy: {field: createdAt, direction: asc}' },
  { name: 'createdAt desc', args: () => 'first: 10, orderBy: {field: createdAt, direction: desc}' },
  { name: 'startDate, asc', args: (d) => `first: 10, startDate: ${d.median}` },
  { name: 'endDate, desc', args: (d) => `first: 10, endDate: ${d.median}, orderBy: {field: id, direction: desc}` },
  { name: 'startDate + endDate, asc', args: (d) => `first: 10, startDate: ${d.q25}, endDate: ${d.q75}` },
  {
    name: 'startDate + endDate, desc',
    args: (d) => `first: 10, startDate: ${d.q25}, endDate: ${d.q75}, orderBy: {field: createdAt, direction: desc}`,
  },
  { name: 'startDate + endDate, first: 100', args: (d) => `first: 100, startDate: ${d.q25}, endDate: ${d.q75}` },
];

interface Answer {
  data?: { partner?: { chats?: { edges?: unknown[] } } };
  errors?: unknown[];
}
async function timed(token: string, query: string): Promise<{ ms: number; edges: number }> {
  const start = performance.now();
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  });
  const answer = (await res.json()) as Answer;
  const ms = performance.now() - start;
  if (res.status !== 200 || answer.errors)
    throw new Error(`unexpected answer ${res.status} ${JSON.stringify(answer).slice(0, 300)}`);
  return { ms, edges: answer.data?.partner?.chats?.edges?.length ?? 0 };
}

const cases = tenants.flatMap((t) => {
  const sorted = t.chats.map((c) => c.createdAt).sort((a, b) => a - b);
  const dates = { q25: quantile(sorted, 0.25), median: quantile(sorted, 0.5), q75: quantile(sorted, 0.75) };
  return variants.map((v) => ({
    tenant: t.name,
    token: t.token,
    variant: v.name,
    query: `{ partner { chats(${v.args(dates)}) { ${FIELDS} } } }`,
    times: [] as number[],
    edges: 0,
  }));
});
for (const c of cases) c.edges = (await timed(c.token, c.query)).edges;
for (let i = 0; i < warmup; i++) for (const c of cases) await timed(c.token, c.query);
for (let i = 0; i < samples; i++) for (const c of cases) c.times.push((await timed(c.token, c.query)).ms);
await emu.stop();

const stat = (tenant: string, variant: string) => {
  const c = cases.find((x) => x.tenant === tenant && x.variant === variant);
  if (!c) throw new Error(`no case ${tenant} ${variant}`);
  return { p50Ms: round(percentile(c.times, 50), 2), p99Ms: round(percentile(c.times, 99), 2), edges: c.edges };
};
const orders = variants.map((v) => {
  const seeded = stat('seeded', v.name);
  const atCap = stat('at cap', v.name);
  return { name: v.name, seeded, atCap, p50Ratio: round(atCap.p50Ms / seeded.p50Ms, 2) };
});
console.log(
  `RESULT ${JSON.stringify({
    chats: { seeded: small.data.chats.length, atCap: big.data.chats.length },
    datedInCreationOrder: { seeded: small.chatsSortedByCreation, atCap: big.chatsSortedByCreation },
    fillMs: round(fillMs),
    samples,
    orders,
    worstP50Ratio: Math.max(...orders.map((o) => o.p50Ratio)),
    heapUsedBytes: process.memoryUsage().heapUsed,
  })}`,
);
process.exit(0);
