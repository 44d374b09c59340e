/**
 * One CI job against a shared emulator, as a small state machine: the `workers` bench part
 * (bench/workers.ts, bench/ci-workers.ts) runs 200 of them at once in one process. Each worker:
 *
 * 1. makes its own tenant (`POST /_emulator/tenants`: own token, own webhook secret) and subscribes
 *    it to the shared receiver at `/t/<tenant>` (`PUT /_emulator/tenants/:id/webhooks`);
 * 2. starts `third-party-messaging` for its tenant (GUURU and a reactive customer) and plays the
 *    integration as the Third Party Messaging guide has it: on `chat-assigned` to "api",
 *    `createPersona` + `acceptChat` as the persona; on the customer's `message-created`,
 *    `sendChatMessage`, then `closeChat`. Every webhook is verified with the tenant's secret;
 * 3. waits for the run's verdict (`?wait=1`), walks every page of its `partner.chats`
 *    (`first: 100` with `after` cursors to the end) and deletes its tenant.
 *
 * It checks its own result: every signature verified, every call accepted, the run completed with a
 * passing verdict, each of its webhooks received once, the chat closed, the walk without duplicates
 * or gaps. The first problem of each kind lands in `failures`; a worker with none passed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Agent, createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

// ---------------------------------------------------------------------------------------------
// HTTP: a small JSON client over node:http (keep-alive through the worker's own agent, as a job's
// HTTP client would have), timing each call.

export interface Answer {
  status: number;
  body: any;
  ms: number;
}

export function call(
  agent: Agent,
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
  timeoutMs = 120_000,
): Promise<Answer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        agent,
        timeout: timeoutMs,
        headers: payload === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = text === '' ? undefined : JSON.parse(text);
          } catch {
            // not JSON: kept as text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, ms: performance.now() - start });
        });
        res.on('error', (error) => reject(new Error(`${method} ${new URL(url).pathname}: ${error.message}`)));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => reject(new Error(`${method} ${new URL(url).pathname}: ${error.message}`)));
    req.end(payload);
  });
}

// ---------------------------------------------------------------------------------------------
// The receiver: one server for every worker, routing by tenant (`/t/<tenant>`), as if each CI job
// had its own. It answers first and the worker works after, as the guide asks of a receiver.

export interface Webhook {
  event: string;
  key: string;
  verified: boolean;
  body: any;
}

interface Route {
  secret: string;
  deliver(webhook: Webhook): void;
}

/** HMAC-SHA256 of the raw body, hex, keyed with the tenant's secret, compared in constant time (the vendor's receiver). */
export function signatureValid(raw: Buffer, header: string | string[] | undefined, secret: string): boolean {
  if (typeof header !== 'string') return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(raw).digest('hex'), 'utf8');
  const given = Buffer.from(header, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export class WebhookRouter {
  private readonly routes = new Map<string, Route>();
  private server: Server | undefined;
  /** Deliveries to a path no worker holds (a tenant's webhook sent elsewhere). */
  strays = 0;
  url = '';

  async listen(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () =>
        this.received(req.url ?? '', req.headers, Buffer.concat(chunks), (status) => res.writeHead(status).end()),
      );
    });
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  urlFor(tenant: string): string {
    return `${this.url}/t/${encodeURIComponent(tenant)}`;
  }

  route(tenant: string, route: Route): void {
    this.routes.set(tenant, route);
  }

  unroute(tenant: string): void {
    this.routes.delete(tenant);
  }

  private received(path: string, headers: IncomingHttpHeaders, raw: Buffer, answer: (status: number) => void): void {
    const tenant = path.startsWith('/t/') ? decodeURIComponent(path.slice(3)) : '';
    const route = this.routes.get(tenant);
    if (!route) {
      this.strays += 1;
      answer(404);
      return;
    }
    const verified = signatureValid(raw, headers['x-guuru-hmac-sha256'], route.secret);
    // The vendor's receiver answers 400 to a signature that does not match; the worker counts it.
    answer(verified ? 200 : 400);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      body = undefined;
    }
    route.deliver({ event: String(headers['x-guuru-event']), key: String(headers['idempotency-key']), verified, body });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

// ---------------------------------------------------------------------------------------------
// The walk's check, apart so a test can give it broken pages.

export interface WalkPage {
  ids: string[];
  hasNextPage: boolean;
  endCursor: string | null;
}

/**
 * What is wrong with a walk over `expected` chats in pages of `pageSize`: a chat seen twice, fewer
 * or more chats than the tenant has, a page short before the end, a last page that says there is more.
 */
export function walkProblems(pages: WalkPage[], expected: number, pageSize: number): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  for (const page of pages)
    for (const id of page.ids) {
      if (seen.has(id)) duplicates += 1;
      else seen.add(id);
    }
  if (duplicates > 0) problems.push(`walk: ${duplicates} chat(s) seen twice`);
  if (seen.size !== expected) problems.push(`walk: ${seen.size} distinct chats, the tenant has ${expected}`);
  const short = pages.slice(0, -1).findIndex((page) => page.ids.length !== pageSize);
  if (short >= 0) problems.push(`walk: page ${short + 1} has ${pages[short]?.ids.length} chats before the end`);
  if (pages.at(-1)?.hasNextPage !== false) problems.push('walk: the last page says hasNextPage');
  return problems;
}

// ---------------------------------------------------------------------------------------------
// The worker

const Q_PERSONA =
  'mutation CreatePersona($providerId: ID!, $name: String!) { createPersona(input: { providerId: $providerId, name: $name }) }';
const Q_ACCEPT =
  'mutation AcceptChat($id: ID!, $personaId: ID!) { acceptChat(id: $id, input: { personaId: $personaId }) { id status } }';
const Q_SEND = 'mutation Send($input: ChatMessageInput!) { sendChatMessage(input: $input) }';
const Q_CLOSE = 'mutation Close($id: ID!) { closeChat(id: $id) { id status } }';
const Q_PAGE =
  'query Chats($after: String) { partner { chats(first: 100, after: $after) { edges { cursor node { id status } } pageInfo { hasNextPage endCursor } } } }';
const PAGE_SIZE = 100;

export interface WorkerOptions {
  /** The emulator, e.g. http://127.0.0.1:4000. */
  base: string;
  receiver: WebhookRouter;
  scenario?: string;
  /** Longest a worker may take in all (default 120 s). */
  timeoutMs?: number;
}

export interface WorkerResult {
  tenant: string | undefined;
  passed: boolean;
  failures: string[];
  totalMs: number;
  /** Wall time of `POST /_emulator/tenants` (ms): a fresh tenant's seed data is generated then. */
  setupMs: number | undefined;
  /** When its tenant was made (performance.now() of the load process). */
  setupEndAt: number | undefined;
  /** Wall time of each GraphQL call (ms), and when each started (performance.now()). */
  graphqlMs: number[];
  graphqlAt: number[];
  controlCalls: number;
  webhooks: { received: number; verified: number; duplicates: number; events: string[] };
  pages: number;
  chatsWalked: number;
  chatStatus: string | undefined;
}

type Step = 'setup' | 'assigned-wait' | 'accepted' | 'answered' | 'walk' | 'done';

export class CiWorker {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 2 });
  private readonly failures: string[] = [];
  private readonly graphqlMs: number[] = [];
  private readonly graphqlAt: number[] = [];
  private readonly seenKeys = new Set<string>();
  private readonly events: string[] = [];
  private readonly webhooks = { received: 0, verified: 0, duplicates: 0 };
  private controlCalls = 0;
  private setupMs: number | undefined;
  private setupEndAt: number | undefined;
  private step: Step = 'setup';
  private tenant: string | undefined;
  private token = '';
  private chatId: string | undefined;
  private runUrl: string | undefined;
  private pages: WalkPage[] = [];
  /** The conversation's chat as the walk found it. */
  private chatStatus: string | undefined;
  /** The chat's webhooks are handled one after another, as a queue per conversation. */
  private lane: Promise<void> = Promise.resolve();

  constructor(private readonly options: WorkerOptions) {}

  private fail(problem: string): void {
    if (this.failures.length < 10) this.failures.push(problem);
  }

  private async control(method: string, path: string, body?: unknown): Promise<Answer> {
    this.controlCalls += 1;
    const answer = await call(this.agent, method, `${this.options.base}/_emulator${path}`, body);
    if (answer.status < 200 || answer.status > 299)
      throw new Error(`${method} ${path}: HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
    return answer;
  }

  /** A GraphQL call with the tenant's token; timed; anything but a 200 without errors is a failure. */
  private async gql(label: string, query: string, variables: Record<string, unknown>): Promise<any> {
    this.graphqlAt.push(performance.now());
    const answer = await call(
      this.agent,
      'POST',
      `${this.options.base}/graphql`,
      { query, variables },
      { authorization: `Bearer ${this.token}` },
    );
    this.graphqlMs.push(answer.ms);
    if (answer.status !== 200 || answer.body?.errors)
      throw new Error(
        `${label}: HTTP ${answer.status} ${JSON.stringify(answer.body?.errors ?? answer.body).slice(0, 300)}`,
      );
    return answer.body.data;
  }

  async run(): Promise<WorkerResult> {
    const t0 = performance.now();
    const timeoutMs = this.options.timeoutMs ?? 120_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`did not finish within ${timeoutMs} ms (at step ${this.step})`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.play(), timeout]);
    } catch (error) {
      this.fail((error as Error).message);
      if (this.runUrl) await call(this.agent, 'DELETE', this.runUrl).catch(() => undefined);
    } finally {
      clearTimeout(timer);
      if (this.tenant) {
        this.options.receiver.unroute(this.tenant);
        await this.control('DELETE', `/tenants/${encodeURIComponent(this.tenant)}`).catch((error: Error) =>
          this.fail(`teardown: ${error.message}`),
        );
      }
      this.agent.destroy();
    }
    return this.result(performance.now() - t0);
  }

  private async play(): Promise<void> {
    const answer = await this.control('POST', '/tenants', {});
    this.setupMs = answer.ms;
    this.setupEndAt = performance.now();
    const created = answer.body;
    this.tenant = created.id as string;
    this.token = created.token as string;
    const tenantPath = `/tenants/${encodeURIComponent(this.tenant)}`;
    this.options.receiver.route(this.tenant, {
      secret: created.webhookSecret as string,
      deliver: (webhook) => this.webhook(webhook),
    });
    await this.control('PUT', `${tenantPath}/webhooks`, { url: this.options.receiver.urlFor(this.tenant) });
    this.step = 'assigned-wait';
    const scenario = this.options.scenario ?? 'third-party-messaging';
    const started = (await this.control('POST', `/scenarios/${scenario}/runs`, { tenant: this.tenant, speed: 0 })).body;
    this.runUrl = `${this.options.base}/_emulator/scenarios/${scenario}/runs/${encodeURIComponent(started.id)}`;
    // A webhook may come before the run's answer: one that failed then stops the run now.
    if (this.failures.length > 0) this.cancelRun();
    const run = (await call(this.agent, 'GET', `${this.runUrl}?wait=1`)).body;
    this.controlCalls += 1;
    await this.lane;
    this.checkRun(run);
    this.step = 'walk';
    const { counts } = (await this.control('GET', tenantPath)).body;
    await this.walk(counts.chats as number);
    this.step = 'done';
  }

  private checkRun(run: any): void {
    if (run?.status !== 'completed') this.fail(`run ${run?.id}: ${run?.status} ${run?.error ?? ''}`.trim());
    if (run?.verdict?.passed !== true) {
      const failed = (run?.verdict?.expectations ?? []).filter((e: any) => e.status === 'failed');
      this.fail(`verdict not passed: ${failed.map((e: any) => `${e.id}: ${e.reason}`).join('; ') || 'none given'}`);
    }
    if (!this.chatId || !(run?.chats ?? []).includes(this.chatId))
      this.fail(
        `the run's chats ${JSON.stringify(run?.chats)} do not include the chat assigned to us (${this.chatId})`,
      );
    const sent = run?.deliveries?.sent;
    if (run?.deliveries?.delivered !== sent || this.webhooks.received - this.webhooks.duplicates !== sent)
      this.fail(
        `webhooks: run sent ${sent}, delivered ${run?.deliveries?.delivered}, received ${this.webhooks.received - this.webhooks.duplicates}`,
      );
    for (const event of ['chat-assigned', 'chat-opened', 'message-created', 'chat-closed'])
      if (!this.events.includes(event)) this.fail(`no ${event} webhook received`);
  }

  private async walk(expected: number): Promise<void> {
    const pages: WalkPage[] = [];
    let after: string | null = null;
    for (;;) {
      const data = await this.gql('partner.chats', Q_PAGE, { after });
      const chats = data.partner.chats;
      const ids = (chats.edges as { node: { id: string; status: string } }[]).map((e) => e.node.id);
      pages.push({ ids, hasNextPage: chats.pageInfo.hasNextPage, endCursor: chats.pageInfo.endCursor });
      const ours = (chats.edges as { node: { id: string; status: string } }[]).find((e) => e.node.id === this.chatId);
      if (ours) this.chatStatus = ours.node.status;
      if (!chats.pageInfo.hasNextPage || pages.length > expected / PAGE_SIZE + 2) break;
      after = chats.pageInfo.endCursor;
    }
    this.pages = pages;
    for (const problem of walkProblems(pages, expected, PAGE_SIZE)) this.fail(problem);
    if (this.chatStatus !== 'closed' && this.chatStatus !== 'rated')
      this.fail(`the conversation's chat is ${this.chatStatus ?? 'not in the walk'}, not closed`);
  }

  private webhook(webhook: Webhook): void {
    this.webhooks.received += 1;
    if (!webhook.verified) {
      this.fail(`${webhook.event}: the signature did not verify with the tenant's secret`);
      this.cancelRun();
      return;
    }
    this.webhooks.verified += 1;
    // The guide: the same event may come twice; act once per Idempotency-Key.
    if (this.seenKeys.has(webhook.key)) {
      this.webhooks.duplicates += 1;
      return;
    }
    this.seenKeys.add(webhook.key);
    this.events.push(webhook.event);
    this.lane = this.lane
      .then(() => this.handle(webhook))
      .catch((error: Error) => {
        this.fail(error.message);
        this.cancelRun();
      });
  }

  /** Stops the run at once after a failure: its customer would otherwise wait out its patience. */
  private cancelRun(): void {
    if (this.runUrl) void call(this.agent, 'DELETE', this.runUrl).catch(() => undefined);
  }

  private async handle({ event, body }: Webhook): Promise<void> {
    if (event === 'chat-assigned' && this.step === 'assigned-wait' && body.requestedExperts?.includes('api')) {
      this.chatId = body.id as string;
      const personaId = (await this.gql('createPersona', Q_PERSONA, { providerId: 'ci-agent', name: 'CI agent' }))
        .createPersona as string;
      const accepted = await this.gql('acceptChat', Q_ACCEPT, { id: this.chatId, personaId });
      if (accepted.acceptChat.status !== 'open') this.fail(`acceptChat left the chat ${accepted.acceptChat.status}`);
      this.step = 'accepted';
    } else if (
      event === 'message-created' &&
      this.step === 'accepted' &&
      body.author?.__typename === 'UserAuthor' &&
      body.chat?.id === this.chatId
    ) {
      this.step = 'answered';
      const sent = await this.gql('sendChatMessage', Q_SEND, {
        input: { chatId: this.chatId, posting: { type: 'text', text: 'Thanks for the details: it is sorted.' } },
      });
      if (sent.sendChatMessage !== true) this.fail('sendChatMessage did not answer true');
      const closed = await this.gql('closeChat', Q_CLOSE, { id: this.chatId });
      if (closed.closeChat.status !== 'closed') this.fail(`closeChat left the chat ${closed.closeChat.status}`);
    }
  }

  private result(totalMs: number): WorkerResult {
    return {
      tenant: this.tenant,
      passed: this.failures.length === 0,
      failures: [...this.failures],
      totalMs,
      setupMs: this.setupMs,
      setupEndAt: this.setupEndAt,
      graphqlMs: this.graphqlMs,
      graphqlAt: this.graphqlAt,
      controlCalls: this.controlCalls,
      webhooks: { ...this.webhooks, events: this.events },
      pages: this.pages.length,
      chatsWalked: this.pages.reduce((n, page) => n + page.ids.length, 0),
      chatStatus: this.chatStatus,
    };
  }
}
