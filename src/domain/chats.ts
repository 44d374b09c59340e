import type { AuthorRef, ChatRecord, ChatStatus, MessageRecord, PersonaRecord, Rating } from '../store/model.js';
import type { Tenant } from '../store/tenant.js';
import { API, SERVICE_ACCOUNT_ID, SYSTEM, USER, describeActor, type Actor } from './actors.js';
import { CHAT_TRANSITIONS, assertTransition, type ChatAction } from './chat-lifecycle.js';
import type { DomainContext } from './context.js';
import { assertRoomForChat, assertRoomForMessage, reserveBytes } from './limits.js';
import { textBytes } from '../store/size.js';
import { DomainError, invalidArgument, notFound } from './errors.js';
import type { ChatChange, DomainEvents } from './events.js';
import { parsePosting, type Posting } from './postings.js';
import { assertLength, quote } from './field-limits.js';

/**
 * Chat commands: every change to a chat goes through one of these. Each checks everything first
 * (ids, input, the transition table, who may act) and only then changes the chat, so a refused
 * command leaves no trace; then it emits exactly one domain event.
 */

export const CHAT_LANGUAGES = ['en', 'de', 'fr', 'it'] as const;
export const RATINGS: readonly Rating[] = ['good', 'average', 'bad'];

export interface NewChatInput {
  question: string;
  language?: string;
  categoryId?: string;
  user?: { name?: string; email?: string; phone?: string };
}

/** An end user opens a chat with a question: status `created`, the question as first message. */
export function createChat(ctx: DomainContext, tenant: Tenant, input: NewChatInput): ChatRecord {
  const question = input.question.trim();
  if (question === '') throw invalidArgument('question', 'A chat needs a non-empty question.');
  assertLength('chat.question', 'question', question);
  assertLength('user.name', 'user.name', input.user?.name);
  assertLength('user.email', 'user.email', input.user?.email);
  assertLength('user.phone', 'user.phone', input.user?.phone);
  const language = input.language ?? 'en';
  if (!(CHAT_LANGUAGES as readonly string[]).includes(language)) {
    throw invalidArgument(
      'language',
      `language must be one of the chat window's locales ${CHAT_LANGUAGES.join(', ')}, got ${quote(language, 20)}.`,
    );
  }
  if (input.categoryId !== undefined && !tenant.categoriesById.has(input.categoryId)) {
    throw invalidArgument(
      'categoryId',
      `No category ${quote(input.categoryId, 40)}; this partner has ${[...tenant.categoriesById.keys()].join(', ')}.`,
    );
  }
  assertRoomForChat(ctx, tenant, tenant.data.chats.length, 'chats');
  // The chat and its first message (the question is one string, kept once).
  reserveBytes(ctx, tenant, 2 * textBytes(question, input.user?.name, input.user?.email, input.user?.phone));
  const now = ctx.clock.now();
  let id = ctx.random.chatId();
  // A replayed scenario seed draws the same ids again: never reuse one.
  while (tenant.chatsById.has(id)) id = ctx.random.chatId();
  const chat: ChatRecord = {
    id,
    seq: tenant.nextChatSeq(),
    createdAt: now,
    isAssignedToAgent: false,
    question,
    status: 'created',
    language,
    requestedExperts: [],
    user: { id: ctx.random.userId(), ...input.user, locale: language },
    ...(input.categoryId ? { categoryId: input.categoryId } : {}),
    messages: [],
  };
  chat.messages.push({
    id: ctx.random.uuid(),
    chatId: id,
    seq: 1,
    type: 'text',
    text: question,
    createdAt: now,
    hideForUser: false,
    hideForExpert: false,
    author: { kind: 'user' },
  });
  tenant.addChat(chat);
  ctx.store.changed({ kind: 'chat', tenant, chat, messages: chat.messages });
  ctx.events.emit('chat.created', { tenantId: tenant.id, chatId: id });
  return chat;
}

export function findChatOrThrow(tenant: Tenant, chatId: string, argumentName = 'id'): ChatRecord {
  const chat = tenant.chatsById.get(chatId);
  if (!chat)
    throw notFound(
      'chat',
      chatId,
      argumentName,
      'Chat ids look like O2bqy2CsAaS7RBXZrhMOB; list them with partner { chats(first: 10) { edges { node { id status } } } }.',
    );
  return chat;
}

export function findPersonaOrThrow(tenant: Tenant, personaId: string, argumentName: string): PersonaRecord {
  const persona = tenant.personasById.get(personaId);
  if (!persona)
    throw notFound(
      'persona',
      personaId,
      argumentName,
      'Create one with createPersona(input: {providerId, name}) and use the id it returns.',
    );
  return persona;
}

/** The Admin API may only act on chats held by one of the partner's personas or by the service account. */
function assertApiHolds(tenant: Tenant, chat: ChatRecord, action: string): void {
  const holder = chat.expertId;
  if (holder === SERVICE_ACCOUNT_ID || (holder !== undefined && tenant.personasById.has(holder))) return;
  throw new DomainError(
    'FORBIDDEN',
    `Cannot ${action} chat ${chat.id}: it is handled by expert ${holder ?? '(nobody)'}, not by one of your personas or the Public API service account. The Admin API can only ${action} chats it accepted.`,
    { chatId: chat.id, expertId: holder ?? null },
  );
}

type ChatEventName = (typeof CHAT_TRANSITIONS)[ChatAction]['event'];

/** Applies an already-checked transition and emits its event. */
function commit<A extends ChatAction>(
  ctx: DomainContext,
  tenant: Tenant,
  chat: ChatRecord,
  action: A,
  actor: Actor,
  change: (chat: ChatRecord, now: number) => void,
  extra: Partial<DomainEvents['chat.persona-transferred']> = {},
): ChatRecord {
  const from: ChatStatus = chat.status;
  change(chat, ctx.clock.now());
  tenant.setChatStatus(chat, CHAT_TRANSITIONS[action].to);
  ctx.store.changed({ kind: 'chat', tenant, chat });
  const payload: ChatChange = { tenantId: tenant.id, chat, from, actor, ...extra };
  ctx.events.emit(CHAT_TRANSITIONS[action].event as ChatEventName, payload);
  return chat;
}

/** Throws unless every id is `api` or a member of the partner's community (argument `experts`). */
export function assertAssignable(tenant: Tenant, experts: string[], argumentName = 'experts'): void {
  if (experts.length === 0)
    throw invalidArgument(
      argumentName,
      'A chat is assigned to at least one expert id (e.g. "api", the Public API service account).',
    );
  for (const id of experts) {
    if (id !== SERVICE_ACCOUNT_ID && !tenant.expertsById.get(id)?.isMember) {
      throw invalidArgument(
        argumentName,
        `${quote(id, 40)} is not an expert of this partner's community; use "api" or an expert id from partner { experts }.`,
      );
    }
  }
}

/** GUURU routes the chat to a pool of experts (`api` is the Public API service account). */
export function assignChat(
  ctx: DomainContext,
  tenant: Tenant,
  chatId: string,
  experts: string[] = [SERVICE_ACCOUNT_ID],
  actor: Actor = SYSTEM,
): ChatRecord {
  const chat = findChatOrThrow(tenant, chatId);
  assertTransition(chat, 'assign');
  assertAssignable(tenant, experts);
  return commit(ctx, tenant, chat, 'assign', actor, (c) => {
    c.requestedExperts = [...new Set(experts)];
    // A re-assigned chat waits for a new expert.
    delete c.expertId;
    delete c.acceptedAt;
    c.isAssignedToAgent = false;
  });
}

export interface AcceptBy {
  /** A persona of the partner (Admin API `input.personaId`). */
  personaId?: string;
  /** A community expert (control API / scenarios only). */
  expertId?: string;
}

/**
 * `acceptChat`: the chat must be assigned (once accepted, it is "already accepted" until it is
 * re-assigned). Through the Admin API it is accepted by a persona, or without one by the service
 * account, and only if the chat was requested to `api`.
 */
export function acceptChat(
  ctx: DomainContext,
  tenant: Tenant,
  chatId: string,
  by: AcceptBy = {},
  actor: Actor = API,
): ChatRecord {
  const chat = findChatOrThrow(tenant, chatId);
  assertTransition(chat, 'accept');
  let expertId: string;
  let isAgent: boolean;
  if (by.expertId !== undefined) {
    const expert = tenant.expertsById.get(by.expertId);
    if (!expert) throw notFound('expert', by.expertId, 'expertId', 'Use an id from partner { experts }.');
    expertId = expert.id;
    isAgent = expert.kind !== 'guuru';
  } else {
    expertId =
      by.personaId === undefined ? SERVICE_ACCOUNT_ID : findPersonaOrThrow(tenant, by.personaId, 'input.personaId').id;
    isAgent = true;
    if (!chat.requestedExperts.includes(SERVICE_ACCOUNT_ID)) {
      throw new DomainError(
        'FORBIDDEN',
        `Chat ${chat.id} was not requested to the Public API service account: its requestedExperts are ${chat.requestedExperts.join(', ') || '(none)'}. Third-party tools accept only chats whose chat-assigned webhook lists "api".`,
        { chatId: chat.id, requestedExperts: chat.requestedExperts },
      );
    }
  }
  return commit(ctx, tenant, chat, 'accept', actor, (c, now) => {
    c.expertId = expertId;
    c.acceptedAt = now;
    c.isAssignedToAgent = isAgent;
  });
}

/** `closeChat`: the expert resolved the chat. */
export function closeChat(ctx: DomainContext, tenant: Tenant, chatId: string, actor: Actor = API): ChatRecord {
  const chat = findChatOrThrow(tenant, chatId);
  assertTransition(chat, 'close');
  if (actor.kind === 'api') assertApiHolds(tenant, chat, 'close');
  return commit(ctx, tenant, chat, 'close', actor, (c, now) => {
    c.closedAt = now;
  });
}

/** `openChat` (the expert) or the end user coming back: a closed chat is open again. */
export function reopenChat(ctx: DomainContext, tenant: Tenant, chatId: string, actor: Actor = API): ChatRecord {
  const chat = findChatOrThrow(tenant, chatId);
  assertTransition(chat, 'reopen');
  if (actor.kind === 'api') assertApiHolds(tenant, chat, 'reopen');
  return commit(ctx, tenant, chat, 'reopen', actor, (c) => {
    // closedAt describes the current closing; it comes back with the next one.
    delete c.closedAt;
  });
}

export interface HandoverInput {
  reason?: string;
  receiver?: string;
  type?: string;
}

/** A guuru hands the chat over to a company representative (webhook `chat-transferred`). */
export function handoverChat(
  ctx: DomainContext,
  tenant: Tenant,
  chatId: string,
  input: HandoverInput = {},
  actor: Actor = SYSTEM,
): ChatRecord {
  const chat = findChatOrThrow(tenant, chatId);
  assertTransition(chat, 'handover');
  assertLength('handover.reason', 'reason', input.reason);
  assertLength('handover.receiver', 'receiver', input.receiver);
  assertLength('handover.type', 'type', input.type);
  reserveBytes(ctx, tenant, textBytes(input.reason, input.receiver, input.type));
  const id = ctx.random.uuid();
  return commit(ctx, tenant, chat, 'handover', actor, (c, now) => {
    c.transfer = {
      id,
      createdAt: now,
      notificationSentAt: now,
      type: input.type ?? 'agent',
      ...(input.reason ? { reason: input.reason } : {}),
      ...(input.receiver ? { receiver: input.receiver } : {}),
    };
    c.isAssignedToAgent = true;
  });
}

/** The end user rates a closed or handed-over chat; nothing can happen to it afterwards. */
export function rateChat(
  ctx: DomainContext,
  tenant: Tenant,
  chatId: string,
  rating: string,
  actor: Actor = USER,
  comment?: string,
): ChatRecord {
  const chat = findChatOrThrow(tenant, chatId);
  if (!(RATINGS as readonly string[]).includes(rating))
    throw invalidArgument('rating', `rating must be one of ${RATINGS.join(', ')}, got ${quote(rating, 20)}.`);
  assertTransition(chat, 'rate');
  return commit(ctx, tenant, chat, 'rate', actor, (c, now) => {
    c.rating = rating as Rating;
    c.ratedAt = now;
    if (comment !== undefined && comment !== '') c.ratingComment = comment;
  });
}

/** Nobody accepted the assigned chat in time. */
export function missChat(ctx: DomainContext, tenant: Tenant, chatId: string, actor: Actor = SYSTEM): ChatRecord {
  const chat = findChatOrThrow(tenant, chatId);
  assertTransition(chat, 'miss');
  return commit(ctx, tenant, chat, 'miss', actor, () => {});
}

/** `transferToPersona`: an open chat of the API moves to another persona and stays open. */
export function transferChatToPersona(
  ctx: DomainContext,
  tenant: Tenant,
  chatId: string,
  personaId: string,
  actor: Actor = API,
): ChatRecord {
  const chat = findChatOrThrow(tenant, chatId, 'chatId');
  const persona = findPersonaOrThrow(tenant, personaId, 'personaId');
  if (chat.status !== 'open') {
    throw new DomainError(
      'CHAT_NOT_OPEN',
      `Cannot transfer chat ${chat.id}: its status is "${chat.status}"; only open chats can be transferred to a persona.`,
      { chatId: chat.id, currentStatus: chat.status, attemptedAction: 'transferToPersona' },
    );
  }
  if (actor.kind === 'api') assertApiHolds(tenant, chat, 'transfer');
  const previousExpertId = chat.expertId;
  return commit(
    ctx,
    tenant,
    chat,
    'transferToPersona',
    actor,
    (c) => {
      c.expertId = persona.id;
      c.isAssignedToAgent = true;
    },
    previousExpertId === undefined ? {} : { previousExpertId },
  );
}

/** Who may write into a chat in which statuses. */
const WRITABLE: Record<Actor['kind'], readonly ChatStatus[]> = {
  api: ['open'],
  expert: ['open'],
  user: ['created', 'assigned', 'open', 'handover'],
  system: ['created', 'assigned', 'open', 'closed', 'handover', 'missed'],
};

export interface MessageOptions {
  hideForUser?: boolean;
  hideForExpert?: boolean;
}

/**
 * A message into a chat: `sendChatMessage` (the chat's persona or service account), or the end
 * user, an expert or GUURU's bot through the control API and scenarios. Emits `message.created`.
 */
export function postMessage(
  ctx: DomainContext,
  tenant: Tenant,
  chatId: string,
  posting: unknown,
  actor: Actor = API,
  options: MessageOptions = {},
): MessageRecord {
  const chat = findChatOrThrow(tenant, chatId, actor.kind === 'api' ? 'input.chatId' : 'chatId');
  const parsed: Posting = parsePosting(posting, actor.kind === 'api' ? 'input.posting' : 'posting');
  if (!WRITABLE[actor.kind].includes(chat.status)) {
    throw new DomainError(
      'CHAT_NOT_OPEN',
      `Cannot post a message as ${describeActor(actor)} into chat ${chat.id}: its status is "${chat.status}" (allowed: ${WRITABLE[actor.kind].join(', ')}).${chat.status === 'closed' ? ' Reopen it first with openChat.' : ''}`,
      { chatId: chat.id, currentStatus: chat.status, attemptedAction: 'sendChatMessage' },
    );
  }
  if (actor.kind === 'api') assertApiHolds(tenant, chat, 'send messages into');
  if (actor.kind === 'expert' && chat.expertId !== actor.id) {
    throw new DomainError(
      'FORBIDDEN',
      `Expert ${actor.id} does not handle chat ${chat.id} (its expert is ${chat.expertId ?? 'nobody'}).`,
      { chatId: chat.id },
    );
  }
  const author: AuthorRef =
    actor.kind === 'user'
      ? { kind: 'user' }
      : actor.kind === 'system'
        ? { kind: 'bot' }
        : actor.kind === 'expert'
          ? { kind: 'expert', id: actor.id }
          : tenant.personasById.has(chat.expertId ?? '')
            ? { kind: 'persona', id: chat.expertId as string }
            : { kind: 'expert', id: SERVICE_ACCOUNT_ID };
  assertRoomForMessage(ctx, chat.messages.length, `Chat ${chat.id}`);
  reserveBytes(
    ctx,
    tenant,
    parsed.type === 'text' ? textBytes(parsed.text) : textBytes(parsed.url, parsed.mimetype, parsed.filename),
  );
  const id = ctx.random.uuid();
  const last = chat.messages[chat.messages.length - 1];
  const message: MessageRecord = {
    id,
    chatId: chat.id,
    seq: (last?.seq ?? 0) + 1,
    type: parsed.type,
    ...(parsed.type === 'text'
      ? { text: parsed.text }
      : {
          attachment: {
            id: ctx.random.uuid(),
            url: parsed.url,
            ...(parsed.mimetype ? { mimetype: parsed.mimetype } : {}),
            ...(parsed.filename ? { filename: parsed.filename } : {}),
          },
        }),
    createdAt: ctx.clock.now(),
    hideForUser: options.hideForUser ?? false,
    hideForExpert: options.hideForExpert ?? false,
    author,
  };
  chat.messages.push(message);
  ctx.store.changed({ kind: 'chat', tenant, chat, messages: [message] });
  ctx.events.emit('message.created', { tenantId: tenant.id, chat, message, actor });
  return message;
}
