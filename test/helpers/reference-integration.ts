import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * One way an integration can get the protocol wrong. Each flaw changes exactly one behaviour of the
 * reference integration below.
 */
export type Flaw =
  /** Never checks X-Guuru-Hmac-Sha256. */
  | 'accepts-any-signature'
  /** Checks the signature only when the header is there. */
  | 'accepts-unsigned'
  /** Computes the HMAC over JSON.stringify(JSON.parse(body)) instead of the raw bytes. */
  | 'reserializes-body'
  /** Configured with a secret that is not the partner's. */
  | 'wrong-secret'
  /** Acts on every copy of a delivery. */
  | 'no-idempotency'
  /** De-duplicates chat events but answers every copy of a customer message. */
  | 'answers-duplicate-messages'
  /** Works before answering and records the Idempotency-Key only once the work is done. */
  | 'records-key-when-done'
  /** Accepts every chat-assigned, whoever it is requested to. */
  | 'accepts-any-chat'
  /** Validates payloads strictly: a field it does not know is a 500. */
  | 'strict-fields'
  /** Acknowledges, then dies on a field it does not know (an uncaught exception ends the process). */
  | 'crashes-on-unknown-field'
  /** Answers 400 to an event name it does not handle. */
  | 'refuses-unknown-events'
  /** Ignores message-created for a chat whose chat-opened it has not seen yet. */
  | 'drops-early-messages'
  /** Acknowledges only after `ackDelayMs` (does its work meanwhile). */
  | 'slow-ack'
  /** Acknowledges its first delivery only after `ackDelayMs` (a cold start), the others at once. */
  | 'slow-first-ack'
  /** Keeps writing into a chat after closing it. */
  | 'writes-after-close'
  /** Accepts without a persona (as the service account): the customer sees no agent. */
  | 'no-persona'
  /** Never closes a chat. */
  | 'never-closes'
  /** Reopens a chat once the customer has rated it (GUURU refuses openChat on a rated chat). */
  | 'reopens-rated-chat'
  // Planted for verify --explore (docs/verify.md, "Exploring"): bugs no fixed check provokes.
  /** Looks the Idempotency-Key up, then records it after an await (a store round trip): two copies arriving at once both pass. */
  | 'racy-dedupe'
  /** Handles the first chat-reopened of a chat, but on the second it keeps the chat marked closed and ignores the customer. */
  | 'forgets-second-reopen'
  /** Answers every message-created, its own messages included (no author check). */
  | 'answers-own-messages'
  /** Debounces a burst: waits 200 ms for more messages and answers only the last one. */
  | 'loses-burst-messages'
  /** Reads body.text.trim() of every message: an attachment (no text) makes it answer 500. */
  | 'fails-on-attachment'
  /** Treats a chat-assigned for a chat it already accepted as a duplicate: a re-assignment is ignored. */
  | 'ignores-reassignment';

export interface ReferenceOptions {
  /** The emulator's GraphQL endpoint. */
  graphqlUrl: string;
  token?: string;
  secret?: string;
  /** Closes a chat after answering this many customer messages (default 2). */
  closeAfterReplies?: number;
  /**
   * Instead of closeAfterReplies: closes a chat it has answered once the customer has been silent
   * this long since their last message (a customer writing again restarts the wait).
   */
  closeAfterSilenceMs?: number;
  /** Does each delivery's work a random 0..workDelayMaxMs after acknowledging it (seeded by `seed`). */
  workDelayMaxMs?: number;
  seed?: number;
  /** sendChatMessage calls per customer message (default 1). */
  repliesPerMessage?: number;
  flaw?: Flaw;
  /** For slow-ack. */
  ackDelayMs?: number;
}

export interface ReferenceIntegration {
  url: string;
  /** Deliveries received (event names, in arrival order). */
  received: string[];
  /** Deliveries received with a valid signature: event, chat and arrival time (performance.now), in arrival order. */
  log: { event: string; chatId: string; at: number }[];
  close(): Promise<void>;
}

const CHAT_FIELDS = [
  'id',
  'requestedExperts',
  'status',
  'question',
  'language',
  'createdAt',
  'acceptedAt',
  'closedAt',
  'ratedAt',
  'rating',
  'isAssignedToAgent',
  'user',
  'expert',
  'category',
  'transfer',
];
const MESSAGE_FIELDS = [
  'id',
  'type',
  'text',
  'attachment',
  'createdAt',
  'hideForUser',
  'hideForExpert',
  'author',
  'chat',
];
const EVENTS = [
  'chat-assigned',
  'chat-opened',
  'message-created',
  'chat-closed',
  'chat-reopened',
  'chat-transferred',
  'chat-rated',
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** mulberry32: a small seeded source, so an integration's pace is the same from run to run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A third-party messaging integration written from the vendor's pages, as a team would: the
 * webhook receiver of the examples page (raw body, hex HMAC-SHA256, timingSafeEqual, 400 on a
 * mismatch, the header's absence checked as the page advises), an idempotency store keyed on
 * Idempotency-Key (recorded on arrival), acknowledge first and work after; and the Third Party
 * Messaging protocol: accept chats requested to `api` with a persona (createPersona by providerId),
 * answer each customer message with sendChatMessage, close once the customer is helped, never
 * write into a closed chat, ignore events it does not handle.
 */
export async function startReferenceIntegration(options: ReferenceOptions): Promise<ReferenceIntegration> {
  const flaw = options.flaw;
  const secret = flaw === 'wrong-secret' ? 'not-the-partner-secret' : (options.secret ?? 'secr3t');
  const closeAfter = options.closeAfterReplies ?? 2;
  const received: string[] = [];
  const log: ReferenceIntegration['log'] = [];
  const seen = new Set<string>();
  const opened = new Set<string>();
  const mine = new Set<string>();
  const closed = new Set<string>();
  const replies = new Map<string, number>();
  const reopens = new Map<string, number>();
  const bursts = new Map<string, NodeJS.Timeout>();
  let personaId: string | undefined;
  // One queue per chat keeps a chat's work in arrival order.
  const queues = new Map<string, Promise<void>>();
  const silenceTimers = new Map<string, NodeJS.Timeout>();
  const random = seeded(options.seed ?? 1);
  let stopped = false;

  const gql = async (query: string, variables: Record<string, unknown>) => {
    const res = await fetch(options.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token ?? 'demo-token'}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as {
      data?: Record<string, any>;
      errors?: { message: string; extensions?: { code?: string } }[];
    };
  };

  const persona = async (): Promise<string> => {
    if (personaId) return personaId;
    const created = await gql('mutation CreatePersona($input: PersonaInput!) { createPersona(input: $input) }', {
      input: { providerId: 'agent-anna', name: 'Anna from Support' },
    });
    personaId = created.data?.createPersona as string;
    return personaId;
  };

  /** Replies refused while the chat was re-assigned to the pool, sent once it is accepted again. */
  const owed = new Map<string, string[]>();
  const reply = async (chatId: string, text: string) => {
    const sent = await gql('mutation Reply($input: ChatMessageInput!) { sendChatMessage(input: $input) }', {
      input: { chatId, posting: { type: 'text', text } },
    });
    if (sent.errors?.[0]?.extensions?.code === 'CHAT_NOT_OPEN' && /status is "assigned"/.test(sent.errors[0].message))
      owed.set(chatId, [...(owed.get(chatId) ?? []), text]);
  };

  /** Chats whose close was refused (re-assigned to the pool meanwhile): closed after silence again once accepted again. */
  const closeRefused = new Set<string>();
  const close = async (chatId: string) => {
    const result = await gql('mutation Close($id: ID!) { closeChat(id: $id) { id status } }', { id: chatId });
    // A refused close (the chat was re-assigned while the customer was silent) leaves the chat open for this integration.
    if (result.errors && flaw !== 'writes-after-close') closeRefused.add(chatId);
    else closed.add(chatId);
    if (flaw === 'writes-after-close') await reply(chatId, 'One more thing before you go!');
  };

  /** Closes the chat once the customer has been silent for closeAfterSilenceMs since `receivedAt`. */
  const closeAfterSilence = (chatId: string, receivedAt: number, delayMs: number) => {
    clearTimeout(silenceTimers.get(chatId));
    const timer = setTimeout(
      () => {
        silenceTimers.delete(chatId);
        if (stopped || closed.has(chatId)) return;
        void enqueueWork(chatId, () => close(chatId));
      },
      Math.max(0, delayMs - (performance.now() - receivedAt)),
    );
    silenceTimers.set(chatId, timer);
  };

  const handle = async (event: string, body: any, receivedAt: number): Promise<void> => {
    switch (event) {
      case 'chat-assigned': {
        const experts: unknown[] = Array.isArray(body.requestedExperts) ? body.requestedExperts : [];
        const forApi = experts.some((e) => (typeof e === 'string' ? e : (e as { id?: string })?.id) === 'api');
        if (!forApi && flaw !== 'accepts-any-chat') return;
        if (flaw === 'ignores-reassignment' && mine.has(body.id)) return;
        const accepted =
          flaw === 'no-persona'
            ? await gql('mutation Accept($id: ID!) { acceptChat(id: $id) { id status } }', { id: body.id })
            : await gql(
                'mutation Accept($id: ID!, $personaId: ID!) { acceptChat(id: $id, input: { personaId: $personaId }) { id status } }',
                { id: body.id, personaId: await persona() },
              );
        // "An error will be returned if the chat was already accepted. You should expect and handle this error gracefully."
        if (!accepted.errors) {
          mine.add(body.id);
          closed.delete(body.id);
          const texts = owed.get(body.id) ?? [];
          owed.delete(body.id);
          for (const text of texts) await reply(body.id, text);
          if (closeRefused.delete(body.id) && options.closeAfterSilenceMs !== undefined)
            closeAfterSilence(body.id, performance.now(), options.closeAfterSilenceMs);
        }
        return;
      }
      case 'chat-opened':
        opened.add(body.id);
        return;
      case 'message-created': {
        const chatId: string = body.chat?.id;
        if ((body.author?.__typename !== 'UserAuthor' && flaw !== 'answers-own-messages') || !mine.has(chatId)) return;
        if (flaw === 'drops-early-messages' && !opened.has(chatId)) return;
        if (closed.has(chatId) && flaw !== 'writes-after-close') return;
        const count = (replies.get(chatId) ?? 0) + 1;
        replies.set(chatId, count);
        for (let i = 0; i < (options.repliesPerMessage ?? 1); i++)
          await reply(chatId, `Thanks for your message. Here is answer ${count}${i > 0 ? `, part ${i + 1}` : ''}.`);
        if (flaw === 'never-closes') return;
        if (options.closeAfterSilenceMs !== undefined)
          closeAfterSilence(chatId, receivedAt, options.closeAfterSilenceMs);
        else if (count >= closeAfter) await close(chatId);
        return;
      }
      case 'chat-closed':
        closed.add(body.id);
        return;
      case 'chat-reopened': {
        const n = (reopens.get(body.id) ?? 0) + 1;
        reopens.set(body.id, n);
        if (flaw === 'forgets-second-reopen' && n >= 2) return;
        closed.delete(body.id);
        return;
      }
      case 'chat-rated':
        if (flaw === 'reopens-rated-chat' && mine.has(body.id))
          await gql('mutation Open($id: ID!) { openChat(id: $id) { id status } }', { id: body.id });
        return;
      default:
        return;
    }
  };

  const enqueueWork = (chatId: string, work: () => Promise<void>): Promise<void> => {
    const next = (queues.get(chatId) ?? Promise.resolve()).then(work).catch(() => undefined);
    queues.set(chatId, next);
    return next;
  };

  const enqueue = (event: string, body: any): Promise<void> => {
    const receivedAt = performance.now();
    const chatId = String(body?.chat?.id ?? body?.id ?? '');
    const delay = options.workDelayMaxMs ? Math.round(random() * options.workDelayMaxMs) : 0;
    return enqueueWork(chatId, async () => {
      if (delay > 0) await sleep(delay);
      await handle(event, body, receivedAt);
    });
  };

  const verified = (raw: Buffer, header: string | string[] | undefined): boolean => {
    if (flaw === 'accepts-any-signature') return true;
    if (header === undefined && flaw === 'accepts-unsigned') return true;
    // "Production code should check for it": a missing header is a refused delivery, not a crash.
    if (typeof header !== 'string') return false;
    const signed =
      flaw === 'reserializes-body' ? Buffer.from(JSON.stringify(JSON.parse(raw.toString('utf8'))), 'utf8') : raw;
    const digest = Buffer.from(createHmac('sha256', secret).update(signed).digest('hex'), 'utf8');
    const checksum = Buffer.from(header, 'utf8');
    return checksum.length === digest.length && timingSafeEqual(digest, checksum);
  };

  const onRequest = async (req: IncomingMessage, res: ServerResponse, raw: Buffer) => {
    const event = String(req.headers['x-guuru-event'] ?? '');
    received.push(event);
    if (!verified(raw, req.headers['x-guuru-hmac-sha256'])) {
      res.writeHead(400).end('Invalid request, non-matching HMAC-SHA256 received');
      return;
    }
    const body = JSON.parse(raw.toString('utf8'));
    log.push({ event, chatId: String(body?.chat?.id ?? body?.id ?? ''), at: performance.now() });
    if (flaw === 'refuses-unknown-events' && !EVENTS.includes(event)) {
      res.writeHead(400).end(`Unknown event ${event}`);
      return;
    }
    if (flaw === 'strict-fields') {
      const known = event === 'message-created' ? MESSAGE_FIELDS : CHAT_FIELDS;
      const unknown = Object.keys(body).filter((k) => !known.includes(k));
      if (unknown.length > 0) {
        res.writeHead(500).end(`Internal Server Error: unexpected field ${unknown.join(', ')}`);
        return;
      }
    }
    if (
      flaw === 'crashes-on-unknown-field' &&
      Object.keys(body).some((k) => !(event === 'message-created' ? MESSAGE_FIELDS : CHAT_FIELDS).includes(k))
    ) {
      res.writeHead(200).end('Success!');
      // What an uncaught TypeError does to a Node process: nothing listens any more.
      crash();
      return;
    }
    const key = String(req.headers['idempotency-key'] ?? '');
    if (flaw === 'fails-on-attachment' && event === 'message-created' && typeof body.text !== 'string') {
      res.writeHead(500).end("TypeError: Cannot read properties of undefined (reading 'trim')");
      return;
    }
    if (flaw === 'racy-dedupe') {
      if (seen.has(key)) {
        res.writeHead(200).end('Already processed');
        return;
      }
      await sleep(25);
      seen.add(key);
      res.writeHead(200).end('Success!');
      void enqueue(event, body);
      return;
    }
    if (flaw === 'loses-burst-messages' && event === 'message-created') {
      if (seen.has(key)) {
        res.writeHead(200).end('Already processed');
        return;
      }
      seen.add(key);
      res.writeHead(200).end('Success!');
      const chatId = String(body.chat?.id ?? '');
      clearTimeout(bursts.get(chatId));
      bursts.set(
        chatId,
        setTimeout(() => void enqueue(event, body), 200),
      );
      return;
    }
    if (flaw === 'records-key-when-done') {
      if (seen.has(key)) {
        res.writeHead(200).end('Already processed');
        return;
      }
      await enqueue(event, body);
      seen.add(key);
      res.writeHead(200).end('Success!');
      return;
    }
    const actsOnCopies =
      flaw === 'no-idempotency' || (flaw === 'answers-duplicate-messages' && event === 'message-created');
    if (!actsOnCopies && seen.has(key)) {
      res.writeHead(200).end('Already processed');
      return;
    }
    seen.add(key);
    if (flaw === 'slow-ack' || (flaw === 'slow-first-ack' && received.length === 1)) {
      void enqueue(event, body);
      await sleep(options.ackDelayMs ?? 15_000);
      res.writeHead(200).end('Success!');
      return;
    }
    // Acknowledge first, work after.
    res.writeHead(200).end('Success!');
    void enqueue(event, body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      onRequest(req, res, Buffer.concat(chunks)).catch(() => {
        if (!res.headersSent) res.writeHead(500).end('Internal Server Error');
      });
    });
  });
  const crash = () => {
    server.close();
    setImmediate(() => server.closeAllConnections());
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/guuru`,
    received,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        stopped = true;
        for (const timer of silenceTimers.values()) clearTimeout(timer);
        for (const timer of bursts.values()) clearTimeout(timer);
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
