import type { GeneratorState } from '../kernel/generators.js';

/**
 * The data model of the store: plain, JSON-serialisable records (what persistence writes), one
 * tenant per GUURU partner. Field names follow the Admin API so adapters can pass records through.
 */
export type ChatStatus = 'created' | 'assigned' | 'open' | 'closed' | 'rated' | 'handover' | 'missed';
export type Rating = 'good' | 'average' | 'bad';
export type SubmissionStatus = 'pending' | 'approved' | 'rejected';
export type ExpertKind = 'guuru' | 'agent' | 'service';

export interface UserRecord {
  id: string;
  name?: string;
  email?: string;
  phone?: string;
  ipAddress?: string;
  locale?: string;
  isLead?: boolean;
}

export interface CategoryRecord {
  id: string;
  name: string;
}

export interface TransferRecord {
  id: string;
  createdAt: number;
  notificationSentAt?: number;
  confirmedAt?: number;
  reason?: string;
  receiver?: string;
  type?: string;
}

export interface AttachmentRecord {
  id: string;
  filename?: string;
  mimetype?: string;
  url: string;
}

export type AuthorRef =
  { kind: 'user' } | { kind: 'expert'; id: string } | { kind: 'persona'; id: string } | { kind: 'bot' };

export interface MessageRecord {
  id: string;
  chatId: string;
  /** Position in the chat, from 1: the message cursor. */
  seq: number;
  type: 'text' | 'attachment';
  text?: string;
  attachment?: AttachmentRecord;
  createdAt: number;
  hideForUser: boolean;
  hideForExpert: boolean;
  author: AuthorRef;
}

export interface ChatRecord {
  id: string;
  /** Creation order within the tenant, from 1: what `orderBy: {field: id}` sorts by. */
  seq: number;
  createdAt: number;
  acceptedAt?: number;
  closedAt?: number;
  ratedAt?: number;
  isAssignedToAgent: boolean;
  question: string;
  rating?: Rating;
  /** The end user's words with the rating (the dashboard's shopper window); not part of GUURU's webhooks. */
  ratingComment?: string;
  status: ChatStatus;
  language: string;
  /** Expert or persona handling the chat. */
  expertId?: string;
  /** Expert ids the chat was offered to (webhook `requestedExperts`). */
  requestedExperts: string[];
  user: UserRecord;
  transfer?: TransferRecord;
  categoryId?: string;
  messages: MessageRecord[];
}

export interface BalanceRecord {
  amount: number;
  currency: string;
}

export interface ExpertRecord {
  id: string;
  seq: number;
  name: string;
  email: string;
  summary?: string;
  photoUrl?: string;
  kind: ExpertKind;
  /** Member of the partner's community (applicants are experts with a submission, not members). */
  isMember: boolean;
  joinedAt: number;
  balances: BalanceRecord[];
}

export interface PersonaRecord {
  id: string;
  providerId: string;
  name: string;
  email?: string;
  photoUrl?: string;
  createdAt: number;
  updatedAt: number;
}

export interface SubmissionRecord {
  id: string;
  seq: number;
  createdAt: number;
  reviewedAt?: number;
  verificationCode: string;
  expertId: string;
  status: SubmissionStatus;
}

export interface PayoutRecord {
  expertId: string;
  /** First millisecond (UTC) of the month paid. */
  period: number;
  amount: number;
  currency: string;
}

export interface CommunityExpertRecord {
  expertId: string;
  bio?: string;
  rating?: number;
  joinedAt: number;
  bestFeedbackComments: string[];
}

export interface PageRecord {
  id: string;
  seq: number;
  title: Record<string, string | null>;
  content: Record<string, string | null>;
  createdAt: number;
  updatedAt: number;
  isVisible: boolean;
  isBotKnowledge: boolean;
  url: string;
}

export interface BotRecord {
  id: string;
  name: string;
  photoUrl: string;
}

/** One message of a Gurusup thread (the REST adapter writes it in the API's snake_case). */
export interface GurusupMessageRecord {
  /** 24-hex MongoDB ObjectId. */
  id: string;
  /** md5(thread_fid), lower-case hex: how the API addresses the thread. */
  threadHash: string;
  threadFid: string;
  body: string;
  userFid: string;
  lang: string;
  subject?: string;
  /** Sent by a support agent or by the system (the automatic reply). */
  isAgent: boolean;
  /** Written by Gurusup itself (automatic reply, control API, scenarios): what the send-message webhook carries. */
  fromSystem: boolean;
  createdAt: number;
}

export interface GurusupThreadRecord {
  hash: string;
  fid: string;
  seq: number;
  createdAt: number;
  updatedAt: number;
  messages: GurusupMessageRecord[];
}

/** The tenant's Gurusup organisation: its API keys, settings and threads. */
export interface GurusupOrgData {
  name: string;
  apiKeys: string[];
  /** Default language of the automatic reply. */
  language: string;
  /** Whether a customer message gets the system's automatic reply. */
  autoReply: boolean;
  /** The user_fid of the system's replies. */
  systemUserFid: string;
  threads: GurusupThreadRecord[];
}

export interface TenantData {
  /** The partner id, e.g. guuru-qa. */
  id: string;
  name: string;
  tokens: string[];
  webhookSecret: string;
  /** The seed this tenant was generated from (reset regenerates it). */
  seed: number;
  createdAt: number;
  chatAvailable: boolean;
  bot: BotRecord;
  categories: CategoryRecord[];
  experts: ExpertRecord[];
  personas: PersonaRecord[];
  chats: ChatRecord[];
  submissions: SubmissionRecord[];
  payouts: PayoutRecord[];
  communityExperts: CommunityExpertRecord[];
  pages: PageRecord[];
  /** Absent in state files written before the Gurusup API existed (an empty organisation then). */
  gurusup?: GurusupOrgData;
}

/** What `--data FILE` holds: a snapshot; the changes made since are lines of `FILE.log` (store/change-log.ts). */
export interface StateFile {
  format: typeof STATE_FORMAT;
  /** 2 since the change log; a version 1 file (no log) still loads. */
  version: (typeof READABLE_STATE_VERSIONS)[number];
  savedAt: number;
  /** Where the id and key generators were, so that nothing repeats after a restart (absent in older files). */
  generators?: GeneratorState;
  /** The change log that follows this snapshot: its id and the last line the snapshot holds (absent in version 1). */
  log?: { id: string; through: number };
  tenants: TenantData[];
}

export const STATE_FORMAT = 'guuru-emulator-state';
export const STATE_VERSION = 2;
export const READABLE_STATE_VERSIONS = [1, 2] as const;
