import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import type { RequestHandler } from 'express';
import {
  GraphQLError,
  GraphQLInterfaceType,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLUnionType,
  buildSchema as buildSchemaFromSdl,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import type { Logger } from '../kernel/logger.js';
import { packagePath } from '../kernel/paths.js';
import type { DomainContext } from '../domain/context.js';
import { authenticate } from './auth.js';
import type { GraphQLContext } from './context.js';
import { fixDocument } from './document-fixes.js';
import { documentNotes } from '../journal/graphql-notes.js';
import { journalPlugin } from './journal-plugin.js';
import { journalNotes } from '../journal/http-recorder.js';
import { createFormatError } from './errors.js';
import { FastLane } from './fast-lane.js';
import {
  costLimitPlugin,
  createCostCheck,
  type CostCheck,
  DEFAULT_GRAPHQL_LIMITS,
  fragmentNestingRefusal,
  limitRules,
  type GraphQLLimits,
} from './limits.js';
import { noSubscriptionsRule } from './operation-rules.js';
import { resolvers } from './resolvers.js';

let schemaCache: GraphQLSchema | undefined;

type ResolverMap = Record<string, unknown>;

/**
 * Puts the resolver map on a schema built from the SDL. Does what makeExecutableSchema does for
 * this schema's shapes (fields, scalars, abstract types) at a third of its cost, which is most of
 * a test file's emulator start; unknown names fail loudly so the two can never drift.
 */
function attachResolvers(schema: GraphQLSchema, map: ResolverMap): GraphQLSchema {
  for (const [typeName, value] of Object.entries(map)) {
    const type = schema.getType(typeName);
    if (!type) throw new Error(`resolvers name type ${typeName}, which schema.graphql does not define`);
    if (type instanceof GraphQLScalarType) {
      const scalar = value as GraphQLScalarType;
      type.serialize = scalar.serialize;
      type.parseValue = scalar.parseValue;
      type.parseLiteral = scalar.parseLiteral;
      continue;
    }
    const fields = value as Record<string, unknown>;
    if (type instanceof GraphQLInterfaceType || type instanceof GraphQLUnionType) {
      type.resolveType = fields.__resolveType as typeof type.resolveType;
      continue;
    }
    if (!(type instanceof GraphQLObjectType)) throw new Error(`cannot attach resolvers to ${typeName}`);
    const defined = type.getFields();
    for (const [fieldName, resolve] of Object.entries(fields)) {
      const field = defined[fieldName];
      if (!field) throw new Error(`resolver ${typeName}.${fieldName} has no field in schema.graphql`);
      field.resolve = resolve as typeof field.resolve;
    }
  }
  return schema;
}

/**
 * The executable schema: schema.graphql plus the resolvers (built once per process). The SDL's own
 * rules are not checked again here (a third of the build): `npm run lint` does, through codegen.
 */
export function buildSchema(): GraphQLSchema {
  schemaCache ??= attachResolvers(
    buildSchemaFromSdl(readFileSync(packagePath('schema.graphql'), 'utf8'), { assumeValidSDL: true, noLocation: true }),
    resolvers as ResolverMap,
  );
  return schemaCache;
}

export interface GraphQLHandler {
  middleware: RequestHandler;
  /** The fast lane, when on (the front door answers through it too). */
  lane: FastLane | undefined;
  /** What the fast lane did so far. */
  fastLane(): { enabled: boolean; compiled: number; answered: number };
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

/** Starts Apollo Server (no socket of its own) and returns the Express handler for /graphql. */
export async function createGraphQLHandler(
  domain: DomainContext,
  logger: Logger,
  limits: GraphQLLimits = DEFAULT_GRAPHQL_LIMITS,
  { fastLane = true }: { fastLane?: boolean } = {},
): Promise<GraphQLHandler> {
  const schema = buildSchema();
  const cost = createCostCheck(schema, limits);
  const validationRules = [noSubscriptionsRule, ...limitRules(limits)];
  const server = createApollo(schema, logger, limits, { cost, validationRules });
  await server.start();
  const apollo = expressMiddleware(server, {
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
  const fast = fastLane
    ? new FastLane(schema, domain, { rules: validationRules, maxTokens: limits.tokens, cost })
    : undefined;
  const middleware: RequestHandler = (req, res, next) => {
    const body = req.body as { query?: unknown } | undefined;
    Object.assign(
      journalNotes(res),
      documentNotes(req.method === 'GET' ? (req.query as Record<string, unknown>) : body),
    );
    const query = req.method === 'GET' ? req.query.query : body?.query;
    const tooDeep = typeof query === 'string' ? fragmentNestingRefusal(query, limits.tokens) : undefined;
    if (tooDeep) {
      res.status(400).json({ errors: [tooDeep] });
      return;
    }
    if (req.method === 'POST' && body && typeof body.query === 'string') {
      const fixed = fixDocument(body.query);
      if (fixed.warnings.length > 0) {
        body.query = fixed.query;
        res.locals.graphqlWarnings = fixed.warnings;
        res.setHeader(
          'X-Emulator-Warning',
          'updatePage without a selection set was completed by the emulator; the real API will reject it',
        );
      }
    }
    if (fast?.answer(req, res)) return;
    return apollo(req, res, next);
  };
  return {
    middleware,
    lane: fast,
    fastLane: () => ({ enabled: fast !== undefined, compiled: fast?.compiled ?? 0, answered: fast?.answered ?? 0 }),
    stop: () => server.stop(),
  };
}
