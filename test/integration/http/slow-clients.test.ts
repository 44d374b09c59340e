import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type TestEmulator } from '../../helpers/emulator.js';

// Issue 22, finding 7: a client that trickles its request (1 byte every so often) gets 408 and
// its socket closed once the headers or the whole request take longer than the configured
// timeouts, instead of holding the socket for Node's default 300 s. Real time is unavoidable
// here (Node's own timers); the bounds are generous for a loaded machine.

const HEADERS_MS = 300;
const REQUEST_MS = 600;

let t: TestEmulator;
beforeAll(async () => {
  t = await startEmulator({ headersTimeoutMs: HEADERS_MS, requestTimeoutMs: REQUEST_MS });
});
afterAll(() => t.stop());

/** Sends `head`, then one byte every `everyMs` until the server answers or closes; resolves with what it answered and when. */
function trickle(head: string, everyMs: number): Promise<{ answer: string; afterMs: number }> {
  const { port } = new URL(t.url);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(head));
    let answer = '';
    const timer = setInterval(() => {
      if (!socket.destroyed) socket.write('x');
    }, everyMs);
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('error', () => {
      // A reset after the answer is fine.
    });
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ answer, afterMs: performance.now() - started });
    });
    setTimeout(() => {
      clearInterval(timer);
      socket.destroy();
      reject(new Error(`still open after 10 s; answered: ${answer.slice(0, 100)}`));
    }, 10_000);
  });
}

describe('slow clients', () => {
  it('a body trickled 1 byte at a time gets 408 once the request timeout passes, and the socket is closed', async () => {
    const head = `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer demo-token\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n`;
    const { answer, afterMs } = await trickle(head, 100);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(afterMs).toBeGreaterThanOrEqual(REQUEST_MS - 50);
    expect(afterMs).toBeLessThan(5_000);
  });

  it('headers trickled 1 byte at a time get 408 once the headers timeout passes', async () => {
    const { answer, afterMs } = await trickle('GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ', 50);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(afterMs).toBeLessThan(5_000);
  });

  it('a prompt client is served as before', async () => {
    expect((await t.gql('{ partner { id } }')).body).toEqual({ data: { partner: { id: 'guuru-qa' } } });
  });
});
