import fc from 'fast-check';
import {
  getNamedType,
  getNullableType,
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLInterfaceType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLUnionType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';

/** Ids the fuzzer mixes into requests so that they reach real records, not only "not found". */
export interface KnownIds {
  token: string;
  gurusupKey: string;
  tenant: string;
  chats: string[];
  personas: string[];
  submissions: string[];
  pages: string[];
  experts: string[];
  threads: string[];
  gurusupMessages: string[];
  scenarios: string[];
}

/** One HTTP request the fuzzer sends (raw: bytes straight onto a socket). */
export type FuzzRequest =
  | {
      kind: 'graphql' | 'rest';
      method: string;
      path: string;
      headers: Record<string, string>;
      body?: string | Uint8Array;
    }
  | { kind: 'raw'; bytes: string };

type Gen = fc.GeneratorValue;

/** encodeURIComponent that survives lone surrogates (the fuzzer's strings have them). */
const enc = (value: string): string => encodeURIComponent(value.replace(/[\ud800-\udfff]/g, '\ufffd'));
/** A header value fetch accepts (visible ASCII): odd bytes in headers are the raw requests' job. */
const headerValue = (value: string): string => value.replace(/[^\x20-\x7e]/g, '');

const pick = <T>(g: Gen, items: readonly T[]): T => items[g(fc.nat, { max: items.length - 1 })] as T;
const chance = (g: Gen, percent: number): boolean => g(fc.nat, { max: 99 }) < percent;

/** Short text: mostly words, sometimes unicode, control characters, GraphQL/JSON metacharacters or long runs. */
function text(g: Gen): string {
  switch (g(fc.nat, { max: 9 })) {
    case 0:
      return g(fc.string, { unit: 'grapheme', maxLength: 20 });
    case 1:
      return g(fc.string, { unit: 'binary', maxLength: 12 });
    case 2:
      return pick(g, [
        '"',
        '\\',
        '{',
        '}',
        '$x',
        '...',
        '#',
        '\u0000',
        '\ud800',
        '💥',
        '%00',
        '../../etc/passwd',
        '<script>',
      ]);
    case 3:
      return 'x'.repeat(g(fc.nat, { max: 5_000 }));
    default:
      return g(fc.stringMatching, /^[a-z][a-z0-9 _-]{0,15}$/);
  }
}

function int(g: Gen): number {
  return pick(g, [0, 1, 2, 10, 100, 101, -1, 2 ** 31 - 1, -(2 ** 31), g(fc.integer, { min: -5, max: 150 })]);
}

function idFor(g: Gen, ids: KnownIds): string {
  const all = [...ids.chats, ...ids.personas, ...ids.submissions, ...ids.pages, ...ids.experts];
  return chance(g, 75) && all.length > 0 ? pick(g, all) : text(g);
}

/** A GraphQL literal for `type`: mostly of the right shape, sometimes not. */
function literal(g: Gen, type: GraphQLInputType, ids: KnownIds, depth = 0): string {
  if (chance(g, 4)) return pick(g, ['null', '"wrong"', '12', 'true', '[1, 2]', '{a: 1}', 'RANDOM_ENUM', '3.5']);
  const nullable = getNullableType(type);
  if (nullable instanceof GraphQLList) {
    const n = g(fc.nat, { max: depth > 1 ? 1 : 3 });
    return `[${Array.from({ length: n }, () => literal(g, nullable.ofType as GraphQLInputType, ids, depth + 1)).join(', ')}]`;
  }
  if (nullable instanceof GraphQLEnumType) return pick(g, nullable.getValues()).name;
  if (nullable instanceof GraphQLInputObjectType) {
    if (depth > 3) return '{}';
    const fields = Object.values(nullable.getFields()).filter((f) => f.type instanceof GraphQLNonNull || chance(g, 50));
    return `{ ${fields.map((f) => `${f.name}: ${literal(g, f.type, ids, depth + 1)}`).join(', ')} }`;
  }
  const scalar = nullable as GraphQLScalarType;
  switch (scalar.name) {
    case 'Int':
      return String(int(g));
    case 'Float':
      return String(g(fc.double, { noNaN: true, noDefaultInfinity: true }));
    case 'Boolean':
      return pick(g, ['true', 'false']);
    case 'ID':
      return JSON.stringify(idFor(g, ids));
    default:
      // String and the custom scalars (Timestamp, JSON…): numbers, dates and strings.
      return pick(g, [
        JSON.stringify(text(g)),
        String(int(g)),
        '1546300800000',
        '"2026-11-22T00:00:00.000Z"',
        JSON.stringify(idFor(g, ids)),
      ]);
  }
}

interface DocParts {
  fragments: string[];
  variables: string[];
  values: Record<string, unknown>;
}

function selection(
  g: Gen,
  schema: GraphQLSchema,
  type: GraphQLNamedType,
  ids: KnownIds,
  depth: number,
  parts: DocParts,
): string {
  if (type instanceof GraphQLUnionType || type instanceof GraphQLInterfaceType) {
    const possible = schema.getPossibleTypes(type);
    const chosen = possible.filter(() => chance(g, 60));
    const inner = chosen.map((t) => `... on ${t.name} { ${selection(g, schema, t, ids, depth, parts)} }`);
    const common = type instanceof GraphQLInterfaceType ? fields(g, schema, type, ids, depth, parts) : '__typename';
    return [common, ...inner].join(' ') || '__typename';
  }
  if (!(type instanceof GraphQLObjectType)) return '__typename';
  const body = fields(g, schema, type, ids, depth, parts);
  if (depth > 0 && chance(g, 8)) {
    const name = `F${parts.fragments.length}`;
    parts.fragments.push(`fragment ${name} on ${type.name} { ${body} }`);
    return `...${name}`;
  }
  return body;
}

function fields(
  g: Gen,
  schema: GraphQLSchema,
  type: GraphQLObjectType | GraphQLInterfaceType,
  ids: KnownIds,
  depth: number,
  parts: DocParts,
): string {
  const all = Object.values(type.getFields());
  const count = 1 + g(fc.nat, { max: Math.min(4, all.length - 1) });
  const chosen: GraphQLField<unknown, unknown>[] = Array.from({ length: count }, () => pick(g, all));
  const out: string[] = [];
  for (const [i, field] of chosen.entries()) {
    const alias = chance(g, 15) ? `a${i}_${depth}: ` : '';
    const args = field.args.filter((a) => a.type instanceof GraphQLNonNull || chance(g, 40));
    const argText = args
      .map((a) => {
        if (chance(g, 15)) {
          const name = `v${parts.variables.length}`;
          parts.variables.push(`$${name}: ${String(a.type)}`);
          parts.values[name] = pick(g, [int(g), text(g), true, null, idFor(g, ids), { a: 1 }]);
          return `${a.name}: $${name}`;
        }
        return `${a.name}: ${literal(g, a.type, ids)}`;
      })
      .join(', ');
    const directive = chance(g, 5) ? ` @${pick(g, ['include', 'skip'])}(if: ${pick(g, ['true', 'false'])})` : '';
    const named = getNamedType(field.type);
    const composite =
      named instanceof GraphQLObjectType || named instanceof GraphQLInterfaceType || named instanceof GraphQLUnionType;
    const sub = composite
      ? depth >= 6
        ? ' { __typename }'
        : ` { ${selection(g, schema, named, ids, depth + 1, parts)} }`
      : '';
    out.push(`${alias}${field.name}${argText ? `(${argText})` : ''}${directive}${sub}`);
  }
  return out.join(' ');
}

/** A document generated from the schema (queries and mutations, aliases, fragments, variables, directives). */
function validDocument(
  g: Gen,
  schema: GraphQLSchema,
  ids: KnownIds,
): { query: string; variables: Record<string, unknown> } {
  const parts: DocParts = { fragments: [], variables: [], values: {} };
  const mutation = chance(g, 30);
  const root = (mutation ? schema.getMutationType() : schema.getQueryType()) as GraphQLObjectType;
  const body = fields(g, schema, root, ids, 0, parts);
  const vars = parts.variables.length > 0 ? `(${parts.variables.join(', ')})` : '';
  const op = `${mutation ? 'mutation' : 'query'} Fuzz${vars} { ${body} }`;
  return { query: [op, ...parts.fragments].join('\n'), variables: parts.values };
}

/** Breaks a document the way hand-typed or truncated queries are broken. */
function corrupt(g: Gen, query: string): string {
  const at = g(fc.nat, { max: Math.max(0, query.length - 1) });
  switch (g(fc.nat, { max: 7 })) {
    case 0:
      return query.slice(0, at);
    case 1:
      return (
        query.slice(0, at) + pick(g, ['{', '}', '(', ')', '$', '!', '"', '...', '@', ':', '\\u']) + query.slice(at)
      );
    case 2:
      return query.slice(0, at) + query.slice(at + 1 + g(fc.nat, { max: 5 }));
    case 3:
      return query.replace(/\b[a-z][A-Za-z]+\b/, text(g).replace(/\W/g, '') || 'unknownField');
    case 4:
      return `subscription { partner { id } }`;
    case 5:
      return `{ partner { ${'...F '.repeat(g(fc.nat, { max: 50 }))} } }`;
    case 6:
      return text(g);
    default:
      return `${query} ${query}`;
  }
}

const AUTH = (g: Gen, ids: KnownIds): Record<string, string> =>
  pick<Record<string, string>>(g, [
    { authorization: `Bearer ${ids.token}` },
    { authorization: `Bearer ${ids.token}` },
    { authorization: ids.token },
    {},
    { authorization: `Bearer ${headerValue(text(g))}` },
    { authorization: 'Basic Zm9vOmJhcg==' },
  ]);

/** A GraphQL request: valid documents from the schema, broken ones, odd transports. */
export function graphqlRequest(schema: GraphQLSchema, ids: KnownIds): fc.Arbitrary<FuzzRequest> {
  return fc.gen().map((g): FuzzRequest => {
    const doc = validDocument(g, schema, ids);
    const query = chance(g, 70) ? doc.query : corrupt(g, doc.query);
    const headers: Record<string, string> = { ...AUTH(g, ids) };
    const shape = g(fc.nat, { max: 9 });
    if (shape === 0)
      return {
        kind: 'graphql',
        method: 'GET',
        path: `/graphql?query=${enc(query)}&variables=${enc(JSON.stringify(doc.variables))}`,
        headers,
      };
    headers['content-type'] = pick(g, [
      'application/json',
      'application/json',
      'application/json; charset=utf-8',
      'text/plain',
      'application/graphql',
      'application/x-www-form-urlencoded',
    ]);
    const payload =
      shape === 1
        ? JSON.stringify([{ query }, { query: doc.query }])
        : shape === 2
          ? JSON.stringify({ query, variables: text(g), operationName: pick(g, [null, 'Fuzz', 'Other', 7]) })
          : shape === 3
            ? JSON.stringify({ query: int(g) })
            : JSON.stringify({ query, variables: doc.variables });
    return { kind: 'graphql', method: 'POST', path: '/graphql', headers, body: payload };
  });
}

interface RouteTemplate {
  method: string;
  path: (g: Gen, ids: KnownIds) => string;
  body?: (g: Gen, ids: KnownIds) => unknown;
}

const loopbackUrl = (g: Gen) => `http://127.0.0.1:${pick(g, [9, 1, 65_000])}/${text(g).replace(/[^a-z0-9]/gi, '')}`;
const chatPath = (g: Gen, ids: KnownIds) =>
  `/_emulator/tenants/${chance(g, 90) ? ids.tenant : text(g)}/chats/${chance(g, 85) && ids.chats.length ? pick(g, ids.chats) : enc(text(g))}`;
const anyValue = (g: Gen): unknown => g(fc.jsonValue, { maxDepth: 3 });

/** Every REST and control route, with bodies shaped like theirs (and sometimes not). */
const ROUTES: RouteTemplate[] = [
  { method: 'GET', path: () => '/_emulator/health' },
  { method: 'POST', path: () => '/_emulator/reset' },
  { method: 'GET', path: () => '/_emulator/tenants' },
  {
    method: 'POST',
    path: () => '/_emulator/tenants',
    body: (g) =>
      pick(g, [{}, { id: text(g) }, { token: text(g), seed: int(g) }, { template: text(g) }, { gurusupKey: text(g) }]),
  },
  { method: 'GET', path: (g, ids) => `/_emulator/tenants/${chance(g, 80) ? ids.tenant : enc(text(g))}` },
  { method: 'POST', path: (g, ids) => `/_emulator/tenants/${chance(g, 50) ? ids.tenant : enc(text(g))}/reset` },
  { method: 'DELETE', path: (g) => `/_emulator/tenants/${enc(text(g))}` },
  { method: 'GET', path: (g, ids) => `/_emulator/tenants/${ids.tenant}/chats?limit=${int(g)}&status=${enc(text(g))}` },
  {
    method: 'POST',
    path: (g, ids) => `/_emulator/tenants/${ids.tenant}/chats`,
    body: (g) =>
      pick(g, [
        { question: text(g) },
        { question: text(g), requestedExperts: ['api'] },
        { question: text(g), language: text(g), user: { name: text(g) } },
        { question: '' },
      ]),
  },
  { method: 'GET', path: chatPath },
  { method: 'GET', path: (g, ids) => `${chatPath(g, ids)}/activity` },
  {
    method: 'POST',
    path: (g, ids) =>
      `${chatPath(g, ids)}/${pick(g, ['assign', 'accept', 'messages', 'close', 'reopen', 'handover', 'rate', 'miss', 'transfer-to-persona', enc(text(g))])}`,
    body: (g, ids) =>
      pick(g, [
        {},
        { text: text(g) },
        { from: pick(g, ['user', 'expert', 'api', 'bot', 'nobody']), text: text(g) },
        { posting: { type: pick(g, ['text', 'attachment', 'x']), text: text(g), address: loopbackUrl(g) } },
        { rating: pick(g, ['good', 'average', 'bad', text(g)]) },
        { personaId: pick(g, ids.personas.length ? ids.personas : ['x']) },
        { requestedExperts: [pick(g, ['api', ...ids.experts.slice(0, 3)])] },
        { by: pick(g, ['user', 'expert', 'api', 'system', text(g)]) },
      ]),
  },
  { method: 'GET', path: () => '/_emulator/gurusup' },
  {
    method: 'PUT',
    path: () => '/_emulator/gurusup',
    body: (g) =>
      pick(g, [
        { autoReply: pick(g, [true, false]) },
        { language: text(g) },
        { webhookUrl: loopbackUrl(g) },
        { postStatus: int(g) },
      ]),
  },
  { method: 'GET', path: (g, ids) => `/_emulator/tenants/${ids.tenant}/gurusup/threads` },
  {
    method: 'POST',
    path: (g, ids) => `/_emulator/tenants/${ids.tenant}/gurusup/messages`,
    body: (g) => ({ thread_fid: text(g), body: text(g), lang: pick(g, ['en', 'de', text(g)]) }),
  },
  {
    method: 'GET',
    path: (g) =>
      `/_emulator/requests?limit=${int(g)}&api=${enc(pick(g, ['graphql', 'gurusup', text(g)]))}&failed=${enc(pick(g, ['true', 'false', text(g)]))}`,
  },
  { method: 'GET', path: (g) => `/_emulator/requests/${enc(text(g))}` },
  { method: 'DELETE', path: () => '/_emulator/requests' },
  { method: 'GET', path: () => '/_emulator/clock' },
  { method: 'POST', path: () => '/_emulator/clock/advance', body: (g) => ({ ms: int(g) }) },
  { method: 'GET', path: () => '/_emulator/scenarios' },
  { method: 'GET', path: (g, ids) => `/_emulator/scenarios/${enc(pick(g, [...ids.scenarios, text(g)]))}` },
  {
    method: 'POST',
    path: (g, ids) => `/_emulator/scenarios/${pick(g, [...ids.scenarios, enc(text(g))])}/runs`,
    body: (g) =>
      pick(g, [
        { speed: 0 },
        { speed: 0, params: { chats: int(g) } },
        { speed: g(fc.double, { min: -1, max: 1e7, noNaN: true }) },
        { target: loopbackUrl(g), speed: 0 },
        { seed: int(g), speed: 0 },
      ]),
  },
  { method: 'GET', path: (g, ids) => `/_emulator/scenarios/${pick(g, ids.scenarios)}/runs` },
  {
    method: 'GET',
    path: (g, ids) => `/_emulator/scenarios/${pick(g, ids.scenarios)}/runs/run-${g(fc.nat, { max: 30 })}`,
  },
  {
    method: 'DELETE',
    path: (g, ids) => `/_emulator/scenarios/${pick(g, ids.scenarios)}/runs/run-${g(fc.nat, { max: 30 })}`,
  },
  { method: 'GET', path: () => '/_emulator/snapshots' },
  {
    method: 'POST',
    path: () => '/_emulator/snapshots',
    body: (g) => pick(g, [{ name: text(g) }, { name: 'fuzz' }, {}]),
  },
  { method: 'POST', path: (g) => `/_emulator/snapshots/${pick(g, ['fuzz', enc(text(g))])}/restore` },
  { method: 'DELETE', path: (g) => `/_emulator/snapshots/${pick(g, ['fuzz', enc(text(g))])}` },
  { method: 'GET', path: () => '/_emulator/webhooks' },
  {
    method: 'PUT',
    path: () => '/_emulator/webhooks',
    body: (g) =>
      pick(g, [
        { url: loopbackUrl(g) },
        { url: null },
        { active: pick(g, [true, false]) },
        { secret: text(g) },
        { events: { [text(g)]: loopbackUrl(g) } },
        { eventNames: text(g) },
      ]),
  },
  { method: 'GET', path: () => '/_emulator/webhooks/policy' },
  {
    method: 'PUT',
    path: () => '/_emulator/webhooks/policy',
    body: (g) => ({ maxAttempts: int(g), baseDelayMs: int(g), timeoutMs: int(g) }),
  },
  { method: 'GET', path: (g) => `/_emulator/deliveries?limit=${int(g)}&status=${enc(text(g))}` },
  { method: 'GET', path: (g) => `/_emulator/deliveries/${enc(text(g))}` },
  {
    method: 'POST',
    path: (g) => `/_emulator/deliveries/d-${g(fc.nat, { max: 20 })}/redeliver`,
    body: (g) => pick(g, [{}, { url: loopbackUrl(g) }]),
  },
  { method: 'DELETE', path: () => '/_emulator/deliveries' },
  { method: 'POST', path: () => '/_emulator/deliveries/flush', body: (g) => ({ timeoutMs: g(fc.nat, { max: 200 }) }) },
  { method: 'GET', path: () => '/_emulator/faults' },
  {
    method: 'POST',
    path: () => '/_emulator/faults',
    body: (g) => ({
      kind: pick(g, ['duplicate', 'delay', 'reorder', 'drop-first-attempt', text(g)]),
      times: pick(g, [1, null, int(g)]),
      delayMs: int(g),
    }),
  },
  { method: 'DELETE', path: (g) => `/_emulator/faults/${enc(text(g))}` },
  {
    method: 'POST',
    path: () => '/_emulator/trigger',
    body: (g) => ({
      event: pick(g, [
        'chat-assigned',
        'chat-opened',
        'message-created',
        'chat-closed',
        'chat-rated',
        'send_message',
        text(g),
      ]),
      only: pick(g, [true, false]),
      timeoutMs: g(fc.nat, { max: 300 }),
    }),
  },
  { method: 'GET', path: () => '/_emulator/verifications' },
  { method: 'GET', path: (g) => `/_emulator/verifications/${enc(text(g))}` },
  { method: 'GET', path: () => '/gurusup/threads' },
  {
    method: 'GET',
    path: (g, ids) =>
      `/gurusup${pick(g, ['', '/api/v1'])}/threads/${chance(g, 70) && ids.threads.length ? pick(g, ids.threads) : enc(text(g))}`,
  },
  {
    method: 'GET',
    path: (g, ids) =>
      `/gurusup/messages/${chance(g, 70) && ids.gurusupMessages.length ? pick(g, ids.gurusupMessages) : enc(text(g))}`,
  },
  {
    method: 'POST',
    path: (g) => `/gurusup${pick(g, ['', '/api/v1'])}/messages`,
    body: (g) =>
      pick(g, [
        { body: text(g), thread_fid: text(g), user_fid: text(g) },
        {
          body: text(g),
          thread_fid: 'fuzz-thread',
          is_customer_support_agent: pick(g, [true, false, 'yes']),
          lang: text(g),
        },
        { body: int(g), thread_fid: null },
      ]),
  },
  { method: 'GET', path: () => '/gurusup/openapi.json' },
  { method: 'GET', path: () => '/' },
];

/** Any route of the REST and control APIs (and unknown ones), with JSON, near-JSON and non-JSON bodies. */
export function restRequest(ids: KnownIds): fc.Arbitrary<FuzzRequest> {
  return fc.gen().map((g): FuzzRequest => {
    const route = chance(g, 95)
      ? pick(g, ROUTES)
      : {
          method: pick(g, ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD']),
          path: () => `/${pick(g, ['_emulator', 'gurusup', 'graphql', ''])}/${enc(text(g))}`,
        };
    const method = chance(g, 95) ? route.method : pick(g, ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD']);
    const headers: Record<string, string> = {};
    if (chance(g, 60)) headers['x-api-key'] = chance(g, 85) ? ids.gurusupKey : headerValue(text(g)) || 'x';
    if (chance(g, 10)) headers.origin = pick(g, ['https://evil.example', 'null', 'http://127.0.0.1']);
    if (chance(g, 5)) headers.accept = pick(g, ['text/html', 'application/xml', '*/*']);
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS')
      return { kind: 'rest', method, path: route.path(g, ids), headers };
    const value = route.body && chance(g, 80) ? route.body(g, ids) : anyValue(g);
    const form = g(fc.nat, { max: 19 });
    let body: string | Uint8Array = JSON.stringify(value);
    headers['content-type'] = 'application/json';
    if (form === 0) headers['content-type'] = 'text/plain';
    else if (form === 1) headers['content-type'] = 'application/x-www-form-urlencoded';
    else if (form === 2) body = body.slice(0, Math.max(0, body.length - 2));
    else if (form === 3) body = `${body}garbage`;
    else if (form === 4) headers['content-encoding'] = pick(g, ['gzip', 'deflate', 'br', 'compress']);
    else if (form === 5) headers['content-type'] = 'application/json; charset=utf-16';
    else if (form === 6) body = '';
    return { kind: 'rest', method, path: route.path(g, ids), headers, body };
  });
}

/** Bytes no well-behaved client sends: broken request lines, headers, lengths, chunking and encodings. */
export function rawRequest(): fc.Arbitrary<FuzzRequest> {
  return fc.gen().map((g): FuzzRequest => {
    const path = pick(g, [
      '/graphql',
      '/_emulator/reset',
      '/_emulator/tenants',
      '/gurusup/messages',
      '/',
      '/%',
      '/_emulator/tenants/%E0%A4%A',
      `/${'a'.repeat(g(fc.nat, { max: 9_000 }))}`,
    ]);
    const method = pick(g, ['GET', 'POST', 'PUT', 'DELETE', 'FOO', 'G ET', '', 'CONNECT', 'TRACE']);
    const version = pick(g, ['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', '', 'http/1.1']);
    const body = pick(g, ['{"query":"{ partner { id } }"}', '{', '', 'x'.repeat(g(fc.nat, { max: 2_000 }))]);
    const headerLines: string[] = ['Host: 127.0.0.1'];
    const extras = g(fc.nat, { max: 4 });
    for (let i = 0; i < extras; i++) {
      headerLines.push(
        pick(g, [
          `Content-Length: ${pick(g, [String(body.length), String(body.length + 10), '-1', 'abc', '99999999999999999999'])}`,
          'Transfer-Encoding: chunked',
          `Transfer-Encoding: ${text(g)}`,
          'Content-Type: application/json',
          `Content-Encoding: ${pick(g, ['gzip', 'br', 'deflate', 'identity, gzip'])}`,
          'Authorization: Bearer demo-token',
          `X-${'h'.repeat(g(fc.nat, { max: 100 }))}: ${'v'.repeat(g(fc.nat, { max: 10_000 }))}`,
          'No-Colon-Header',
          ` Leading-Space: x`,
          `Bad Name: x`,
          `Header: \u0000\u0001`,
        ]),
      );
    }
    const chunked = headerLines.some((h) => h === 'Transfer-Encoding: chunked');
    const payload = chunked
      ? pick(g, [
          `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
          `zz\r\n${body}\r\n`,
          '5\r\nabc\r\n0\r\n\r\n',
          `${body}`,
        ])
      : body;
    const shape = g(fc.nat, { max: 9 });
    if (shape === 0) return { kind: 'raw', bytes: g(fc.string, { unit: 'binary', maxLength: 200 }) };
    if (shape === 1) return { kind: 'raw', bytes: 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n' };
    const lineEnd = shape === 2 ? '\n' : '\r\n';
    return {
      kind: 'raw',
      bytes: `${method} ${path} ${version}${lineEnd}${headerLines.join(lineEnd)}${lineEnd}${lineEnd}${payload}`,
    };
  });
}
