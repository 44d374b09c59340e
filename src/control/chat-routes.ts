import { Router, type Request } from 'express';
import { z } from 'zod';
import { USER, actorOf } from '../domain/actors.js';
import {
  acceptChat,
  assertAssignable,
  assignChat,
  closeChat,
  createChat,
  findChatOrThrow,
  handoverChat,
  missChat,
  postMessage,
  rateChat,
  reopenChat,
  transferChatToPersona,
} from '../domain/chats.js';
import type { DomainContext } from '../domain/context.js';
import type { ChatStatus, MessageRecord } from '../store/model.js';
import type { Tenant } from '../store/tenant.js';
import { invalidArgument } from '../domain/errors.js';
import { listChatsNewestFirst } from '../domain/partner-reads.js';
import { findTenant } from '../domain/tenants.js';
import { parseBody } from './body.js';
import type { ChatSteps } from './chat-steps.js';
import { authorsOf, chatSummary } from './summaries.js';

const by = z.enum(['user', 'customer', 'expert', 'api', 'system']);

export const createChatBody = z
  .object({
    question: z.string().min(1),
    language: z.string().optional(),
    categoryId: z.string().optional(),
    user: z
      .object({ name: z.string().optional(), email: z.string().optional(), phone: z.string().optional() })
      .strict()
      .optional(),
    /** Assign right away to these experts (e.g. ["api"]). */
    requestedExperts: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict();

export const ACTIONS = {
  assign: z.object({ requestedExperts: z.array(z.string().min(1)).min(1).default(['api']) }).strict(),
  accept: z.object({ personaId: z.string().optional(), expertId: z.string().optional() }).strict(),
  messages: z
    .object({
      from: z.enum(['user', 'customer', 'expert', 'api', 'bot']).default('user'),
      expertId: z.string().optional(),
      posting: z.unknown().optional(),
      text: z.string().optional(),
      hideForUser: z.boolean().optional(),
      hideForExpert: z.boolean().optional(),
    })
    .strict(),
  close: z.object({ by: by.default('api') }).strict(),
  reopen: z.object({ by: by.default('user') }).strict(),
  handover: z
    .object({ reason: z.string().optional(), receiver: z.string().optional(), type: z.string().optional() })
    .strict(),
  rate: z.object({ rating: z.string(), comment: z.string().max(2_000).optional() }).strict(),
  miss: z.object({}).strict(),
  'transfer-to-persona': z.object({ personaId: z.string().min(1) }).strict(),
} as const;

type ChatActionName = keyof typeof ACTIONS;

export const CHAT_STATUSES = [
  'created',
  'assigned',
  'open',
  'closed',
  'rated',
  'handover',
  'missed',
] as const satisfies readonly ChatStatus[];

export const listQuery = z
  .object({
    /** One status or several, comma-separated. */
    status: z
      .string()
      .transform((s) => s.split(',').filter((x) => x !== ''))
      .pipe(z.array(z.enum(CHAT_STATUSES)))
      .optional(),
    language: z.string().min(1).optional(),
    /** Chats created before this one (its `seq`): the next page of a newest-first list. */
    before: z.coerce.number().int().min(1).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict();

/**
 * Chat actions for people and CI jobs: everything a party of a chat can do (the end user asks,
 * writes, reopens and rates; GUURU assigns, hands over, marks missed; an expert accepts, writes,
 * closes), through the same domain commands as the Admin API, so the same webhooks fire.
 */
export function createChatRoutes(domain: DomainContext, chatSteps: ChatSteps): Router {
  const router = Router();

  /** A tenant's chats, newest first, without messages; filters by status and language. */
  router.get('/tenants/:id/chats', (req, res) => {
    const tenant = findTenant(domain.store, req.params.id);
    const q = parseBody(listQuery, req, 'query');
    const statuses = q.status && q.status.length > 0 ? new Set<ChatStatus>(q.status) : undefined;
    const { chats, total, languages } = listChatsNewestFirst(tenant, {
      statuses,
      language: q.language,
      beforeSeq: q.before,
      limit: q.limit,
    });
    res.json({ tenant: tenant.id, chats: chats.map(chatSummary), total, languages });
  });

  router.post('/tenants/:id/chats', (req, res) => {
    const tenant = findTenant(domain.store, req.params.id);
    const body = parseBody(createChatBody, req);
    // Check the experts before creating anything, so a bad list leaves no half-made chat.
    if (body.requestedExperts) assertAssignable(tenant, body.requestedExperts, 'requestedExperts');
    const { requestedExperts, ...input } = body;
    const chat = createChat(domain, tenant, input);
    if (requestedExperts) assignChat(domain, tenant, chat.id, requestedExperts);
    res.status(201).location(`/_emulator/tenants/${tenant.id}/chats/${chat.id}`).json(chat);
  });

  router.get('/tenants/:id/chats/:chatId', (req, res) => {
    res.json(findChatOrThrow(findTenant(domain.store, req.params.id), req.params.chatId, 'chatId'));
  });

  /** The chat, the names of its authors, and its steps since the start with the webhooks each caused. */
  router.get('/tenants/:id/chats/:chatId/activity', (req, res) => {
    const tenant = findTenant(domain.store, req.params.id);
    const chat = findChatOrThrow(tenant, req.params.chatId, 'chatId');
    const authors = authorsOf(tenant, chat);
    res.json({
      tenant: tenant.id,
      chat,
      authors,
      bot: { name: tenant.data.bot.name },
      steps: chatSteps.of(tenant.id, chat.id),
    });
  });

  router.post('/tenants/:id/chats/:chatId/:action', (req, res) => {
    const action = req.params.action as ChatActionName;
    if (!Object.hasOwn(ACTIONS, action)) {
      throw invalidArgument(
        'action',
        `Unknown chat action "${req.params.action}"; use one of ${Object.keys(ACTIONS).join(', ')}.`,
      );
    }
    const tenant = findTenant(domain.store, req.params.id);
    const chatId = req.params.chatId;
    const message = performAction(domain, tenant, chatId, action, req);
    if (message) res.status(201).json(message);
    else res.json(findChatOrThrow(tenant, chatId, 'chatId'));
  });

  return router;
}

/** One chat action through its domain command; the message posted for `messages`, else nothing (the chat is answered). */
function performAction(
  domain: DomainContext,
  tenant: Tenant,
  chatId: string,
  action: ChatActionName,
  req: Request,
): MessageRecord | undefined {
  switch (action) {
    case 'assign':
      assignChat(domain, tenant, chatId, parseBody(ACTIONS.assign, req).requestedExperts);
      break;
    case 'accept': {
      const body = parseBody(ACTIONS.accept, req);
      if (body.personaId !== undefined && body.expertId !== undefined)
        throw invalidArgument('expertId', 'Give personaId or expertId, not both.');
      acceptChat(
        domain,
        tenant,
        chatId,
        body,
        actorOf(body.expertId !== undefined ? 'expert' : 'api', tenant, {}, body.expertId),
      );
      break;
    }
    case 'messages': {
      const body = parseBody(ACTIONS.messages, req);
      if ((body.posting === undefined) === (body.text === undefined)) {
        throw invalidArgument(
          'posting',
          'Give either "text" or a "posting" ({"type": "text", "text": ...} or {"type": "attachment", "address": ...}).',
        );
      }
      const posting = body.posting ?? { type: 'text', text: body.text };
      const actor = actorOf(body.from, tenant, findChatOrThrow(tenant, chatId, 'chatId'), body.expertId);
      const message = postMessage(domain, tenant, chatId, posting, actor, {
        hideForUser: body.hideForUser,
        hideForExpert: body.hideForExpert,
      });
      return message;
    }
    case 'close': {
      const chat = findChatOrThrow(tenant, chatId, 'chatId');
      closeChat(domain, tenant, chatId, actorOf(parseBody(ACTIONS.close, req).by, tenant, chat));
      break;
    }
    case 'reopen': {
      const chat = findChatOrThrow(tenant, chatId, 'chatId');
      reopenChat(domain, tenant, chatId, actorOf(parseBody(ACTIONS.reopen, req).by, tenant, chat));
      break;
    }
    case 'handover':
      handoverChat(domain, tenant, chatId, parseBody(ACTIONS.handover, req));
      break;
    case 'rate': {
      const body = parseBody(ACTIONS.rate, req);
      rateChat(domain, tenant, chatId, body.rating, USER, body.comment);
      break;
    }
    case 'miss':
      parseBody(ACTIONS.miss, req);
      missChat(domain, tenant, chatId);
      break;
    case 'transfer-to-persona':
      transferChatToPersona(domain, tenant, chatId, parseBody(ACTIONS['transfer-to-persona'], req).personaId);
      break;
  }
  return undefined;
}
