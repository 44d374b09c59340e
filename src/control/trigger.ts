import { USER, type Actor } from '../domain/actors.js';
import {
  acceptChat,
  assignChat,
  CHAT_LANGUAGES,
  closeChat,
  createChat,
  handoverChat,
  postMessage,
  RATINGS,
  rateChat,
  reopenChat,
} from '../domain/chats.js';
import type { DomainContext } from '../domain/context.js';
import { DomainError, invalidArgument } from '../domain/errors.js';
import { findTenant } from '../domain/tenants.js';
import { orgOf, postThreadMessage, sendSystemMessage, threadHash } from '../domain/threads.js';
import type { GurusupSettings } from '../gurusup/settings.js';
import type { SeedLanguage } from '../kernel/random.js';
import type { Tenant } from '../store/tenant.js';
import { isFinal, type Delivery } from '../webhooks/delivery-log.js';
import type { Dispatcher } from '../webhooks/dispatcher.js';
import { GUURU_EVENTS, type GuuruEvent } from '../webhooks/payloads.js';
import type { WebhookRoutes } from '../webhooks/routes.js';
import type { WebhookSettings } from '../webhooks/subscriptions.js';
import { deliverySummary, type DeliverySummary } from './summaries.js';

/** Every event `trigger` can fire: GUURU's seven and Gurusup's send-message event. */
export const TRIGGER_EVENTS = [...GUURU_EVENTS, 'send_message'] as const;
export type TriggerEvent = (typeof TRIGGER_EVENTS)[number];

/** The older page's names are accepted too. */
const ALIASES: Record<string, TriggerEvent> = {
  chatTransferred: 'chat-transferred',
  chatRated: 'chat-rated',
  'send-message': 'send_message',
};

/** One state change on the way to the event, and the webhook it fires. */
type Step = 'create' | 'assign' | 'accept' | 'message' | 'close' | 'reopen' | 'handover' | 'rate';

/** The chain of state changes that leads to each chat event (the event is the last step's). */
const CHAINS: Record<GuuruEvent, Step[]> = {
  'chat-assigned': ['create', 'assign'],
  'chat-opened': ['create', 'assign', 'accept'],
  'message-created': ['create', 'assign', 'accept', 'message'],
  'chat-closed': ['create', 'assign', 'accept', 'close'],
  'chat-reopened': ['create', 'assign', 'accept', 'close', 'reopen'],
  'chat-transferred': ['create', 'assign', 'accept', 'handover'],
  'chat-rated': ['create', 'assign', 'accept', 'close', 'rate'],
};

const STEP_EVENT: Record<Step, GuuruEvent | undefined> = {
  create: undefined,
  assign: 'chat-assigned',
  accept: 'chat-opened',
  message: 'message-created',
  close: 'chat-closed',
  reopen: 'chat-reopened',
  handover: 'chat-transferred',
  rate: 'chat-rated',
};

/** `--param` keys each event understands, with what they mean (shown when one is unknown). */
const CHAT_PARAMS = {
  question: "the customer's question (default: one from the seed texts)",
  language: `the chat's language: ${CHAT_LANGUAGES.join(', ')} (default en)`,
  name: "the customer's name (default: a generated one)",
  email: "the customer's email (default: a generated one)",
  experts: 'comma-separated requestedExperts (default api)',
  persona: "the persona that accepts (default: the tenant's first, else the service account api)",
};
const PARAMS: Record<TriggerEvent, Record<string, string>> = {
  'chat-assigned': CHAT_PARAMS,
  'chat-opened': CHAT_PARAMS,
  'message-created': {
    ...CHAT_PARAMS,
    text: 'the message (default: a follow-up from the customer)',
    from: 'user or expert (default user)',
  },
  'chat-closed': CHAT_PARAMS,
  'chat-reopened': CHAT_PARAMS,
  'chat-transferred': { ...CHAT_PARAMS, reason: 'the transfer reason', receiver: 'who receives it' },
  'chat-rated': { ...CHAT_PARAMS, rating: `${RATINGS.join(', ')} (default good)` },
  send_message: {
    thread: 'the thread_fid (default: a new thread)',
    body: "the customer's message that the system answers",
    lang: 'the language of the thread',
  },
};

export interface TriggerRequest {
  event: string;
  tenant?: string;
  /** Send this trigger's webhooks here instead of the tenant's subscriptions. */
  target?: string;
  params?: Record<string, string | number | boolean>;
  /** Deliver only the named event: its prerequisites change the state but send nothing. */
  only?: boolean;
  /** How long to wait (real ms) for each delivery's first attempt. */
  timeoutMs?: number;
}

export interface TriggerResult {
  event: TriggerEvent;
  tenant: string;
  /** The chat it made (GUURU events). */
  chatId?: string;
  /** The thread it wrote in (Gurusup: thread_fid and its hash). */
  thread?: { fid: string; hash: string };
  target: string | null;
  only: boolean;
  /** What it did, in order; `event` is the webhook the step fired, `sent` whether it went out (not with `only`, nor to an unsubscribed event). */
  steps: { action: string; event?: string; sent: boolean }[];
  /** This trigger's deliveries after their first attempt (or when the wait ran out). */
  deliveries: DeliverySummary[];
  /** True when the named event was delivered (a 2xx). */
  delivered: boolean;
}

export interface TriggerDeps {
  domain: DomainContext;
  settings: WebhookSettings;
  gurusupSettings: GurusupSettings;
  dispatcher: Dispatcher;
  routes: WebhookRoutes;
}

/** The event a name means (aliases resolved), or a 400 that lists every event. */
export function triggerEventOf(name: string): TriggerEvent {
  const event = ALIASES[name] ?? name;
  if ((TRIGGER_EVENTS as readonly string[]).includes(event)) return event as TriggerEvent;
  throw invalidArgument('event', `Unknown event "${name}". Events: ${TRIGGER_EVENTS.join(', ')}.`);
}

function checkParams(event: TriggerEvent, params: Record<string, string | number | boolean>): Record<string, string> {
  const known = PARAMS[event];
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    if (!Object.hasOwn(known, key)) {
      throw invalidArgument(
        `params.${key}`,
        `${event} has no parameter "${key}". Parameters: ${Object.entries(known)
          .map(([k, v]) => `${k} (${v})`)
          .join('; ')}.`,
      );
    }
    out[key] = String(value);
  }
  if (out.language !== undefined && !(CHAT_LANGUAGES as readonly string[]).includes(out.language)) {
    throw invalidArgument(
      'params.language',
      `language must be one of ${CHAT_LANGUAGES.join(', ')}, got "${out.language}".`,
    );
  }
  if (out.rating !== undefined && !(RATINGS as readonly string[]).includes(out.rating))
    throw invalidArgument('params.rating', `rating must be one of ${RATINGS.join(', ')}, got "${out.rating}".`);
  if (out.from !== undefined && !['user', 'expert'].includes(out.from))
    throw invalidArgument('params.from', `from must be user or expert, got "${out.from}".`);
  return out;
}

/**
 * `trigger`: fires one realistic event by making the state change that causes it, with its
 * prerequisites (a `chat-rated` needs a chat that was assigned, accepted and closed), on a new
 * chat (or Gurusup thread). Everything is checked before anything changes; the webhooks go to
 * `target` or the tenant's subscriptions, and with `only` just the named event goes out.
 */
export async function trigger(deps: TriggerDeps, request: TriggerRequest): Promise<TriggerResult> {
  const { domain } = deps;
  const event = triggerEventOf(request.event);
  const params = checkParams(event, request.params ?? {});
  const tenant = findTenant(domain.store, request.tenant);
  const target = request.target ?? null;
  const only = request.only ?? false;
  const steps: TriggerResult['steps'] = [];
  const mine: Delivery[] = [];

  let route: { tenantId: string; chatId: string } | undefined;
  // While this trigger acts, its chat's webhooks go to the target, and with `only` just the named event goes out.
  const removeRoute = deps.routes.add((tenantId, chatId, name) => {
    if (!route || tenantId !== route.tenantId || chatId !== route.chatId) return undefined;
    if (only && name !== event) return null;
    return target ?? undefined;
  });
  const collect = (delivery: Delivery) => {
    if (route && delivery.tenantId === route.tenantId && delivery.chatId === route.chatId) mine.push(delivery);
  };
  deps.dispatcher.on('enqueued', collect);
  let chatId: string | undefined;
  let thread: TriggerResult['thread'];
  try {
    const routeTo = (id: string) => {
      route = { tenantId: tenant.id, chatId: id };
    };
    if (event === 'send_message') thread = sendGurusupMessage(deps, tenant, params, target, steps, routeTo);
    else chatId = runChain(deps, tenant, event, params, target, steps, routeTo);
  } finally {
    removeRoute();
    deps.dispatcher.off('enqueued', collect);
  }
  for (const step of steps) step.sent = step.event !== undefined && mine.some((d) => d.event === step.event);
  await firstAttempts(deps.dispatcher, mine, request.timeoutMs ?? deps.dispatcher.policy.timeoutMs + 2_000);
  const named = mine.find((d) => d.event === event || (event === 'send_message' && d.source === 'gurusup'));
  return {
    event,
    tenant: tenant.id,
    ...(chatId !== undefined ? { chatId } : {}),
    ...(thread ? { thread } : {}),
    target,
    only,
    steps,
    deliveries: mine.map(deliverySummary),
    delivered: named?.status === 'delivered',
  };
}

/** send_message: a customer writes into a new thread (the automatic reply), or Gurusup writes itself. */
function sendGurusupMessage(
  deps: TriggerDeps,
  tenant: Tenant,
  params: Record<string, string>,
  target: string | null,
  steps: TriggerResult['steps'],
  routeTo: (id: string) => void,
): NonNullable<TriggerResult['thread']> {
  const { domain } = deps;
  const org = orgOf(tenant);
  const settings = deps.gurusupSettings.get(tenant.id);
  if (target === null && settings.webhookUrl === '')
    throw noReceiver(`organisation of tenant ${tenant.id} has no send-message webhook URL`);
  const fid = params.thread ?? `trigger-${domain.random.slug(10)}`;
  const thread = { fid, hash: threadHash(fid) };
  routeTo(thread.hash);
  if (org.autoReply) {
    postThreadMessage(domain, tenant, {
      thread_fid: fid,
      body: params.body ?? line(domain, domain.content.gurusup?.customer, params.lang ?? org.language),
      user_fid: `customer-${domain.random.slug(8)}`,
      ...(params.lang ? { lang: params.lang } : {}),
    });
    steps.push({
      action: `customer wrote in thread ${fid}; the automatic reply`,
      event: settings.eventName,
      sent: false,
    });
  } else {
    sendSystemMessage(domain, tenant, {
      thread_fid: fid,
      body: params.body ?? 'Thanks for your message! We will get back to you shortly.',
      ...(params.lang ? { lang: params.lang } : {}),
    });
    steps.push({ action: `Gurusup sent a message in thread ${fid}`, event: settings.eventName, sent: false });
  }
  return thread;
}

/** A GUURU event: a new chat and every state change before the event, each step noted. */
function runChain(
  deps: TriggerDeps,
  tenant: Tenant,
  event: Exclude<TriggerEvent, 'send_message'>,
  params: Record<string, string>,
  target: string | null,
  steps: TriggerResult['steps'],
  routeTo: (id: string) => void,
): string {
  const { domain } = deps;
  const chain = CHAINS[event];
  if (target === null && deps.settings.target(tenant.id, event) === undefined)
    throw noReceiver(`tenant ${tenant.id} has no active subscription for ${event}`);
  const persona = params.persona !== undefined ? tenant.personasById.get(params.persona) : tenant.data.personas[0];
  if (params.persona !== undefined && !persona)
    throw invalidArgument('params.persona', `No persona "${params.persona}" in tenant ${tenant.id}.`);
  const experts = (params.experts ?? 'api')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const language = (params.language ?? 'en') as SeedLanguage;
  const people = domain.random.people(language);
  const name = params.name ?? people.person.fullName();
  const chat = createChat(domain, tenant, {
    question: params.question ?? line(domain, domain.content.questions, language),
    language,
    user: {
      name,
      email:
        params.email ?? people.internet.email({ firstName: name.split(' ')[0], provider: 'example.com' }).toLowerCase(),
    },
  });
  routeTo(chat.id);
  steps.push({ action: `customer opened chat ${chat.id}: "${chat.question}"`, sent: false });
  for (const step of chain.slice(1)) {
    const fired = STEP_EVENT[step];
    steps.push({
      action: act(domain, tenant, chat.id, step, params, experts, persona?.id, language),
      ...(fired ? { event: fired } : {}),
      sent: false,
    });
  }
  return chat.id;
}

function act(
  domain: DomainContext,
  tenant: Tenant,
  chatId: string,
  step: Step,
  params: Record<string, string>,
  experts: string[],
  personaId: string | undefined,
  language: SeedLanguage,
): string {
  switch (step) {
    case 'assign':
      assignChat(domain, tenant, chatId, experts);
      return `GUURU assigned it to ${experts.join(', ')}`;
    case 'accept':
      acceptChat(domain, tenant, chatId, personaId ? { personaId } : {});
      return `accepted by ${personaId ? `persona ${tenant.personasById.get(personaId)?.name ?? personaId}` : 'the service account api'}`;
    case 'message': {
      const actor: Actor = params.from === 'expert' ? { kind: 'api' } : USER;
      const text =
        params.text ??
        line(domain, params.from === 'expert' ? domain.content.answers : domain.content.followUps, language);
      postMessage(domain, tenant, chatId, { type: 'text', text }, actor);
      return `${params.from === 'expert' ? 'the expert' : 'the customer'} wrote "${text}"`;
    }
    case 'close':
      closeChat(domain, tenant, chatId);
      return 'closed by the expert';
    case 'reopen':
      reopenChat(domain, tenant, chatId, USER);
      return 'reopened by the customer';
    case 'handover':
      handoverChat(domain, tenant, chatId, {
        ...(params.reason ? { reason: params.reason } : {}),
        ...(params.receiver ? { receiver: params.receiver } : {}),
      });
      return 'handed over to a company representative';
    case 'rate': {
      const rating = params.rating ?? 'good';
      rateChat(domain, tenant, chatId, rating);
      return `rated ${rating} by the customer`;
    }
    case 'create':
      return '';
  }
}

/** A seed text in the language (English when it has none), drawn from the seeded source. */
const line = (
  domain: DomainContext,
  texts: { en: string[]; [language: string]: string[] } | undefined,
  language: string,
): string => {
  const list = texts?.[language] ?? texts?.en ?? [];
  return list.length > 0 ? domain.random.pick(list) : 'Hello, can you help me?';
};

const noReceiver = (why: string) =>
  new DomainError(
    'CONFLICT',
    `Nothing would receive it: the ${why}. Pass a target (--target URL), or subscribe one (--webhook-url, PUT /_emulator/webhooks, PUT /_emulator/gurusup).`,
  );

/** Resolves once every delivery has had its first attempt (or is final), or after `timeoutMs`. */
function firstAttempts(dispatcher: Dispatcher, deliveries: Delivery[], timeoutMs: number): Promise<void> {
  const done = () => deliveries.every((d) => d.attempts.length > 0 || isFinal(d));
  if (done()) return Promise.resolve();
  return new Promise((resolve) => {
    const check = () => {
      if (!done()) return;
      finish();
    };
    const timer = setTimeout(() => finish(), timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      dispatcher.off('attempt', check);
      dispatcher.off('settled', check);
      resolve();
    };
    dispatcher.on('attempt', check);
    dispatcher.on('settled', check);
  });
}
