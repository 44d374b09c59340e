/**
 * The webhook bench's receiver: a plain `node:http` server on 127.0.0.1 (HTTP/1.1 keep-alive and
 * pipelining, as node answers them) that reads every POST body, checks `X-Guuru-Hmac-Sha256`
 * (lower-case hex HMAC-SHA256 of the raw body, keyed with the secret) with `timingSafeEqual`, and answers 200 (also when the signature is wrong: the bench counts it,
 * a retry would not fix it). It also checks that each chat's deliveries arrive in the order they
 * were queued (`X-Emulator-Delivery-Id` increases per `X-Guuru-Chat-Id`).
 *
 * GET /stats answers the counts as JSON; GET /reset answers them and starts counting from zero. Prints `listening on http://127.0.0.1:<port>`.
 *
 *   node --import tsx bench/webhook-receiver.ts [--secret secr3t] [--port 0]
 */
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { exitWithParent } from './lib.js';

exitWithParent();

const flag = (name: string, fallback: string): string => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const secret = flag('--secret', 'secr3t');
const port = Number(flag('--port', '0'));

const fresh = () => ({
  received: 0,
  verified: 0,
  unverified: 0,
  unsigned: 0,
  /** A delivery of a chat arrived after a later-queued one of the same chat. */
  outOfOrder: 0,
  /** Deliveries with X-Emulator-Delivery-Attempt > 1 (retries). */
  repeated: 0,
  bytes: 0,
  byEvent: {} as Record<string, number>,
  firstAtMs: undefined as number | undefined,
  lastAtMs: undefined as number | undefined,
  since: { wallMs: performance.now(), cpu: process.cpuUsage() },
});
let stats = fresh();
const lastIdOfChat = new Map<string, number>();

// The key prepared once, and the digest compared as bytes: what a receiver written for volume does.
const key = createSecretKey(Buffer.from(secret, 'utf8'));
const HEX_SIGNATURE = /^[0-9a-f]{64}$/;

function verify(signature: string | undefined, body: Buffer): boolean | undefined {
  if (signature === undefined) return undefined;
  if (!HEX_SIGNATURE.test(signature)) return false;
  return timingSafeEqual(createHmac('sha256', key).update(body).digest(), Buffer.from(signature, 'hex'));
}

/** The answer, its headers written once as an array (node then skips building them from an object). */
const OK_HEADERS = ['content-type', 'text/plain', 'content-length', '2'];

const server = createServer((req, res) => {
  if (req.method === 'GET' && (req.url === '/stats' || req.url === '/reset')) {
    res.writeHead(200, { 'content-type': 'application/json' });
    const { since, ...counts } = stats;
    const cpu = process.cpuUsage(since.cpu);
    const wallMs = performance.now() - since.wallMs;
    const cpuMs = (cpu.user + cpu.system) / 1000;
    // CPU use since the last reset, and over the span from the first to the last delivery.
    const busySpanMs =
      counts.firstAtMs === undefined || counts.lastAtMs === undefined ? 0 : counts.lastAtMs - counts.firstAtMs;
    res.end(
      JSON.stringify({
        ...counts,
        chats: lastIdOfChat.size,
        cpuMs: Math.round(cpuMs),
        wallMs: Math.round(wallMs),
        busySpanMs: Math.round(busySpanMs),
        memoryRss: process.memoryUsage().rss,
      }),
    );
    if (req.url === '/reset') {
      stats = fresh();
      lastIdOfChat.clear();
    }
    return;
  }
  if (req.method !== 'POST') {
    res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    const now = performance.now();
    stats.firstAtMs ??= now;
    stats.lastAtMs = now;
    stats.received += 1;
    stats.bytes += body.length;
    const ok = verify(req.headers['x-guuru-hmac-sha256'] as string | undefined, body);
    if (ok === undefined) stats.unsigned += 1;
    else if (ok) stats.verified += 1;
    else stats.unverified += 1;
    const event = String(req.headers['x-guuru-event'] ?? '(none)');
    stats.byEvent[event] = (stats.byEvent[event] ?? 0) + 1;
    const id = Number(req.headers['x-emulator-delivery-id']);
    if (Number(req.headers['x-emulator-delivery-attempt']) > 1) stats.repeated += 1;
    const chat = req.headers['x-guuru-chat-id'];
    if (typeof chat === 'string') {
      const last = lastIdOfChat.get(chat);
      if (last !== undefined && id < last) stats.outOfOrder += 1;
      else lastIdOfChat.set(chat, id);
    }
    res.writeHead(200, OK_HEADERS);
    res.end('ok');
  });
});
server.keepAliveTimeout = 30_000;
server.listen(port, '127.0.0.1', () => {
  const { port: actual } = server.address() as AddressInfo;
  console.log(`webhook receiver listening on http://127.0.0.1:${actual}`);
});
