import { z } from 'zod';

/**
 * The scenario file format (YAML): name, description, params with defaults, and steps. A step is
 * an object with exactly one key, the action. Any string may use {{param}} or a generated text
 * ({{question}}, {{answer}}, {{followUp}}, {{closing}}, {{customerMessage}}); a value that is only
 * "{{param}}" takes the parameter's value and type. A `customer` step hands the chat to a customer
 * that reacts to what happens in it: its `on:` handlers are steps too.
 */

/** "500ms", "30s", "2m", "1h", "1d" or a number of milliseconds. */
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;
const UNIT: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const TEMPLATE = /^\{\{\s*[A-Za-z][\w-]*\s*\}\}$/;

export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = DURATION.exec(value.trim());
  return match ? Math.round(Number(match[1]) * (UNIT[match[2] as string] as number)) : undefined;
}

const template = z.string().regex(TEMPLATE, 'a {{param}} reference');
const duration = z.union([
  z.number().nonnegative(),
  z
    .string()
    .refine(
      (v) => parseDuration(v) !== undefined || TEMPLATE.test(v),
      'a duration such as 500ms, 30s, 2m, 1h, 1d (or {{param}})',
    ),
]);
const durationOrRange = z.union([duration, z.object({ min: duration, max: duration }).strict()], {
  error: 'a duration such as 30s or 2m, or {min, max}',
});
const count = z.union([z.number().int().nonnegative(), template], {
  error: 'a whole number (or a {{param}} reference)',
});
const text = z.string();
const oneOf = (values: readonly [string, ...string[]]) =>
  z.string().refine((v) => values.includes(v) || TEMPLATE.test(v), {
    error: (i) => `${JSON.stringify(i.input)} is not one of ${values.join(', ')} (or a {{param}} reference)`,
  });
const party = oneOf;

export const ATTACHMENT = z.object({ url: text, mimetype: text.optional(), filename: text.optional() }).strict();

/** A chat's name within its flow (`open: {as}`, `in-chat`). */
const CHAT_NAME = 'a chat name such as A or second-chat';
const chatName = z.string({ error: CHAT_NAME }).regex(/^[A-Za-z0-9][\w-]*$/, CHAT_NAME);

/**
 * The delivery faults a `fault` step switches on for the flow's chat: the webhooks' fault rules
 * (docs/webhooks.md, POST /_emulator/faults). The composition root checks that they are the
 * dispatcher's kinds.
 */
export const SCENARIO_FAULT_KINDS = ['duplicate', 'delay', 'reorder', 'drop-first-attempt'] as const;
export type ScenarioFaultKind = (typeof SCENARIO_FAULT_KINDS)[number];

/** Each action's argument. */
export const STEP_SCHEMAS = {
  open: z
    .object({
      question: text.optional(),
      language: text.optional(),
      category: text.optional(),
      user: z.object({ name: text.optional(), email: text.optional() }).strict().optional(),
      /** Names the chat in its flow, so that `in-chat` can come back to it after other chats. */
      as: chatName.optional(),
    })
    .strict(),
  'in-chat': chatName,
  quiet: z.object({ grace: duration.optional(), timeout: duration.optional() }).strict(),
  fault: z
    .object({
      kind: z.enum(SCENARIO_FAULT_KINDS),
      event: text.optional(),
      times: z
        .union([z.number().int().min(1, 'a whole number ≥ 1 (or a {{param}} reference)'), template], {
          error: 'a whole number ≥ 1 (or a {{param}} reference)',
        })
        .optional(),
      /** For delay: how long the first attempt is held (default 5s, on the emulator's clock). */
      delay: duration.optional(),
    })
    .strict(),
  assign: z.object({ experts: z.array(text).min(1).optional() }).strict(),
  accept: z.object({ by: party(['guuru', 'agent', 'persona', 'api']).optional(), persona: text.optional() }).strict(),
  message: z
    .object({
      from: party(['customer', 'expert', 'bot']),
      text: text.optional(),
      attachment: ATTACHMENT.optional(),
      hideForUser: z.boolean().optional(),
      hideForExpert: z.boolean().optional(),
    })
    .strict(),
  close: z.object({ by: party(['expert', 'customer']).optional() }).strict(),
  reopen: z.object({ by: party(['customer', 'expert']).optional() }).strict(),
  handover: z.object({ reason: text.optional(), receiver: text.optional() }).strict(),
  rate: z.object({ rating: oneOf(['good', 'average', 'bad']) }).strict(),
  miss: z.object({}).strict(),
  'transfer-to-persona': z.object({ persona: text }).strict(),
  wait: durationOrRange,
  'wait-until': z
    .object({
      event: z.enum(['accepted', 'closed', 'integrator-message', 'rated']),
      timeout: duration,
      onTimeout: z.enum(['miss', 'fail', 'continue']).default('fail'),
      expect: text.optional(),
    })
    .strict(),
  'gurusup-message': z
    .object({
      from: party(['customer', 'system', 'agent']),
      body: text.optional(),
      lang: text.optional(),
      subject: text.optional(),
      thread: text.optional(),
    })
    .strict(),
  repeat: z.object({ times: count, steps: z.array(z.unknown()) }).strict(),
  parallel: z.object({ count, stagger: durationOrRange.optional(), steps: z.array(z.unknown()) }).strict(),
  choose: z.array(z.object({ weight: z.number().positive(), steps: z.array(z.unknown()) }).strict()).min(1),
  customer: z
    .object({
      exchanges: count.optional(),
      patience: z
        .object({ accept: duration.optional(), reply: duration.optional(), close: duration.optional() })
        .strict()
        .optional(),
      grace: duration.optional(),
      on: z
        .record(
          z.string(),
          z.union(
            [
              z.array(z.unknown()),
              z.object({ first: z.array(z.unknown()), then: z.array(z.unknown()).optional() }).strict(),
            ],
            { error: 'a list of steps, or {first: [steps], then: [steps]}' },
          ),
        )
        .optional(),
    })
    .strict(),
  'give-up': z.object({ reason: text.optional() }).strict(),
} as const;

/**
 * What a reactive customer reacts to (the keys of `customer.on`): the integrator accepted the
 * chat, replied (once per burst), closed it, reopened it, transferred it to another persona; and
 * the customer's patience running out while it waits to be accepted, answered or let go.
 */
export const CUSTOMER_EVENTS = [
  'accepted',
  'replied',
  'closed',
  'reopened',
  'transferred',
  'no-accept',
  'no-reply',
  'no-close',
] as const;
export type CustomerEvent = (typeof CUSTOMER_EVENTS)[number];

/** What a customer's handlers may do (they act in the customer's own chat). */
const HANDLER_KINDS = [
  'wait',
  'message',
  'rate',
  'reopen',
  'close',
  'miss',
  'handover',
  'give-up',
  'repeat',
  'choose',
] as const;

export interface Handler {
  /** Runs the first time the event happens. */
  first: Step[];
  /** Runs every later time. */
  then: Step[];
}

export type StepKind = keyof typeof STEP_SCHEMAS;
export const STEP_KINDS = Object.keys(STEP_SCHEMAS) as StepKind[];

export type Step = {
  [K in StepKind]: {
    kind: K;
    args: z.infer<(typeof STEP_SCHEMAS)[K]>;
    path: string;
    steps?: Step[];
    branches?: { weight: number; steps: Step[] }[];
    /** customer: its handlers by event. */
    handlers?: Partial<Record<CustomerEvent, Handler>>;
  };
}[StepKind];

const paramSchema = z
  .object({
    default: z.union([z.string(), z.number(), z.boolean()]),
    description: z.string().optional(),
    enum: z.array(z.union([z.string(), z.number()])).optional(),
  })
  .strict();

/** A missing key is named as missing, with what it is for, rather than zod's "expected string, received undefined". */
const required = (what: string, otherwise: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? `required: ${what}` : otherwise;

const fileSchema = z
  .object({
    name: z
      .string({ error: required('the name you run it by, such as happy-path', 'a kebab-case name such as happy-path') })
      .regex(/^[a-z0-9][a-z0-9-]*$/, 'a kebab-case name such as happy-path'),
    description: z
      .string({ error: required('one line on what the scenario plays (scenario list shows it)', 'a text') })
      .min(1, 'one line on what the scenario plays (scenario list shows it)'),
    params: z.record(z.string().regex(/^[A-Za-z][\w-]*$/, 'a parameter name'), paramSchema).default({}),
    steps: z
      .array(z.unknown(), { error: required('the list of steps', 'a list of steps') })
      .min(1, 'at least one step'),
  })
  .strict();

export type ParamSpec = z.infer<typeof paramSchema>;

export interface Scenario {
  name: string;
  description: string;
  params: Record<string, ParamSpec>;
  steps: Step[];
  /** Where it was loaded from. */
  file: string;
  builtIn: boolean;
}

/** Every mistake of one file, each naming the file and where in it (`file: steps[1] (rate): rating: …`). */
export class ScenarioFileError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

type Issue = { path: PropertyKey[]; message: string };
const describeIssue = (issue: Issue) =>
  issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message;

/** Collects a file's mistakes, so that one reading of the file reports all of them. */
class Problems {
  readonly list: string[] = [];
  constructor(private readonly file: string) {}
  add(at: string, message: string): void {
    this.list.push(`${this.file}: ${at ? `${at}: ` : ''}${message}`);
  }
}

/** `allowed`: inside a customer's handlers, only the actions a customer takes in its own chat. */
function parseSteps(raw: unknown[], path: string, problems: Problems, allowed?: readonly string[]): Step[] {
  const steps: Step[] = [];
  raw.forEach((entry, index) => {
    const step = parseStep(entry, `${path}[${index}]`, problems, allowed);
    if (step) steps.push(step);
  });
  return steps;
}

function parseStep(entry: unknown, at: string, problems: Problems, allowed?: readonly string[]): Step | undefined {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    problems.add(at, `a step is an object with one action key (${STEP_KINDS.join(', ')})`);
    return undefined;
  }
  const keys = Object.keys(entry);
  if (keys.length !== 1) {
    problems.add(at, `a step has exactly one action key, got ${keys.length ? keys.join(', ') : 'none'}`);
    return undefined;
  }
  const kind = keys[0] as string;
  if (!(STEP_KINDS as string[]).includes(kind)) {
    problems.add(at, `unknown action "${kind}"; actions are ${(allowed ?? STEP_KINDS).join(', ')}`);
    return undefined;
  }
  if (allowed && !allowed.includes(kind)) {
    problems.add(at, `"${kind}" cannot be used in a customer's handler; there the actions are ${allowed.join(', ')}`);
    return undefined;
  }
  if (!allowed && kind === 'give-up') {
    problems.add(at, '"give-up" only works in a customer\'s handlers (customer.on)');
    return undefined;
  }
  const schema = STEP_SCHEMAS[kind as StepKind];
  // jitless: a file is read once; compiling zod's fast parser for each step kind costs more than it saves.
  const parsed = schema.safeParse((entry as Record<string, unknown>)[kind], { jitless: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.add(`${at} (${kind})`, describeIssue(issue));
    return undefined;
  }
  const step = { kind, args: parsed.data, path: at } as Step;
  if (kind === 'repeat' || kind === 'parallel') {
    const inner = (parsed.data as { steps: unknown[] }).steps;
    step.steps = parseSteps(inner, `${at}.${kind}.steps`, problems, allowed);
  }
  if (kind === 'choose') {
    step.branches = (parsed.data as { weight: number; steps: unknown[] }[]).map((b, i) => ({
      weight: b.weight,
      steps: parseSteps(b.steps, `${at}.choose[${i}].steps`, problems, allowed),
    }));
  }
  if (kind === 'customer') {
    if (allowed) {
      problems.add(at, "a customer's handler cannot start another customer");
      return undefined;
    }
    step.handlers = parseHandlers(
      (parsed.data as { on?: Record<string, unknown> }).on ?? {},
      `${at}.customer.on`,
      problems,
    );
  }
  return step;
}

function parseHandlers(
  on: Record<string, unknown>,
  path: string,
  problems: Problems,
): Partial<Record<CustomerEvent, Handler>> {
  const handlers: Partial<Record<CustomerEvent, Handler>> = {};
  for (const [event, value] of Object.entries(on)) {
    if (!(CUSTOMER_EVENTS as readonly string[]).includes(event)) {
      problems.add(path, `unknown event "${event}"; a customer reacts to ${CUSTOMER_EVENTS.join(', ')}`);
      continue;
    }
    if (Array.isArray(value)) {
      const steps = parseSteps(value, `${path}.${event}`, problems, HANDLER_KINDS);
      handlers[event as CustomerEvent] = { first: steps, then: steps };
    } else {
      const { first, then } = value as { first: unknown[]; then?: unknown[] };
      const firstSteps = parseSteps(first, `${path}.${event}.first`, problems, HANDLER_KINDS);
      handlers[event as CustomerEvent] = {
        first: firstSteps,
        then: then ? parseSteps(then, `${path}.${event}.then`, problems, HANDLER_KINDS) : firstSteps,
      };
    }
  }
  return handlers;
}

/**
 * Validates a parsed YAML document. Every mistake is reported at once (a ScenarioFileError with one
 * line each), naming the file, the step and the field: the steps are checked even when a top-level
 * key is wrong.
 */
export function parseScenario(raw: unknown, file: string, builtIn: boolean): Scenario {
  const problems = new Problems(file);
  const parsed = fileSchema.safeParse(raw, { jitless: true });
  if (!parsed.success) for (const issue of parsed.error.issues) problems.add('', describeIssue(issue));
  const rawSteps = parsed.success ? parsed.data.steps : (raw as { steps?: unknown } | null)?.steps;
  const steps = Array.isArray(rawSteps) ? parseSteps(rawSteps, 'steps', problems) : [];
  if (!parsed.success || problems.list.length > 0) throw new ScenarioFileError(problems.list);
  const { name, description, params } = parsed.data;
  return { name, description, params, steps, file, builtIn };
}
