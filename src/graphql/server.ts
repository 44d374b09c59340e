import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginLandingPageDisabled, ApolloServerPluginUsageReportingDisabled } from '@apollo/server/plugin/disabled';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { RequestHandler, Response } from 'express';
import { GraphQLError, type GraphQLSchema, type ValidationContext } from 'graphql';
import { tenantForToken } from '../domain/tenants.js';
import type { Logger } from '../logger.js';
import { packagePath } from '../paths.js';
import type { Store } from '../store/store.js';
import type { GraphQLContext } from './context.js';
import { createFormatError } from './errors.js';
import { resolvers } from './resolvers.js';

/** Deepest selection accepted (fragments do not add a level). The documented examples need 8. */
export const MAX_QUERY_DEPTH = 12;

let schemaCache: GraphQLSchema | undefined;

/** The executable schema: schema.graphql plus the resolvers (built once per process). */
export function buildSchema(): GraphQLSchema {
  schemaCache ??= makeExecutableSchema({ typeDefs: readFileSync(packagePath('schema.graphql'), 'utf8'), resolvers });
  return schemaCache;
}

const BEARER = /^\s*bearer\s+(\S+)\s*$/i;

function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

/** Authorization header → tenant. "Bearer" in any case; a bare token works but earns a warning header. */
function authenticate(store: Store, header: string | undefined, res: Response): GraphQLContext {
  if (!header || header.trim() === '') {
    throw unauthenticated('Missing Authorization header: send "Authorization: Bearer <token>" (the built-in partner guuru-qa uses demo-token).');
  }
  const match = BEARER.exec(header);
  const token = match?.[1] ?? header.trim();
  if (!match) {
    res.setHeader('X-Emulator-Warning', 'Authorization header without the "Bearer " scheme: accepted here, the real API may refuse it');
  }
  const tenant = tenantForToken(store, token);
  if (!tenant) {
    throw unauthenticated('Unknown API token: no partner of this emulator has it. Use demo-token, or a token from POST /_emulator/tenants.');
  }
  return { tenant };
}

export interface GraphQLHandler {
  middleware: RequestHandler;
  stop(): Promise<void>;
}

/** Starts Apollo Server (no socket of its own) and returns the Express handler for /graphql. */
export async function createGraphQLHandler(store: Store, logger: Logger): Promise<GraphQLHandler> {
  const server = new ApolloServer<GraphQLContext>({
    schema: buildSchema(),
    includeStacktraceInErrorResponses: false,
    // A local tool answers curl and GET requests without a preflight header.
    csrfPrevention: false,
    formatError: createFormatError(logger),
    validationRules: [
      (context: ValidationContext) =>
        maxDepthRule({
          n: MAX_QUERY_DEPTH,
          flattenFragments: true,
          ignoreIntrospection: true,
          propagateOnRejection: false,
          onReject: [
            (ctx, error) =>
              ctx?.reportError(
                new GraphQLError(`${error.message.replace(/^Syntax Error: /, '')} Split the query or select fewer nested levels.`, {
                  extensions: { code: 'GRAPHQL_VALIDATION_FAILED', reason: 'MAX_DEPTH' },
                }),
              ),
          ],
        })(context),
    ],
    // Sandbox needs Apollo's CDN, which an offline emulator cannot reach.
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginUsageReportingDisabled()],
    logger: { debug() {}, info() {}, warn: (m) => logger.warn(String(m)), error: (m) => logger.error(String(m)) },
  });
  await server.start();
  const middleware = expressMiddleware(server, {
    context: async ({ req, res }) => authenticate(store, req.headers.authorization, res),
  });
  return { middleware, stop: () => server.stop() };
}
