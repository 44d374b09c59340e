/**
 * Deep paging: an in-process emulator with `bulkChats` chats (default 1,000,000), then the median
 * latency of a 100-chat page at the start of the list vs after a cursor deep in it, ascending and
 * descending, over HTTP to the started emulator. Requests are interleaved round-robin so drift of
 * the machine hits every variant alike. Prints `RESULT <json>`.
 *
 *   node --import tsx bench/deep-paging.ts [--chats 1000000] [--samples 30]
 */
import { performance } from 'node:perf_hooks';
import { chatCursor, exitWithParent, median, min, round } from './lib.js';

exitWithParent();

const flag = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const bulkChats = flag('--chats', 1_000_000);
const samples = flag('--samples', 30);
const warmup = 5;

const { createEmulator, silentLogger } = await import('../src/index.js');

const rssSamples: number[] = [];
const sampleRss = () => rssSamples.push(process.memoryUsage().rss);

const t0 = performance.now();
const emu = await createEmulator({ port: 0, logger: silentLogger, bulkChats });
const url = await emu.start();
const buildMs = performance.now() - t0;
sampleRss();

const page = (direction: 'asc' | 'desc', after?: string) =>
  `{ partner { chats(first: 100, orderBy: {field: id, direction: ${direction}}${after ? `, after: "${after}"` : ''}) { edges { cursor node { id status question createdAt } } pageInfo { hasNextPage endCursor } } } }`;

const deepAsc = Math.round(bulkChats * 0.9);
const deepDesc = Math.round(bulkChats * 0.1);
const variants = [
  { name: 'asc first page', query: page('asc'), expectFirstSeq: 1 },
  { name: `asc after #${deepAsc}`, query: page('asc', chatCursor(deepAsc)), expectFirstSeq: deepAsc + 1 },
  { name: 'desc first page', query: page('desc'), expectFirstSeq: undefined },
  { name: `desc after #${deepDesc}`, query: page('desc', chatCursor(deepDesc)), expectFirstSeq: deepDesc - 1 },
];

interface Answer {
  data?: { partner?: { chats?: { edges?: { cursor: string }[] } } };
  errors?: unknown[];
}

async function timed(query: string): Promise<{ ms: number; answer: Answer; status: number }> {
  const start = performance.now();
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer demo-token' },
    body: JSON.stringify({ query }),
  });
  const answer = (await res.json()) as Answer;
  return { ms: performance.now() - start, answer, status: res.status };
}

const seqOfCursor = (cursor: string): number => {
  const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
  return Number(parsed[parsed.length - 1]);
};

// Check every variant once, then warm up.
const checks: Record<string, { edges: number; firstSeq: number | undefined }> = {};
for (const v of variants) {
  const { answer, status } = await timed(v.query);
  const edges = answer.data?.partner?.chats?.edges ?? [];
  if (status !== 200 || answer.errors || edges.length !== 100) {
    throw new Error(`${v.name}: unexpected answer ${status} ${JSON.stringify(answer).slice(0, 500)}`);
  }
  const firstSeq = edges[0] ? seqOfCursor(edges[0].cursor) : undefined;
  if (v.expectFirstSeq !== undefined && firstSeq !== v.expectFirstSeq) {
    throw new Error(`${v.name}: the page starts at #${firstSeq}, expected #${v.expectFirstSeq}`);
  }
  checks[v.name] = { edges: edges.length, firstSeq };
}
for (let i = 0; i < warmup; i++) for (const v of variants) await timed(v.query);

const times = new Map<string, number[]>(variants.map((v) => [v.name, []]));
for (let i = 0; i < samples; i++) {
  for (const v of variants) times.get(v.name)?.push((await timed(v.query)).ms);
  if (i % 10 === 0) sampleRss();
}
sampleRss();
await emu.stop();

const stats = variants.map((v) => {
  const ms = times.get(v.name) ?? [];
  return { name: v.name, medianMs: round(median(ms), 2), minMs: round(min(ms), 2), firstSeq: checks[v.name]?.firstSeq };
});
const medianOf = (i: number) => stats[i]?.medianMs ?? NaN;

console.log(
  `RESULT ${JSON.stringify({
    bulkChats,
    samples,
    buildMs: round(buildMs),
    variants: stats,
    ratioAsc: round(medianOf(1) / medianOf(0), 2),
    ratioDesc: round(medianOf(3) / medianOf(2), 2),
    rssBytes: Math.max(...rssSamples),
    heapUsedBytes: process.memoryUsage().heapUsed,
  })}`,
);
process.exit(0);
