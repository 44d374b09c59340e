import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import type { RequestHandler, Response } from 'express';
import {
  GraphQLError,
  GraphQLInterfaceType,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLUnionType,
  buildSchema as buildSchemaFromSdl,
  type GraphQLSchema,
} from 'graphql';
import { resolveTenant } from '../domain/tenants.js';
import type { Logger } from '../kernel/logger.js';
import { packagePath } from '../kernel/paths.js';
import type { DomainContext } from '../domain/context.js';
import type { GraphQLContext } from './context.js';
import { fixDocument } from './document-fixes.js';
import { journalPlugin } from './journal-plugin.js';
import { journalNotes } from '../journal/http-recorder.js';
import { QUERY_CHARS } from '../journal/request-journal.js';
import { createFormatError } from './errors.js';
import {
  costLimitPlugin,
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

const BEARER = /^\s*bearer\s+(\S+)\s*$/i;

function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

/** Authorization header → tenant. "Bearer" in any case; a bare token works but earns a warning header. */
function authenticate(domain: DomainContext, header: string | undefined, res: Response): GraphQLContext {
  if (!header || header.trim() === '') {
    throw unauthenticated(
      'Missing Authorization header: send "Authorization: Bearer <token>" (the built-in partner guuru-qa uses demo-token).',
    );
  }
  const match = BEARER.exec(header);
  const token = match?.[1] ?? header.trim();
  const warnings = (res.locals.graphqlWarnings as string[] | undefined) ?? [];
  if (!match) {
    res.setHeader(
      'X-Emulator-Warning',
      'Authorization header without the "Bearer " scheme: accepted here, the real API may refuse it',
    );
  }
  const tenant = resolveTenant(domain.store, { token });
  if (!tenant) {
    throw unauthenticated(
      'Unknown API token: no partner of this emulator has it. Use demo-token, or a token from POST /_emulator/tenants.',
    );
  }
  const journal = journalNotes(res);
  journal.tenantId = tenant.id;
  return { tenant, domain, warnings, journal };
}

/** What the client sent, for the request journal (before any leniency rewrites the document). */
function noteDocument(sent: Record<string, unknown> | undefined, res: Response): void {
  if (!sent || typeof sent !== 'object') return;
  const notes = journalNotes(res);
  const { query, variables, operationName } = sent;
  if (typeof query === 'string')
    notes.query = query.length > QUERY_CHARS ? `${query.slice(0, QUERY_CHARS)}… (${query.length} characters)` : query;
  if (typeof operationName === 'string' && operationName !== '') notes.operationName = operationName;
  let vars: unknown = variables;
  if (typeof vars === 'string') {
    try {
      vars = JSON.parse(vars);
    } catch {
      vars = undefined;
    }
  }
  if (vars && typeof vars === 'object' && !Array.isArray(vars)) notes.variables = vars as Record<string, unknown>;
}

export interface GraphQLHandler {
  middleware: RequestHandler;
  stop(): Promise<void>;
}

/** Starts Apollo Server (no socket of its own) and returns the Express handler for /graphql. */
export async function createGraphQLHandler(
  domain: DomainContext,
  logger: Logger,
  limits: GraphQLLimits = DEFAULT_GRAPHQL_LIMITS,
): Promise<GraphQLHandler> {
  const schema = buildSchema();
  const server = new ApolloServer<GraphQLContext>({
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
    validationRules: [noSubscriptionsRule, ...limitRules(limits)],
    // Sandbox needs Apollo's CDN, which an offline emulator cannot reach; inline traces only serve
    // federated subgraphs and loading them (protobufjs) was a third of a first start.
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      costLimitPlugin(schema, limits),
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
  const middleware: RequestHandler = (req, res, next) => {
    const body = req.body as { query?: unknown } | undefined;
    noteDocument(req.method === 'GET' ? (req.query as Record<string, unknown>) : body, res);
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
    return apollo(req, res, next);
  };
  return { middleware, stop: () => server.stop() };
}
