import { GraphQLError } from 'graphql';
import {
  assertOwnPartner,
  authorOf,
  categoryOf,
  findExpert,
  findExpertOrPersona,
  findCommunityMember,
  findPage,
  listChats,
  listCommunity,
  listExperts,
  listMessages,
  listPages,
  listPayouts,
  listSubmissions,
  pageLanguages,
  resolvePayoutPeriod,
  verificationCodeOf,
} from '../domain/partner-reads.js';
import { paginate } from '../domain/pagination.js';
import { acceptChat, closeChat, postMessage, reopenChat, transferChatToPersona } from '../domain/chats.js';
import { updatePage } from '../domain/pages.js';
import { savePersona } from '../domain/personas.js';
import { reviewSubmission } from '../domain/submissions.js';
import type { Resolvers } from './generated/resolvers-types.js';
import { CurrencyScalar, JSONScalar, SubmissionFilterScalar, TimestampScalar } from './scalars.js';

const AUTHOR_TYPES = { user: 'UserAuthor', expert: 'ExpertAuthor', bot: 'BotAuthor' } as const;

export const resolvers: Resolvers = {
  Timestamp: TimestampScalar,
  JSON: JSONScalar,
  Currency: CurrencyScalar,
  SubmissionFilterType: SubmissionFilterScalar,

  Query: {
    partner: (_root, _args, ctx) => ctx.tenant,
    community: (_root, { partnerId }, ctx) => {
      assertOwnPartner(ctx.tenant, partnerId);
      return ctx.tenant;
    },
  },

  Mutation: {
    approveSubmission: (_root, { id }, { domain, tenant }) => reviewSubmission(domain, tenant, id, 'approved'),
    rejectSubmission: (_root, { id }, { domain, tenant }) => reviewSubmission(domain, tenant, id, 'rejected'),
    createPersona: (_root, { input }, { domain, tenant }) => savePersona(domain, tenant, input).persona.id,
    // Without input the Public API service account accepts (discrepancy 20).
    acceptChat: (_root, { id, input }, { domain, tenant }) =>
      acceptChat(domain, tenant, id, input ? { personaId: input.personaId } : {}),
    closeChat: (_root, { id }, { domain, tenant }) => closeChat(domain, tenant, id),
    openChat: (_root, { id }, { domain, tenant }) => reopenChat(domain, tenant, id),
    sendChatMessage: (_root, { input }, { domain, tenant }) => {
      postMessage(domain, tenant, input.chatId, input.posting);
      return true;
    },
    transferToPersona: (_root, { chatId, personaId }, { domain, tenant }) => {
      transferChatToPersona(domain, tenant, chatId, personaId);
      return true;
    },
    updatePage: (_root, { input }, { domain, tenant }) => updatePage(domain, tenant, input),
  },

  Partner: {
    id: (t) => t.id,
    state: (t) => ({ chat: { isAvailable: t.data.chatAvailable } }),
    payouts: (t, { period }) => ({ tenant: t, period }),
    chats: (t, args) =>
      listChats(t, {
        first: args.first,
        after: args.after,
        direction: args.orderBy?.direction,
        startDate: args.startDate,
        endDate: args.endDate,
      }),
    experts: (t, args) =>
      listExperts(t, {
        first: args.first,
        after: args.after,
        field: args.orderBy?.field,
        direction: args.orderBy?.direction,
      }),
    submissions: (t, args) =>
      listSubmissions(t, {
        first: args.first,
        after: args.after,
        filters: args.filters?.filter((f) => f != null),
        field: args.orderBy?.field,
        direction: args.orderBy?.direction,
      }),
    community: (t) => t,
    pages: (t, args) => listPages(t, args),
    page: (t, { id }) => findPage(t, id) ?? null,
  },

  Payouts: {
    experts: ({ tenant, period }, args) => {
      const page = listPayouts(tenant, resolvePayoutPeriod(period, args.period), args);
      return {
        pageInfo: page.pageInfo,
        edges: page.edges.map(({ cursor, node }) => ({ cursor, node: { ...node.expert, balances: node.balances } })),
      };
    },
  },

  Chat: {
    expert: (c, _args, ctx) => (c.expertId ? (findExpertOrPersona(ctx.tenant, c.expertId) ?? null) : null),
    category: (c, _args, ctx) => categoryOf(ctx.tenant, c) ?? null,
    messages: (c, args) => listMessages(c, args),
  },

  Message: {
    __resolveType: (m) => (m.type === 'attachment' ? 'AttachmentMessage' : 'TextMessage'),
  },
  TextMessage: {
    author: (m, _args, ctx) => authorOf(ctx.tenant, m),
  },
  AttachmentMessage: {
    author: (m, _args, ctx) => authorOf(ctx.tenant, m),
    attachment: (m) => m.attachment ?? { id: m.id, url: '' },
  },
  Author: {
    __resolveType: (a) => AUTHOR_TYPES[a.kind],
  },

  Expert: {
    balance: (e) => e.balances,
    balances: (e) => e.balances,
    partners: (e, args, ctx) => {
      const tenant = ctx.tenant;
      const page = paginate([tenant], args, { kind: `partners-${e.id}`, key: (t) => [t.id], compare: () => 0 });
      return {
        pageInfo: page.pageInfo,
        edges: page.edges.map(({ cursor, node }) => ({
          cursor,
          node,
          verificationCode: verificationCodeOf(node, e.id) ?? null,
        })),
      };
    },
  },

  Submission: {
    expert: (s, _args, ctx) => findExpert(ctx.tenant, s.expertId) ?? null,
  },

  Community: {
    id: (t) => t.id,
    experts: (t, args) => listCommunity(t, args),
    expert: (t, { expertId, partnerId }) => {
      assertOwnPartner(t, partnerId);
      return findCommunityMember(t, expertId) ?? null;
    },
  },
  CommunityExpert: {
    id: (m) => m.expert.id,
    name: (m) => m.expert.name,
    photoUrl: (m) => m.expert.photoUrl ?? null,
    bio: (m) => m.record.bio ?? null,
    rating: (m) => m.record.rating ?? null,
    joinedAt: (m) => m.record.joinedAt,
    bestFeedbackComments: (m) => m.record.bestFeedbackComments.map((comment) => ({ comment })),
  },

  Page: {
    languages: (p) => pageLanguages(p) as never,
  },
  PageUpdate: {
    // An input problem is answered twice: as userErrors (data) and as an error on `page`, so that
    // clients checking either `errors` or `userErrors` (both documented) notice it.
    page: (u) => {
      if (u.problem) {
        throw new GraphQLError(u.problem.message, {
          extensions: { code: 'BAD_USER_INPUT', argumentName: u.problem.field.join('.') },
        });
      }
      return u.page;
    },
    userErrors: (u) => u.problem ?? null,
  },
};
