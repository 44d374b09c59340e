import type { EmulatorOptions } from '../app/emulator.js';
import { createEmulator, type Emulator } from '../app/emulator.js';
import { silentLogger } from '../kernel/logger.js';
import { ControlClient, type TenantInfo } from './control-client.js';

export interface StartEmulatorOptions extends EmulatorOptions {
  /**
   * Use the emulator already running at this URL (a container, a CI service) instead of starting
   * one in this process. Each caller then gets a fresh tenant of its own, removed by `stop()`,
   * so parallel test files never see each other's data.
   */
  url?: string;
  /**
   * The admin token of the control API: with `url`, the running emulator's (`--admin-token`); in
   * process, the one to require (one is made when `host` is not a loopback address).
   */
  adminToken?: string;
  /**
   * `'first'`: the seed's first tenant (`guuru-qa`, token `demo-token`, secret `secr3t`), the
   * default in process. `'fresh'`: a new isolated tenant, the default with `url`.
   */
  tenant?: 'first' | 'fresh';
}

export interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; [key: string]: unknown } }[];
}

/** A running emulator and the credentials of the tenant a test uses. */
export interface TestEmulator extends AsyncDisposable {
  /** Base URL, e.g. http://127.0.0.1:53123. */
  url: string;
  /** The GUURU Admin API: POST with `Authorization: Bearer ${token}`. */
  graphqlUrl: string;
  /** The Gurusup API: `x-api-key: ${apiKey}`. */
  gurusupUrl: string;
  /** The tenant (GUURU partner id). */
  tenant: string;
  /** Bearer token of the tenant's Admin API. */
  token: string;
  /** The tenant's webhook signing secret. */
  secret: string;
  /** The tenant's Gurusup API key. */
  apiKey: string;
  /** The control API, acting on this tenant (it sends the admin token). */
  control: ControlClient;
  /** The admin token the control API requires, if any. */
  adminToken: string | undefined;
  /** The in-process emulator (its store, clock, Express app); undefined with `url`. */
  emulator: Emulator | undefined;
  /** Posts a GraphQL document with the tenant's token; resolves with the JSON answer (errors included, never thrown). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read nested fields without declaring a type first
  graphql<T = any>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  /** Stops the in-process emulator, or removes the fresh tenant. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts a whole emulator in this process on a free port (or attaches to a running one with
 * `url`), for vitest, jest or node:test:
 *
 * ```ts
 * const emulator = await startEmulator({ webhookUrl: sink.url });
 * afterAll(() => emulator.stop());            // or: await using emulator = await startEmulator();
 * const { data } = await emulator.graphql('{ partner { id } }');
 * ```
 */
export async function startEmulator(options: StartEmulatorOptions = {}): Promise<TestEmulator> {
  const { url: remote, tenant: which = remote ? 'fresh' : 'first', ...emulatorOptions } = options;
  let emulator: Emulator | undefined;
  let url: string;
  if (remote) {
    url = remote.replace(/\/+$/, '');
  } else {
    emulator = await createEmulator({ port: 0, logger: silentLogger, ...emulatorOptions });
    url = await emulator.start();
  }
  const adminToken = options.adminToken ?? emulator?.adminToken;
  let info: TenantInfo | undefined;
  try {
    const control = new ControlClient(url, { adminToken });
    if (which === 'fresh') {
      info = await control.createTenant();
    } else {
      info = (await control.tenants())[0];
      if (!info) throw new Error(`the emulator at ${url} has no tenant`);
    }
    // In process, webhookUrl is already an option of the emulator; attached, it subscribes the new tenant.
    if (remote && emulatorOptions.webhookUrl) await control.forTenant(info.id).subscribe(emulatorOptions.webhookUrl);
    if (remote && emulatorOptions.gurusupWebhookUrl)
      await control.forTenant(info.id).subscribeGurusup(emulatorOptions.gurusupWebhookUrl);
  } catch (error) {
    await emulator?.stop();
    throw error;
  }
  const tenant = info;
  const control = new ControlClient(url, { adminToken, tenant: tenant.id });
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= emulator
      ? emulator.stop()
      : which === 'fresh'
        ? control.removeTenant().catch(() => undefined)
        : Promise.resolve());
  return {
    url,
    graphqlUrl: `${url}/graphql`,
    gurusupUrl: `${url}/gurusup`,
    tenant: tenant.id,
    token: tenant.token,
    secret: tenant.webhookSecret,
    apiKey: tenant.gurusupApiKey ?? '',
    control,
    adminToken,
    emulator,
    async graphql<T>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>> {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tenant.token}` },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as GraphQLResponse<T>;
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
