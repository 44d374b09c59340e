/**
 * The throughput baseline: a plain Apollo Server 5 on Express 5 answering the benchmark's two query
 * shapes from a static array of 260 chats. Default Apollo configuration except the landing page;
 * the same Authorization check as the emulator (a cheap string test). Prints
 * "baseline listening on http://127.0.0.1:PORT" and exits when its parent closes its stdin.
 *
 *   node --import tsx bench/baseline-server.ts [--port N]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import express from 'express';
import { GraphQLError } from 'graphql';
import { exitWithParent } from './lib.js';

const typeDefs = /* GraphQL */ `
  type Query {
    partner: Partner
  }
  type Partner {
    id: ID!
    chats(first: Int = 10, after: String, orderBy: ChatOrder): ChatConnection!
  }
  input ChatOrder {
    direction: OrderDirection!
    field: ChatOrderField!
  }
  enum OrderDirection {
    asc
    desc
  }
  enum ChatOrderField {
    id
    createdAt
  }
  type ChatConnection {
    edges: [ChatEdge!]!
    pageInfo: PageInfo!
  }
  type ChatEdge {
    cursor: String!
    node: Chat!
  }
  type PageInfo {
    hasNextPage: Boolean!
    endCursor: String
  }
  enum ChatStatus {
    created
    assigned
    open
    closed
    rated
    handover
    missed
  }
  type Chat {
    id: ID!
    createdAt: Float
    question: String
    status: ChatStatus
  }
`;

interface Chat {
  seq: number;
  id: string;
  createdAt: number;
  question: string;
  status: string;
}

const QUESTIONS = [
  'Are the hiking boots waterproof or just water resistant?',
  'Gibt es den Rucksack auch in einer Damenversion?',
  'Sto ancora aspettando il rimborso del mio reso.',
  'Est-ce que cette veste existe en taille XS ?',
  'How long does delivery to Switzerland usually take?',
];
const STATUSES = ['rated', 'closed', 'missed', 'handover', 'open', 'assigned'];
const START = Date.UTC(2026, 8, 1);

const chats: Chat[] = Array.from({ length: 260 }, (_, i) => ({
  seq: i + 1,
  id: `chat${(i * 7919).toString(36).padStart(17, '0')}`,
  createdAt: START + i * 3_600_000,
  question: QUESTIONS[i % QUESTIONS.length] ?? '',
  status: STATUSES[i % STATUSES.length] ?? 'rated',
}));

const cursorOf = (chat: Chat) => Buffer.from(JSON.stringify(['chat', chat.seq])).toString('base64url');

function seqOf(cursor: string): number {
  const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!Array.isArray(parsed) || parsed[0] !== 'chat' || typeof parsed[1] !== 'number') {
    throw new GraphQLError('Argument "after" is not a cursor of this list.', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return parsed[1];
}

interface ChatsArgs {
  first?: number | null;
  after?: string | null;
  orderBy?: { direction: 'asc' | 'desc'; field: string } | null;
}

const resolvers = {
  Query: {
    partner: () => ({ id: 'guuru-qa' }),
  },
  Partner: {
    chats: (_partner: unknown, args: ChatsArgs) => {
      const first = Math.min(Math.max(args.first ?? 10, 0), 100);
      const desc = args.orderBy?.direction === 'desc';
      const list = desc ? [...chats].reverse() : chats;
      let start = 0;
      if (args.after) {
        const seq = seqOf(args.after);
        start = list.findIndex((c) => (desc ? c.seq < seq : c.seq > seq));
        if (start < 0) start = list.length;
      }
      const slice = list.slice(start, start + first);
      const edges = slice.map((node) => ({ cursor: cursorOf(node), node }));
      const last = edges[edges.length - 1];
      return {
        edges,
        pageInfo: { hasNextPage: start + slice.length < list.length, endCursor: last ? last.cursor : null },
      };
    },
  },
};

const portFlag = process.argv.indexOf('--port');
const port = portFlag >= 0 ? Number(process.argv[portFlag + 1]) : 0;

const apollo = new ApolloServer<{ token: string }>({
  typeDefs,
  resolvers,
  plugins: [ApolloServerPluginLandingPageDisabled()],
});
await apollo.start();

const app = express();
app.use(
  '/graphql',
  express.json(),
  expressMiddleware(apollo, {
    context: async ({ req }) => {
      const header = req.headers.authorization;
      if (header !== 'Bearer demo-token') {
        throw new GraphQLError('Missing or unknown token', {
          extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
        });
      }
      return { token: 'demo-token' };
    },
  }),
);

const server = createServer(app);
server.listen(port, '127.0.0.1', () => {
  const { port: actual } = server.address() as AddressInfo;
  console.log(`baseline listening on http://127.0.0.1:${actual}`);
});

const shutdown = () => {
  server.close();
  server.closeAllConnections();
  void apollo.stop().finally(() => process.exit(0));
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
exitWithParent();
