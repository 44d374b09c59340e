import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ResolvedConfig } from '../config/config.js';
import { isWildcard } from '../http/guard.js';

/** How long close() lets requests in progress finish before it closes their connections. */
const DRAIN_MS = 2_000;
/**
 * How long an idle keep-alive connection stays open (Node's default: 5 s). Node's timer closes it
 * without looking at what is waiting on it, so when the event loop stalls longer than that (200 CI
 * jobs creating their tenants at once: ~45 ms of seed generation each, one after another), the
 * requests clients had already sent on their idle connections were reset (ECONNRESET, found by the
 * `workers` bench). A minute outlasts any stall seen there; clients learn it from the
 * `Keep-Alive: timeout=65` header Node sends.
 */
const KEEP_ALIVE_MS = 65_000;

/** The listening socket of an emulator: start on the configured address, drain on close. */
export class HttpServer {
  private server: Server | undefined;
  private draining = false;
  /** The base URL while listening. */
  url: string | undefined;

  constructor(
    private readonly app: (req: IncomingMessage, res: ServerResponse) => void,
    private readonly config: Pick<ResolvedConfig, 'port' | 'host' | 'headersTimeoutMs' | 'requestTimeoutMs'>,
  ) {}

  /** Listens on config.port/host (port 0: a free port) and resolves with the base URL. */
  start(): Promise<string> {
    if (this.server) return Promise.reject(new Error('the emulator is already listening'));
    const { config } = this;
    // A slow client (1 byte every 500 ms) would otherwise hold its socket for Node's default 300 s:
    // Node answers 408 once the headers or the whole request take longer than configured.
    const listening = createServer(
      {
        headersTimeout: config.headersTimeoutMs,
        requestTimeout: config.requestTimeoutMs,
        connectionsCheckingInterval: Math.min(1_000, config.headersTimeoutMs),
      },
      this.app,
    );
    listening.keepAliveTimeout = KEEP_ALIVE_MS;
    this.server = listening;
    // While stopping, a connection closes as soon as its last request is answered (keep-alive
    // would otherwise hold the stop for its idle timeout).
    listening.on('request', (_req, res: ServerResponse) => {
      if (this.draining) res.setHeader('Connection', 'close');
      res.once('finish', () => {
        if (this.draining) setImmediate(() => listening.closeIdleConnections());
      });
    });
    return new Promise<string>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(config.port, config.host, () => {
        const { port } = listening.address() as AddressInfo;
        // Bound to every interface (Docker), the URL shown and linked is one a person can open.
        const host = isWildcard(config.host)
          ? 'localhost'
          : config.host.includes(':')
            ? `[${config.host}]`
            : config.host;
        this.url = `http://${host}:${port}`;
        resolve(this.url);
      });
    });
  }

  /** Stops accepting, lets requests in progress finish, and only cuts connections still busy after DRAIN_MS. */
  async close(): Promise<void> {
    const closing = this.server;
    if (!closing) return;
    this.draining = true;
    const closed = new Promise<void>((resolve) => closing.close(() => resolve()));
    closing.closeIdleConnections();
    const cut = setTimeout(() => closing.closeAllConnections(), DRAIN_MS);
    await closed;
    clearTimeout(cut);
  }
}
