/**
 * What each GraphQL type's resolvers receive as parent (the codegen mappers). Mostly the store's
 * records themselves, so default resolvers read fields with no extra objects per edge.
 */
import type { AuthorView, CommunityMember, ExpertView, SubmissionFilter } from '../domain/partner-reads.js';
import type { PageUpdateResult } from '../domain/pages.js';
import type { ChatRecord, MessageRecord, PageRecord, SubmissionRecord } from '../store/model.js';
import type { Tenant } from '../store/tenant.js';

export type TenantParent = Tenant;
export type PayoutsParent = { tenant: Tenant; period?: number | null };
export type ChatParent = ChatRecord;
export type MessageParent = MessageRecord;
export type AuthorParent = AuthorView;
/** An expert, a persona seen as an expert, or an expert with the balances of one payout period. */
export type ExpertParent = ExpertView;
export type ExpertPartnerEdgeParent = { cursor: string; verificationCode?: string | null; node: Tenant };
export type SubmissionParent = SubmissionRecord;
export type CommunityExpertParent = CommunityMember;
export type PageParent = PageRecord;
export type PageUpdateParent = PageUpdateResult;
export type { SubmissionFilter };
