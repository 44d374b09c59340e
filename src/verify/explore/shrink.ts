import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { DELAY_LADDER, flowArbitrary, normalise, type Flow, type Step } from './model.js';
import { violations, type PropertyId, type Violation } from './properties.js';
import { playFlow, type ExploreContext, type Played } from './runner.js';

export interface ExploreOptions {
  /** Flows to generate at most. */
  runs: number;
  /** Seed of the generator: the same seed gives the same flows. */
  seed: number;
  /** Time budget of the search (ms); the shrinking of a failure gets as much again. */
  timeMs: number;
  /** Steps per flow at most (after chat A's assignment). */
  maxSteps?: number;
  /** The longest customer silence generated (ms). */
  maxSilenceMs: number;
  /**
   * Mixed into each flow's seed: the verification's number in this emulator, so two runs with the
   * same seed on one emulator do not draw the same chat ids (the second would get others, and its
   * file would not replay). On a fresh emulator the same command gets the same number.
   */
  salt?: number;
  /** Called after each flow played (live progress). */
  onFlow?: (played: Played, phase: 'search' | 'shrink') => void;
}

export interface ExploreOutcome {
  /** Flows generated and played before a failure (or all of them). */
  flows: number;
  /** Flows played while shrinking. */
  shrinkRuns: number;
  /** The search ended on its time budget before `runs` flows. */
  outOfTime: boolean;
  durationMs: number;
  failure?: {
    violation: Violation;
    /** The smallest flow found that still breaks the same property, as played. */
    played: Played;
    /** The first failing flow, as generated (normalised). */
    original: Flow;
  };
}

/** The seed of one played flow: chat ids, keys and message ids. Derived, so the same run gives the same ones. */
export function flowSeed(seed: number, n: number, salt = 0): number {
  return createHash('sha256').update(`explore:${seed}:${salt}:${n}`).digest().readUInt32BE(0) & 0x7fffffff;
}

/** Simpler versions of one step: without its fault, a shorter delay, with no wait, a plain message instead of an attachment or thanks. */
export function simpler(step: Step): Step[] {
  const out: Step[] = [];
  if (step.fault) {
    const { fault: _fault, delayMs: _delayMs, ...rest } = step;
    out.push(rest as Step);
  }
  // A delay shrinks to the shortest rung first, then to the rung below its own.
  if (step.fault === 'delayed' && step.delayMs !== undefined)
    for (const ms of new Set([DELAY_LADDER[0], ...DELAY_LADDER.filter((d) => d < (step.delayMs as number)).slice(-1)]))
      if (ms < step.delayMs) out.push({ ...step, delayMs: ms });
  if (!('gapMs' in step.at && step.at.gapMs === 0)) out.push({ ...step, at: { gapMs: 0 } });
  if ('silenceMs' in step.at && step.at.silenceMs > 0) out.push({ ...step, at: { silenceMs: 0 } });
  // A silence that let the integration close: waiting for the close itself replays whatever its pace.
  if ('silenceMs' in step.at) out.push({ ...step, at: { afterClose: true } });
  if (step.do === 'write' && step.kind !== 'text') out.push({ ...step, kind: 'text' });
  return out;
}

/**
 * Generates flows and plays them until one breaks a property, then shrinks it to the smallest flow
 * that still breaks the same property. Generation is fast-check's (seeded: the same seed, the same
 * flows); shrinking is a greedy equivalent of its shrinking, cheaper when every candidate is played
 * for real: first cut the steps after the last one the failure rests on, then remove steps one at
 * a time, then simplify each step (no fault, a shorter delay, no wait, plain text, a silence replaced by the close it let happen), until nothing more can go.
 */
export async function explore(x: ExploreContext, o: ExploreOptions): Promise<ExploreOutcome> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  let played = 0;
  let flows = 0;
  let shrinkRuns = 0;
  let outOfTime = false;
  let first: { flow: Flow; violation: Violation; played: Played } | undefined;

  const play = async (flow: Flow) => {
    played += 1;
    return playFlow(x, flow, flowSeed(o.seed, played, o.salt));
  };

  const property = fc.asyncProperty(
    flowArbitrary({ maxSteps: o.maxSteps ?? 8, maxSilenceMs: o.maxSilenceMs }),
    async (flow) => {
      if (x.signal.aborted || first) return true;
      if (elapsed() >= o.timeMs) {
        outOfTime = true;
        return true;
      }
      const result = await play(flow);
      flows += 1;
      o.onFlow?.(result, 'search');
      const violation = violations(result)[0];
      if (!violation) return true;
      first = { flow: result.flow, violation, played: result };
      return false;
    },
  );
  await fc.check(property, { seed: o.seed, numRuns: o.runs, endOnFailure: true });
  if (!first) return { flows, shrinkRuns, outOfTime, durationMs: Math.round(elapsed()) };

  const target: PropertyId = first.violation.property;
  let best = { flow: first.flow, violation: first.violation, played: first.played };
  const shrinkStarted = elapsed();
  const tryFlow = async (candidate: Flow): Promise<boolean> => {
    if (x.signal.aborted || elapsed() - shrinkStarted >= o.timeMs) return false;
    const flow = normalise(candidate);
    if (flow.length === 0 || JSON.stringify(flow) === JSON.stringify(best.flow)) return false;
    shrinkRuns += 1;
    const result = await play(flow);
    o.onFlow?.(result, 'shrink');
    const violation = violations(result).find((v) => v.property === target);
    if (!violation) return false;
    best = { flow: result.flow, violation, played: result };
    return true;
  };

  // The steps after the last one the failure rests on are usually beside the point: one play to drop them.
  const last = Math.max(
    -1,
    ...best.violation.evidence.map((e) => ('step' in e && typeof e.step === 'number' ? e.step : -1)),
  );
  if (last >= 0 && last < best.flow.length - 1) await tryFlow(best.flow.slice(0, last + 1));
  for (let changed = true; changed;) {
    changed = false;
    for (let i = best.flow.length - 1; i >= 0; i--) {
      if (await tryFlow(best.flow.filter((_, j) => j !== i))) changed = true;
    }
    for (let i = 0; i < best.flow.length; i++) {
      for (const step of simpler(best.flow[i] as Step)) {
        if (await tryFlow(best.flow.map((s, j) => (j === i ? step : s)))) {
          changed = true;
          break;
        }
      }
    }
  }
  return {
    flows,
    shrinkRuns,
    outOfTime,
    durationMs: Math.round(elapsed()),
    failure: { violation: best.violation, played: best.played, original: first.flow },
  };
}
