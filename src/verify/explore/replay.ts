import { stringify } from 'yaml';
import { z } from 'zod';
import { describeStep, type Flow } from './model.js';
import type { PropertyId } from './properties.js';
import type { Recorded } from './runner.js';

/**
 * The file a failure of `verify --explore` is written to, and `verify --replay` plays again: the
 * minimal flow in words and as data, the flow's seed (so the chats get the same ids) and the exact
 * deliveries of its steps (headers, body, Idempotency-Key, signature), sent again byte for byte.
 */

export const FLOW_FILE_KIND = 'guuru-emulator/explore-flow';

const timing = z.union([
  z.object({ gapMs: z.number().int().min(0).max(600_000) }).strict(),
  z.object({ silenceMs: z.number().int().min(0).max(600_000) }).strict(),
  z.object({ afterClose: z.literal(true) }).strict(),
]);
const fault = z.enum(['duplicate', 'concurrent', 'retry', 'reordered']).optional();
const chat = z.enum(['A', 'B', 'C']);
const step = z.discriminatedUnion('do', [
  z.object({ do: z.literal('assign'), chat, api: z.boolean(), at: timing, fault }).strict(),
  z
    .object({ do: z.literal('write'), chat, kind: z.enum(['text', 'attachment', 'helped']), at: timing, fault })
    .strict(),
  z.object({ do: z.literal('rate'), chat, at: timing, fault }).strict(),
  z.object({ do: z.literal('agent-write'), chat, at: timing, fault }).strict(),
]);

export const flowFileSchema = z
  .object({
    kind: z.literal(FLOW_FILE_KIND),
    version: z.literal(1),
    property: z.string(),
    rule: z.string(),
    failure: z.string(),
    /** The flow in words, numbered. */
    steps: z.array(z.string()),
    seed: z.number().int().min(0),
    tenant: z.string(),
    timeoutMs: z.number().int().min(1),
    graceMs: z.number().int().min(0),
    /** How long a step waits for the integration's close at most (the longest silence of the run). */
    maxSilenceMs: z.number().int().min(0).optional(),
    flow: z.array(step).min(1),
    deliveries: z.array(
      z
        .object({
          event: z.string(),
          chatId: z.string(),
          idempotencyKey: z.string(),
          headers: z.record(z.string(), z.string()),
          body: z.string(),
        })
        .strict(),
    ),
    /** The ids the flow's chats got. */
    chats: z.record(z.string(), z.string()),
  })
  .strict();

export type FlowFile = z.infer<typeof flowFileSchema>;

export interface FlowFileInput {
  property: PropertyId;
  rule: string;
  failure: string;
  seed: number;
  tenant: string;
  timeoutMs: number;
  graceMs: number;
  maxSilenceMs: number;
  flow: Flow;
  deliveries: Recorded;
  chats: Record<string, string>;
}

/** "1. chat A assigned to api" … one line per step. */
export const numbered = (flow: Flow): string[] => flow.map((s, i) => `${i + 1}. ${describeStep(s)}`);

export const toFlowFile = (input: FlowFileInput): FlowFile => ({
  kind: FLOW_FILE_KIND,
  version: 1,
  ...input,
  steps: numbered(input.flow),
  deliveries: input.deliveries.map((d) => ({ ...d })),
});

/** Reads a flow file, saying what is wrong with it (never a stack trace). */
export function parseFlowFile(value: unknown): FlowFile {
  const parsed = flowFileSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new Error(
    `not a flow file of verify --explore (${issue ? `${issue.path.join('.') || 'the file'}: ${issue.message}` : 'invalid'}); write one with verify --explore`,
  );
}

/**
 * The flow as a scenario of scenarios/ (chat A's steps: the scenario engine plays one chat; delivery
 * faults have no scenario step and are left out, said in the description).
 */
export function toScenarioYaml(file: FlowFile, name = 'explore-replay'): string {
  const steps: unknown[] = [{ open: {} }];
  const dropped: string[] = [];
  for (const s of file.flow) {
    if (s.chat !== 'A') {
      dropped.push(`chat ${s.chat}`);
      continue;
    }
    if (s.fault) dropped.push(`${s.fault} delivery`);
    if ('afterClose' in s.at)
      steps.push({
        'wait-until': { event: 'closed', timeout: `${file.maxSilenceMs ?? 3000}ms`, onTimeout: 'continue' },
      });
    else if ('silenceMs' in s.at) steps.push({ wait: `${s.at.silenceMs}ms` });
    else if (s.at.gapMs > 0) steps.push({ wait: `${s.at.gapMs}ms` });
    if (s.do === 'assign') steps.push({ assign: { experts: [s.api ? 'api' : 'guuru'] } });
    else if (s.do === 'write')
      steps.push({
        message:
          s.kind === 'attachment'
            ? {
                from: 'customer',
                attachment: {
                  url: 'https://cdn.example.com/uploads/receipt-10472.png',
                  mimetype: 'image/png',
                  filename: 'receipt-10472.png',
                },
              }
            : { from: 'customer', text: s.kind === 'helped' ? 'Thanks, that solved it!' : '{{customerMessage}}' },
      });
    else if (s.do === 'rate') steps.push({ rate: { rating: 'good' } });
  }
  const description = `The minimal flow that broke ${file.property} (${file.failure.slice(0, 200)}), from verify --explore.${dropped.length ? ` Left out (no scenario step for them): ${[...new Set(dropped)].join(', ')}.` : ''}`;
  return stringify({ name, description, steps });
}
