import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Deadlines } from '../../../src/webhooks/deadlines.js';
import { createHttpTransport } from '../../../src/webhooks/transport.js';

/** A loopback server answering each request by its path; counts connections and requests. */
function server(answer: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
  const seen = { connections: 0, requests: [] as { path: string; body: string; order: string }[] };
  const http: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      seen.requests.push({ path: req.url ?? '', body, order: String(req.headers['x-order']) });
      answer(req, res, body);
    });
  });
  http.on('connection', (socket: Socket) => {
    seen.connections += 1;
    socket.setNoDelay(true);
  });
  return {
    seen,
    async listen(): Promise<string> {
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    },
    close: () => new Promise<void>((resolve) => http.close(() => resolve())),
    server: http,
  };
}

describe('the HTTP transport', () => {
  const receiver = server((req, res, body) => {
    if (req.url === '/hang') return; // never answers
    if (req.url === '/redirect') return res.writeHead(302, { location: '/elsewhere' }).end();
    if (req.url === '/long') return res.writeHead(200).end('x'.repeat(2_000));
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`got ${body}`);
  });
  let url = '';
  const transport = createHttpTransport({ connections: 2, pipelining: 8 });
  beforeAll(async () => {
    url = await receiver.listen();
  });
  afterAll(async () => {
    transport.close();
    receiver.server.closeAllConnections();
    await receiver.close();
  });

  const post = (path: string, body: string, timeoutMs = 5_000, order = '') =>
    transport.send({ url: `${url}${path}`, headers: { 'X-Order': order }, body, timeoutMs });

  it('sends many requests at once over a few pipelined connections, each answered with its own body', async () => {
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => post('/ok', `body ${i}`, 5_000, `${i}`)));
    expect(results.map((r) => r.statusCode)).toEqual(Array(200).fill(200));
    expect(results.map((r) => r.response)).toEqual(Array.from({ length: 200 }, (_, i) => `got body ${i}`));
    expect(receiver.seen.connections).toBeLessThanOrEqual(2);
    expect(new Set(receiver.seen.requests.map((r) => r.order)).size).toBe(200);
  });

  it('does not follow a redirect, and keeps the first 512 characters of an answer', async () => {
    expect((await post('/redirect', '{}')).statusCode).toBe(302);
    const long = await post('/long', '{}');
    expect(long.statusCode).toBe(200);
    expect(long.response).toBe('x'.repeat(512));
  });

  it('times out a request without an answer, and the requests sent after it still get theirs', async () => {
    const hanging = post('/hang', '{}', 150);
    const others = Array.from({ length: 20 }, (_, i) => post('/ok', `after ${i}`, 5_000));
    const timedOut = await hanging;
    expect(timedOut.error).toBe('no response within 150 ms (timeout)');
    expect(timedOut.durationMs).toBeGreaterThanOrEqual(140);
    // Requests pipelined behind the hung one lose their connection with it; the dispatcher retries
    // those. Every one gets an answer or an error, none waits for ever.
    const settled = await Promise.all(others);
    expect(settled.every((r) => r.statusCode === 200 || r.error !== undefined)).toBe(true);
    expect((await post('/ok', 'later')).response).toBe('got later');
  });

  it('says why a URL cannot be reached: invalid, unsupported scheme, refused', async () => {
    expect(await transport.send({ url: 'not a url', headers: {}, body: '{}', timeoutMs: 1_000 })).toEqual({
      error: 'invalid URL not a url',
      durationMs: 0,
    });
    expect((await transport.send({ url: 'ftp://127.0.0.1/x', headers: {}, body: '{}', timeoutMs: 1_000 })).error).toBe(
      'unsupported URL scheme ftp: (use http or https)',
    );
    const refused = await transport.send({ url: 'http://127.0.0.1:9/x', headers: {}, body: '{}', timeoutMs: 1_000 });
    expect(refused.error).toMatch(/^ECONNREFUSED: /);
  });
});

describe('deadlines', () => {
  it('expires each entry once its time has passed, on one timer, and never one that was removed', async () => {
    const deadlines = new Deadlines();
    const expired: string[] = [];
    const entry = (name: string, inMs: number) => ({
      deadline: performance.now() + inMs,
      expire: () => expired.push(name),
    });
    const late = entry('late', 60);
    const early = entry('early', 20);
    const removed = entry('removed', 10);
    deadlines.add(late);
    deadlines.add(early);
    deadlines.add(removed);
    deadlines.remove(removed);
    await new Promise((resolve) => setTimeout(resolve, 35));
    expect(expired).toEqual(['early']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(expired).toEqual(['early', 'late']);
    expect(deadlines.size).toBe(0);
  });
});
