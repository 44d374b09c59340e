/**
 * The CLI's program (`guuru-emulator`, `npm start`; entry.ts runs it): flags > environment >
 * defaults, start, print where everything is, stop cleanly on SIGINT/SIGTERM.
 */
import { Command, Option } from 'commander';
import { VirtualClock } from '../kernel/clock.js';
import { ConfigError, optionsFromEnv, withoutUndefined, type ConfigOptions } from '../config/config.js';
import { flagAttribute, flaggedOptions, OPTIONS, type OptionSpec } from '../config/options.js';
import { createEmulator, type EmulatorOptions } from '../app/emulator.js';
import { isWildcard } from '../http/guard.js';
import { loadConfigFile } from '../config/file.js';
import { defaultTenant } from '../domain/tenants.js';
import { limitHeapGrowth } from './heap.js';
import { FixturesError } from '../store/fixtures.js';
import { DataFileError } from '../store/persistence.js';
import { VERSION } from '../kernel/version.js';
import { TRIGGER_EVENTS } from '../control/trigger.js';
import { runOption, wholeNumber } from './flags.js';
// Each command's own code is imported when that command runs (a chunk of the bundle): `start` neither parses nor runs it.
import type { FromFlowFlags } from './from-flow.js';
import type { RunFlags } from './scenario.js';
import type { TriggerFlags } from './trigger.js';
import type { VerifyFlags } from './verify.js';
import type { DriftFlags } from './drift.js';
import type { McpFlags } from './mcp.js';

/** The start command's flags, by commander attribute (`webhookBackoff`, `allowHost`, …). */
type StartFlags = Record<string, unknown>;

/** A commander Option for a row of the option table; help ends with its env variable and default. */
function startOption(spec: OptionSpec): Option {
  const value =
    spec.form === 'switch'
      ? ''
      : spec.form === 'optional'
        ? ` [${(spec.arg ?? 'value').replace(/^\[|\]$/g, '')}]`
        : ` <${spec.arg ?? 'value'}>`;
  const notes = [
    spec.env
      ? `env ${spec.env}${spec.envForm === 'list' ? ', comma-separated' : spec.envForm === 'on' ? '=1' : ''}`
      : '',
    `default ${spec.default.replace(/`/g, '')}`,
  ]
    .filter(Boolean)
    .join(', ');
  const option = new Option(
    `${spec.short ? `${spec.short}, ` : ''}${spec.flag}${value}`,
    `${spec.doc.replace(/`/g, '').replace(/ \(\[[^\]]*\]\([^)]*\)\)|\[([^\]]*)\]\([^)]*\)/g, '$1')} (${notes})`,
  );
  const flag = spec.flag as string;
  switch (spec.form) {
    case 'int':
      return option.argParser(wholeNumber(flag));
    case 'repeat':
      return option.argParser((v: string, all: string[] | undefined) => [...(all ?? []), v]);
    case 'repeat-list':
      return option.argParser((v: string, all: string[] | undefined) => [
        ...(all ?? []),
        ...v
          .split(',')
          .map((o) => o.trim())
          .filter(Boolean),
      ]);
    case 'choice':
      return option.choices(spec.choices ?? []);
    default:
      return option;
  }
}

/** The emulator options the flags set, by option key (a single `--scenarios` folder is a list of one). */
function optionsFromFlags(flags: StartFlags): ConfigOptions {
  const options: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(OPTIONS) as [string, OptionSpec][]) {
    if (spec.flag === undefined) continue;
    const value = flags[flagAttribute(spec.flag)];
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    options[key] = spec.form === 'one' && typeof value === 'string' ? [value] : value;
  }
  return options as ConfigOptions;
}

/** Runs a command that answers with its exit code; one that could not run exits 2, saying why. */
async function exitWith(command: string, run: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await run();
  } catch (error) {
    console.error(`${command}: ${(error as Error).message}`);
    process.exitCode = 2;
  }
}

async function start(flags: StartFlags): Promise<void> {
  const env = optionsFromEnv(process.env);
  // Flags > environment > config file > defaults.
  const file = loadConfigFile(flags.config as string | undefined, process.cwd());
  const virtualClock = (flags.virtualClock as string | boolean | undefined) ?? file?.start.virtualClock;
  const scenario = (flags.scenario as string | undefined) ?? file?.start.scenario;
  const options: EmulatorOptions = {
    ...withoutUndefined(file?.options ?? {}),
    ...withoutUndefined(env),
    ...optionsFromFlags(flags),
    // The test suite's contract check of the control API (see control/answer-recorder.ts).
    ...(process.env.GUURU_EMULATOR_RECORD_CONTROL
      ? { recordControlTo: process.env.GUURU_EMULATOR_RECORD_CONTROL }
      : {}),
  };
  if (virtualClock) {
    const at = typeof virtualClock === 'string' ? Date.parse(virtualClock) : Date.now();
    if (!Number.isFinite(at)) throw new ConfigError(`--virtual-clock: "${String(virtualClock)}" is not an ISO date`);
    options.clock = new VirtualClock(at);
  }
  const emulator = await createEmulator(options);
  const url = await emulator.start();
  // Only now: what a --data file or --bulk-chats loaded is collected at V8's own pace.
  limitHeapGrowth();
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
    console.log(
      `\n${signal}: stopping (finishing requests${emulator.config.data ? `, saving ${emulator.config.data}` : ''}; send it again to exit at once)`,
    );
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
      `guuru-emulator ${VERSION} listening on ${url}` +
        (isWildcard(emulator.config.host)
          ? `   (bound to ${emulator.config.host}: every interface; from elsewhere use this machine's name or the mapped port)`
          : ''),
      `  GUURU Admin API (GraphQL)  POST ${url}/graphql   Authorization: Bearer ${token}`,
      `  Gurusup API (REST)         ${url}/gurusup/threads   x-api-key: ${tenant?.data.gurusup?.apiKeys[0] ?? '(none)'}`,
      `  Control API                ${url}/_emulator   (health: ${url}/_emulator/health)` +
        (emulator.adminToken
          ? `\n                             needs the admin token: Authorization: Bearer ${emulator.adminToken}   (or X-Admin-Token)` +
            (emulator.config.adminToken
              ? ''
              : `\n                             made at start because ${emulator.config.host} is not a loopback address; choose your own with --admin-token or ADMIN_TOKEN`)
          : ''),
      `  Dashboard                  ${url}/${emulator.adminToken ? `?token=${encodeURIComponent(emulator.adminToken)}` : ''}   (GraphiQL: ${url}/graphql)`,
      `  Chat as a customer         ${url}/${emulator.adminToken ? `?token=${encodeURIComponent(emulator.adminToken)}` : ''}#/shop   (the agent's side: each chat's page on the dashboard)`,
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
  // Reads the --scenarios folders now, so a broken file is reported (through the logger) at start. The
  // built-in files are read on first use: they are never broken, and parsing them is a third of a start.
  if (emulator.config.scenarios.length > 0) emulator.scenarios.list();
}

const program = new Command()
  .name('guuru-emulator')
  .description(
    'A local, stateful emulator of the GUURU Admin API (GraphQL) and its webhooks, and of the Gurusup public API.',
  )
  .version(VERSION)
  // Usage errors (unknown option or command, bad or missing value) exit 2 in every command; 1 means "ran and failed".
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));

const startCommand = program
  .command('start', { isDefault: true })
  .description('start the emulator with its built-in seed data');
// Every flag from the one option table (config/options.ts), in its order.
for (const { spec } of flaggedOptions()) startCommand.addOption(startOption(spec));
startCommand.action(async (flags: StartFlags) => {
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

const scenario = program
  .command('scenario')
  .description('list and run scenarios (whole chat flows), and write one from a flow of verify --explore');
scenario
  .command('list')
  .description('list the scenarios with their parameters')
  .option('--scenarios <dir>', 'also load the scenario files of this folder')
  .action(async (flags: { scenarios?: string }) => {
    process.exitCode = (await import('./scenario.js')).listScenarios(flags.scenarios);
  });
scenario
  .command('run <name>')
  .description(
    'run a scenario on the emulator at --url (when none answers, one is started in this process, listening at --url) and print its timeline and verdict',
  )
  .option('--url <url>', 'the emulator to run it on', 'http://127.0.0.1:4000')
  // The run's own options from the one run-option table (scenarios/run-options.ts), in its help order.
  .addOption(runOption('target'))
  .addOption(runOption('speed'))
  .option('--instant', 'the same as --speed 0')
  .addOption(runOption('seed'))
  .addOption(runOption('tenant'))
  .addOption(runOption('params'))
  .option(
    '--scenarios <dir>',
    'also load the scenario files of this folder (into the running emulator at --url, or the one started)',
  )
  .option('--timeout <ms>', 'give up (and cancel the run) after this long', wholeNumber('--timeout'), 600_000)
  .option('--admin-token <token>', "the emulator's admin token, when it requires one (env ADMIN_TOKEN)")
  .action((name: string, flags: RunFlags) =>
    exitWith('guuru-emulator', async () => (await import('./scenario.js')).runScenario(name, flags)),
  );
scenario
  .command('from-flow <file>')
  .description(
    'turn a flow file written by verify --explore into a scenario file: every chat of the flow, interleaved as in the flow, its delivery faults as fault steps (those without a scenario form are said in a comment)',
  )
  .option('--out <file>', 'where to write the scenario (default <name>.yaml)')
  .option('--name <name>', "the scenario's name (default explore-<property>)")
  .action((file: string, flags: FromFlowFlags) =>
    exitWith('guuru-emulator scenario from-flow', async () =>
      (await import('./from-flow.js')).scenarioFromFlow(file, flags),
    ),
  );

/** The trigger accepts the chat itself for chat-opened and later events: an integration that accepts on chat-assigned must not see that one. */
const ONLY_HELP = `
When to use --only:
  From chat-opened on, the trigger accepts the chat itself (as the tenant's first persona, or --param
  persona=ID), after a chat-assigned that goes to your receiver too. If your integration accepts on
  chat-assigned, its acceptChat then gets CHAT_ALREADY_ACCEPTED. Use --only to send just the named
  event (chat-opened, message-created, chat-closed, chat-reopened, chat-transferred, chat-rated).
  To see your integration accept, trigger chat-assigned (it is the first event of every chat).`;

program
  .command('trigger <event>')
  .description(
    `fire one realistic webhook by making the state change that causes it, with its prerequisites (events: ${TRIGGER_EVENTS.join(', ')}); exits 0 when it was delivered, 1 when not, 2 on a usage error`,
  )
  .option('--target <url>', "send the event's webhooks to this URL instead of the tenant's subscriptions")
  .option(
    '--url <url>',
    'the emulator (one is started in this process on that address if none answers; it then needs --target)',
    'http://127.0.0.1:4000',
  )
  .option('--tenant <id>', 'tenant to act in (default the first)')
  .option(
    '--param <key=value>',
    'a detail of the event, e.g. rating=bad, question=..., text=... (repeatable)',
    (value: string, all: string[]) => [...all, value],
    [] as string[],
  )
  .option(
    '--only',
    'deliver just this event (its prerequisites change the state but send nothing); see "When to use --only" below',
  )
  .option(
    '--timeout <ms>',
    'longest wait for the first delivery attempts (default: the webhook timeout + 2 s)',
    wholeNumber('--timeout'),
  )
  .option('--admin-token <token>', "the emulator's admin token, when it requires one (env ADMIN_TOKEN)")
  .addHelpText('after', ONLY_HELP)
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
  .action(async (event: string, flags: TriggerFlags) => {
    process.exitCode = await (await import('./trigger.js')).runTrigger(event, flags);
  });

program
  .command('verify')
  .description(
    'examine a running integration: its webhook receiver (signatures, idempotency, retries, order, speed) and the third-party messaging protocol; exits 0 when every required check passed, 1 when one failed, 2 when it could not run',
  )
  .requiredOption('--target <url>', "your integration's webhook receiver")
  .option(
    '--suite <names>',
    `suites to run, comma-separated: receiver, third-party (default: every one the emulator offers)`,
  )
  .option('--junit <file>', 'also write the report as JUnit XML (one testcase per check)')
  .option('--json <file>', 'also write the report as JSON')
  .option(
    '--url <url>',
    'the emulator your integration uses (one is started in this process on that address if none answers)',
    'http://127.0.0.1:4000',
  )
  .option('--seed <n>', 'seed of the deliveries: same seed, same deliveries and report', wholeNumber('--seed'))
  .option(
    '--timeout <ms>',
    'how long the integration has to answer a delivery and to act on it (default: the webhook timeout, 10000)',
    wholeNumber('--timeout'),
  )
  .option('--tenant <id>', 'the tenant whose token and secret your integration uses (default the first)')
  .option('--admin-token <token>', "the emulator's admin token, when it requires one (env ADMIN_TOKEN)")
  .option(
    '--explore',
    'after the checks, generate conversations from the protocol model, play them and shrink the first failing one to a minimal flow',
  )
  .option('--runs <n>', 'flows --explore generates at most (default 100)', wholeNumber('--runs'))
  .option(
    '--explore-time <ms>',
    'time budget of --explore (default 60000; the shrinking gets as much again)',
    wholeNumber('--explore-time'),
  )
  .option(
    '--explore-grace <ms>',
    'how long every chat of a flow must be quiet before --explore goes on or judges it (default 250)',
    wholeNumber('--explore-grace', 60_000),
  )
  .option(
    '--explore-silence <ms>',
    'the longest customer silence --explore generates, also its longest wait for your close (default 3000)',
    wholeNumber('--explore-silence', 600_000),
  )
  .option(
    '--explore-out <file>',
    'where --explore writes the minimal failing flow (default guuru-explore-<property>.json)',
  )
  .option('--replay <file>', 'play the flow of a file written by --explore again, byte for byte (nothing else is run)')
  // A usage error, an emulator that cannot start or went away: the verification could not run (2).
  .action((flags: VerifyFlags) =>
    exitWith('guuru-emulator verify', async () => (await import('./verify.js')).runVerify(flags)),
  );

program
  .command('drift')
  .description(
    'compare the live GUURU Admin API (schema by introspection) and Gurusup API (statuses and field names) with this emulator, reading only; exits 0 when nothing at or over --fail-on moved, 1 when something did, 2 when it could not compare',
  )
  .option('--url <url>', "the live Admin API's GraphQL endpoint")
  .option('--token <token>', "a tenant's API token for it (env GUURU_API_TOKEN)")
  .option('--gurusup-url <url>', 'the live Gurusup API base URL')
  .option('--api-key <key>', "an organisation's Gurusup key (env GURUSUP_API_KEY)")
  .option('--fail-on <level>', 'the least change that fails the run: breaking, dangerous or safe', 'breaking')
  .option('--json <file>', 'also write the report as JSON')
  .option('--junit <file>', 'also write the report as JUnit XML')
  .option('--timeout <ms>', 'longest wait for one answer of a live API', wholeNumber('--timeout'), 30_000)
  .action((flags: DriftFlags) =>
    exitWith('guuru-emulator drift', async () => (await import('./drift.js')).runDrift(flags)),
  );

program
  .command('mcp')
  .description(
    'serve the MCP server (tools for coding agents) on stdin/stdout for the emulator at --url; when none answers there, one is started in this process',
  )
  .option('--url <url>', 'the emulator the tools act on', 'http://127.0.0.1:4000')
  .option('--admin-token <token>', "the emulator's admin token, when it requires one (env ADMIN_TOKEN)")
  .option('--virtual-clock', 'the emulator started here runs on a virtual clock (advance_clock moves it)')
  .action((flags: McpFlags) => exitWith('guuru-emulator mcp', async () => (await import('./mcp.js')).runMcp(flags)));

await program.parseAsync(process.argv);
