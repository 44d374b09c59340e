import type { Request, Response } from 'express';
import {
  execute,
  getOperationAST,
  getVariableValues,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
} from 'graphql';
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

/** A document the lane may answer: parsed and validated. */
interface Checked {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  operationName: string | undefined;
}

/** A document the lane runs: checked, and how it is executed (graphql-js, or graphql-jit's compiled form). */
interface Plan extends Checked {
  execute(context: GraphQLContext, inputs: Record<string, unknown>): ExecutionResult | Promise<ExecutionResult>;
}

/** What the lane knows of a document: seen once (not kept), a plan, or Apollo's for good. */
type Known = { seen: 1 } | Plan | 'apollo';

type Jit = typeof import('graphql-jit');

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
 * The quick way through /graphql for successful queries, without Apollo's request pipeline: the
 * first time a query document arrives graphql-js executes it (as Apollo would, so a start whose
 * first request is a plain query need not load Apollo); the second time it is compiled
 * (graphql-jit, loaded then) and kept. It answers only what it can answer exactly as Apollo does
 * (status, headers, body byte for byte, the journal's notes): a successful query with a Bearer
 * token and no leniency warning. Anything else (mutations, introspection, errors, limits,
 * extensions, unusual Accept headers) is left to Apollo, which stays the reference.
 */
export class FastLane {
  private readonly known = new Map<string, Known>();
  private readonly contentTypes = new Map<string, string | null>();
  /** graphql-jit, once loaded (on the first document seen twice). */
  private jit: Jit | undefined;
  private jitLoading = false;
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
    const result = plan.execute(context, inputs);
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

  /** How the lane runs a document: interpreted on its first sight, compiled from its second; undefined: Apollo's. */
  private plan(query: string, operationName: string | undefined): Plan | undefined {
    const key = `${operationName ?? ''}\u0000${query}`;
    const known = this.known.get(key);
    if (known === 'apollo') return undefined;
    if (known !== undefined && 'execute' in known) return known;
    const checked = this.check(query, operationName);
    if (checked === 'apollo') {
      this.remember(key, 'apollo', known === undefined);
      return undefined;
    }
    if (known === undefined || !this.jit) {
      // A document seen once is not kept (a client generating documents cannot grow memory).
      if (known !== undefined) this.loadJit();
      this.remember(key, { seen: 1 }, known === undefined);
      return this.interpreted(checked);
    }
    const plan = this.compile(this.jit, checked);
    this.remember(key, plan, false);
    return plan;
  }

  private remember(key: string, value: Known, isNew: boolean): void {
    if (isNew && this.known.size >= MAX_DOCUMENTS) {
      const oldest = this.known.keys().next().value;
      if (oldest !== undefined) this.known.delete(oldest);
    }
    this.known.set(key, value);
  }

  /** Parsed and validated as Apollo would, or 'apollo' when Apollo must answer it (an error, a mutation, introspection). */
  private check(query: string, operationName: string | undefined): Checked | 'apollo' {
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
    return { document, operation, operationName };
  }

  /** graphql-js's own execution, Apollo's executor. */
  private interpreted(checked: Checked): Plan {
    const { schema } = this;
    const { document, operationName } = checked;
    return {
      ...checked,
      execute: (contextValue, variableValues) =>
        execute({ schema, document, operationName, contextValue, variableValues }),
    };
  }

  /** graphql-jit's compiled form; one it cannot compile stays with graphql-js. */
  private compile(jit: Jit, checked: Checked): Plan {
    const compiled = jit.compileQuery(this.schema, checked.document, checked.operationName);
    if (!jit.isCompiledQuery(compiled)) return this.interpreted(checked);
    this.compiled++;
    return { ...checked, execute: (context, inputs) => compiled.query(undefined, context, inputs) };
  }

  /** Loads graphql-jit in the background (its module and its JSON serialiser are not needed before a document repeats). */
  private loadJit(): void {
    if (this.jitLoading) return;
    this.jitLoading = true;
    import('graphql-jit').then(
      (jit) => (this.jit = jit),
      () => undefined, // the lane goes on with graphql-js
    );
  }
}
