import type { Request, Response } from 'express';
import { CHAT_CHANGE_EVENTS, type DomainEventName, type EventBus } from '../domain/events.js';
import type { Store } from '../store/store.js';
import type { Delivery } from '../webhooks/delivery-log.js';
import type { LiveEvent } from './live-events.js';
import { chatSummary, deliverySummary } from './summaries.js';

/** Most chat ids one `requests` event names; past it the event names none (every chat page reads again). */
const MAX_CHAT_IDS = 20;

export interface EventStreamDeps {
  events: EventBus;
  store: Store;
  /** Subscribes to every change of a delivery (queued, each attempt, settled); returns the unsubscribe. */
  onDelivery: (listener: (delivery: Delivery) => void) => () => void;
  /** Subscribes to the request journal (id and whether it failed are all the stream needs). */
  onRequest?: (listener: (request: { id: string; failed: boolean; chatIds?: string[] }) => void) => () => void;
  /** Real milliseconds changes are gathered before one message goes out (default 150). */
  windowMs?: number;
  /** Changes one window may hold before the stream sends `resync` instead (default 2,000). */
  maxPerWindow?: number;
}

interface Client {
  res: Response;
  /** The socket is full: skip messages until it drains, then tell the page to read again. */
  congested: boolean;
  tenant?: string;
}

/**
 * GET /_emulator/events: the emulator's changes as Server-Sent Events, for the dashboard and any
 * tool that wants to watch. Cheap for the API it watches: nothing is built while nobody listens,
 * changes are gathered for a short window and coalesced per object, each window is serialised
 * once for every listener, and a slow listener is skipped (and told to resync), never buffered.
 */
export class EventStream {
  private readonly clients = new Set<Client>();
  /** key (kind:tenant:id) → the latest change in this window. */
  private pending = new Map<string, () => LiveEvent>();
  private overflow = false;
  private requests = { count: 0, lastId: '', failed: 0 };
  /** The chats this window's requests named (a chat's page reads its calls only when it is among them); undefined: more than MAX_CHAT_IDS. */
  private requestChats: Set<string> | undefined = new Set();
  private timer: NodeJS.Timeout | undefined;
  private readonly keepAlive: NodeJS.Timeout;
  private readonly offs: (() => void)[] = [];

  constructor(private readonly deps: EventStreamDeps) {
    const { events, store } = deps;
    for (const name of CHAT_CHANGE_EVENTS) {
      this.offs.push(
        events.on(name, ({ tenantId, chat, from }) => {
          this.queue(`chat:${tenantId}:${chat.id}`, () => ({
            type: 'chat',
            tenantId,
            event: name,
            from,
            chat: chatSummary(chat),
          }));
        }),
      );
    }
    this.offs.push(
      events.on('chat.created', ({ tenantId, chatId }) => {
        this.queue(`chat:${tenantId}:${chatId}`, () => {
          const chat = store.tenant(tenantId)?.chatsById.get(chatId);
          return chat
            ? { type: 'chat', tenantId, event: 'chat.created', chat: chatSummary(chat) }
            : { type: 'resync', reason: 'a chat vanished' };
        });
      }),
      events.on('message.created', ({ tenantId, chat, message }) => {
        this.queue(`message:${tenantId}:${message.id}`, () => ({
          type: 'message',
          tenantId,
          chatId: chat.id,
          messageId: message.id,
          author: message.author.kind,
        }));
        // The chat's message count changed: lists show it.
        this.queue(`chat:${tenantId}:${chat.id}`, () => ({
          type: 'chat',
          tenantId,
          event: 'message.created',
          chat: chatSummary(chat),
        }));
      }),
      events.on('gurusup.message-created', ({ tenantId, thread, message }) => {
        this.queue(`gurusup:${tenantId}:${message.id}`, () => ({
          type: 'gurusup',
          tenantId,
          thread: thread.hash,
          messageId: message.id,
        }));
      }),
      // Requests are counted, not listed: under load the stream stays one small message per window.
      deps.onRequest?.((request) => this.countRequest(request)) ?? (() => undefined),
      deps.onDelivery((delivery) => {
        // Three notices per delivery: nothing is built for them while no page listens.
        if (this.clients.size === 0) return;
        this.queue(`delivery:${delivery.id}`, () => ({ type: 'delivery', delivery: deliverySummary(delivery) }));
      }),
    );
    for (const name of ['tenant.created', 'tenant.removed', 'store.reset'] as const) {
      this.offs.push(
        events.on(name, (p) =>
          this.queue(`tenants:${p.tenantId ?? '*'}`, () => ({
            type: 'tenants',
            event: name,
            ...(p.tenantId !== undefined ? { tenantId: p.tenantId } : {}),
          })),
        ),
      );
    }
    for (const name of ['persona.saved', 'submission.reviewed', 'page.updated'] as const satisfies DomainEventName[]) {
      this.offs.push(
        events.on(name, ({ tenantId }) =>
          this.queue(`data:${tenantId}:${name}`, () => ({ type: 'data', tenantId, event: name })),
        ),
      );
    }
    // A comment line now and then keeps proxies and idle timeouts from closing a quiet stream.
    this.keepAlive = setInterval(() => this.broadcast(': keep-alive\n\n'), 15_000);
    this.keepAlive.unref();
  }

  /** One API request: counted into the next `requests` message (with the chats it named). */
  private countRequest(request: { id: string; failed: boolean; chatIds?: string[] }): void {
    if (this.clients.size === 0) return;
    this.requests.count += 1;
    this.requests.lastId = request.id;
    if (request.failed) this.requests.failed += 1;
    for (const id of request.chatIds ?? []) this.requestChats?.add(id);
    if (this.requestChats && this.requestChats.size > MAX_CHAT_IDS) this.requestChats = undefined;
    this.queue('requests', () => {
      const event: LiveEvent = {
        type: 'requests',
        ...this.requests,
        ...(this.requestChats ? { chatIds: [...this.requestChats] } : {}),
      };
      this.requests = { count: 0, lastId: '', failed: 0 };
      this.requestChats = new Set();
      return event;
    });
  }

  /** How many pages and tools are listening. */
  get listeners(): number {
    return this.clients.size;
  }

  handler = (req: Request, res: Response): void => {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    const client: Client = { res, congested: false };
    // retry: how soon a browser reconnects after the emulator restarts.
    res.write(`retry: 1000\nevent: hello\ndata: ${JSON.stringify({ listeners: this.clients.size + 1 })}\n\n`);
    this.clients.add(client);
    res.on('drain', () => {
      if (!client.congested) return;
      client.congested = false;
      res.write(`data: ${JSON.stringify([{ type: 'resync', reason: 'the page fell behind' }])}\n\n`);
    });
    req.on('close', () => this.clients.delete(client));
  };

  close(): void {
    clearInterval(this.keepAlive);
    clearTimeout(this.timer);
    this.offs.forEach((off) => off());
    for (const client of this.clients) client.res.end();
    this.clients.clear();
  }

  /** Notes a change; the event itself is built when the window closes (only the last one counts). */
  private queue(key: string, build: () => LiveEvent): void {
    if (this.clients.size === 0 || this.overflow) return;
    this.pending.delete(key);
    this.pending.set(key, build);
    if (this.pending.size > (this.deps.maxPerWindow ?? 2_000)) {
      this.overflow = true;
      this.pending.clear();
    }
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.deps.windowMs ?? 150);
      this.timer.unref();
    }
  }

  private flush(): void {
    this.timer = undefined;
    const batch: LiveEvent[] = this.overflow
      ? [{ type: 'resync', reason: 'too many changes at once' }]
      : [...this.pending.values()].map((build) => build());
    this.pending = new Map();
    this.overflow = false;
    this.requests = { count: 0, lastId: '', failed: 0 };
    this.requestChats = new Set();
    if (batch.length > 0) this.broadcast(`data: ${JSON.stringify(batch)}\n\n`);
  }

  private broadcast(message: string): void {
    for (const client of this.clients) {
      if (client.congested) continue;
      if (!client.res.write(message)) client.congested = true;
    }
  }
}
