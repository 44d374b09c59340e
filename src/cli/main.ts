/**
 * Process entry of the CLI (`guuru-emulator`, `npm start`): flags > environment > defaults,
 * start, print where everything is, stop cleanly on SIGINT/SIGTERM.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { VirtualClock } from '../kernel/clock.js';
import { ConfigError, optionsFromEnv, withoutUndefined } from '../config/config.js';
import { createEmulator, type EmulatorOptions } from '../app/emulator.js';
import { isWildcard } from '../http/guard.js';
import { loadConfigFile } from '../config/file.js';
import { defaultTenant } from '../domain/tenants.js';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from '../kernel/logger.js';
import { FixturesError } from '../store/fixtures.js';
import { DataFileError } from '../store/persistence.js';
import { VERSION } from '../kernel/version.js';
import { listScenarios, runScenario, type RunFlags } from './scenario.js';
import { runTrigger, type TriggerFlags } from './trigger.js';
import { TRIGGER_EVENTS } from '../control/trigger.js';
import { runVerify, type VerifyFlags } from './verify.js';
import type { McpFlags } from './mcp.js';

const wholeNumber = (name: string) => (value: string) => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number.`);
  return Number(value);
};

interface StartFlags {
  config?: string;
  port?: number;
  host?: string;
  seed?: number;
  seedTime?: string;
  fixtures?: string;
  data?: string;
  bodyLimit?: string;
  bulkChats?: number;
  virtualClock?: string | boolean;
  webhookUrl?: string;
  webhookAttempts?: number;
  webhookBackoff?: number;
  webhookTimeout?: number;
  deliveryLogSize?: number;
  requestLogSize?: number;
  logFormat?: LogFormat;
  logLevel?: LogLevel;
  gurusupWebhookUrl?: string;
  scenarios?: string;
  scenario?: string;
  adminToken?: string;
  allowHost?: string[];
  cors?: string[];
  corsControl?: boolean;
  maxTenants?: number;
  maxChats?: number;
  maxMessages?: number;
  maxQueryCost?: number;
  maxAliases?: number;
  maxDirectives?: number;
  maxTokens?: number;
  maxDepth?: number;
}

async function start(flags: StartFlags): Promise<void> {
  const env = optionsFromEnv(process.env);
  const { config: configPath, virtualClock: clockFlag, webhookBackoff, webhookTimeout, scenarios, scenario: scenarioFlag, allowHost, ...rest } = flags;
  // Flags > environment > config file > defaults.
  const file = loadConfigFile(configPath, process.cwd());
  const virtualClock = clockFlag ?? file?.start.virtualClock;
  const scenario = scenarioFlag ?? file?.start.scenario;
  const options: EmulatorOptions = {
    ...withoutUndefined(file?.options ?? {}),
    ...withoutUndefined(env),
    ...withoutUndefined({
      ...rest,
      webhookBackoffMs: webhookBackoff,
      webhookTimeoutMs: webhookTimeout,
      scenarios: scenarios ? [scenarios] : undefined,
      allowedHosts: allowHost && allowHost.length > 0 ? allowHost : undefined,
    }),
  };
  if (virtualClock) {
    const at = typeof virtualClock === 'string' ? Date.parse(virtualClock) : Date.now();
    if (!Number.isFinite(at)) throw new ConfigError(`--virtual-clock: "${String(virtualClock)}" is not an ISO date`);
    options.clock = new VirtualClock(at);
  }
  const emulator = await createEmulator(options);
  const url = await emulator.start();
  // A graceful stop: no new requests, requests in progress finish, every change is written to
  // --data, exit 0. A second signal exits at once. Installed before the banner: whoever reads
  // "listening on" may stop it at once.
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      console.error(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    console.log(`\n${signal}: stopping (finishing requests${emulator.config.data ? `, saving ${emulator.config.data}` : ''}; send it again to exit at once)`);
    emulator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`guuru-emulator: could not stop cleanly: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  const tenant = defaultTenant(emulator.store);
  const token = tenant?.data.tokens[0] ?? '(none)';
  console.log(
    [
      `guuru-emulator ${VERSION} listening on ${url}` + (isWildcard(emulator.config.host) ? `   (bound to ${emulator.config.host}: every interface; from elsewhere use this machine's name or the mapped port)` : ''),
      `  GUURU Admin API (GraphQL)  POST ${url}/graphql   Authorization: Bearer ${token}`,
      `  Gurusup API (REST)         ${url}/gurusup/threads   x-api-key: ${tenant?.data.gurusup?.apiKeys[0] ?? '(none)'}`,
      `  Control API                ${url}/_emulator   (health: ${url}/_emulator/health)` +
        (emulator.adminToken
          ? `\n                             needs the admin token: Authorization: Bearer ${emulator.adminToken}   (or X-Admin-Token)` +
            (emulator.config.adminToken ? '' : `\n                             made at start because ${emulator.config.host} is not a loopback address; choose your own with --admin-token or ADMIN_TOKEN`)
          : ''),
      `  Dashboard                  ${url}/${emulator.adminToken ? `?token=${encodeURIComponent(emulator.adminToken)}` : ''}   (GraphiQL: ${url}/graphql)`,
      `  Webhooks                   ${emulator.config.webhookUrl ? `every GUURU event → ${emulator.config.webhookUrl}` : `none subscribed (PUT ${url}/_emulator/webhooks or --webhook-url)`}; deliveries: ${url}/_emulator/deliveries`,
      `  Seed                       ${emulator.config.seed} at ${new Date(emulator.config.seedTime).toISOString()}` +
        (emulator.config.data ? `, state kept in ${emulator.config.data}` : ', in memory'),
      ...(file ? [`  Config file                ${file.path}`] : []),
      `Try: curl -s ${url}/graphql -H 'Authorization: Bearer ${token}' -H 'Content-Type: application/json' -d '{"query":"{ partner { id } }"}'`,
    ].join('\n'),
  );
  if (scenario) {
    const run = emulator.scenarios.start(scenario);
    console.log(`scenario ${scenario}: ${run.id} started (GET ${url}/_emulator/scenarios/${scenario}/runs/${run.id})`);
    void emulator.scenarios.settled(run.id).then((done) => {
      if (done) console.log(`scenario ${scenario}: ${done.id} ${done.status}${done.error ? `: ${done.error}` : ''}`);
    });
  }
  // Reads the scenario files now, so a broken one is reported (through the logger) at start.
  emulator.scenarios.list();
}

const program = new Command()
  .name('guuru-emulator')
  .description('A local, stateful emulator of the GUURU Admin API (GraphQL) and its webhooks, and of the Gurusup public API.')
  .version(VERSION)
  // Usage errors (unknown option or command, bad or missing value) exit 2 in every command; 1 means "ran and failed".
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));

program
  .command('start', { isDefault: true })
  .description('start the emulator with its built-in seed data')
  .option('-c, --config <file>', 'read options from this JSON or YAML file (default: guuru-emulator.config.{json,yaml,yml} in the working directory); flags and env override it')
  .option('-p, --port <port>', 'TCP port, 0 for any free port (env PORT, default 4000)', wholeNumber('--port'))
  .option('-H, --host <host>', 'interface to listen on (env HOST, default 127.0.0.1)')
  .option('--seed <n>', 'random seed of the built-in data (env SEED, default 1)', wholeNumber('--seed'))
  .option('--seed-time <iso|ms>', 'the "now" of the seed data (env SEED_TIME, default: today 00:00 UTC)')
  .option('--fixtures <dir>', 'load tenants.json and content.json from this folder (env FIXTURES_DIR)')
  .option('--data <file>', 'keep state in this JSON file across restarts (env DATA_FILE, default: in memory)')
  .option('--body-limit <size>', 'largest accepted request body (default 1mb)')
  .option('--virtual-clock [iso]', 'run on a virtual clock that only moves through POST /_emulator/clock/advance')
  .option('--bulk-chats <n>', 'add n light-weight chats to the first tenant (benchmarks)', wholeNumber('--bulk-chats'))
  .option('--webhook-url <url>', 'subscribe every GUURU webhook event of every partner to this URL (env WEBHOOK_URL)')
  .option('--gurusup-webhook-url <url>', "send every organisation's Gurusup send-message events to this URL (env GURUSUP_WEBHOOK_URL)")
  .option('--scenarios <dir>', 'also load the scenario files (*.yaml) of this folder (env SCENARIOS_DIR)')
  .option('--scenario <name>', 'run this scenario once the emulator listens')
  .option('--webhook-attempts <n>', 'delivery attempts per event, the first included (env WEBHOOK_ATTEMPTS, default 5)', wholeNumber('--webhook-attempts'))
  .option('--webhook-backoff <ms>', 'delay before the first retry, doubled each time, with jitter (env WEBHOOK_BACKOFF_MS, default 1000)', wholeNumber('--webhook-backoff'))
  .option('--webhook-timeout <ms>', 'longest wait for a receiver to answer (env WEBHOOK_TIMEOUT_MS, default 10000)', wholeNumber('--webhook-timeout'))
  .option('--admin-token <token>', 'token the control API and dashboard require (env ADMIN_TOKEN; made at start when --host is not loopback)')
  .option('--cors <origin>', "let this origin's web pages call the GraphQL and Gurusup APIs (repeatable or comma-separated; * for any; env CORS_ORIGINS)", (value: string, all: string[] | undefined) => [...(all ?? []), ...value.split(',').map((o) => o.trim()).filter(Boolean)])
  .option('--cors-control', 'also let the --cors origins use the control API (still behind the admin token; env CORS_CONTROL=1)')
  .option('--allow-host <name>', 'another name the control API accepts in the Host header (repeatable; env ALLOWED_HOSTS, comma-separated)', (value: string, all: string[]) => [...all, value], [] as string[])
  .option('--max-tenants <n>', 'most tenants kept, the built-in ones included (env MAX_TENANTS, default 100)', wholeNumber('--max-tenants'))
  .option('--max-chats <n>', 'most chats per tenant, also Gurusup threads and personas (env MAX_CHATS, default 20000)', wholeNumber('--max-chats'))
  .option('--max-messages <n>', 'most messages per chat or Gurusup thread (env MAX_MESSAGES, default 10000)', wholeNumber('--max-messages'))
  .option('--max-query-cost <n>', 'highest estimated GraphQL query cost; a page multiplies what it selects by its size (env MAX_QUERY_COST, default 500000)', wholeNumber('--max-query-cost'))
  .option('--max-aliases <n>', 'most aliases in one GraphQL operation (env MAX_ALIASES, default 30)', wholeNumber('--max-aliases'))
  .option('--max-directives <n>', 'most directives in one GraphQL operation (env MAX_DIRECTIVES, default 50)', wholeNumber('--max-directives'))
  .option('--max-tokens <n>', 'most tokens in one GraphQL document (env MAX_TOKENS, default 5000)', wholeNumber('--max-tokens'))
  .option('--max-depth <n>', 'deepest GraphQL selection (env MAX_DEPTH, default 12)', wholeNumber('--max-depth'))
  .option('--delivery-log-size <n>', 'finished deliveries kept in the delivery log (env DELIVERY_LOG_SIZE, default 1000)', wholeNumber('--delivery-log-size'))
  .option('--request-log-size <n>', 'API requests kept in the request journal (env REQUEST_LOG_SIZE, default 1000)', wholeNumber('--request-log-size'))
  .addOption(new Option('--log-format <format>', 'log lines: pretty (coloured on a terminal) or json (env LOG_FORMAT, default pretty)').choices(LOG_FORMATS))
  .addOption(new Option('--log-level <level>', 'least severe entries logged (env LOG_LEVEL, default info)').choices(LOG_LEVELS))
  .action(async (flags: StartFlags) => {
    try {
      await start(flags);
    } catch (error) {
      if (error instanceof ConfigError || error instanceof FixturesError || error instanceof DataFileError) {
        console.error(`guuru-emulator: ${error.message}`);
        process.exit(2);
      }
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES') {
        console.error(`guuru-emulator: cannot listen: ${(error as Error).message}. Pick another --port (or PORT).`);
        process.exit(2);
      }
      throw error;
    }
  });

const scenario = program.command('scenario').description('list and run scenarios (whole chat flows)');
scenario
  .command('list')
  .description('list the scenarios with their parameters')
  .option('--scenarios <dir>', 'also load the scenario files of this folder')
  .action((flags: { scenarios?: string }) => {
    process.exitCode = listScenarios(flags.scenarios);
  });
scenario
  .command('run <name>')
  .description('run a scenario on the emulator at --url (when none answers, one is started in this process, listening at --url) and print its timeline and verdict')
  .option('--url <url>', 'the emulator to run it on', 'http://127.0.0.1:4000')
  .option('--target <url>', "send the run's webhooks to this URL")
  .option('--speed <n>', 'scale every delay: 2 = twice as fast, 0 = no waiting', (value: string) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('--speed must be a number ≥ 0.');
    return n;
  })
  .option('--instant', 'the same as --speed 0')
  .option('--seed <n>', 'seed of the run (same seed and params, same ids and texts)', wholeNumber('--seed'))
  .option('--tenant <id>', 'tenant to run in (default the first)')
  .option('--param <key=value>', 'a scenario parameter (repeatable)', (value: string, all: string[]) => [...all, value], [] as string[])
  .option('--scenarios <dir>', 'also load the scenario files of this folder (into the running emulator at --url, or the one started)')
  .option('--timeout <ms>', 'give up (and cancel the run) after this long', wholeNumber('--timeout'), 600_000)
  .option('--admin-token <token>', "the emulator's admin token, when it requires one (env ADMIN_TOKEN)")
  .action(async (name: string, flags: RunFlags) => {
    try {
      process.exitCode = await runScenario(name, flags);
    } catch (error) {
      console.error(`guuru-emulator: ${(error as Error).message}`);
      process.exitCode = 2;
    }
  });

program
  .command('trigger <event>')
  .description(`fire one realistic webhook by making the state change that causes it, with its prerequisites (events: ${TRIGGER_EVENTS.join(', ')}); exits 0 when it was delivered, 1 when not, 2 on a usage error`)
  .option('--target <url>', "send the event's webhooks to this URL instead of the tenant's subscriptions")
  .option('--url <url>', 'the emulator (one is started in this process on that address if none answers; it then needs --target)', 'http://127.0.0.1:4000')
  .option('--tenant <id>', 'tenant to act in (default the first)')
  .option('--param <key=value>', 'a detail of the event, e.g. rating=bad, question=..., text=... (repeatable)', (value: string, all: string[]) => [...all, value], [] as string[])
  .option('--only', 'deliver just this event (its prerequisites change the state but send nothing)')
  .option('--timeout <ms>', 'longest wait for the first delivery attempts (default: the webhook timeout + 2 s)', wholeNumber('--timeout'))
  .option('--admin-token <token>', "the emulator's admin token, when it requires one (env ADMIN_TOKEN)")
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
  .action(async (event: string, flags: TriggerFlags) => {
    process.exitCode = await runTrigger(event, flags);
  });

program
  .command('verify')
  .description("examine a running integration: its webhook receiver (signatures, idempotency, retries, order, speed) and the third-party messaging protocol; exits 0 when every required check passed, 1 when one failed, 2 when it could not run")
  .requiredOption('--target <url>', "your integration's webhook receiver")
  .option('--suite <names>', `suites to run, comma-separated: receiver, third-party (default: every one the emulator offers)`)
  .option('--junit <file>', 'also write the report as JUnit XML (one testcase per check)')
  .option('--json <file>', 'also write the report as JSON')
  .option('--url <url>', 'the emulator your integration uses (one is started in this process on that address if none answers)', 'http://127.0.0.1:4000')
  .option('--seed <n>', 'seed of the deliveries: same seed, same deliveries and report', wholeNumber('--seed'))
  .option('--timeout <ms>', 'how long the integration has to answer a delivery and to act on it (default: the webhook timeout, 10000)', wholeNumber('--timeout'))
  .option('--tenant <id>', 'the tenant whose token and secret your integration uses (default the first)')
  .option('--admin-token <token>', "the emulator's admin token, when it requires one (env ADMIN_TOKEN)")
  .action(async (flags: VerifyFlags) => {
    try {
      process.exitCode = await runVerify(flags);
    } catch (error) {
      console.error(`guuru-emulator verify: ${(error as Error).message}`);
      // A usage error, an emulator that cannot start or went away: the verification could not run.
      process.exitCode = 2;
    }
  });

program
  .command('mcp')
  .description('serve the MCP server (tools for coding agents) on stdin/stdout for the emulator at --url; when none answers there, one is started in this process')
  .option('--url <url>', 'the emulator the tools act on', 'http://127.0.0.1:4000')
  .option('--admin-token <token>', "the emulator's admin token, when it requires one (env ADMIN_TOKEN)")
  .option('--virtual-clock', 'the emulator started here runs on a virtual clock (advance_clock moves it)')
  .action(async (flags: McpFlags) => {
    try {
      // Loaded when used: the MCP SDK stays out of every other command's start-up.
      const { runMcp } = await import('./mcp.js');
      process.exitCode = await runMcp(flags);
    } catch (error) {
      console.error(`guuru-emulator mcp: ${(error as Error).message}`);
      process.exitCode = 2;
    }
  });

await program.parseAsync(process.argv);
