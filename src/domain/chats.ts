import type { ChatRecord } from '../store/model.js';
import type { Tenant } from '../store/tenant.js';
import type { DomainContext } from './context.js';
import { invalidArgument } from './errors.js';

export const CHAT_LANGUAGES = ['en', 'de', 'fr', 'it'] as const;

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
  const language = input.language ?? 'en';
  if (!(CHAT_LANGUAGES as readonly string[]).includes(language)) {
    throw invalidArgument('language', `language must be one of the chat window's locales ${CHAT_LANGUAGES.join(', ')}, got "${language}".`);
  }
  if (input.categoryId !== undefined && !tenant.categoriesById.has(input.categoryId)) {
    throw invalidArgument('categoryId', `No category "${input.categoryId}"; this partner has ${[...tenant.categoriesById.keys()].join(', ')}.`);
  }
  const now = ctx.clock.now();
  const id = ctx.random.chatId();
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
  ctx.store.changed();
  ctx.events.emit('chat.created', { tenantId: tenant.id, chatId: id });
  return chat;
}
