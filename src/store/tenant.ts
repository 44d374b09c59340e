import { ChatClassIndex } from './chat-class-index.js';
import { ChatTimeIndex } from './chat-time-index.js';
import type {
  CategoryRecord,
  ChatRecord,
  ChatStatus,
  CommunityExpertRecord,
  ExpertRecord,
  GurusupMessageRecord,
  GurusupThreadRecord,
  PageRecord,
  PayoutRecord,
  PersonaRecord,
  SubmissionRecord,
  TenantData,
} from './model.js';
import { sizeOf } from './size.js';

/**
 * One tenant's live data plus the lookup indexes derived from it. The indexes are rebuilt from
 * `data` on load, so only `data` is ever persisted.
 */
export class Tenant {
  readonly chatsById = new Map<string, ChatRecord>();
  readonly expertsById = new Map<string, ExpertRecord>();
  readonly personasById = new Map<string, PersonaRecord>();
  readonly personasByProviderId = new Map<string, PersonaRecord>();
  readonly submissionsById = new Map<string, SubmissionRecord>();
  readonly pagesById = new Map<string, PageRecord>();
  readonly categoriesById = new Map<string, CategoryRecord>();
  readonly communityByExpertId = new Map<string, CommunityExpertRecord>();
  /** period (month start) → payouts of that month, in expert order. */
  readonly payoutsByPeriod = new Map<number, PayoutRecord[]>();
  /** Gurusup threads by md5(thread_fid) and messages by ObjectId. */
  readonly threadsByHash = new Map<string, GurusupThreadRecord>();
  readonly gurusupMessagesById = new Map<string, GurusupMessageRecord>();
  /** True while chats' createdAt never decreases with seq, which lets date filters binary-search. */
  chatsSortedByCreation = true;
  /** Chats by status and language (the control API's list and totals), kept on each new chat and status change. */
  readonly chatClasses = new ChatClassIndex();
  /** Built on the first date-filtered read of chats dated out of creation order, then kept up on each append. */
  private chatTimes: ChatTimeIndex | undefined;
  /** Measured on first use (reads never need it; a million bulk chats take seconds to walk). */
  private measured: number | undefined;

  constructor(readonly data: TenantData) {
    for (const chat of data.chats) this.indexChat(chat);
    for (const expert of data.experts) this.expertsById.set(expert.id, expert);
    for (const persona of data.personas) this.indexPersona(persona);
    for (const submission of data.submissions) this.submissionsById.set(submission.id, submission);
    for (const page of data.pages) this.pagesById.set(page.id, page);
    for (const category of data.categories) this.categoriesById.set(category.id, category);
    for (const member of data.communityExperts) this.communityByExpertId.set(member.expertId, member);
    for (const thread of data.gurusup?.threads ?? []) this.indexThread(thread);
    for (const payout of data.payouts) {
      const list = this.payoutsByPeriod.get(payout.period) ?? [];
      list.push(payout);
      this.payoutsByPeriod.set(payout.period, list);
    }
  }

  /** About the bytes of `data` as JSON: measured once, then grown by the domain commands that store text. */
  get bytes(): number {
    this.measured ??= sizeOf(this.data);
    return this.measured;
  }

  set bytes(value: number) {
    this.measured = value;
  }

  get id(): string {
    return this.data.id;
  }

  /** Appends a chat at the end of the creation order. */
  addChat(chat: ChatRecord): void {
    this.data.chats.push(chat);
    this.indexChat(chat);
  }

  nextChatSeq(): number {
    const last = this.data.chats[this.data.chats.length - 1];
    return last ? last.seq + 1 : 1;
  }

  /** The chats' creation times by position (see ChatTimeIndex), for date windows over unsorted dates. */
  chatsByTime(): ChatTimeIndex {
    this.chatTimes ??= new ChatTimeIndex(this.data.chats.map((c) => c.createdAt));
    return this.chatTimes;
  }

  private indexChat(chat: ChatRecord): void {
    const previous = this.data.chats[this.chatsById.size - 1];
    if (previous && previous !== chat && previous.createdAt > chat.createdAt) this.chatsSortedByCreation = false;
    this.chatsById.set(chat.id, chat);
    this.chatClasses.add(chat);
    this.chatTimes?.append(chat.createdAt);
  }

  /** Changes a chat's status (the one way it changes): the class index follows. */
  setChatStatus(chat: ChatRecord, status: ChatStatus): void {
    const from = chat.status;
    chat.status = status;
    this.chatClasses.moved(chat, from);
  }

  indexThread(thread: GurusupThreadRecord): void {
    this.threadsByHash.set(thread.hash, thread);
    for (const message of thread.messages) this.gurusupMessagesById.set(message.id, message);
  }

  indexPersona(persona: PersonaRecord): void {
    this.personasById.set(persona.id, persona);
    this.personasByProviderId.set(persona.providerId, persona);
  }
}
