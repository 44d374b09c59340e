import { authorOf, categoryOf, findExpertOrPersona } from '../domain/partner-reads.js';
import type { ChatRecord, ChatStatus, MessageRecord, Rating } from '../store/model.js';
import type { Tenant } from '../store/tenant.js';

/** GUURU's webhook events (`X-Guuru-Event` values), in the Partner Portal's order. */
export const GUURU_EVENTS = [
  'chat-assigned',
  'chat-opened',
  'message-created',
  'chat-closed',
  'chat-reopened',
  'chat-transferred',
  'chat-rated',
] as const;
export type GuuruEvent = (typeof GUURU_EVENTS)[number];

/** The names the older webhook page used; sent instead when a tenant opts into legacy names. */
export const LEGACY_EVENT_NAMES: Partial<Record<GuuruEvent, string>> = {
  'chat-transferred': 'chatTransferred',
  'chat-rated': 'chatRated',
};

export const isGuuruEvent = (name: string): name is GuuruEvent => (GUURU_EVENTS as readonly string[]).includes(name);

/** How `requestedExperts` is written: ["api", ...] (default) or [{"id": "api", "name": ...}, ...]. */
export type RequestedExpertsShape = 'ids' | 'objects';

/** Keys with undefined values are left out: the docs say unavailable fields are omitted, never null. */
const compact = <T extends object>(o: T): T => {
  for (const key of Object.keys(o) as (keyof T)[]) if (o[key] === undefined) delete o[key];
  return o;
};

/** The body of every chat event (`chat-assigned` … `chat-rated`): the chat right after the change. */
export interface ChatWebhookPayload {
  id: string;
  /** Only on `chat-assigned`: ids (default) or `{id, name}` objects, as the tenant's webhook settings say. */
  requestedExperts?: string[] | { id: string; name?: string }[];
  status: ChatStatus;
  question: string;
  language: string;
  createdAt: number;
  acceptedAt?: number;
  closedAt?: number;
  ratedAt?: number;
  rating?: Rating;
  isAssignedToAgent: boolean;
  user: { id: string; name?: string; email?: string; phone?: string; isLead: boolean; isUser: boolean; locale: string };
  /** From `chat-opened` on: the expert or persona handling the chat. */
  expert?: { id: string; name?: string; email?: string; photoUrl?: string };
  category?: { id: string; name: string };
  /** On `chat-transferred`. */
  transfer?: {
    id: string;
    createdAt: number;
    notificationSentAt?: number;
    confirmedAt?: number;
    reason?: string;
    receiver?: string;
    type?: string;
  };
}

/** The body of `message-created`: the message, with the chat it belongs to as `chat.id`. */
export interface MessageWebhookPayload {
  id: string;
  type: 'text' | 'attachment';
  text?: string;
  attachment?: { id: string; url: string; mimetype?: string; filename?: string };
  createdAt: number;
  hideForUser: boolean;
  hideForExpert: boolean;
  author: {
    __typename: 'UserAuthor' | 'ExpertAuthor' | 'BotAuthor';
    id?: string;
    name?: string;
    email?: string;
    phone?: string;
    photoUrl?: string;
  };
  chat: { id: string };
}

/**
 * The body of a chat event: the chat with Admin API field names, `id` first, as it is right
 * after the change (guuru-webhooks.md §4.2). `requestedExperts` only on chat-assigned.
 */
export function chatPayload(
  tenant: Tenant,
  chat: ChatRecord,
  event: GuuruEvent,
  shape: RequestedExpertsShape,
): ChatWebhookPayload {
  const expert = chat.expertId === undefined ? undefined : findExpertOrPersona(tenant, chat.expertId);
  const category = categoryOf(tenant, chat);
  const user = chat.user;
  return compact({
    id: chat.id,
    requestedExperts:
      event === 'chat-assigned'
        ? shape === 'ids'
          ? [...chat.requestedExperts]
          : chat.requestedExperts.map((id) => compact({ id, name: findExpertOrPersona(tenant, id)?.name }))
        : undefined,
    status: chat.status,
    question: chat.question,
    language: chat.language,
    createdAt: chat.createdAt,
    acceptedAt: chat.acceptedAt,
    closedAt: chat.closedAt,
    ratedAt: chat.ratedAt,
    rating: chat.rating,
    isAssignedToAgent: chat.isAssignedToAgent,
    user: compact({
      id: user.id,
      name: user.name,
      email: user.email,
      phone: user.phone,
      // The older page's fields; isUser is the emulator's reading (a known customer, not a lead).
      isLead: user.isLead ?? false,
      isUser: !(user.isLead ?? false),
      locale: user.locale ?? chat.language,
    }),
    expert: expert
      ? compact({ id: expert.id, name: expert.name, email: expert.email, photoUrl: expert.photoUrl })
      : undefined,
    category: category ? { id: category.id, name: category.name } : undefined,
    transfer: chat.transfer ? compact({ ...chat.transfer }) : undefined,
  });
}

const AUTHOR_TYPENAMES = { user: 'UserAuthor', expert: 'ExpertAuthor', bot: 'BotAuthor' } as const;

/** The body of message-created: the message (Admin API names), `id` first, with `chat: {id}`. */
export function messagePayload(tenant: Tenant, message: MessageRecord): MessageWebhookPayload {
  const author = authorOf(tenant, message);
  return compact({
    id: message.id,
    type: message.type,
    text: message.type === 'text' ? message.text : undefined,
    attachment: message.attachment ? compact({ ...message.attachment }) : undefined,
    createdAt: message.createdAt,
    hideForUser: message.hideForUser,
    hideForExpert: message.hideForExpert,
    author: compact({
      __typename: AUTHOR_TYPENAMES[author.kind],
      id: author.id,
      name: author.name,
      email: author.email,
      phone: author.phone,
      photoUrl: author.photoUrl,
    }),
    chat: { id: message.chatId },
  });
}
