import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import type { GraphQLSchema } from 'graphql';
import { graphqlRequest, rawRequest, restRequest, type FuzzRequest, type KnownIds } from './arbitraries.js';

/** What one answer told the fuzzer. */
export interface Finding {
  request: string;
  status: number;
  problem: '5xx' | 'stack trace' | 'no answer';
  excerpt: string;
}

export interface FuzzReport {
  seed: number;
  requests: number;
  byKind: Record<FuzzRequest['kind'], number>;
  statuses: Record<string, number>;
  serverErrors: number;
  stackTraces: number;
  /** Requests that got no answer in time outside the long polls that may wait (flush, ?wait=1). */
  unanswered: number;
  findings: Finding[];
  /** The slowest answered HTTP requests (raw sockets excepted), slowest first: where a stall would show. */
  slowest: { request: string; status: number; ms: number }[];
  durationMs: number;
}

/** A response body that shows code locations: `at fn (file.js:12:3)`. */
const STACK = /\n\s+at [^\n]+:\d+:\d+|at (?:Object|Module|async) [^\n]*\(\/[^)]+\)/;
/** Answers a route may give on purpose (the flush endpoint's documented timeout). */
const EXPECTED_5XX = (req: FuzzRequest, status: number) =>
  status === 504 && req.kind !== 'raw' && req.path.startsWith('/_emulator/deliveries/flush');

const describe = (req: FuzzRequest): string =>
  req.kind === 'raw'
    ? `RAW ${JSON.stringify(req.bytes.slice(0, 300))}`
    : `${req.method} ${req.path.slice(0, 300)} ${JSON.stringify(req.headers)} ${typeof req.body === 'string' ? req.body.slice(0, 500) : ''}`;

async function sendHttp(
  base: string,
  req: Extract<FuzzRequest, { kind: 'graphql' | 'rest' }>,
  timeoutMs: number,
): Promise<{ status: number; text: string } | undefined> {
  try {
    const body = typeof req.body === 'string' || req.body === undefined ? req.body : new Uint8Array(req.body);
    const res = await fetch(`${base}${req.path}`, {
      method: req.method,
      headers: req.headers,
      body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
    return { status: res.status, text: await res.text() };
  } catch {
    return undefined;
  }
}

function sendRaw(
  base: string,
  bytes: string,
  timeoutMs: number,
): Promise<{ status: number; text: string } | undefined> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve) => {
    let text = '';
    const socket = connect({ host: hostname, port: Number(port) });
    const finish = () => {
      socket.destroy();
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1];
      // A socket the server closed or kept waiting for more bytes without an answer is fine: nothing to check.
      resolve({ status: status ? Number(status) : 0, text });
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      finish();
    });
    socket.write(Buffer.from(bytes, 'latin1'));
  });
}

export interface FuzzOptions {
  baseUrl: string;
  schema: GraphQLSchema;
  ids: KnownIds;
  requests: number;
  seed: number;
  /** Requests in flight at once. Default 8. */
  concurrency?: number;
  /** Called every `progressEvery` requests (default 5,000). */
  onProgress?: (done: number) => void;
  progressEvery?: number;
}

/**
 * Sends `requests` generated requests (a third GraphQL from the schema, half REST/control routes,
 * the rest malformed HTTP), seeded so that a run repeats, and reports every 5xx, stack trace and
 * unanswered request. Samples are drawn in batches, each with its own seed derived from `seed`.
 */
export async function fuzz(options: FuzzOptions): Promise<FuzzReport> {
  const arbitrary = fc.oneof(
    { weight: 3, arbitrary: graphqlRequest(options.schema, options.ids) },
    { weight: 5, arbitrary: restRequest(options.ids) },
    { weight: 2, arbitrary: rawRequest() },
  );
  const started = Date.now();
  const report: FuzzReport = {
    seed: options.seed,
    requests: 0,
    byKind: { graphql: 0, rest: 0, raw: 0 },
    statuses: {},
    serverErrors: 0,
    stackTraces: 0,
    unanswered: 0,
    findings: [],
    slowest: [],
    durationMs: 0,
  };
  // Drawing samples is the slow part (5–20 ms each on a busy machine) and blocks this process. While it
  // is blocked, answers in flight can pass their timeout, and an idle keep-alive connection can pass the
  // server's 5 s keep-alive timeout unnoticed, so the next request on it fails ("other side closed"):
  // a false "no answer". So: small batches, and the first one drawn before a throw-away request that
  // replaces the connections left idle since `knownIds`.
  const BATCH = Math.min(50, options.requests);
  let batch = 0;
  let queue: FuzzRequest[] = fc.sample(arbitrary, { numRuns: BATCH, seed: options.seed + batch++ });
  for (let attempt = 0; attempt < 2; attempt++) {
    if (
      await fetch(`${options.baseUrl}/_emulator/health`).then(
        (r) => r.arrayBuffer().then(() => true),
        () => false,
      )
    )
      break;
  }
  const next = (): FuzzRequest | undefined => {
    if (report.requests >= options.requests) return undefined;
    if (queue.length === 0) queue = fc.sample(arbitrary, { numRuns: BATCH, seed: options.seed + batch++ });
    report.requests += 1;
    if (report.requests % (options.progressEvery ?? 5_000) === 0) options.onProgress?.(report.requests);
    return queue.shift();
  };
  const note = (req: FuzzRequest, status: number, problem: Finding['problem'], text: string) => {
    if (report.findings.length < 50)
      report.findings.push({ request: describe(req), status, problem, excerpt: text.slice(0, 400) });
  };
  const worker = async () => {
    for (let req = next(); req; req = next()) {
      report.byKind[req.kind] += 1;
      const sentAt = performance.now();
      const answer =
        req.kind === 'raw'
          ? await sendRaw(options.baseUrl, req.bytes, 1_500)
          : await sendHttp(options.baseUrl, req, 5_000);
      const ms = Math.round(performance.now() - sentAt);
      if (answer && req.kind !== 'raw' && (report.slowest.length < 10 || ms > (report.slowest.at(-1)?.ms ?? 0))) {
        report.slowest = [...report.slowest, { request: describe(req).slice(0, 200), status: answer.status, ms }]
          .sort((a, b) => b.ms - a.ms)
          .slice(0, 10);
      }
      if (!answer) {
        const longPoll = req.kind !== 'raw' && (/[?&]wait=/.test(req.path) || req.path.includes('/deliveries/flush'));
        if (!longPoll) {
          report.unanswered += 1;
          note(req, 0, 'no answer', '');
        }
        continue;
      }
      report.statuses[String(answer.status)] = (report.statuses[String(answer.status)] ?? 0) + 1;
      if (answer.status >= 500 && !EXPECTED_5XX(req, answer.status)) {
        report.serverErrors += 1;
        note(req, answer.status, '5xx', answer.text);
      }
      if (STACK.test(answer.text)) {
        report.stackTraces += 1;
        note(req, answer.status, 'stack trace', answer.text);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  report.durationMs = Date.now() - started;
  return report;
}

/** The ids of the seed the fuzzer aims at, read through the APIs like any client would. */
export async function knownIds(baseUrl: string, headers: Record<string, string> = {}): Promise<KnownIds> {
  const gql = async (query: string) => {
    const res = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer demo-token' },
      body: JSON.stringify({ query }),
    });
    return ((await res.json()) as { data: any }).data;
  };
  const data = await gql(
    '{ partner { chats(first: 30) { edges { node { id } } } experts(first: 10) { edges { node { id } } } submissions(first: 10) { edges { node { id } } } pages(first: 5) { edges { node { id } } } } }',
  );
  const tenant = (await (await fetch(`${baseUrl}/_emulator/tenants/guuru-qa`, { headers })).json()) as {
    gurusupApiKey: string;
  };
  const threads = (await (
    await fetch(`${baseUrl}/gurusup/threads`, { headers: { 'x-api-key': tenant.gurusupApiKey } })
  ).json()) as { thread: string }[];
  const scenarios = (await (await fetch(`${baseUrl}/_emulator/scenarios`, { headers })).json()) as {
    scenarios: { name: string }[];
  };
  const ids = (list: { edges: { node: { id: string } }[] }) => list.edges.map((e) => e.node.id);
  return {
    token: 'demo-token',
    gurusupKey: tenant.gurusupApiKey,
    tenant: 'guuru-qa',
    chats: ids(data.partner.chats),
    personas: ['ab22a12e-cefd-4f67-945b-c215c42202b4'],
    submissions: ids(data.partner.submissions),
    pages: ids(data.partner.pages),
    experts: ids(data.partner.experts),
    threads: threads.slice(0, 5).map((t) => t.thread),
    gurusupMessages: [],
    scenarios: scenarios.scenarios.map((s) => s.name),
  };
}
