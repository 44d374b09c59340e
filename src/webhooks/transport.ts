import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';

export interface SendRequest {
  url: string;
  headers: Record<string, string>;
  body: Buffer;
  timeoutMs: number;
}

export interface SendResult {
  statusCode?: number;
  /** Why no response came back: refused connection, timeout, bad URL... */
  error?: string;
  /** The start of the response body, for the delivery log. */
  response?: string;
  durationMs: number;
}

/** Sends one HTTP POST; never rejects. */
export type Transport = (request: SendRequest) => Promise<SendResult>;

const RESPONSE_SNIPPET = 512;

/**
 * The default transport: node's http/https with keep-alive agents (one connection pool per
 * emulator). The timeout is wall-clock time, unlike backoff delays: it bounds a real exchange with
 * a real process, and on a virtual clock any advance would otherwise time out every request that
 * is still on the wire.
 */
export function createHttpTransport(maxSockets: number): { send: Transport; close(): void } {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets }),
    'https:': new https.Agent({ keepAlive: true, maxSockets }),
  };
  const send: Transport = (request) =>
    new Promise((resolve) => {
      const started = performance.now();
      let settled = false;
      // Declared up front: `done` may run (bad URL) before the timer exists.
      // eslint-disable-next-line prefer-const
      let timer: NodeJS.Timeout | undefined;
      const done = (result: Omit<SendResult, 'durationMs'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ ...result, durationMs: Math.round((performance.now() - started) * 100) / 100 });
      };
      let url: URL;
      try {
        url = new URL(request.url);
      } catch {
        done({ error: `invalid URL ${request.url}` });
        return;
      }
      const agent = agents[url.protocol as keyof typeof agents];
      if (!agent) {
        done({ error: `unsupported URL scheme ${url.protocol} (use http or https)` });
        return;
      }
      const client = url.protocol === 'https:' ? https : http;
      const req = client.request(url, {
        method: 'POST',
        agent,
        headers: { ...request.headers, 'Content-Length': String(request.body.length) },
      });
      timer = setTimeout(() => {
        req.destroy(new Error(`no response within ${request.timeoutMs} ms (timeout)`));
      }, request.timeoutMs);
      timer.unref();
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < RESPONSE_SNIPPET) chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', () =>
          done({
            statusCode: res.statusCode,
            response: Buffer.concat(chunks).toString('utf8').slice(0, RESPONSE_SNIPPET),
          }),
        );
        res.on('error', (error) => done({ statusCode: res.statusCode, error: error.message }));
      });
      req.on('error', (error: NodeJS.ErrnoException) =>
        done({ error: error.code ? `${error.code}: ${error.message}` : error.message }),
      );
      req.end(request.body);
    });
  return {
    send,
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}
