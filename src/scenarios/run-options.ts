import { z } from 'zod';
import { invalidArgument } from '../domain/errors.js';
import { httpUrl } from '../http/url.js';
import type { Scenario } from './schema.js';

type ParamValue = string | number | boolean;

/**
 * The options of a scenario run, each declared once: its schema (the control API's body, POST
 * /_emulator/scenarios/:name/runs, and its OpenAPI document), its CLI flag and its one-line doc
 * (`scenario run --help`). StartRunOptions, the body and the flags come from this table.
 */
export const RUN_OPTIONS = {
  target: { schema: httpUrl(), flag: '--target <url>', doc: "send the run's webhooks to this URL" },
  speed: {
    schema: z.number().min(0).max(1_000_000),
    flag: '--speed <n>',
    doc: 'scale every delay: 2 = twice as fast, 0 = no waiting',
  },
  seed: {
    schema: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1),
    flag: '--seed <n>',
    doc: 'seed of the run (same seed and params, same ids and texts)',
  },
  // A finished run keeps its params (200 runs are kept): bounded so that they cannot grow the process.
  params: {
    schema: z
      .record(z.string().max(100), z.union([z.string().max(2_000), z.number(), z.boolean()]))
      .refine((p) => Object.keys(p).length <= 50, 'at most 50 params'),
    flag: '--param <key=value>',
    doc: 'a scenario parameter (repeatable)',
  },
  tenant: { schema: z.string().max(200), flag: '--tenant <id>', doc: 'tenant to run in (default the first)' },
} as const;

export type RunOptionKey = keyof typeof RUN_OPTIONS;

/** The body of POST /_emulator/scenarios/:name/runs: every run option, each optional. */
export const runOptionsSchema = z
  .object({
    target: RUN_OPTIONS.target.schema.optional(),
    speed: RUN_OPTIONS.speed.schema.optional(),
    seed: RUN_OPTIONS.seed.schema.optional(),
    params: RUN_OPTIONS.params.schema.optional(),
    tenant: RUN_OPTIONS.tenant.schema.optional(),
  })
  .strict();

/** How a run is started (the engine's `start`, the control API's body, the test client's `runScenario`). */
export type StartRunOptions = z.infer<typeof runOptionsSchema>;

/** The run's parameters: the given ones, checked against the scenario's, and the defaults of the rest. */
export function resolveParams(scenario: Scenario, given: Record<string, unknown>): Record<string, ParamValue> {
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(scenario.params, key)) {
      throw invalidArgument(
        `params.${key}`,
        `Scenario ${scenario.name} has no parameter "${key}"; its parameters are ${Object.keys(scenario.params).join(', ') || '(none)'}.`,
      );
    }
  }
  const out: Record<string, ParamValue> = {};
  for (const [key, spec] of Object.entries(scenario.params)) {
    let value: unknown = Object.hasOwn(given, key) ? given[key] : spec.default;
    const type = typeof spec.default;
    if (type === 'number' && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
      value = Number(value);
    if (type === 'boolean' && (value === 'true' || value === 'false')) value = value === 'true';
    if (typeof value !== type)
      throw invalidArgument(
        `params.${key}`,
        `Parameter "${key}" of ${scenario.name} is a ${type}, got ${JSON.stringify(value)}.`,
      );
    if (spec.enum && !spec.enum.includes(value as string | number)) {
      throw invalidArgument(
        `params.${key}`,
        `Parameter "${key}" must be one of ${spec.enum.join(', ')}, got ${JSON.stringify(value)}.`,
      );
    }
    out[key] = value as ParamValue;
  }
  return out;
}
