import { z } from 'zod';

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
const fault = z.enum(['duplicate', 'concurrent', 'retry', 'reordered', 'delayed']).optional();
const delayMs = z.number().int().min(0).max(60_000).optional();
const chat = z.enum(['A', 'B', 'C']);
const step = z
  .discriminatedUnion('do', [
    z.object({ do: z.literal('assign'), chat, api: z.boolean(), at: timing, fault, delayMs }).strict(),
    z
      .object({
        do: z.literal('write'),
        chat,
        kind: z.enum(['text', 'attachment', 'helped']),
        at: timing,
        fault,
        delayMs,
      })
      .strict(),
    z.object({ do: z.literal('rate'), chat, at: timing, fault, delayMs }).strict(),
    z.object({ do: z.literal('agent-write'), chat, at: timing, fault, delayMs }).strict(),
  ])
  .refine((s) => (s.fault === 'delayed') === (s.delayMs !== undefined), {
    message: 'delayMs goes with fault "delayed", and only with it',
    path: ['delayMs'],
  });

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
          /** The flow step it belongs to (0-based); a step without deliveries was not played (its chat was not in a state for it). */
          step: z.number().int().min(0).optional(),
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

export function parseFlowFile(value: unknown): FlowFile {
  const parsed = flowFileSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new Error(
    `not a flow file of verify --explore (${issue ? `${issue.path.join('.') || 'the file'}: ${issue.message}` : 'invalid'}); write one with verify --explore`,
  );
}
