import type {
  BalanceRecord,
  CategoryRecord,
  ChatRecord,
  ChatStatus,
  CommunityExpertRecord,
  ExpertRecord,
  MessageRecord,
  PageRecord,
  PersonaRecord,
  SubmissionRecord,
  SubmissionStatus,
} from '../store/model.js';
import type { Tenant } from '../store/tenant.js';
import { monthStart } from '../store/keys.js';
import { DomainError, invalidArgument } from './errors.js';
import {
  compareKeys,
  descending,
  lowerBound,
  paginate,
  paginateIndexed,
  type Ordering,
  type Page,
  type PageRequest,
} from './pagination.js';
import { quote } from './field-limits.js';

export type Direction = 'asc' | 'desc';

/**
 * Read side of a partner's data: the queries the Admin API answers, as the domain defines them
 * (ordering, filters, period semantics). Adapters only translate arguments and results.
 */

const chatOrder = (direction: Direction): Ordering<ChatRecord> => ({
  kind: 'chat',
  key: (c) => [c.seq],
  compare: direction === 'asc' ? compareKeys : descending(compareKeys),
});

export interface ChatQuery extends PageRequest {
  direction?: Direction;
  /** Inclusive lower bound on createdAt. */
  startDate?: number | null;
  /** Exclusive upper bound on createdAt. */
  endDate?: number | null;
}

/** Chats in creation order (`orderBy: {field: id}`), filtered to [startDate, endDate). */
export function listChats(tenant: Tenant, query: ChatQuery): Page<ChatRecord> {
  const { startDate, endDate } = query;
  if (startDate != null && endDate != null && startDate > endDate) {
    throw invalidArgument(
      'endDate',
      `Argument "endDate" (${endDate}) is before "startDate" (${startDate}); the window is [startDate, endDate).`,
    );
  }
  const chats = tenant.data.chats;
  const direction = query.direction ?? 'asc';
  if (tenant.chatsSortedByCreation) {
    const from =
      startDate == null ? 0 : lowerBound(0, chats.length, (i) => (chats[i] as ChatRecord).createdAt < startDate);
    const to =
      endDate == null
        ? chats.length
        : lowerBound(from, chats.length, (i) => (chats[i] as ChatRecord).createdAt < endDate);
    return paginate(chats, query, chatOrder(direction), { from, to, reverse: direction === 'desc' });
  }
  if (startDate == null && endDate == null)
    return paginate(chats, query, chatOrder(direction), { reverse: direction === 'desc' });
  // Dated out of creation order: the window's members are scattered, found through the time index.
  const times = tenant.chatsByTime();
  const lo = startDate ?? -Infinity;
  const hi = endDate ?? Infinity;
  return paginateIndexed(
    chats,
    query,
    chatOrder(direction),
    { next: (i) => times.next(i, lo, hi), previous: (i) => times.previous(i, lo, hi) },
    direction === 'desc',
  );
}

/**
 * The operator's chat list (control API, dashboard): newest first, by status and language, before a
 * chat (its seq); with how many match in all and every language the tenant's chats have. Read from the
 * tenant's class index, so a page costs the same at the chat cap as with a few chats.
 */
export function listChatsNewestFirst(
  tenant: Tenant,
  filter: { statuses?: ReadonlySet<ChatStatus>; language?: string; beforeSeq?: number; limit: number },
): { chats: ChatRecord[]; total: number; languages: string[] } {
  return { ...tenant.chatClasses.newestFirst(filter), languages: tenant.chatClasses.languages() };
}

export const findChat = (tenant: Tenant, id: string): ChatRecord | undefined => tenant.chatsById.get(id);

/** A chat's messages in chronological order. */
export function listMessages(chat: ChatRecord, request: PageRequest): Page<MessageRecord> {
  return paginate(chat.messages, request, { kind: `msg`, key: (m) => [m.seq], compare: compareKeys });
}

export type ExpertOrderField = 'id' | 'name';

/** The partner's community members (applicants excluded), by joining order or by name. */
export function listExperts(
  tenant: Tenant,
  request: PageRequest & { field?: ExpertOrderField; direction?: Direction },
): Page<ExpertRecord> {
  const field = request.field ?? 'id';
  const key = field === 'name' ? (e: ExpertRecord) => [e.name.toLowerCase(), e.seq] : (e: ExpertRecord) => [e.seq];
  const compare = request.direction === 'desc' ? descending(compareKeys) : compareKeys;
  const members = tenant.data.experts.filter((e) => e.isMember).sort((a, b) => compare(key(a), key(b)));
  return paginate(members, request, { kind: `expert-${field}`, key, compare });
}

export interface PayoutLine {
  expert: ExpertRecord;
  balances: { amount: number; currency: string }[];
}

/** Experts with a positive balance in the month containing `period`, in expert order. */
export function listPayouts(tenant: Tenant, period: number, request: PageRequest): Page<PayoutLine> {
  const month = monthStart(period);
  const byExpert = new Map<string, PayoutLine>();
  for (const payout of tenant.payoutsByPeriod.get(month) ?? []) {
    if (payout.amount <= 0) continue;
    const expert = tenant.expertsById.get(payout.expertId);
    if (!expert) continue;
    const line = byExpert.get(expert.id) ?? { expert, balances: [] };
    const same = line.balances.find((b) => b.currency === payout.currency);
    if (same) same.amount += payout.amount;
    else line.balances.push({ amount: payout.amount, currency: payout.currency });
    byExpert.set(expert.id, line);
  }
  const lines = [...byExpert.values()].sort((a, b) => a.expert.seq - b.expert.seq);
  return paginate(lines, request, { kind: `payout-${month}`, key: (l) => [l.expert.seq], compare: compareKeys });
}

/** The period a payouts query means: given on payouts(period:) or on experts(period:), one is required. */
export function resolvePayoutPeriod(outer: number | null | undefined, inner: number | null | undefined): number {
  if (inner != null && outer != null && inner !== outer) {
    throw invalidArgument(
      'period',
      `"period" is given twice with different values (payouts: ${outer}, experts: ${inner}); give it once.`,
    );
  }
  const period = inner ?? outer;
  if (period == null) {
    throw invalidArgument(
      'period',
      'Argument "period" is required: give it on payouts(period: ...) or on experts(period: ...), e.g. 1546300800000 for January 2019.',
    );
  }
  return period;
}

export type SubmissionFilter = { status: SubmissionStatus[] };
export type SubmissionOrderField = 'id' | 'createdAt' | 'reviewedAt';

/** Submissions matching any of the filters (none: all), in the requested order. */
export function listSubmissions(
  tenant: Tenant,
  request: PageRequest & { filters?: SubmissionFilter[]; field?: SubmissionOrderField; direction?: Direction },
): Page<SubmissionRecord> {
  const statuses = new Set(request.filters?.flatMap((f) => f.status) ?? []);
  const field = request.field ?? 'id';
  // Not yet reviewed sorts after every reviewed one in ascending order.
  const key = (s: SubmissionRecord) =>
    field === 'id'
      ? [s.seq]
      : field === 'createdAt'
        ? [s.createdAt, s.seq]
        : [s.reviewedAt ?? Number.MAX_SAFE_INTEGER, s.seq];
  const compare = request.direction === 'desc' ? descending(compareKeys) : compareKeys;
  const items = tenant.data.submissions
    .filter((s) => statuses.size === 0 || statuses.has(s.status))
    .sort((a, b) => compare(key(a), key(b)));
  return paginate(items, request, { kind: `submission-${field}`, key, compare });
}

export const findExpert = (tenant: Tenant, id: string): ExpertRecord | undefined => tenant.expertsById.get(id);

/** Whoever can handle a chat, as the Expert type shows it: a community expert or a persona. */
export interface ExpertView {
  id: string;
  name?: string;
  email?: string;
  summary?: string;
  photoUrl?: string;
  balances: BalanceRecord[];
}

export function findExpertOrPersona(tenant: Tenant, id: string): ExpertView | undefined {
  const expert = tenant.expertsById.get(id);
  if (expert) return expert;
  const persona = tenant.personasById.get(id);
  return (
    persona && { id: persona.id, name: persona.name, email: persona.email, photoUrl: persona.photoUrl, balances: [] }
  );
}

/** The author of a message: the chat's end user, an expert or persona, or the partner's bot. */
export interface AuthorView {
  kind: 'user' | 'expert' | 'bot';
  id?: string;
  name?: string;
  email?: string;
  phone?: string;
  photoUrl?: string;
}

export function authorOf(tenant: Tenant, message: MessageRecord): AuthorView {
  const author = message.author;
  switch (author.kind) {
    case 'user': {
      const user = tenant.chatsById.get(message.chatId)?.user;
      return { kind: 'user', id: user?.id, name: user?.name, email: user?.email, phone: user?.phone };
    }
    case 'bot':
      return { kind: 'bot', ...tenant.data.bot };
    case 'expert':
    case 'persona': {
      const expert = findExpertOrPersona(tenant, author.id);
      return { kind: 'expert', id: author.id, name: expert?.name, email: expert?.email, photoUrl: expert?.photoUrl };
    }
  }
}

export const categoryOf = (tenant: Tenant, chat: ChatRecord): CategoryRecord | undefined =>
  chat.categoryId === undefined ? undefined : tenant.categoriesById.get(chat.categoryId);
export const findPersona = (tenant: Tenant, id: string): PersonaRecord | undefined => tenant.personasById.get(id);

/** The verification code of the expert's latest submission to this partner. */
export function verificationCodeOf(tenant: Tenant, expertId: string): string | undefined {
  let latest: SubmissionRecord | undefined;
  for (const s of tenant.data.submissions) if (s.expertId === expertId && (!latest || s.seq > latest.seq)) latest = s;
  return latest?.verificationCode;
}

export interface CommunityMember {
  record: CommunityExpertRecord;
  expert: ExpertRecord;
}

export function listCommunity(tenant: Tenant, request: PageRequest): Page<CommunityMember> {
  const members = tenant.data.communityExperts.flatMap((record) => {
    const expert = tenant.expertsById.get(record.expertId);
    return expert?.isMember ? [{ record, expert }] : [];
  });
  members.sort((a, b) => a.expert.seq - b.expert.seq);
  return paginate(members, request, { kind: 'community', key: (m) => [m.expert.seq], compare: compareKeys });
}

export function findCommunityMember(tenant: Tenant, expertId: string): CommunityMember | undefined {
  const record = tenant.communityByExpertId.get(expertId);
  const expert = tenant.expertsById.get(expertId);
  return record && expert?.isMember ? { record, expert } : undefined;
}

/** A token sees only its own partner: another partner's community is refused, not hidden. */
export function assertOwnPartner(tenant: Tenant, partnerId: string | null | undefined): void {
  if (partnerId != null && partnerId !== tenant.id) {
    throw new DomainError(
      'FORBIDDEN',
      `This token belongs to partner "${tenant.id}" and cannot read partner ${quote(partnerId, 60)}.`,
      {
        partnerId: partnerId.slice(0, 80),
      },
    );
  }
}

export function listPages(tenant: Tenant, request: PageRequest): Page<PageRecord> {
  return paginate(tenant.data.pages, request, { kind: 'page', key: (p) => [p.seq], compare: compareKeys });
}

export const findPage = (tenant: Tenant, id: string): PageRecord | undefined => tenant.pagesById.get(id);

/** Languages a page has content for: keys with a non-empty title or content. */
export const pageLanguages = (page: PageRecord): string[] =>
  Object.keys({ ...page.title, ...page.content }).filter(
    (lang) => Boolean(page.title[lang]) || Boolean(page.content[lang]),
  );
