import type { Request, Response } from 'express';
import {
  getOperationAST,
  getVariableValues,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import Negotiator from 'negotiator';
import { resolveTenant } from '../domain/tenants.js';
import type { DomainContext } from '../domain/context.js';
import { journalNotes, type JournalNotes } from '../journal/http-recorder.js';
import { bearerToken } from './auth.js';
import type { GraphQLContext } from './context.js';
import { noteOperation } from './journal-plugin.js';
import { fragmentNesting, MAX_FRAGMENT_NESTING, type CostCheck } from './limits.js';

/** What the lane answers: Apollo's media type and body, and the journal's notes of the request. */
export interface LaneAnswer {
  contentType: string;
  body: string;
  notes: JournalNotes;
}

/** A document the lane runs: parsed, validated and compiled once. */
interface Plan {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  compiled: CompiledQuery;
}

/** What the lane knows of a document: seen once (Apollo answered), a plan, or Apollo's for good. */
type Known = { seen: 1 } | Plan | 'apollo';

/** Documents remembered; beyond it the oldest is forgotten (a client generating documents cannot grow memory). */
const MAX_DOCUMENTS = 500;
/** Longer documents are left to Apollo: the lane is for the short queries clients repeat. */
const MAX_QUERY_CHARS = 10_000;

/** Apollo's media types for a single result (`MEDIA_TYPES` in @apollo/server), in its order of preference. */
const SINGLE_RESULT_TYPES = [
  'application/json; charset=utf-8',
  'application/graphql-response+json; charset=utf-8',
  'application/json; callbackSpec=1.0; charset=utf-8',
];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The quick way through /graphql for the queries a client repeats: the second time a query
 * document arrives it is parsed, validated and compiled (graphql-jit) once, and from then on
 * answered without Apollo's request pipeline. It answers only what it can answer exactly as Apollo
 * does (status, headers, body byte for byte, the journal's notes): a successful query with a
 * Bearer token and no leniency warning. Anything else (first sight, mutations, introspection,
 * errors, limits, extensions, unusual Accept headers) is left to Apollo, which stays the reference.
 */
export class FastLane {
  private readonly known = new Map<string, Known>();
  private readonly contentTypes = new Map<string, string | null>();
  /** Documents compiled, and requests answered, since start (GET /_emulator/health shows them). */
  compiled = 0;
  answered = 0;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly domain: DomainContext,
    private readonly options: { rules: ValidationRule[]; maxTokens: number; cost: CostCheck },
  ) {}

  /** Answers the request (Express) and returns true, or returns false and leaves everything as it was. */
  answer(req: Request, res: Response): boolean {
    if (req.method !== 'POST' || res.locals.graphqlWarnings !== undefined) return false;
    const answer = this.run(req.body, req.headers.authorization, req.headers.accept);
    if (!answer) return false;
    Object.assign(journalNotes(res), answer.notes);
    res.setHeader('cache-control', 'no-store');
    res.setHeader('content-type', answer.contentType);
    res.status(200).send(answer.body);
    return true;
  }

  /**
   * The answer of a POST body (already parsed JSON) with these headers, or undefined when Apollo
   * must answer it. A query changes nothing, so a request the lane gives up on (an error in the
   * result) may run again through Apollo.
   */
  run(body: unknown, authorization: string | undefined, accept: string | undefined): LaneAnswer | undefined {
    if (!isRecord(body)) return undefined;
    const { query, operationName, variables, extensions } = body;
    if (typeof query !== 'string' || query.length > MAX_QUERY_CHARS || extensions != null) return undefined;
    if (operationName != null && typeof operationName !== 'string') return undefined;
    if (variables != null && !isRecord(variables)) return undefined;
    const token = bearerToken(authorization);
    const contentType = this.contentType(accept);
    if (token === undefined || contentType === null) return undefined;
    const plan = this.plan(query, operationName ?? undefined);
    if (!plan) return undefined;
    const tenant = resolveTenant(this.domain.store, { token });
    if (!tenant) return undefined;
    const inputs = variables ?? {};
    if (this.options.cost(plan.document, inputs, operationName) !== null) return undefined;
    if (plan.operation.variableDefinitions?.length) {
      // graphql-js's coercion decides what is valid: the compiled one is never asked to be more lenient.
      const coerced = getVariableValues(this.schema, plan.operation.variableDefinitions, inputs, { maxErrors: 1 });
      if (coerced.errors) return undefined;
    }
    const notes: JournalNotes = { tenantId: tenant.id };
    const context: GraphQLContext = { tenant, domain: this.domain, warnings: [], journal: notes };
    const result = plan.compiled.query(undefined, context, inputs);
    if (result instanceof Promise || result.errors || context.warnings.length > 0) return undefined;
    noteOperation(notes, plan.operation, plan.document, inputs);
    this.answered++;
    // Apollo's body: { errors, data, extensions } with the undefined ones left out, and a newline.
    return { contentType, body: `${JSON.stringify({ data: result.data })}\n`, notes };
  }

  /** Apollo's choice of media type for this Accept header (null: Apollo answers 406). */
  private contentType(accept: string | undefined): string | null {
    if (!accept) return SINGLE_RESULT_TYPES[0] as string;
    let chosen = this.contentTypes.get(accept);
    if (chosen === undefined) {
      chosen = new Negotiator({ headers: { accept } }).mediaType(SINGLE_RESULT_TYPES) ?? null;
      if (this.contentTypes.size >= 100) this.contentTypes.clear();
      this.contentTypes.set(accept, chosen);
    }
    return chosen;
  }

  /** The plan of a document seen before, compiled on its second sight; undefined while Apollo answers it. */
  private plan(query: string, operationName: string | undefined): Plan | undefined {
    const key = `${operationName ?? ''}\u0000${query}`;
    const known = this.known.get(key);
    if (known === 'apollo') return undefined;
    if (known !== undefined && 'compiled' in known) return known;
    const next: Known = known === undefined ? { seen: 1 } : this.compile(query, operationName);
    if (this.known.size >= MAX_DOCUMENTS && known === undefined) {
      const oldest = this.known.keys().next().value;
      if (oldest !== undefined) this.known.delete(oldest);
    }
    this.known.set(key, next);
    return next !== 'apollo' && 'compiled' in next ? next : undefined;
  }

  private compile(query: string, operationName: string | undefined): Plan | 'apollo' {
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: this.options.maxTokens });
    } catch {
      return 'apollo';
    }
    if (validate(this.schema, document, [...specifiedRules, ...this.options.rules]).length > 0) return 'apollo';
    // Checked before Apollo validates (server.ts): a refused document is Apollo's to answer.
    if (fragmentNesting(document) > MAX_FRAGMENT_NESTING || query.includes('updatePage')) return 'apollo';
    const operation = getOperationAST(document, operationName);
    if (!operation || operation.operation !== 'query' || /\b__(schema|type)\b/.test(query)) return 'apollo';
    const compiled = compileQuery(this.schema, document, operationName);
    if (!isCompiledQuery(compiled)) return 'apollo';
    this.compiled++;
    return { document, operation, compiled };
  }
}
