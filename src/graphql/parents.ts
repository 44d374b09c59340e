/**
 * What each GraphQL type's resolvers receive as parent (the codegen mappers). Mostly the store's
 * records themselves, so default resolvers read fields with no extra objects per edge.
 */
import type { CommunityMember, SubmissionFilter } from '../domain/partner-reads.js';
import type { BalanceRecord, ChatRecord, MessageRecord, PageRecord, SubmissionRecord } from '../store/model.js';
import type { Tenant } from '../store/tenant.js';

export type TenantParent = Tenant;
export type PayoutsParent = { tenant: Tenant; period?: number | null };
export type ChatParent = ChatRecord;
export type MessageParent = MessageRecord;
export type AuthorParent = {
  typename: 'ExpertAuthor' | 'UserAuthor' | 'BotAuthor';
  id?: string;
  name?: string;
  email?: string;
  phone?: string;
  photoUrl?: string;
};
/** An expert, a persona seen as an expert, or an expert with the balances of one payout period. */
export type ExpertParent = { id: string; name?: string; email?: string; summary?: string; photoUrl?: string; balances: BalanceRecord[] };
export type ExpertPartnerEdgeParent = { cursor: string; verificationCode?: string | null; node: Tenant };
export type SubmissionParent = SubmissionRecord;
export type CommunityExpertParent = CommunityMember;
export type PageParent = PageRecord;
export type { SubmissionFilter };
