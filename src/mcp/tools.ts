/**
 * The MCP tools: one table shared by the stdio command and the HTTP endpoint. Each tool calls the
 * emulator through the control API and the Admin API (ControlClient), never its internals, so the
 * same table drives an emulator in this process, another process or a container.
 */
import { z } from 'zod';
import { ACTIONS, CHAT_STATUSES, createChatBody } from '../control/chat-routes.js';
import { createTenantBody } from '../control/root-bodies.js';
import { TRIGGER_EVENTS } from '../control/trigger.js';
import type { ControlClient } from '../testing/control-client.js';
import { SUITES, type SuiteName } from '../verify/checks.js';
import { DELIVERY_STATUSES } from '../control/webhook-routes.js';
import { FAULT_KINDS } from '../webhooks/faults.js';
import { GUURU_EVENTS } from '../webhooks/payloads.js';

/** What a tool's arguments look like: a zod object shape (the SDK turns it into the JSON schema). */
type Shape = z.ZodRawShape;

export interface ToolDefinition<S extends Shape = Shape> {
  name: string;
  /** One line an agent can act on. */
  description: string;
  input: S;
  /** Whether the tool only reads (an MCP hint for clients that ask before a change). */
  readOnly?: boolean;
  run(client: ControlClient, args: z.infer<z.ZodObject<S>>): Promise<unknown>;
}

const tool = <S extends Shape>(definition: ToolDefinition<S>): ToolDefinition =>
  definition as unknown as ToolDefinition;

const tenant = z
  .string()
  .min(1)
  .optional()
  .describe("the tenant's id (default: the emulator's first tenant, guuru-qa)");
const chatId = z.string().min(1).describe('the chat id');
const scalarParams = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

/** Arguments the tool refuses itself (the control API would not know what was meant). */
class ToolInputError extends Error {
  readonly code = 'INVALID_ARGUMENT';
  constructor(
    readonly argumentName: string,
    message: string,
  ) {
    super(message);
  }
}

/** The client acting on `id`, or on the emulator's first tenant. */
async function forTenant(client: ControlClient, id: string | undefined): Promise<ControlClient> {
  if (id !== undefined) return client.forTenant(id);
  const first = (await client.tenants())[0];
  if (!first)
    throw new ToolInputError('tenant', 'The emulator has no tenant: create one with create_tenant, or reset.');
  return client.forTenant(first.id);
}

/** Which side acts in chat_action, and as what the control API names it. */
const SIDES = ['customer', 'integrator'] as const;
type Side = (typeof SIDES)[number];
const CHAT_ACTIONS = ['assign', 'accept', 'message', 'close', 'reopen', 'rate', 'handover', 'miss'] as const;
/** The side each action is taken by when `as` is not given. */
const DEFAULT_SIDE: Record<(typeof CHAT_ACTIONS)[number], Side> = {
  assign: 'integrator',
  accept: 'integrator',
  message: 'customer',
  close: 'integrator',
  reopen: 'customer',
  rate: 'customer',
  handover: 'integrator',
  miss: 'integrator',
};

/** The control API body of a chat action taken by `side`. */
function actionBody(
  action: (typeof CHAT_ACTIONS)[number],
  side: Side,
  a: {
    text?: string;
    rating?: string;
    expertId?: string;
    personaId?: string;
    reason?: string;
    receiver?: string;
    requestedExperts?: string[];
  },
): [keyof typeof ACTIONS, Record<string, unknown>] {
  const integrator = a.expertId !== undefined ? 'expert' : 'api';
  const who = side === 'customer' ? 'user' : integrator;
  const only = (allowed: Side) => {
    if (side !== allowed)
      throw new ToolInputError('as', `Only the ${allowed} can ${action} a chat (as: "${allowed}").`);
  };
  switch (action) {
    case 'assign':
      only('integrator');
      return ['assign', a.requestedExperts ? { requestedExperts: a.requestedExperts } : {}];
    case 'accept':
      only('integrator');
      return [
        'accept',
        {
          ...(a.personaId !== undefined ? { personaId: a.personaId } : {}),
          ...(a.expertId !== undefined ? { expertId: a.expertId } : {}),
        },
      ];
    case 'message':
      if (a.text === undefined) throw new ToolInputError('text', 'A message needs "text".');
      return ['messages', { from: who, text: a.text, ...(a.expertId !== undefined ? { expertId: a.expertId } : {}) }];
    case 'close':
      return ['close', { by: who }];
    case 'reopen':
      return ['reopen', { by: who }];
    case 'rate':
      only('customer');
      if (a.rating === undefined) throw new ToolInputError('rating', 'Rating a chat needs "rating" (good or bad).');
      return ['rate', { rating: a.rating }];
    case 'handover':
      only('integrator');
      return [
        'handover',
        {
          ...(a.reason !== undefined ? { reason: a.reason } : {}),
          ...(a.receiver !== undefined ? { receiver: a.receiver } : {}),
        },
      ];
    case 'miss':
      only('integrator');
      return ['miss', {}];
  }
}

/** Every tool, in the order a client lists them. */
export const TOOLS: ToolDefinition[] = [
  tool({
    name: 'list_chats',
    description:
      "Lists a tenant's chats, newest first, without messages; filter by status (created, assigned, open, closed, rated, handover, missed).",
    readOnly: true,
    input: {
      tenant,
      status: z.array(z.enum(CHAT_STATUSES)).optional().describe('only chats in one of these statuses'),
      language: z.string().min(1).optional().describe('only chats in this language (en, de, …)'),
      limit: z.number().int().min(1).max(500).optional().describe('at most this many (default 50)'),
    },
    run: async (client, { tenant: id, ...query }) => (await forTenant(client, id)).chats(query),
  }),
  tool({
    name: 'get_chat',
    description:
      'Gets one chat with its messages and its time line: each step with the webhooks it caused, and the Admin API calls that named the chat.',
    readOnly: true,
    input: { tenant, chatId },
    run: async (client, { tenant: id, chatId: chat }) => {
      const c = await forTenant(client, id);
      const [activity, deliveries, requests] = await Promise.all([
        c.chatActivity(chat),
        c.deliverySummaries({ chatId: chat }),
        c.requests({ chatId: chat }),
      ]);
      const byId = new Map(deliveries.deliveries.map((d) => [d.id, d]));
      const timeline = [
        ...activity.steps.map(({ deliveries: ids, ...step }) => ({
          at: step.at,
          kind: 'step' as const,
          what: `${step.event}${step.from !== undefined ? ` (${step.from} → ${step.to})` : ''} by ${step.actorLabel}`,
          ...(step.messageId !== undefined ? { messageId: step.messageId } : {}),
          webhooks: ids.map((d) => byId.get(d) ?? { id: d }),
        })),
        ...requests.requests.map((r) => ({
          at: r.at,
          kind: 'api-call' as const,
          what: `${r.route}${r.operationName ? ` ${r.operationName}` : ''} → ${r.status}`,
          requestId: r.id,
          ...(r.variables !== undefined ? { variables: r.variables } : {}),
          ...(r.errors && r.errors.length > 0 ? { errors: r.errors } : {}),
        })),
      ].sort((x, y) => x.at - y.at);
      return { tenant: activity.tenant, chat: activity.chat, authors: activity.authors, timeline };
    },
  }),
  tool({
    name: 'start_chat',
    description:
      'Opens a chat as the customer (the end user asks a question); with requestedExperts (e.g. ["api"]) it is assigned at once and chat-assigned fires.',
    // The control API's own body, so the two cannot drift.
    input: { tenant, ...createChatBody.shape },
    run: async (client, { tenant: id, ...input }) => (await forTenant(client, id)).createChat(input),
  }),
  tool({
    name: 'chat_action',
    description:
      'Acts on a chat as the customer or the integrator: assign, accept, message, close, reopen, rate, handover or miss; the same webhooks fire as through the Admin API.',
    input: {
      tenant,
      chatId,
      action: z.enum(CHAT_ACTIONS).describe('what to do'),
      as: z
        .enum(SIDES)
        .optional()
        .describe('who acts (default: the customer for message, reopen and rate; the integrator otherwise)'),
      text: z.string().min(1).optional().describe('message: the text'),
      rating: z.enum(['good', 'bad']).optional().describe('rate: the rating'),
      expertId: z
        .string()
        .min(1)
        .optional()
        .describe('accept, message, close as the integrator: this expert instead of the API service account'),
      personaId: z.string().min(1).optional().describe('accept: the persona that accepts'),
      reason: z.string().optional().describe('handover: why'),
      receiver: z.string().optional().describe('handover: who receives the chat'),
      requestedExperts: z.array(z.string().min(1)).min(1).optional().describe('assign: the experts (default ["api"])'),
    },
    run: async (client, { tenant: id, chatId: chat, action, as, ...rest }) => {
      const [route, body] = actionBody(action, as ?? DEFAULT_SIDE[action], rest);
      return (await forTenant(client, id)).chatAction(chat, route, body);
    },
  }),
  tool({
    name: 'graphql',
    description:
      'Runs a GraphQL query or mutation on the GUURU Admin API as a tenant (with its token); returns data and errors as the API answers.',
    input: {
      tenant,
      query: z.string().min(1).describe('the GraphQL document'),
      variables: z.record(z.string(), z.unknown()).optional().describe('its variables'),
      operationName: z.string().min(1).optional().describe('which operation of the document to run'),
    },
    run: async (client, { tenant: id, query, variables, operationName }) => {
      const answer = await (await forTenant(client, id)).graphql(query, variables, operationName);
      if (answer.errors && answer.errors.length > 0) throw new GraphQLToolError(answer);
      return answer;
    },
  }),
  tool({
    name: 'trigger',
    description:
      'Fires one realistic webhook by making the state change that causes it on a new chat, with its prerequisites; set only: true when your integration reacts to the earlier events itself (e.g. accepts on chat-assigned).',
    input: {
      event: z.enum(TRIGGER_EVENTS).describe('the event to fire'),
      tenant,
      target: z
        .string()
        .url()
        .optional()
        .describe("send this trigger's webhooks here instead of the tenant's subscriptions"),
      params: scalarParams.optional().describe('details of the event: question, language, text, rating, reason, …'),
      only: z
        .boolean()
        .optional()
        .describe('deliver only this event: its prerequisites change the state but send nothing'),
      timeoutMs: z
        .number()
        .int()
        .min(0)
        .max(600_000)
        .optional()
        .describe('longest wait for the first delivery attempts'),
    },
    run: async (client, { tenant: id, event, ...options }) => (await forTenant(client, id)).trigger(event, options),
  }),
  tool({
    name: 'run_scenario',
    description:
      'Runs a scenario (happy-path, third-party-messaging, …) and waits for it to end; returns its timeline, its webhooks and, against an integration, the verdict.',
    input: {
      name: z
        .string()
        .min(1)
        .describe('the scenario (see the scenarios resource; unknown names are refused with the list)'),
      tenant,
      target: z.string().url().optional().describe("send the run's webhooks to this URL (your integration)"),
      speed: z
        .number()
        .min(0)
        .max(1_000_000)
        .optional()
        .describe('scale every delay: 0 = no waiting (default 1: real pace on the system clock)'),
      seed: z
        .number()
        .int()
        .min(0)
        .max(2 ** 31 - 1)
        .optional()
        .describe('same seed and params, same ids and texts'),
      params: scalarParams.optional().describe("the scenario's parameters"),
    },
    run: async (client, { tenant: id, name, ...options }) => (await forTenant(client, id)).runScenario(name, options),
  }),
  tool({
    name: 'verify',
    description:
      "Examines an integration's webhook receiver and its third-party messaging protocol (what `guuru-emulator verify` does) and returns the report with each check's evidence.",
    input: {
      target: z.string().url().describe("the integration's webhook receiver"),
      tenant,
      suites: z
        .array(z.enum(SUITES as [SuiteName, ...SuiteName[]]))
        .min(1)
        .optional()
        .describe('which suites (default every one)'),
      seed: z.number().int().min(0).optional().describe('same seed, same deliveries and report'),
      timeoutMs: z.number().int().min(1).optional().describe('how long the integration has to answer and act'),
    },
    run: async (client, { tenant: id, ...options }) => (await forTenant(client, id)).verify(options),
  }),
  tool({
    name: 'subscribe_webhooks',
    description:
      "Subscribes a tenant's GUURU webhooks (every event, or the ones named) to a URL, as the Partner Portal's Developer page does; an empty url unsubscribes.",
    input: {
      tenant,
      url: z
        .union([z.string().url(), z.literal('')])
        .describe('where the deliveries go (your integration\'s receiver); "" stops them'),
      events: z.array(z.enum(GUURU_EVENTS)).min(1).optional().describe('only these events (default every one)'),
      secret: z.string().max(512).optional().describe('also change the signing secret'),
    },
    run: async (client, { tenant: id, url, events, secret }) => {
      const c = await forTenant(client, id);
      if (url === '') return c.request('PUT', `/tenants/${encodeURIComponent(c.tenant ?? '')}/webhooks`, { url: null });
      return c.subscribe(url, { ...(events ? { events } : {}), ...(secret !== undefined ? { secret } : {}) });
    },
  }),
  tool({
    name: 'list_deliveries',
    description:
      "Lists a tenant's webhook deliveries (the last `limit`, oldest first) with their status; filter by event, chat or status.",
    readOnly: true,
    input: {
      tenant,
      event: z.string().min(1).optional().describe('only this event (chat-assigned, message-created, …)'),
      chatId: z.string().min(1).optional().describe("only this chat's"),
      status: z.enum(DELIVERY_STATUSES).optional().describe('only deliveries in this status'),
      source: z.enum(['guuru', 'gurusup']).optional().describe('only GUURU or only Gurusup webhooks'),
      limit: z.number().int().min(1).max(10_000).optional().describe('the last this many (default 50)'),
      full: z.boolean().optional().describe('with headers, body and attempts (default: summaries)'),
    },
    run: async (client, { tenant: id, full, limit, ...query }) => {
      const c = await forTenant(client, id);
      const q = { ...query, limit: limit ?? 50 };
      return full ? { deliveries: await c.deliveries(q) } : c.deliverySummaries(q);
    },
  }),
  tool({
    name: 'redeliver',
    description:
      'Sends a delivery again (same Idempotency-Key, body and signature) to its URL or another one; returns the new delivery.',
    input: {
      deliveryId: z.string().min(1).describe('the delivery (see list_deliveries)'),
      url: z.string().url().optional().describe('send it here instead'),
    },
    run: (client, { deliveryId, url }) => client.redeliver(deliveryId, url),
  }),
  tool({
    name: 'set_faults',
    description:
      'Replaces the webhook delivery faults (duplicate, delay, reorder, drop-first-attempt) with these rules; an empty list removes every fault.',
    input: {
      faults: z
        .array(
          z
            .object({
              kind: z.enum(FAULT_KINDS),
              event: z.string().min(1).optional(),
              chatId: z.string().min(1).optional(),
              tenant: z.string().min(1).optional(),
              times: z
                .union([z.number().int().min(1), z.null()])
                .optional()
                .describe('the next this many matching deliveries (default 1, null = all)'),
              delayMs: z.number().int().min(0).max(3_600_000).optional().describe('delay: how long (default 5000)'),
            })
            .strict(),
        )
        .describe('the rules, each for the next `times` matching deliveries'),
    },
    run: async (client, { faults }) => {
      await client.clearFaults();
      for (const rule of faults) await client.addFault(rule);
      return client.faults();
    },
  }),
  tool({
    name: 'advance_clock',
    description:
      'Moves the virtual clock forward (emulator started with --virtual-clock); retries, delays and scenario waits due meanwhile fire.',
    input: { ms: z.number().int().min(1).max(31_536_000_000).describe('how far, in milliseconds') },
    run: (client, { ms }) => client.advanceClock(ms),
  }),
  tool({
    name: 'snapshot',
    description: 'Keeps the data of every tenant (or one) under a name, in memory, to restore later in milliseconds.',
    input: {
      name: z.string().min(1).describe('the snapshot name'),
      tenant: z.string().min(1).optional().describe('only this tenant'),
    },
    run: (client, { name, tenant: id }) => client.snapshot(name, id !== undefined ? { tenant: id } : {}),
  }),
  tool({
    name: 'restore',
    description: "Puts a snapshot's data back (tenants made after a whole snapshot are removed).",
    input: { name: z.string().min(1).describe('the snapshot name') },
    run: (client, { name }) => client.restore(name),
  }),
  tool({
    name: 'reset',
    description: 'Resets every tenant to its seed data (created tenants removed), or only the tenant given.',
    input: { tenant: z.string().min(1).optional().describe('only this tenant (same id and token)') },
    run: (client, { tenant: id }) => (id === undefined ? client.reset() : client.resetTenant(id)),
  }),
  tool({
    name: 'create_tenant',
    description:
      'Creates an isolated tenant (own partner, token, webhook secret, Gurusup key) and returns its credentials and URLs.',
    input: createTenantBody.shape,
    run: (client, input) => client.createTenant(input),
  }),
];

/** A GraphQL answer with errors: a tool error carrying the API's first code and message, and the answer. */
export class GraphQLToolError extends Error {
  readonly code: string;
  constructor(readonly answer: { status: number; errors?: { message: string; extensions?: { code?: string } }[] }) {
    const first = answer.errors?.[0];
    super(first?.message ?? `HTTP ${answer.status}`);
    this.code = first?.extensions?.code ?? 'GRAPHQL_ERROR';
  }
}

export { ToolInputError };
