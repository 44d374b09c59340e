import type { Express } from 'express';
import type { Clock } from '../kernel/clock.js';
import type { ResolvedConfig } from '../config/config.js';
import type { DomainContext } from '../domain/context.js';
import type { EventBus } from '../domain/events.js';
import type { Generators } from '../kernel/generators.js';
import { generateAdminToken, isLoopback } from '../http/guard.js';
import type { DataFile } from '../store/persistence.js';
import type { Store } from '../store/store.js';
import type { RequestJournal } from '../journal/request-journal.js';
import type { GurusupSettings } from '../gurusup/settings.js';
import type { ScenarioEngine } from '../scenarios/engine.js';
import type { Verifications } from '../verify/verifications.js';
import type { Dispatcher } from '../webhooks/dispatcher.js';
import type { WebhookSettings } from '../webhooks/subscriptions.js';
import { buildCore } from './core.js';
import { createHttpApp } from './http-app.js';
import type { EmulatorOptions } from './options.js';
import { wireParts } from './parts.js';
import { createFrontDoor } from './front-door.js';
import { HttpServer } from './server.js';

export type { EmulatorOptions } from './options.js';

export interface Emulator {
  /** The Express app, usable with supertest without listening. */
  app: Express;
  store: Store;
  events: EventBus;
  clock: Clock;
  config: ResolvedConfig;
  /** The domain context every adapter drives (store, events, clock, seeded ids). */
  domain: DomainContext;
  /** Webhook settings per tenant and the dispatcher (queue, delivery log, faults). */
  webhooks: { settings: WebhookSettings; dispatcher: Dispatcher; gurusup: GurusupSettings };
  /** The seeded id and key generators (saved with --data; a snapshot restore must not rewind them). */
  generators: Generators;
  /** The `--data` file writer, when there is one (`flushed()` resolves once every change is in the file). */
  dataFile: DataFile | undefined;
  /** Scenario files and runs. */
  scenarios: ScenarioEngine;
  /** The API requests the emulator answered (GET /_emulator/requests). */
  requests: RequestJournal;
  /** Verifications of an integration (`guuru-emulator verify`, /_emulator/verifications). */
  verifications: Verifications;
  /** Listens on config.port/host (port 0: a free port) and resolves with the base URL. */
  start(): Promise<string>;
  /**
   * Stops gracefully: stops accepting, lets requests in progress finish (up to 2 s), cancels
   * scenario runs, stops webhooks and Apollo, then writes every change to the data file. Safe to
   * call twice.
   */
  stop(): Promise<void>;
  /** The token the control API requires (given, or made at start for a non-loopback host), if any. */
  readonly adminToken: string | undefined;
  /** The base URL while listening. */
  readonly url: string | undefined;
}

/**
 * Builds the whole emulator (store, APIs, control API) without opening a socket, in four steps:
 * the core (settings, store, domain), its parts (APIs, webhooks, scenarios, verify, live views),
 * the HTTP app (named mounts), and the server (start, stop).
 */
export async function createEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const core = await buildCore(options);
  const parts = await wireParts(core, options);
  const { config } = core;
  // Bound to a non-loopback interface the control API is reachable from the network: never without a token.
  const adminToken = config.adminToken ?? (isLoopback(config.host) ? undefined : generateAdminToken());
  const app = createHttpApp(core, parts, {
    adminToken,
    url: () => listening.url,
    recordControlTo: options.recordControlTo,
    startedAt: Date.now(),
  });
  // Repeated queries skip Express when nothing else must see them (CORS answers need its middleware).
  const handler =
    config.fastLane && config.cors.length === 0
      ? createFrontDoor(
          {
            lane: parts.graphql.lane,
            makeLane: parts.graphql.make,
            domain: core.domain,
            journal: parts.requests,
            clock: core.clock,
            bodyLimit: config.bodyLimit,
            holding: () => parts.verifications.holding,
          },
          app,
        )
      : app;
  const listening = new HttpServer(handler, config);

  let stopped: Promise<void> | undefined;
  return {
    app,
    store: core.store,
    events: core.events,
    clock: core.clock,
    config,
    domain: core.domain,
    webhooks: {
      settings: parts.webhooks.settings,
      dispatcher: parts.webhooks.dispatcher,
      gurusup: parts.webhooks.gurusupSettings,
    },
    generators: core.generators,
    dataFile: core.dataFile,
    scenarios: parts.scenarios,
    requests: parts.requests,
    verifications: parts.verifications,
    get url() {
      return listening.url;
    },
    adminToken,
    start: () => listening.start(),
    stop() {
      stopped ??= (async () => {
        // Live streams never end by themselves: end them first so the drain below is not held up.
        parts.stream.close();
        parts.chatSteps.stop();
        // Scenario runs and verifications in progress end as cancelled, which also answers their long polls.
        parts.scenarios.stop();
        parts.verifications.stop();
        // Requests in progress finish (their changes are then saved below).
        await listening.close();
        parts.webhooks.dispatcher.stop();
        parts.webhooks.transport.close();
        await parts.graphql.stop();
        await core.dataFile?.close();
      })();
      return stopped;
    },
  };
}
