import { SystemClock, type Clock } from '../kernel/clock.js';
import { resolveConfig, type ResolvedConfig } from '../config/config.js';
import type { DomainContext } from '../domain/context.js';
import { EventBus } from '../domain/events.js';
import { Snapshots } from '../domain/snapshots.js';
import { Generators } from '../kernel/generators.js';
import { createLogger, type Logger } from '../kernel/logger.js';
import { DataFile } from '../store/persistence.js';
import { loadFixtures, type Fixtures } from '../store/fixtures.js';
import { Store } from '../store/store.js';
import type { EmulatorOptions } from './options.js';

/** The stateful core every part drives: settings, the store (loaded from --data), the domain context. */
export interface Core {
  clock: Clock;
  config: ResolvedConfig;
  logger: Logger;
  fixtures: Fixtures;
  /** The `--data` file writer, when there is one. */
  dataFile: DataFile | undefined;
  generators: Generators;
  store: Store;
  events: EventBus;
  domain: DomainContext;
  snapshots: Snapshots;
}

let builtInFixtures: Fixtures | undefined;

const MIB = 2 ** 20;

/** Resolves the settings, loads the fixtures and the --data file, and builds the store and the domain context. */
export async function buildCore(options: EmulatorOptions): Promise<Core> {
  const clock = options.clock ?? new SystemClock();
  const config = resolveConfig(options, clock.now());
  const logger = options.logger ?? createLogger({ format: config.logFormat, level: config.logLevel });
  // The built-in fixtures never change, so they are read once per process; a custom folder every time.
  const fixtures = config.fixtures ? loadFixtures(config.fixtures) : (builtInFixtures ??= loadFixtures());

  const dataFile = config.data ? new DataFile(config.data, (message) => logger.error(message)) : undefined;
  const saved = await dataFile?.load();
  // With a data file the generators go on where they were (forked), so no id or key repeats.
  const generators = new Generators(config.seed);
  if (saved) generators.resume(saved.generators);
  const store = new Store({
    fixtures,
    seed: config.seed,
    seedTime: config.seedTime,
    bulkChats: config.bulkChats,
    initialState: saved?.tenants,
    seedCache: config.seedCache,
    generators,
    limits: {
      tenants: config.maxTenants,
      chats: config.maxChats,
      messages: config.maxMessages,
      tenantBytes: config.maxTenantMb * MIB,
      storedBytes: config.maxStoredMb * MIB,
    },
  });
  await dataFile?.attach(store, () => clock.now(), generators);
  const events = new EventBus((message, error) => logger.error(message, error));
  const domain: DomainContext = {
    store,
    events,
    clock,
    get random() {
      return generators.domain;
    },
    content: fixtures.content,
  };
  // After a full reset, new ids repeat the sequence of a fresh start.
  events.on('store.reset', ({ tenantId, snapshot }) => {
    if (snapshot !== undefined) generators.forkDomain();
    else if (tenantId === undefined) generators.resetDomain();
  });
  const snapshots = new Snapshots({ store, events, now: () => clock.now() });
  return { clock, config, logger, fixtures, dataFile, generators, store, events, domain, snapshots };
}
