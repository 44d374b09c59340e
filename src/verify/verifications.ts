import { nextWake } from '../kernel/wake.js';
import { connect } from 'node:net';
import type { DomainContext } from '../domain/context.js';
import { DomainError, invalidArgument } from '../domain/errors.js';
import { findTenant } from '../domain/tenants.js';
import type { RequestJournal } from '../journal/request-journal.js';
import type { Logger } from '../kernel/logger.js';
import { Random } from '../kernel/random.js';
import type { Tenant } from '../store/tenant.js';
import { EXPLORE_PROPERTIES } from './explore/properties.js';
import type { FlowFile } from './explore/flow-file.js';
import type { ExploreReport, ExploreSettings } from './explore/stage.js';
import { RECEIVER_CHECKS, SUITES, type CheckDefinition, type ReceiverCheckId, type SuiteName } from './checks.js';
import { IntegratorCalls } from './integrator-calls.js';
import { ReceiverExam } from './receiver-suite.js';
import {
  REPORT_KIND,
  REPORT_VERSION,
  pendingCheck,
  summarize,
  type CheckResult,
  type Evidence,
  type VerificationReport,
} from './report.js';
import type { ThirdPartyRunner } from './third-party.js';
import type { WebhookWire } from './wire.js';

export interface VerificationOptions {
  /** The integration's webhook receiver (http or https URL). */
  target: string;
  /** Suites to run; default every available one. */
  suites?: SuiteName[];
  /** Seed of the deliveries (chat ids, keys, bodies). Default: the emulator's seed. */
  seed?: number;
  /** How long the integration has to answer a delivery and to act on it. Default: the webhook timeout. */
  timeoutMs?: number;
  /** Tenant whose token and secret the integration uses. Default: the first. */
  tenant?: string;
  /** After the suites, generate flows and shrink the first failing one (docs/verify.md, "Exploring"). */
  explore?: Partial<ExploreSettings>;
  /** Plays one recorded flow again (a file written by an explore run); runs nothing else. */
  replay?: FlowFile;
}

/** The defaults of `--explore` (docs/verify.md). */
export const EXPLORE_DEFAULTS = { runs: 100, timeMs: 60_000, graceMs: 250, maxSilenceMs: 3_000 } as const;

export interface VerificationDeps {
  domain: DomainContext;
  requests: RequestJournal;
  wire: WebhookWire;
  logger: Logger;
  seed: number;
  defaultTimeoutMs: number;
  /**
   * Resolves once the Admin API answers without a start-up delay (the emulator makes it on first
   * use): a verification times the integration, so the emulator's own start must not count.
   */
  apiReady?: () => Promise<void>;
  /** Runs the third-party messaging suite (the reactive scenario's verdict); absent until it exists. */
  thirdParty?: ThirdPartyRunner;
}

/** Verifications kept for GET (finished ones beyond this are forgotten, oldest first). */
const KEPT = 50;

/** Admin API calls on one chat held back until the examiner lets them go. */
interface Hold {
  waiting: (() => void)[];
  accepts: number;
  release(): void;
}

interface Running {
  report: VerificationReport;
  tenantId: string;
  chats: Set<string>;
  abort: AbortController;
  /** Called once the report is final (long polls). */
  waiters: Set<() => void>;
  replay?: FlowFile;
}

/**
 * `guuru-emulator verify` inside the emulator: starts verifications of an integration, keeps their
 * live reports, and owns their chats (the webhook publisher sends nothing for them: the examiner
 * crafts every delivery itself).
 */
/** Records a check's outcome in the live report. */
type Settle = (id: string, status: CheckResult['status'], evidence: string, details?: Evidence[]) => void;

export class Verifications {
  private readonly all = new Map<string, Running>();
  private readonly holds = new Map<string, Hold>();
  private seq = 0;

  constructor(private readonly deps: VerificationDeps) {}

  /** Suites this emulator can run. */
  get suites(): SuiteName[] {
    return SUITES.filter((s) => s !== 'third-party' || this.deps.thirdParty !== undefined);
  }

  start(options: VerificationOptions): VerificationReport {
    const tenant = this.tenantOf(options.tenant);
    // A replay plays its flow and nothing else; explore runs after the suites asked for (none: explore only).
    const exploring = options.explore !== undefined || options.replay !== undefined;
    const suites = options.replay ? [] : exploring && options.suites?.length === 0 ? [] : this.suitesOf(options.suites);
    const timeoutMs = options.timeoutMs ?? this.deps.defaultTimeoutMs;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1)
      throw invalidArgument('timeoutMs', 'timeoutMs is a whole number of milliseconds ≥ 1.');
    if (!/^https?:\/\//.test(options.target))
      throw invalidArgument('target', `target must be an http(s) URL, got "${options.target}".`);
    if (suites.includes('receiver') && this.deps.wire.secretOf(tenant.id) === '') {
      throw new DomainError(
        'CONFLICT',
        `Tenant ${tenant.id} has no webhook secret, so nothing can be signed: set one (PUT /_emulator/webhooks {"tenant": "${tenant.id}", "secret": "..."}) and configure your integration with it.`,
      );
    }
    this.seq += 1;
    const seed = options.seed ?? this.deps.seed;
    const checks: CheckResult[] = [
      ...(suites.includes('receiver') ? RECEIVER_CHECKS : []),
      ...(suites.includes('third-party') ? (this.deps.thirdParty?.checks ?? []) : []),
      ...(exploring ? EXPLORE_PROPERTIES : []),
    ].map((c: CheckDefinition) => pendingCheck(c));
    const explore: ExploreReport | undefined = options.replay
      ? { mode: 'replay', graceMs: options.replay.graceMs, flows: 0, shrinkRuns: 0, outOfTime: false }
      : options.explore
        ? { mode: 'explore', ...EXPLORE_DEFAULTS, seed, ...options.explore, flows: 0, shrinkRuns: 0, outOfTime: false }
        : undefined;
    if (explore && explore.mode === 'explore') {
      for (const [name, value] of Object.entries({
        runs: explore.runs,
        timeMs: explore.timeMs,
        graceMs: explore.graceMs,
        maxSilenceMs: explore.maxSilenceMs,
      })) {
        if (!Number.isInteger(value) || (value as number) < (name === 'runs' || name === 'timeMs' ? 1 : 0))
          throw invalidArgument(
            `explore.${name}`,
            `explore.${name} is a whole number${name === 'runs' ? ' of flows ≥ 1' : ' of milliseconds'}.`,
          );
      }
    }
    const report: VerificationReport = {
      kind: REPORT_KIND,
      version: REPORT_VERSION,
      id: `ver-${this.seq}`,
      status: 'running',
      target: options.target,
      tenant: tenant.id,
      suites: exploring ? [...suites, 'explore'] : suites,
      seed,
      timeoutMs,
      summary: summarize(checks),
      checks,
      deliveries: [],
      ...(explore ? { explore } : {}),
      timings: { startedAt: new Date().toISOString() },
    };
    const running: Running = {
      report,
      tenantId: tenant.id,
      chats: new Set(),
      abort: new AbortController(),
      waiters: new Set(),
      ...(options.replay ? { replay: options.replay } : {}),
    };
    this.all.set(report.id, running);
    this.trim();
    void this.execute(running, tenant, seed).catch((error: unknown) => {
      // A refused domain command (a limit reached, the tenant removed meanwhile) says what to do; anything else is a bug.
      if (error instanceof DomainError) return this.finish(running, 'error', error.message);
      this.deps.logger.error(`verification ${report.id} crashed`, error);
      this.finish(running, 'error', `internal error: ${(error as Error).message}`);
    });
    return report;
  }

  get(id: string): VerificationReport {
    const running = this.all.get(id);
    if (!running)
      throw new DomainError(
        'NOT_FOUND',
        `No verification ${id} (the emulator keeps the last ${KEPT}). GET /_emulator/verifications lists them.`,
      );
    return running.report;
  }

  list(): VerificationReport[] {
    return [...this.all.values()].map((r) => r.report);
  }

  /** Resolves when the verification is over, or as soon as `signal` aborts (a long poll that went away). */
  async settled(id: string, signal?: AbortSignal): Promise<VerificationReport> {
    const running = this.all.get(id);
    if (!running) return this.get(id);
    if (running.report.status === 'running' && !signal?.aborted) {
      await nextWake(running.waiters, signal);
    }
    return running.report;
  }

  cancel(id: string): VerificationReport {
    const report = this.get(id);
    const running = this.all.get(id) as Running;
    if (report.status === 'running') {
      running.abort.abort();
      this.finish(running, 'cancelled', 'cancelled (DELETE /_emulator/verifications/:id)');
    }
    return report;
  }

  /** True while some Admin API calls are held back (then no call may skip the gate). */
  get holding(): boolean {
    return this.holds.size > 0;
  }

  /**
   * Asked by the Admin API before it runs a request: a promise to wait for when the request names a
   * chat whose calls a verification holds back (the retry probe keeps the integration "still working"
   * on a delivery while its retry arrives, as a slow API would), undefined otherwise (the usual case,
   * at no cost).
   */
  gate = (body: unknown): Promise<void> | undefined => {
    if (this.holds.size === 0) return undefined;
    const text = JSON.stringify(body ?? null);
    for (const [chatId, hold] of this.holds) {
      if (!text.includes(chatId)) continue;
      return new Promise<void>((resolve) => {
        hold.waiting.push(resolve);
        // A second acceptChat while the first is held: the retry is being acted on too; let both go.
        if (text.includes('acceptChat')) hold.accepts += 1;
        if (hold.accepts >= 2) hold.release();
      });
    }
    return undefined;
  };

  /** Holds the Admin API calls naming `chatId` until the returned release is called (or `maxMs` passed). */
  private hold(chatId: string, maxMs: number): () => void {
    const timer = setTimeout(() => hold.release(), maxMs);
    const hold: Hold = {
      waiting: [],
      accepts: 0,
      release: () => {
        clearTimeout(timer);
        if (this.holds.get(chatId) === hold) this.holds.delete(chatId);
        for (const resolve of hold.waiting.splice(0)) resolve();
      },
    };
    this.holds.set(chatId, hold);
    return hold.release;
  }

  /** Long polls currently waiting for a verification to end (diagnostics: none stays behind). */
  get waiting(): number {
    let n = 0;
    for (const running of this.all.values()) n += running.waiters.size;
    return n;
  }

  /** True for a chat a verification crafts the webhooks of (the publisher stays silent for it). */
  owns = (tenantId: string, chatId: string): boolean => {
    for (const running of this.all.values())
      if (running.tenantId === tenantId && running.chats.has(chatId)) return true;
    return false;
  };

  stop(): void {
    for (const running of this.all.values()) {
      if (running.report.status === 'running') {
        running.abort.abort();
        this.finish(running, 'cancelled', 'the emulator stopped');
      }
    }
  }

  // --- internals -----------------------------------------------------------------------------

  private async execute(running: Running, tenant: Tenant, seed: number): Promise<void> {
    const { report } = running;
    const started = performance.now();
    const [unreachable] = await Promise.all([
      probeConnection(report.target, Math.min(report.timeoutMs, 5_000)),
      this.deps.apiReady?.(),
    ]);
    if (unreachable) {
      this.finish(
        running,
        'error',
        `cannot reach the target ${report.target}: ${unreachable}. Start your integration first, and check the URL.`,
      );
      return;
    }
    const calls = new IntegratorCalls(this.deps.requests, tenant.id);
    const settle = (id: string, status: CheckResult['status'], evidence: string, details: Evidence[] = []) => {
      const check = report.checks.find((c) => c.id === id);
      if (!check || running.report.status !== 'running') return;
      check.status = status;
      check.evidence = evidence;
      check.details = details;
      report.summary = summarize(report.checks);
    };
    let stopped: string | undefined;
    try {
      if (report.suites.includes('receiver'))
        stopped = await this.examineReceiver(running, tenant, seed, calls, settle);
      if (report.suites.includes('third-party') && this.deps.thirdParty && !running.abort.signal.aborted) {
        if (stopped) {
          // The conversation would only show the same failure again, as a cascade of others.
          for (const check of this.deps.thirdParty.checks) settle(check.id, 'skipped', `not examined: ${stopped}`);
        } else {
          await this.deps.thirdParty.run({
            tenantId: tenant.id,
            target: report.target,
            seed,
            timeoutMs: report.timeoutMs,
            signal: running.abort.signal,
            settle,
          });
        }
      }
      if (
        report.explore &&
        !running.abort.signal.aborted &&
        !(await this.examineExplore(running, tenant, seed, stopped, settle))
      )
        return;
    } finally {
      calls.close();
    }
    report.timings.durationMs = Math.round(performance.now() - started);
    this.finish(running, report.summary.requiredFailed > 0 ? 'failed' : 'passed');
  }

  /** The receiver suite; returns why nothing more can be examined at this target, if so. */
  private async examineReceiver(
    running: Running,
    tenant: Tenant,
    seed: number,
    calls: IntegratorCalls,
    settle: Settle,
  ): Promise<string | undefined> {
    const { report } = running;
    // The verification's own random source: the same seed gives the same chats, keys and bodies.
    const domain: DomainContext = { ...this.deps.domain, random: new Random(seed) };
    const exam = new ReceiverExam({
      id: report.id,
      tenant,
      domain,
      wire: this.deps.wire,
      calls,
      target: report.target,
      timeoutMs: report.timeoutMs,
      signal: running.abort.signal,
      adopt: (chatId) => {
        running.chats.add(chatId);
        calls.watch(chatId);
      },
      settle: (id, status, evidence, details) => settle(id, status, evidence, details),
      statusOf: (id: ReceiverCheckId) => report.checks.find((c) => c.id === id)?.status ?? 'pending',
      hold: (chatId, maxMs) => this.hold(chatId, maxMs),
      sent: (delivery) => {
        report.deliveries.push(delivery);
        report.deliveries.sort((a, b) => Number(a.deliveryId.split('.')[1]) - Number(b.deliveryId.split('.')[1]));
      },
    });
    const acknowledgement = await exam.run();
    if (acknowledgement) report.timings.acknowledgement = acknowledgement;
    return exam.stopped;
  }

  /** Generated flows (or a replayed one) after the checks; false when the verification ended in an error. */
  private async examineExplore(
    running: Running,
    tenant: Tenant,
    seed: number,
    stopped: string | undefined,
    settle: Settle,
  ): Promise<boolean> {
    const { report } = running;
    const explore = report.explore as ExploreReport;
    if (stopped) {
      for (const check of EXPLORE_PROPERTIES) settle(check.id, 'skipped', `not examined: ${stopped}`);
    } else {
      const context = {
        tenant,
        domain: this.deps.domain,
        wire: this.deps.wire,
        journal: this.deps.requests,
        target: report.target,
        timeoutMs: report.timeoutMs,
        graceMs: explore.graceMs,
        maxSilenceMs: explore.maxSilenceMs ?? running.replay?.maxSilenceMs ?? EXPLORE_DEFAULTS.maxSilenceMs,
        signal: running.abort.signal,
        adopt: (chatId: string) => running.chats.add(chatId),
        prefix: `${report.id}.explore`,
      };
      const request = running.replay
        ? { replay: running.replay }
        : {
            explore: {
              salt: Number(report.id.replace(/\D/g, '')),
              runs: explore.runs ?? EXPLORE_DEFAULTS.runs,
              seed: explore.seed ?? seed,
              timeMs: explore.timeMs ?? EXPLORE_DEFAULTS.timeMs,
              graceMs: explore.graceMs,
              maxSilenceMs: explore.maxSilenceMs ?? EXPLORE_DEFAULTS.maxSilenceMs,
            },
          };
      try {
        // Loaded when a verification explores: the generator (fast-check) stays out of every start-up.
        const { runExplore } = await import('./explore/stage.js');
        await runExplore(context, request, tenant.id, settle, explore);
      } catch (error) {
        if (!(error instanceof Error) || !error.message.startsWith('cannot replay')) throw error;
        this.finish(running, 'error', error.message);
        return false;
      }
    }
    return true;
  }

  private finish(running: Running, status: VerificationReport['status'], error?: string): void {
    const { report } = running;
    if (report.status !== 'running') return;
    if (error) report.error = error;
    // Checks that never ran say so (an error or a cancel stops the examination).
    for (const check of report.checks) {
      if (check.status === 'pending') {
        check.status = 'skipped';
        check.evidence = `not examined: ${error ?? 'the verification ended first'}`;
      }
    }
    report.summary = summarize(report.checks);
    report.timings.finishedAt = new Date().toISOString();
    report.status = status;
    for (const waiter of [...running.waiters]) waiter();
  }

  private tenantOf(id: string | undefined): Tenant {
    return findTenant(this.deps.domain.store, id);
  }

  private suitesOf(given: SuiteName[] | undefined): SuiteName[] {
    if (given === undefined || given.length === 0) return this.suites;
    for (const suite of given) {
      if (!(SUITES as readonly string[]).includes(suite))
        throw invalidArgument('suites', `Unknown suite "${suite}"; the suites are ${SUITES.join(', ')}.`);
      if (!this.suites.includes(suite))
        throw invalidArgument(
          'suites',
          `The ${suite} suite is not available in this emulator; available: ${this.suites.join(', ')}.`,
        );
    }
    return SUITES.filter((s) => given.includes(s));
  }

  private trim(): void {
    for (const [id, running] of this.all) {
      if (this.all.size <= KEPT) break;
      if (running.report.status !== 'running') this.all.delete(id);
    }
  }
}

/** Opens (and closes) a TCP connection to the target: undefined when it accepts, else why not. */
function probeConnection(target: string, timeoutMs: number): Promise<string | undefined> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return Promise.resolve(`"${target}" is not a URL`);
  }
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (result: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done(`no TCP connection within ${timeoutMs} ms`), timeoutMs);
    socket.once('connect', () => done(undefined));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      done(
        error.code === 'ECONNREFUSED'
          ? `connection refused (nothing listens on ${host}:${port})`
          : error.code === 'ENOTFOUND'
            ? `host ${host} not found`
            : error.code
              ? `${error.code}: ${error.message}`
              : error.message,
      ),
    );
  });
}
