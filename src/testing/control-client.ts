import type { ActivityStep } from '../control/chat-steps.js';
import type { TenantView } from '../control/router.js';
import type { ChatSummary, DeliverySummary } from '../control/summaries.js';
import type { TriggerEvent, TriggerRequest, TriggerResult } from '../control/trigger.js';
import type { SnapshotInfo } from '../domain/snapshots.js';
import type { Delivery, DeliveryStatus } from '../webhooks/delivery-log.js';
import type { GuuruEvent } from '../webhooks/payloads.js';
import type { FaultKind } from '../webhooks/faults.js';
import type { TenantWebhooks } from '../webhooks/subscriptions.js';
import type { RequestRecord } from '../journal/request-journal.js';
import type { SuiteName } from '../verify/checks.js';
import type { FlowFile } from '../verify/explore/flow-file.js';
import type { VerificationReport } from '../verify/report.js';
import type { StartRunOptions } from '../scenarios/run-options.js';
import type { RunRecord } from '../scenarios/run-types.js';

/** A non-2xx answer of the control API: its status and its JSON error body. */
export class ControlApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: { message?: string; code?: string; [key: string]: unknown },
    route: string,
  ) {
    super(`${route} answered ${status}: ${body.message ?? JSON.stringify(body)}`);
    this.name = 'ControlApiError';
  }
}

export interface ControlClientOptions {
  /** The emulator's admin token (`--admin-token`), sent with every control request. */
  adminToken?: string;
  /** The tenant that tenant-scoped calls act on. Default: the emulator's first tenant. */
  tenant?: string;
}

/** A tenant as the control API shows it, with the URLs of its APIs. */
export type TenantInfo = TenantView;

/** A delivery of the log; `body` parsed, `rawBody` exactly as sent. */
export type DeliveryInfo = Omit<Delivery, 'body'> & { body: unknown; rawBody: string };

export interface DeliveryQuery {
  event?: string;
  chatId?: string;
  status?: DeliveryStatus;
  source?: 'guuru' | 'gurusup';
  limit?: number;
}

/** What a verification examines (see docs/verify.md). */
export interface VerificationOptions {
  target: string;
  /** An empty list with `explore`: explore only. */
  suites?: SuiteName[];
  seed?: number;
  timeoutMs?: number;
  /** Generate flows after the suites and shrink the first failing one (docs/verify.md, "Exploring"). */
  explore?: { runs?: number; seed?: number; timeMs?: number; graceMs?: number; maxSilenceMs?: number };
  /** Play a flow file written by an explore run again (its `explore.failure.file`); nothing else runs. */
  replay?: FlowFile;
}

export interface ChatQuery {
  /** One status or several. */
  status?: string | string[];
  language?: string;
  limit?: number;
  /** Chats created before this `seq`: the next page of a newest-first list. */
  before?: number;
}

export interface RequestQuery {
  api?: 'graphql' | 'gurusup';
  operation?: string;
  chatId?: string;
  failed?: boolean;
  limit?: number;
}

/** A delivery fault rule as POST /faults takes it. */
export interface FaultInput {
  kind: FaultKind;
  event?: string;
  chatId?: string;
  tenant?: string;
  times?: number | null;
  delayMs?: number;
}

/** A GraphQL answer of the Admin API, with its HTTP status. */
export interface GraphQLAnswer {
  status: number;
  data?: unknown;
  errors?: { message: string; extensions?: { code?: string; [key: string]: unknown }; [key: string]: unknown }[];
}

export interface SubscribeOptions {
  /** Only these events (default: every GUURU event). */
  events?: GuuruEvent[];
  /** Also change the signing secret. */
  secret?: string;
}

/**
 * A typed client of the `/_emulator` control API (over HTTP, so it works the same for an
 * in-process emulator and one in a container). Calls that concern one tenant use the
 * client's tenant; `request()` reaches any other route. Non-2xx answers throw ControlApiError.
 */
export class ControlClient {
  readonly url: string;
  readonly tenant: string | undefined;

  constructor(
    url: string,
    private readonly options: ControlClientOptions = {},
  ) {
    this.url = url.replace(/\/+$/, '');
    this.tenant = options.tenant;
  }

  /** The same emulator, acting on another tenant. */
  forTenant(tenant: string): ControlClient {
    return new ControlClient(this.url, { ...this.options, tenant });
  }

  /** Any control route: `request('GET', '/deliveries?limit=5')`. Resolves with the JSON answer (undefined for 204). */
  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.adminToken) headers.authorization = `Bearer ${this.options.adminToken}`;
    let res: Response;
    try {
      res = await fetch(`${this.url}/_emulator${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new Error(
        `No emulator answers at ${this.url} (${cause?.code ?? cause?.message ?? (error as Error).message}). Is it running, and is the URL right?`,
        { cause: error },
      );
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = { message: text };
    }
    if (!res.ok)
      throw new ControlApiError(res.status, (json ?? {}) as ControlApiError['body'], `${method} /_emulator${path}`);
    return json as T;
  }

  private get tenantPath(): string {
    return `/tenants/${encodeURIComponent(this.requireTenant())}`;
  }

  private requireTenant(): string {
    if (this.tenant === undefined) throw new Error('this ControlClient has no tenant; use control.forTenant(id)');
    return this.tenant;
  }

  health() {
    return this.request<{
      status: 'ok';
      name: string;
      version: string;
      uptimeMs: number;
      now: number;
      clock: 'system' | 'virtual';
      tenants: number;
    }>('GET', '/health');
  }

  /** Every tenant back to the seed; created tenants removed. */
  reset() {
    return this.request<{ status: 'reset'; tenants: TenantInfo[] }>('POST', '/reset');
  }

  tenants() {
    return this.request<{ tenants: TenantInfo[] }>('GET', '/tenants').then((r) => r.tenants);
  }

  /** A fresh isolated tenant (own partner, token, random webhook secret unless `webhookSecret` is given, Gurusup key): one per test file for parallel runs. */
  createTenant(
    options: {
      id?: string;
      token?: string;
      gurusupKey?: string;
      webhookSecret?: string;
      seed?: number;
      template?: string;
    } = {},
  ) {
    return this.request<TenantInfo>('POST', '/tenants', options);
  }

  getTenant(id = this.requireTenant()) {
    return this.request<TenantInfo>('GET', `/tenants/${encodeURIComponent(id)}`);
  }

  /** The tenant back to its seed data (same id and token). */
  resetTenant(id = this.requireTenant()) {
    return this.request<TenantInfo>('POST', `/tenants/${encodeURIComponent(id)}/reset`);
  }

  removeTenant(id = this.requireTenant()) {
    return this.request<void>('DELETE', `/tenants/${encodeURIComponent(id)}`);
  }

  /** Subscribes the tenant's GUURU webhooks (every event, or `events`) to `url`, active. */
  subscribe(url: string, options: SubscribeOptions = {}) {
    const body = options.events
      ? {
          events: Object.fromEntries(options.events.map((e) => [e, { url, active: true }])),
          ...(options.secret !== undefined ? { secret: options.secret } : {}),
        }
      : { url, active: true, ...(options.secret !== undefined ? { secret: options.secret } : {}) };
    return this.request<TenantWebhooks & { tenant: string; signed: boolean }>(
      'PUT',
      `${this.tenantPath}/webhooks`,
      body,
    );
  }

  /** Sends the tenant's Gurusup send-message events to `url` ('' stops them). */
  subscribeGurusup(url: string) {
    return this.request<{ tenant: string; webhookUrl: string; eventName: string }>(
      'PUT',
      `${this.tenantPath}/gurusup`,
      { webhookUrl: url },
    );
  }

  /** The delivery log of the tenant, oldest first. */
  deliveries(query: DeliveryQuery = {}) {
    const params = new URLSearchParams({ tenant: this.requireTenant() });
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    return this.request<{ deliveries: DeliveryInfo[]; total: number }>('GET', `/deliveries?${params}`).then(
      (r) => r.deliveries,
    );
  }

  /** Resolves once no delivery is queued, sending or retrying (rejects with 504 after `timeoutMs`). */
  flush(timeoutMs = 30_000) {
    return this.request<{ idle: boolean }>('POST', '/deliveries/flush', { timeoutMs });
  }

  /** A chat as stored, with its messages. */
  chat(chatId: string) {
    return this.request<Record<string, unknown> & { id: string; status: string }>(
      'GET',
      `${this.tenantPath}/chats/${encodeURIComponent(chatId)}`,
    );
  }

  /** An end user opens a chat (assigned at once with `requestedExperts`, e.g. `['api']`). */
  createChat(input: {
    question: string;
    language?: string;
    categoryId?: string;
    requestedExperts?: string[];
    user?: { name?: string; email?: string; phone?: string };
  }) {
    return this.request<{ id: string; status: string }>('POST', `${this.tenantPath}/chats`, input);
  }

  /** A party of the chat acts: `assign`, `accept`, `messages`, `close`, `reopen`, `handover`, `rate`, `miss`, `transfer-to-persona`. */
  chatAction(chatId: string, action: string, body: Record<string, unknown> = {}) {
    return this.request<Record<string, unknown>>(
      'POST',
      `${this.tenantPath}/chats/${encodeURIComponent(chatId)}/${action}`,
      body,
    );
  }

  /**
   * Fires one realistic event of any type by making the state change that causes it, with its
   * prerequisites, on a new chat (or Gurusup thread) of the client's tenant; resolves once each of
   * its deliveries had a first attempt. `only` sends just the named event.
   */
  trigger(event: TriggerEvent | (string & {}), options: Omit<TriggerRequest, 'event' | 'tenant'> = {}) {
    return this.request<TriggerResult>('POST', '/trigger', {
      event,
      ...(this.tenant !== undefined ? { tenant: this.tenant } : {}),
      ...options,
    });
  }

  /**
   * Keeps the data of every tenant (or, with `tenant`, of one) under `name`, in memory: restore it
   * between tests in milliseconds. Webhook settings, the delivery log and id generators are not data.
   */
  snapshot(name: string, options: { tenant?: string } = {}) {
    return this.request<SnapshotInfo>('POST', '/snapshots', { name, ...options });
  }

  /** Puts the snapshot's data back (tenants made after a whole snapshot are removed). */
  restore(name: string) {
    return this.request<{ restored: SnapshotInfo; removed: string[]; tenants: TenantInfo[] }>(
      'POST',
      `/snapshots/${encodeURIComponent(name)}/restore`,
    );
  }

  deleteSnapshot(name: string) {
    return this.request<void>('DELETE', `/snapshots/${encodeURIComponent(name)}`);
  }

  snapshots() {
    return this.request<{ snapshots: SnapshotInfo[] }>('GET', '/snapshots').then((r) => r.snapshots);
  }

  /** The tenant's chats, newest first, without messages. */
  chats(query: ChatQuery = {}) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query))
      if (value !== undefined) params.set(key, Array.isArray(value) ? value.join(',') : String(value));
    const qs = params.size > 0 ? `?${params}` : '';
    return this.request<{ tenant: string; chats: ChatSummary[]; total: number; languages: string[] }>(
      'GET',
      `${this.tenantPath}/chats${qs}`,
    );
  }

  /** A chat, the names of its authors and its steps since the emulator started, each with the deliveries it caused. */
  chatActivity(chatId: string) {
    return this.request<{
      tenant: string;
      chat: Record<string, unknown> & { id: string; status: string };
      authors: Record<string, { kind: string; name: string }>;
      bot: { name: string };
      steps: ActivityStep[];
    }>('GET', `${this.tenantPath}/chats/${encodeURIComponent(chatId)}/activity`);
  }

  /** The delivery log of the tenant as summaries (no headers or body), oldest first. */
  deliverySummaries(query: DeliveryQuery = {}) {
    const params = new URLSearchParams({ tenant: this.requireTenant(), summary: 'true' });
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    return this.request<{ deliveries: DeliverySummary[]; total: number }>('GET', `/deliveries?${params}`);
  }

  /** Sends a delivery again (same Idempotency-Key, body and signature), to its URL or `url`. */
  redeliver(deliveryId: string, url?: string) {
    return this.request<DeliveryInfo>(
      'POST',
      `/deliveries/${encodeURIComponent(deliveryId)}/redeliver`,
      url === undefined ? {} : { url },
    );
  }

  /** The tenant's API requests in the request journal, newest first. */
  requests(query: RequestQuery = {}) {
    const params = new URLSearchParams({ tenant: this.requireTenant() });
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    return this.request<{ requests: RequestRecord[]; total: number }>('GET', `/requests?${params}`);
  }

  /** The delivery fault rules, with how often each fired. */
  faults() {
    return this.request<{ faults: unknown[] }>('GET', '/faults');
  }

  /** Adds a delivery fault rule. */
  addFault(rule: FaultInput) {
    return this.request<Record<string, unknown>>('POST', '/faults', rule);
  }

  /** Removes every delivery fault rule. */
  clearFaults() {
    return this.request<unknown>('DELETE', '/faults');
  }

  /** The scenarios the emulator knows, and the files it could not load. */
  scenarios() {
    return this.request<{
      scenarios: { name: string; description: string; params: unknown; builtIn: boolean; steps: number }[];
      errors: unknown[];
    }>('GET', '/scenarios');
  }

  /** Starts a run of the scenario and resolves once it is over, with its timeline and (against an integration) its verdict. */
  async runScenario(name: string, options: StartRunOptions = {}): Promise<RunRecord> {
    const started = await this.startRun(name, options);
    return this.request<RunRecord>(
      'GET',
      `/scenarios/${encodeURIComponent(name)}/runs/${encodeURIComponent(started.id)}?wait=1`,
    );
  }

  /**
   * A GraphQL operation on the Admin API (POST /graphql) with the tenant's token: resolves with the
   * answer and its status, GraphQL errors included (they are answers, not failures).
   */
  async graphql(query: string, variables?: Record<string, unknown>, operationName?: string): Promise<GraphQLAnswer> {
    const { token } = await this.getTenant();
    let res: Response;
    try {
      res = await fetch(`${this.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          query,
          ...(variables !== undefined ? { variables } : {}),
          ...(operationName !== undefined ? { operationName } : {}),
        }),
      });
    } catch (error) {
      throw new Error(
        `No emulator answers at ${this.url} (${(error as Error).message}). Is it running, and is the URL right?`,
        { cause: error },
      );
    }
    const text = await res.text();
    try {
      return { status: res.status, ...(JSON.parse(text) as Omit<GraphQLAnswer, 'status'>) };
    } catch {
      return { status: res.status, errors: [{ message: text.slice(0, 500) }] };
    }
  }

  /** Moves a virtual clock (`--virtual-clock`) forward; timers due meanwhile fire. */
  advanceClock(ms: number) {
    return this.request<{ kind: string; now: number; iso: string }>('POST', '/clock/advance', { ms });
  }

  /**
   * Examines the integration whose webhook receiver is `target` (what `guuru-emulator verify`
   * does) against the client's tenant, and resolves with the finished report: `status` is `passed`
   * when every required check passed; each check has its evidence.
   */
  async verify(options: VerificationOptions): Promise<VerificationReport> {
    const started = await this.startVerification(options);
    return this.request<VerificationReport>('GET', `/verifications/${encodeURIComponent(started.id)}?wait=1`);
  }

  /** Starts a verification of the client's tenant (default: the first) and resolves with its id at once. */
  startVerification(options: VerificationOptions) {
    return this.request<{ id: string }>('POST', '/verifications', {
      ...options,
      ...(this.tenant !== undefined ? { tenant: this.tenant } : {}),
    });
  }

  /** A verification's report as it stands (live while it runs). */
  verification(id: string) {
    return this.request<VerificationReport>('GET', `/verifications/${encodeURIComponent(id)}`);
  }

  /** Loads scenario files (YAML text) into the emulator; files that do not parse are listed in `errors`. */
  loadScenarios(files: { file: string; yaml: string }[]) {
    return this.request<{ scenarios: string[]; errors?: string[] }>('POST', '/scenarios', { files });
  }

  /** Starts a run of scenario `name` (in the client's tenant unless `tenant` is given) and resolves with its id at once. */
  startRun(name: string, options: StartRunOptions = {}) {
    return this.request<{ id: string }>('POST', `/scenarios/${encodeURIComponent(name)}/runs`, {
      ...(this.tenant !== undefined ? { tenant: this.tenant } : {}),
      ...options,
    });
  }

  /** A run as it stands: status, timeline, deliveries, verdict once finished. */
  run(name: string, id: string) {
    return this.request<RunRecord>('GET', `/scenarios/${encodeURIComponent(name)}/runs/${encodeURIComponent(id)}`);
  }

  cancelRun(name: string, id: string) {
    return this.request<unknown>('DELETE', `/scenarios/${encodeURIComponent(name)}/runs/${encodeURIComponent(id)}`);
  }
}
