import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import type { RequestHandler } from 'express';
import { GraphQLError, type GraphQLSchema, type ValidationRule } from 'graphql';
import type { DomainContext } from '../domain/context.js';
import { journalNotes } from '../journal/http-recorder.js';
import type { Logger } from '../kernel/logger.js';
import { authenticate } from './auth.js';
import type { GraphQLContext } from './context.js';
import { createFormatError } from './errors.js';
import { journalPlugin } from './journal-plugin.js';
import { costLimitPlugin, type CostCheck, type GraphQLLimits } from './limits.js';

/** Apollo Server started over the schema, as Express middleware for /graphql. */
export interface StartedApollo {
  middleware: RequestHandler;
  stop(): Promise<void>;
}

/** Apollo Server over the schema: the emulator's limits, error format and journal plugins, nothing that needs a network. */
function createApollo(
  schema: GraphQLSchema,
  logger: Logger,
  limits: GraphQLLimits,
  { cost, validationRules }: { cost: CostCheck; validationRules: ValidationRule[] },
): ApolloServer<GraphQLContext> {
  return new ApolloServer<GraphQLContext>({
    schema,
    includeStacktraceInErrorResponses: false,
    // The emulator owns its signals: Apollo's handler would re-send SIGTERM after stopping itself
    // and kill the process before the data file is written.
    stopOnTerminationSignals: false,
    // A local tool answers curl and GET requests without a preflight header.
    csrfPrevention: false,
    formatError: createFormatError(logger, limits),
    // Limits refuse an expensive document before anything runs (one request must not stall the rest).
    parseOptions: { maxTokens: limits.tokens },
    validationRules,
    // Sandbox needs Apollo's CDN, which an offline emulator cannot reach; inline traces only serve
    // federated subgraphs and loading them (protobufjs) was a third of a first start.
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      costLimitPlugin(cost),
      journalPlugin(),
      {
        async requestDidStart() {
          return {
            async willSendResponse({ response, contextValue }) {
              if (contextValue.warnings.length === 0 || response.body.kind !== 'single') return;
              const result = response.body.singleResult;
              result.extensions = { ...result.extensions, warnings: contextValue.warnings };
            },
          };
        },
      },
    ],
    logger: { debug() {}, info() {}, warn: (m) => logger.warn(String(m)), error: (m) => logger.error(String(m)) },
  });
}

/** Starts Apollo Server (no socket of its own) and returns its Express handler for /graphql. */
export async function startApollo(
  schema: GraphQLSchema,
  domain: DomainContext,
  logger: Logger,
  limits: GraphQLLimits,
  rules: { cost: CostCheck; validationRules: ValidationRule[] },
): Promise<StartedApollo> {
  const server = createApollo(schema, logger, limits, rules);
  await server.start();
  const middleware = expressMiddleware(server, {
    context: async ({ req, res }) => {
      try {
        return authenticate(domain, req.headers.authorization, res);
      } catch (error) {
        // Apollo answers before any plugin runs: the journal learns the refusal here.
        if (error instanceof GraphQLError)
          journalNotes(res).errors = [{ code: String(error.extensions.code), message: error.message }];
        throw error;
      }
    },
  });
  return { middleware, stop: () => server.stop() };
}
