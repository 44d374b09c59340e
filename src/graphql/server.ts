import { readFileSync } from 'node:fs';
import type { Request, RequestHandler, Response } from 'express';
import {
  GraphQLInterfaceType,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLUnionType,
  buildSchema as buildSchemaFromSdl,
  type GraphQLSchema,
} from 'graphql';
import type { Logger } from '../kernel/logger.js';
import { packagePath } from '../kernel/paths.js';
import type { DomainContext } from '../domain/context.js';
import type { StartedApollo } from './apollo.js';
import { fixDocument } from './document-fixes.js';
import { documentNotes } from '../journal/graphql-notes.js';
import { journalNotes } from '../journal/http-recorder.js';
import { FastLane } from './fast-lane.js';
import {
  createCostCheck,
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
  /** Loads and starts Apollo now (it is otherwise made on the first request the lane leaves to it). */
  warm(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The /graphql handler: the fast lane answers the successful queries it can answer exactly as
 * Apollo would, and Apollo Server (the reference) everything else. Apollo is loaded and started on
 * the first request the lane leaves to it, or by `warm()`: a start that only ever sees the queries
 * a client repeats (a CI job's first `{ partner { id } }`) does not wait for it.
 */
export async function createGraphQLHandler(
  domain: DomainContext,
  logger: Logger,
  limits: GraphQLLimits = DEFAULT_GRAPHQL_LIMITS,
  { fastLane = true }: { fastLane?: boolean } = {},
): Promise<GraphQLHandler> {
  const schema = buildSchema();
  const cost = createCostCheck(schema, limits);
  const validationRules = [noSubscriptionsRule, ...limitRules(limits)];
  let apollo: Promise<StartedApollo> | undefined;
  const started = () =>
    (apollo ??= import('./apollo.js').then((m) =>
      m.startApollo(schema, domain, logger, limits, { cost, validationRules }),
    ));
  const fast = fastLane
    ? new FastLane(schema, domain, { rules: validationRules, maxTokens: limits.tokens, cost })
    : undefined;
  const middleware: RequestHandler = (req, res, next) => {
    if (!prepare(req, res, limits)) return;
    if (fast?.answer(req, res)) return;
    started()
      .then((a) => a.middleware(req, res, next))
      .catch(next);
  };
  return {
    middleware,
    lane: fast,
    fastLane: () => ({ enabled: fast !== undefined, compiled: fast?.compiled ?? 0, answered: fast?.answered ?? 0 }),
    warm: () => started().then(() => undefined),
    // Never started: nothing to stop; a start that failed has nothing to stop either.
    stop: async () => (await apollo?.catch(() => undefined))?.stop(),
  };
}

/**
 * What every /graphql request goes through before it is answered: the journal's notes of the
 * document, the fragment-nesting refusal, and the completion of a lenient `updatePage` (with its
 * warning). False when the request is already answered.
 */
function prepare(req: Request, res: Response, limits: GraphQLLimits): boolean {
  const body = req.body as { query?: unknown } | undefined;
  Object.assign(journalNotes(res), documentNotes(req.method === 'GET' ? (req.query as Record<string, unknown>) : body));
  const query = req.method === 'GET' ? req.query.query : body?.query;
  const tooDeep = typeof query === 'string' ? fragmentNestingRefusal(query, limits.tokens) : undefined;
  if (tooDeep) {
    res.status(400).json({ errors: [tooDeep] });
    return false;
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
  return true;
}
