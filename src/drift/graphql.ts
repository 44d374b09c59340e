import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import {
  buildClientSchema,
  buildSchema,
  getIntrospectionQuery,
  specifiedDirectives,
  type IntrospectionQuery,
} from 'graphql';
import type { DriftChange, DriftLevel } from './report.js';
import { LiveApiError, request } from './http.js';

const LEVELS: Record<CriticalityLevel, DriftLevel> = {
  [CriticalityLevel.Breaking]: 'breaking',
  [CriticalityLevel.Dangerous]: 'dangerous',
  [CriticalityLevel.NonBreaking]: 'safe',
};

const BUILT_IN_DIRECTIVES = new Set(specifiedDirectives.map((d) => d.name));

/**
 * Introspection carries directive definitions but not where directives are used (`@cacheControl`
 * on a field): those usages are the server's business, never drift. Nor are the built-in
 * directives a server's graphql version adds or lacks (@specifiedBy, @oneOf).
 */
function isDrift(change: Change): boolean {
  if (change.type.startsWith('DIRECTIVE_USAGE_')) return false;
  const meta = change.meta as Record<string, unknown>;
  const directive = meta.removedDirectiveName ?? meta.addedDirectiveName ?? meta.directiveName;
  return !(typeof directive === 'string' && BUILT_IN_DIRECTIVES.has(directive));
}

/** The introspection query, fullest first; a server on an older graphql refuses the newer fields. */
const QUERIES = [
  getIntrospectionQuery({
    descriptions: true,
    specifiedByUrl: true,
    directiveIsRepeatable: true,
    inputValueDeprecation: true,
  }),
  getIntrospectionQuery({ descriptions: true }),
];

/** The live schema by introspection: one query, never a mutation. */
export async function introspect(
  url: string,
  token: string | undefined,
  timeoutMs: number,
): Promise<IntrospectionQuery> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
  let problem = '';
  for (const query of QUERIES) {
    const answer = await request(
      url,
      { method: 'POST', headers, body: JSON.stringify({ query, operationName: 'IntrospectionQuery' }) },
      timeoutMs,
    );
    const body = answer.json as { data?: IntrospectionQuery | null; errors?: { message?: string }[] } | undefined;
    if (answer.status === 401 || answer.status === 403) {
      throw new LiveApiError(
        `${url} refused the token (HTTP ${answer.status}${body?.errors?.[0]?.message ? `: ${body.errors[0].message}` : ''}): pass the API token of a real tenant with --token (or GUURU_API_TOKEN).`,
      );
    }
    if (body === undefined)
      throw new LiveApiError(
        `${url} answered HTTP ${answer.status} with something that is not JSON: ${answer.text.slice(0, 200)}`,
      );
    if (body.data?.__schema) return body.data;
    problem = body.errors?.map((e) => e.message).join('; ') || `HTTP ${answer.status} without data`;
  }
  throw new LiveApiError(
    `${url} does not answer the introspection query (${problem}): drift needs introspection enabled for this token.`,
  );
}

/** The changes from the emulator's schema (SDL) to the live one, each with its level. */
export async function compareSchemas(emulatorSdl: string, live: IntrospectionQuery): Promise<DriftChange[]> {
  const changes = (await diff(buildSchema(emulatorSdl), buildClientSchema(live))).filter(isDrift);
  // A type added or removed is one change: its fields, values and members come and go with it.
  const whole = new Set(changes.filter((c) => c.type === 'TYPE_ADDED' || c.type === 'TYPE_REMOVED').map((c) => c.path));
  const partOfWhole = (change: Change) =>
    change.path !== undefined && whole.has(change.path.split('.')[0]) && change.path.includes('.');
  return changes
    .filter((change) => !partOfWhole(change))
    .map((change) => ({
      api: 'graphql',
      level: LEVELS[change.criticality.level],
      type: change.type,
      ...(change.path ? { path: change.path } : {}),
      message: change.message,
    }));
}
