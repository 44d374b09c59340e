import type { ChatRecord, ChatStatus, Rating } from '../store/model.js';
import type { Delivery, DeliveryStatus } from '../webhooks/delivery-log.js';
import type { Tenant } from '../store/tenant.js';

/** A chat without its messages: what lists and the live stream carry. */
export interface ChatSummary {
  id: string;
  seq: number;
  status: ChatStatus;
  language: string;
  question: string;
  createdAt: number;
  acceptedAt?: number;
  closedAt?: number;
  ratedAt?: number;
  rating?: Rating;
  expertId?: string;
  requestedExperts: string[];
  userName?: string;
  messages: number;
}

export const chatSummary = (c: ChatRecord): ChatSummary => ({
  id: c.id,
  seq: c.seq,
  status: c.status,
  language: c.language,
  question: c.question.length > 200 ? `${c.question.slice(0, 199)}…` : c.question,
  createdAt: c.createdAt,
  ...(c.acceptedAt !== undefined ? { acceptedAt: c.acceptedAt } : {}),
  ...(c.closedAt !== undefined ? { closedAt: c.closedAt } : {}),
  ...(c.ratedAt !== undefined ? { ratedAt: c.ratedAt } : {}),
  ...(c.rating !== undefined ? { rating: c.rating } : {}),
  ...(c.expertId !== undefined ? { expertId: c.expertId } : {}),
  requestedExperts: c.requestedExperts,
  ...(c.user.name !== undefined ? { userName: c.user.name } : {}),
  messages: c.messages.length,
});

/** A delivery without headers and body: what the live stream carries. */
export interface DeliverySummary {
  id: string;
  source: Delivery['source'];
  tenantId: string;
  event: string;
  chatId?: string;
  url: string;
  status: DeliveryStatus;
  createdAt: number;
  attempts: number;
  lastStatusCode?: number;
  lastError?: string;
  redeliveryOf?: string;
  duplicateOf?: string;
}

export function deliverySummary(d: Delivery): DeliverySummary {
  const last = d.attempts[d.attempts.length - 1];
  return {
    id: d.id,
    source: d.source,
    tenantId: d.tenantId,
    event: d.event,
    ...(d.chatId !== undefined ? { chatId: d.chatId } : {}),
    url: d.url,
    status: d.status,
    createdAt: d.createdAt,
    attempts: d.attempts.length,
    ...(last?.statusCode !== undefined ? { lastStatusCode: last.statusCode } : {}),
    ...(last?.error !== undefined ? { lastError: last.error } : {}),
    ...(d.redeliveryOf !== undefined ? { redeliveryOf: d.redeliveryOf } : {}),
    ...(d.duplicateOf !== undefined ? { duplicateOf: d.duplicateOf } : {}),
  };
}

/** The authors of a chat's messages (and its current holder), with their names and photos. */
export function authorsOf(
  tenant: Tenant,
  chat: { expertId?: string; messages: { author: { kind: string; id?: string } }[] },
) {
  const authors: Record<string, { kind: 'expert' | 'persona'; name: string; photoUrl?: string }> = {};
  for (const id of new Set([
    chat.expertId,
    ...chat.messages.map((m) => (m.author.kind === 'expert' || m.author.kind === 'persona' ? m.author.id : undefined)),
  ])) {
    if (id === undefined) continue;
    const persona = tenant.personasById.get(id);
    const expert = tenant.expertsById.get(id);
    if (persona)
      authors[id] = {
        kind: 'persona',
        name: persona.name,
        ...(persona.photoUrl ? { photoUrl: persona.photoUrl } : {}),
      };
    else if (expert) authors[id] = { kind: 'expert', name: expert.name };
  }
  return authors;
}
