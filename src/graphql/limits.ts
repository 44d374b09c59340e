import type { ApolloServerPlugin } from '@apollo/server';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  GraphQLError,
  Kind,
  TypeInfo,
  ValidationContext,
  parse,
  visit,
  visitInParallel,
  visitWithTypeInfo,
  type ArgumentNode,
  type DocumentNode,
  type FieldNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { DEFAULT_GRAPHQL_LIMITS, type GraphQLLimits } from '../config/config.js';
import { MAX_PAGE_SIZE } from '../domain/pagination.js';

export { DEFAULT_GRAPHQL_LIMITS, type GraphQLLimits };

/** Deepest selection accepted by default (fragments do not add a level). The documented examples need 8. */
export const MAX_QUERY_DEPTH = DEFAULT_GRAPHQL_LIMITS.depth;

/** The flag that changes each limit, named in every refusal. */
export const LIMIT_FLAGS: Record<keyof GraphQLLimits, string> = {
  cost: '--max-query-cost',
  aliases: '--max-aliases',
  directives: '--max-directives',
  tokens: '--max-tokens',
  depth: '--max-depth',
};

export type LimitReason = 'MAX_COST' | 'MAX_ALIASES' | 'MAX_DIRECTIVES' | 'MAX_TOKENS' | 'MAX_DEPTH';

const REASON_OF: Record<keyof GraphQLLimits, LimitReason> = {
  cost: 'MAX_COST',
  aliases: 'MAX_ALIASES',
  directives: 'MAX_DIRECTIVES',
  tokens: 'MAX_TOKENS',
  depth: 'MAX_DEPTH',
};

/** The refusal of a document over a limit: GRAPHQL_VALIDATION_FAILED (HTTP 400) with the reason, the limit and what was found. */
export function limitError(
  limit: keyof GraphQLLimits,
  value: number,
  found: number | undefined,
  what: string,
): GraphQLError {
  return new GraphQLError(
    `${what} limit of ${value} exceeded${found === undefined ? '' : ` (found ${found})`}: the emulator refuses it before running it. Ask for less (smaller pages, fewer aliases or fields) or raise the limit with ${LIMIT_FLAGS[limit]}.`,
    {
      extensions: {
        code: 'GRAPHQL_VALIDATION_FAILED',
        reason: REASON_OF[limit],
        limit: value,
        ...(found === undefined ? {} : { found }),
        http: { status: 400 },
      },
    },
  );
}

/**
 * Most fragments nested in one another. graphql-js's own validation recurses once per level and
 * overflows the stack on a chain of thousands; the default token limit keeps chains far shorter,
 * this keeps a raised one from turning a chain into an internal error.
 */
export const MAX_FRAGMENT_NESTING = 100;

/** The longest chain of fragment spreads in a document (iterative: it must not overflow itself). */
export function fragmentNesting(document: DocumentNode): number {
  const spreads = new Map<string, string[]>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.FRAGMENT_DEFINITION) continue;
    const names: string[] = [];
    visit(definition.selectionSet, { FragmentSpread: (node) => void names.push(node.name.value) });
    spreads.set(definition.name.value, names);
  }
  const depth = new Map<string, number>();
  for (const start of spreads.keys()) {
    // Post-order walk with an explicit stack; a name seen on the current path (a cycle) counts 0 (validation reports cycles).
    const stack: { name: string; next: number }[] = [{ name: start, next: 0 }];
    const onPath = new Set([start]);
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { name: string; next: number };
      const children = spreads.get(top.name) ?? [];
      const child = children[top.next++];
      if (child !== undefined) {
        if (!depth.has(child) && !onPath.has(child) && spreads.has(child)) {
          stack.push({ name: child, next: 0 });
          onPath.add(child);
        }
        continue;
      }
      depth.set(top.name, 1 + children.reduce((most, c) => Math.max(most, depth.get(c) ?? 0), 0));
      onPath.delete(top.name);
      stack.pop();
    }
  }
  let most = 0;
  for (const d of depth.values()) most = Math.max(most, d);
  return most;
}

/**
 * The refusal (as a formatted GraphQL error) of a document whose fragments nest deeper than
 * MAX_FRAGMENT_NESTING, checked before Apollo validates it; undefined when it is fine or does not
 * parse (Apollo reports that itself).
 */
export function fragmentNestingRefusal(query: string, maxTokens: number): GraphQLFormattedError | undefined {
  if (!query.includes('fragment')) return undefined;
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens });
  } catch {
    return undefined;
  }
  const found = fragmentNesting(document);
  if (found <= MAX_FRAGMENT_NESTING) return undefined;
  return {
    message: `Fragment nesting limit of ${MAX_FRAGMENT_NESTING} exceeded (found ${found}): fragments spread within fragments that deep are refused before running. Flatten them.`,
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED', reason: 'MAX_DEPTH', limit: MAX_FRAGMENT_NESTING, found },
  };
}

const foundIn = (message: string): number | undefined => {
  const match = /found (\d+(?:\.\d+)?)/.exec(message);
  return match?.[1] === undefined ? undefined : Math.ceil(Number(match[1]));
};

/** Validation rules (cached with the document by Apollo): depth, aliases, directives. */
export function limitRules(limits: GraphQLLimits): ValidationRule[] {
  const report = (limit: keyof GraphQLLimits, what: string) => [
    (ctx: ValidationContext | null, error: GraphQLError) =>
      ctx?.reportError(limitError(limit, limits[limit], foundIn(error.message), what)),
  ];
  return [
    (context) =>
      maxDepthRule({
        n: limits.depth,
        flattenFragments: true,
        ignoreIntrospection: true,
        propagateOnRejection: false,
        onReject: report('depth', 'Query depth'),
      })(context),
    (context) =>
      maxAliasesRule({ n: limits.aliases, propagateOnRejection: false, onReject: report('aliases', 'Aliases') })(
        context,
      ),
    (context) =>
      maxDirectivesRule({
        n: limits.directives,
        propagateOnRejection: false,
        onReject: report('directives', 'Directives'),
      })(context),
  ];
}

/**
 * The document as the cost rule should see it: every `first` a number, so that a page multiplies
 * the cost of what it selects. A variable counts with its value in this request (else its default,
 * else the largest page), a left-out `first` with the schema's default; values are capped at the
 * largest page the API serves (a bigger one is refused by the resolver with BAD_USER_INPUT).
 */
function withPageSizes(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
): DocumentNode {
  const defaults = new Map<string, unknown>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const v of definition.variableDefinitions ?? []) {
      if (v.defaultValue?.kind === Kind.INT) defaults.set(v.variable.name.value, Number(v.defaultValue.value));
    }
  }
  const pageSize = (value: unknown): number => {
    const n = typeof value === 'number' && Number.isFinite(value) ? value : MAX_PAGE_SIZE;
    return Math.max(1, Math.min(MAX_PAGE_SIZE, Math.floor(n)));
  };
  const intArgument = (n: number): ArgumentNode => ({
    kind: Kind.ARGUMENT,
    name: { kind: Kind.NAME, value: 'first' },
    value: { kind: Kind.INT, value: String(n) },
  });
  const typeInfo = new TypeInfo(schema);
  return visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter(node: FieldNode) {
          const definition = typeInfo.getFieldDef();
          const firstArg = definition?.args.find((a) => a.name === 'first');
          if (!firstArg) return undefined;
          const given = node.arguments?.find((a) => a.name.value === 'first');
          let size: number;
          if (!given) size = pageSize(firstArg.defaultValue ?? MAX_PAGE_SIZE);
          else if (given.value.kind === Kind.INT) size = pageSize(Number(given.value.value));
          else if (given.value.kind === Kind.VARIABLE) {
            const name = given.value.name.value;
            size = pageSize(Object.hasOwn(variables, name) ? variables[name] : defaults.get(name));
          } else return undefined;
          return {
            ...node,
            arguments: [...(node.arguments ?? []).filter((a) => a.name.value !== 'first'), intArgument(size)],
          };
        },
      },
    }),
  );
}

/** The cost verdict of one request: the refusal, or null when within the limit. */
export type CostCheck = (
  document: DocumentNode,
  variables: Record<string, unknown>,
  operationName: string | null | undefined,
) => GraphQLError | null;

/**
 * The cost limit (graphql-armor's cost model on the document with its page sizes filled in), run
 * once the operation is known, with this request's variables. The verdict is kept per document
 * object, operation and page-size variables, so a repeated query pays nothing.
 */
export function createCostCheck(schema: GraphQLSchema, limits: GraphQLLimits): CostCheck {
  const verdicts = new WeakMap<DocumentNode, { pageVariables: string[]; byKey: Map<string, GraphQLError | null> }>();
  return (document, variables, operationName) => {
    let known = verdicts.get(document);
    if (!known) {
      const pageVariables = new Set<string>();
      visit(document, {
        Argument: (node) =>
          void (
            node.name.value === 'first' &&
            node.value.kind === Kind.VARIABLE &&
            pageVariables.add(node.value.name.value)
          ),
      });
      known = { pageVariables: [...pageVariables], byKey: new Map() };
      verdicts.set(document, known);
    }
    const key = JSON.stringify([operationName ?? null, ...known.pageVariables.map((name) => variables[name] ?? null)]);
    const cached = known.byKey.get(key);
    if (cached !== undefined) return cached;
    const verdict = estimate(schema, limits, document, variables, operationName);
    if (known.byKey.size >= 100) known.byKey.clear();
    known.byKey.set(key, verdict);
    return verdict;
  };
}

/** The cost limit as an Apollo plugin: it refuses before anything executes. */
export function costLimitPlugin(check: CostCheck): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request, operationName }) {
          const refusal = check(document, (request.variables ?? {}) as Record<string, unknown>, operationName);
          if (refusal) throw refusal;
        },
      };
    },
  };
}

/** graphql-armor's cost of the operation with its page sizes filled in: the refusal, or null when within the limit. */
function estimate(
  schema: GraphQLSchema,
  limits: GraphQLLimits,
  document: DocumentNode,
  variables: Record<string, unknown>,
  operationName: string | null | undefined,
): GraphQLError | null {
  const sized = withPageSizes(schema, document, variables);
  let refusal: GraphQLError | null = null;
  const rule = costLimitRule({
    maxCost: limits.cost,
    objectCost: 2,
    scalarCost: 1,
    depthCostFactor: 1,
    flattenFragments: true,
    ignoreIntrospection: true,
    propagateOnRejection: false,
    onReject: [(_ctx, error) => (refusal ??= limitError('cost', limits.cost, foundIn(error.message), 'Query cost'))],
  });
  const context = new ValidationContext(schema, sized, new TypeInfo(schema), () => undefined);
  // Only the operation being run counts (a document may hold several).
  const operations = sized.definitions.filter(
    (d) => d.kind === Kind.OPERATION_DEFINITION && (operationName == null || d.name?.value === operationName),
  );
  visit({ ...sized, definitions: operations }, visitInParallel([rule(context)]));
  return refusal;
}
