import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The vendor's Node.js check: hex HMAC-SHA256 of the raw body, compared with timingSafeEqual. */
export function verifyGuuruSignature(rawBody: string, header: string | string[] | undefined, secret: string): boolean {
  if (typeof header !== 'string') return false;
  const digest = Buffer.from(createHmac('sha256', secret).update(Buffer.from(rawBody, 'utf8')).digest('hex'), 'utf8');
  const checksum = Buffer.from(header, 'utf8');
  return checksum.length === digest.length && timingSafeEqual(digest, checksum);
}

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  body: any;
  event: string;
  /** The vendor receiver's check passed. */
  verified: boolean;
  /** Status this sink answered. */
  status: number;
}

export interface WebhookSink {
  url: string;
  received: ReceivedWebhook[];
  /** Resolves once `count` requests have arrived (rejects after `timeoutMs` of real time). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  /** Chooses the status of the next requests: called with the 1-based request number. */
  respondWith(fn: (n: number, request: ReceivedWebhook) => number | 'hang'): void;
  close(): Promise<void>;
}

/**
 * A receiver built like GUURU's Node.js example (or, with `secret` null, one that checks nothing) (webhooks/examples): it concatenates the raw body
 * chunks, computes the hex HMAC-SHA256 with the secret and compares it with `timingSafeEqual`,
 * answering 400 "Invalid request, non-matching HMAC-SHA256 received" on a mismatch.
 */
export async function startWebhookSink(secret: string | null = 'secr3t'): Promise<WebhookSink> {
  const received: ReceivedWebhook[] = [];
  let respond: (n: number, r: ReceivedWebhook) => number | 'hang' = () => 200;
  let waiters: { count: number; resolve: () => void }[] = [];
  const hanging: (() => void)[] = [];

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const verified = secret !== null && verifyGuuruSignature(rawBody, req.headers['x-guuru-hmac-sha256'], secret);
      let body: unknown;
      try {
        body = JSON.parse(rawBody);
      } catch {
        body = undefined;
      }
      const record: ReceivedWebhook = { path: req.url ?? '/', headers: req.headers, rawBody, body, event: String(req.headers['x-guuru-event'] ?? ''), verified, status: 0 };
      received.push(record);
      // With secret null the sink is an unsigned receiver (Gurusup's webhook carries no signature).
      const outcome = verified || secret === null ? respond(received.length, record) : 400;
      record.status = outcome === 'hang' ? 0 : outcome;
      if (outcome === 'hang') {
        hanging.push(() => res.destroy());
      } else if (outcome === 400 && !verified) {
        res.writeHead(400).end('Invalid request, non-matching HMAC-SHA256 received');
      } else {
        res.writeHead(outcome).end(outcome < 300 ? 'Success!' : 'Failure');
      }
      waiters = waiters.filter((w) => {
        if (received.length >= w.count) w.resolve();
        return received.length < w.count;
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    received,
    waitFor(count, timeoutMs = 5_000) {
      if (received.length >= count) return Promise.resolve(received.slice(0, count));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`webhook sink: ${received.length} of ${count} requests arrived within ${timeoutMs} ms: ${received.map((r) => r.event).join(', ')}`)), timeoutMs);
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(received.slice(0, count));
          },
        });
      });
    },
    respondWith(fn) {
      respond = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        hanging.forEach((h) => h());
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
