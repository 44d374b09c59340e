import { exampleOperations } from '../../src/dashboard/examples.js';

/**
 * The operations the vendor pages show (Queries, Examples, Mutations, Pagination, Payouts), with
 * the variables they send, plus the shapes their clients build from them (aliases, fragments,
 * variables for page sizes). What the GraphQL fast lane is compared with Apollo on.
 */
export interface DocumentedOperation {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

const CHAT = 'O2bqy2CsAaS7RBXZrhMOB';

const MESSAGES = `messages { edges { node {
  id type createdAt
  ... on TextMessage { text }
  ... on AttachmentMessage { attachment { id filename mimetype url } }
  author { __typename ... on BotAuthor { name } ... on UserAuthor { id name } ... on ExpertAuthor { id name } }
} } }`;

const MUTATION = /^mutation\b/m;

/** The pages' own examples, as GraphiQL preloads them (src/dashboard/examples.ts: one home for them). */
const EXAMPLES: DocumentedOperation[] = exampleOperations().map(({ title, query, variables }) => ({
  name: title,
  query,
  ...(variables ? { variables } : {}),
}));

export const DOCUMENTED_QUERIES: DocumentedOperation[] = [
  ...EXAMPLES.filter((e) => !MUTATION.test(e.query)),
  { name: 'partner id', query: '{ partner { id } }' },
  {
    name: 'page of 100 chats (the bench Q2)',
    query:
      '{ partner { chats(first: 100, orderBy: {field: id, direction: asc}) { edges { cursor node { id status question createdAt } } pageInfo { hasNextPage endCursor } } } }',
  },
  {
    name: 'chats with messages',
    query: `{ partner { chats(first: 20, orderBy: {field: id, direction: desc}) { edges { node { id status ${MESSAGES} } } } } }`,
  },
  {
    name: 'payouts, period inside',
    query:
      '{ partner { payouts { experts(first: 100, period: 1546300800000) { edges { node { id balance { amount } } } } } } }',
  },
  {
    name: 'payouts by variable',
    query: 'query P($p: Timestamp!) { partner { payouts(period: $p) { experts { edges { node { id } } } } } }',
    variables: { p: 1546300800000 },
  },
  {
    name: 'aliases with a null page size',
    query:
      'query M($n: Int) { partner { a: chats { edges { node { id } } } b: chats(first: $n) { edges { node { id } } } } }',
    variables: { n: null },
  },
  {
    name: 'experts',
    query:
      '{ partner { experts(first: 100) { edges { node { id name email summary balance { amount currency } } } } } }',
  },
  {
    name: 'submissions filtered',
    query:
      '{ partner { submissions(filters: [{status: [approved, rejected]}], first: 100) { edges { node { id status reviewedAt expert { id } } } } } }',
  },
  {
    name: 'submissions filter by variable',
    query:
      'query S($f: [SubmissionFilterType]) { partner { submissions(filters: $f, first: 100) { edges { node { status } } } } }',
    variables: { f: [{ status: ['approved', 'rejected'] }] },
  },
  {
    name: 'submissions by review date',
    query:
      '{ partner { submissions(first: 100, orderBy: {field: reviewedAt, direction: asc}) { edges { node { reviewedAt } } } } }',
  },
  {
    name: 'community',
    query: `{ partner { community { id experts(first: 5) { edges { node { id name bio rating joinedAt bestFeedbackComments { comment } } } } } }
      community(partnerId: "guuru-qa") { id } }`,
  },
  {
    name: 'pages',
    query:
      '{ partner { pages(first: 100) { edges { node { id title content languages url createdAt updatedAt isVisible isBotKnowledge } } } page(id: "1993") { id title } } }',
  },
  {
    name: 'fragments and __typename',
    query: `fragment C on Chat { id status __typename } query Q { partner { __typename chats(first: 5) { edges { node { ...C } } } } }`,
    operationName: 'Q',
  },
  { name: 'a chat by id', query: `{ partner { chat(id: "${CHAT}") { id status question ${MESSAGES} } } }` },
  // Refused ones: the lane must leave them to Apollo and answer exactly as it does.
  {
    name: 'unknown cursor',
    query: '{ partner { chats(first: 10, after: "opaqueCursor") { edges { node { id } } } } }',
  },
  {
    name: 'payouts without a period',
    query: '{ partner { payouts { experts(first: 10) { edges { node { id } } } } } }',
  },
  { name: 'page too large', query: '{ partner { chats(first: 1000) { edges { node { id } } } } }' },
  { name: 'introspection', query: '{ __schema { types { name } } __type(name: "Expert") { fields { name } } }' },
];

export const DOCUMENTED_MUTATIONS: DocumentedOperation[] = [...EXAMPLES.filter((e) => MUTATION.test(e.query))];
