import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { flowArbitrary, type Flow } from './model.js';
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
export function flowSeed(seed: number, n: number): number {
  return createHash('sha256').update(`explore:${seed}:${n}`).digest().readUInt32BE(0) & 0x7fffffff;
}

/**
 * Generates flows and plays them until one breaks a property, then shrinks it (fast-check's
 * shrinking: fewer steps, fewer chats, no faults, shorter silences) to the smallest flow that
 * still breaks the same property. Each candidate is played for real against the integration.
 */
export async function explore(x: ExploreContext, o: ExploreOptions): Promise<ExploreOutcome> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  let played = 0;
  let flows = 0;
  let shrinkRuns = 0;
  let outOfTime = false;
  let target: PropertyId | undefined;
  let best: ExploreOutcome['failure'] | undefined;
  let searchEnded = 0;

  const property = fc.asyncProperty(flowArbitrary({ maxSteps: o.maxSteps ?? 8, maxSilenceMs: o.maxSilenceMs }), async (flow) => {
    if (x.signal.aborted) return true;
    if (target === undefined && elapsed() >= o.timeMs) {
      outOfTime = true;
      return true;
    }
    // Shrinking has its own budget; once spent, every candidate "passes" and the best so far stands.
    if (target !== undefined && elapsed() - searchEnded >= o.timeMs) return true;
    played += 1;
    const result = await playFlow(x, flow, flowSeed(o.seed, played));
    if (target === undefined) flows += 1;
    else shrinkRuns += 1;
    o.onFlow?.(result, target === undefined ? 'search' : 'shrink');
    const violation = violations(result).find((v) => target === undefined || v.property === target);
    if (!violation) return true;
    if (target === undefined) {
      target = violation.property;
      searchEnded = elapsed();
      best = { violation, played: result, original: result.flow };
    } else if (best) best = { ...best, violation, played: result };
    return false;
  });
  await fc.check(property, { seed: o.seed, numRuns: o.runs, endOnFailure: false });
  return { flows, shrinkRuns, outOfTime, durationMs: Math.round(elapsed()), ...(best ? { failure: best } : {}) };
}
