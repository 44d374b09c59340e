import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { buildSchema, graphql, Kind, parse, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DriftUsageError, runDrift, type DriftFlags } from '../../../src/cli/drift.js';
import type { DriftReport } from '../../../src/drift/report.js';
import { startEmulator, type TestEmulator } from '../../helpers/emulator.js';
import { junitSchemaErrors } from '../../helpers/junit-schema.js';

/**
 * A stand-in for the live APIs: GraphQL serving a changed copy of schema.graphql (a field removed,
 * an argument changed, a type added; another path only adds a type), and a Gurusup API whose
 * threads and messages lost and gained fields. It records every request, so the test can tell that
 * drift only read.
 */
const SDL = readFileSync(join(import.meta.dirname, '../../../schema.graphql'), 'utf8');
const change = (from: string, to: string, sdl = SDL) => {
  if (!sdl.includes(from)) throw new Error(`schema.graphql no longer has ${from}`);
  return sdl.replace(from, to);
};
const ADDED_TYPE = '\ntype ChatTag {\n  id: ID!\n  name: String\n}\n';
const CHANGED = buildSchema(
  change(
    '    orderBy: ChatOrder\n    startDate',
    '    orderBy: ChatOrder!\n    startDate',
    change('  question: String\n  rating: Rating\n', '  question: String\n'),
  ) + ADDED_TYPE,
);
const ONLY_ADDED = buildSchema(SDL + ADDED_TYPE);

const TOKEN = 'live-token-1';
const KEY = 'live-key-1';
const fid = 'thread-1';
const hash = createHash('md5').update(fid).digest('hex');
const at = '2026-11-22T10:00:00.000Z';
// A thread without `lang` (a field the emulator adds) and with `channel`; a message without `user_fid` (documented).
const thread = {
  thread: hash,
  thread_fid: fid,
  user_fid: 'customer-1',
  message_count: 1,
  created_at: at,
  updated_at: at,
  channel: 'web',
};
const message = {
  _id: 'a'.repeat(24),
  id: 'a'.repeat(24),
  thread: hash,
  thread_fid: fid,
  body: 'hi',
  lang: 'en',
  is_customer_support_agent: false,
  created_at: at,
  updated_at: at,
};

interface Seen {
  method: string;
  path: string;
  operations: string[];
}
let live: Server;
let liveUrl: string;
const seen: Seen[] = [];

function startLive(): Promise<void> {
  live = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const path = req.url ?? '/';
      const entry: Seen = { method: req.method ?? '', path, operations: [] };
      seen.push(entry);
      if (path === '/graphql' || path === '/graphql-safe') {
        if (req.headers.authorization !== `Bearer ${TOKEN}`)
          return send(401, { errors: [{ message: 'Unauthorized', extensions: { code: 'UNAUTHENTICATED' } }] });
        const { query } = JSON.parse(Buffer.concat(chunks).toString()) as { query: string };
        entry.operations = parse(query)
          .definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
          .map((d) => d.operation);
        return send(200, await graphql({ schema: path === '/graphql' ? CHANGED : ONLY_ADDED, source: query }));
      }
      if (!path.startsWith('/gurusup/')) return send(404, { message: 'no' });
      if (req.headers['x-api-key'] !== KEY)
        return send(401, { statusCode: 401, error: 'Unauthorized', message: 'key' });
      const route = path.slice('/gurusup'.length);
      if (route === '/threads') return send(200, [thread]);
      if (route === `/threads/${hash}`) return send(200, { ...thread, messages: [message] });
      if (route === `/messages/${message._id}`) return send(200, message);
      // Not the emulator's 400 for a malformed id: a 404.
      return send(404, { statusCode: 404, error: 'Not Found', message: 'nothing here' });
    });
  });
  return new Promise((resolve) => live.listen(0, '127.0.0.1', () => resolve()));
}

let dir: string;
let t: TestEmulator;
beforeAll(async () => {
  await startLive();
  liveUrl = `http://127.0.0.1:${(live.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), 'guuru-drift-'));
  t = await startEmulator();
});
afterAll(async () => {
  await new Promise((resolve) => live.close(resolve));
  await t.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function drift(flags: DriftFlags): Promise<{ code: number; lines: string[]; report: DriftReport }> {
  const lines: string[] = [];
  const json = join(dir, `report-${seen.length}.json`);
  const code = await runDrift({ json, ...flags }, { log: (line: string) => lines.push(line) }, {});
  return { code, lines, report: JSON.parse(readFileSync(json, 'utf8')) as DriftReport };
}

describe('guuru-emulator drift', () => {
  it('finds a removed field and a changed argument (breaking) and an added type (safe) in a changed schema, and changed Gurusup fields and statuses; exit 1', async () => {
    seen.length = 0;
    const junit = join(dir, 'drift.xml');
    const { code, lines, report } = await drift({
      url: `${liveUrl}/graphql`,
      token: TOKEN,
      gurusupUrl: `${liveUrl}/gurusup`,
      apiKey: KEY,
      junit,
    });
    expect(code).toBe(1);
    expect(report.status).toBe('failed');
    const graphqlChanges = report.graphql!.changes.map((c) => [c.level, c.type, c.path]);
    expect(graphqlChanges).toEqual(
      expect.arrayContaining([
        ['breaking', 'FIELD_REMOVED', 'Chat.rating'],
        ['breaking', 'FIELD_ARGUMENT_TYPE_CHANGED', 'Partner.chats.orderBy'],
        ['safe', 'TYPE_ADDED', 'ChatTag'],
      ]),
    );
    expect(graphqlChanges).toHaveLength(3);
    const gurusup = report.gurusup!.probes.flatMap((p) => p.changes.map((c) => [c.level, c.type, c.path]));
    expect(gurusup).toEqual([
      ['dangerous', 'FIELD_MISSING', 'GET /threads: lang'],
      ['safe', 'FIELD_ADDED', 'GET /threads: channel'],
      ['dangerous', 'FIELD_MISSING', 'GET /threads/{hash}: lang'],
      ['safe', 'FIELD_ADDED', 'GET /threads/{hash}: channel'],
      ['breaking', 'FIELD_MISSING', 'GET /threads/{hash} messages: user_fid'],
      ['breaking', 'FIELD_MISSING', 'GET /messages/{id}: user_fid'],
      ['dangerous', 'STATUS_CHANGED', 'GET /messages/not-an-object-id'],
    ]);
    expect(report.summary).toEqual({ breaking: 4, dangerous: 3, safe: 3 });
    expect(lines.join('\n')).toMatch(
      /^BREAKING +graphql +Field 'rating' was removed from object type 'Chat' {2}\(Chat\.rating\)$/m,
    );
    // The worst first.
    expect(lines.filter((l) => /^(BREAKING|DANGEROUS|SAFE) /.test(l)).map((l) => l.split(' ')[0])).toEqual([
      'BREAKING',
      'BREAKING',
      'BREAKING',
      'BREAKING',
      'DANGEROUS',
      'DANGEROUS',
      'DANGEROUS',
      'SAFE',
      'SAFE',
      'SAFE',
    ]);
    expect(lines.at(-1)).toMatch(/^report written to .*report-\d+\.json and .*drift\.xml$/);
    expect(lines.at(-2)).toBe('4 breaking, 3 dangerous, 3 safe: 4 change(s) at or over --fail-on breaking');

    // JUnit: valid, a failure per breaking change, the rest passing with their details.
    const xml = readFileSync(junit, 'utf8');
    expect(await junitSchemaErrors(xml)).toEqual([]);
    const parsed = new XMLParser({
      ignoreAttributes: false,
      isArray: (name) => name === 'testsuite' || name === 'testcase',
    }).parse(xml);
    expect(parsed.testsuites).toMatchObject({ '@_failures': '4', '@_errors': '0' });
    expect(parsed.testsuites.testsuite.map((s: any) => [s['@_name'], s['@_failures']])).toEqual([
      ['graphql', '2'],
      ['gurusup', '2'],
    ]);

    // It only read: one introspection query per API call, no mutation, no POST to Gurusup.
    expect(seen.filter((s) => s.path.startsWith('/graphql')).map((s) => [s.method, s.operations])).toEqual([
      ['POST', ['query']],
    ]);
    expect(seen.filter((s) => s.path.startsWith('/gurusup')).every((s) => s.method === 'GET')).toBe(true);
    expect(seen.filter((s) => s.path.startsWith('/gurusup')).map((s) => s.path)).toEqual([
      '/gurusup/threads',
      '/gurusup/threads',
      `/gurusup/threads/${hash}`,
      `/gurusup/messages/${message._id}`,
      `/gurusup/threads/${'0'.repeat(32)}`,
      '/gurusup/messages/not-an-object-id',
    ]);
  });

  it('reports only-safe drift with exit 0, and fails on it with --fail-on safe', async () => {
    const safe = await drift({ url: `${liveUrl}/graphql-safe`, token: TOKEN });
    expect([safe.code, safe.report.status, safe.report.summary]).toEqual([
      0,
      'drift',
      { breaking: 0, dangerous: 0, safe: 1 },
    ]);
    const strict = await drift({ url: `${liveUrl}/graphql-safe`, token: TOKEN, failOn: 'safe' });
    expect([strict.code, strict.report.status]).toEqual([1, 'failed']);
  });

  it('finds no drift against the emulator itself (its @cacheControl usages are not drift), and leaves its data as it was', async () => {
    const threads = async () =>
      (await fetch(`${t.url}/gurusup/threads`, { headers: { 'x-api-key': 'demo-api-key' } })).json();
    const before = await threads();
    await fetch(`${t.url}/_emulator/requests`, { method: 'DELETE' });
    const { code, lines, report } = await drift({
      url: `${t.url}/graphql`,
      token: 'demo-token',
      gurusupUrl: `${t.url}/gurusup`,
      apiKey: 'demo-api-key',
    });
    expect(report.graphql?.error).toBeUndefined();
    expect(
      report.gurusup!.probes.map((p) => [p.path.replace(/[0-9a-f]{24,}/, 'ID'), p.status, p.expectedStatus, p.note]),
    ).toEqual([
      ['/threads', 401, 401, undefined],
      ['/threads', 200, 200, undefined],
      ['/threads/ID', 200, 200, undefined],
      ['/messages/ID', 200, 200, undefined],
      ['/threads/ID', 404, 404, undefined],
      ['/messages/not-an-object-id', 400, 400, undefined],
    ]);
    expect([code, report.status, report.summary]).toEqual([0, 'no-drift', { breaking: 0, dangerous: 0, safe: 0 }]);
    expect(lines.at(-2)).toBe('0 breaking, 0 dangerous, 0 safe: no drift');
    expect(await threads()).toEqual(before);
    const journal = (await (await fetch(`${t.url}/_emulator/requests`)).json()) as {
      requests: { method: string; operationType?: string }[];
    };
    expect(journal.requests.filter((r) => r.method !== 'GET').map((r) => r.operationType)).toEqual(['query']);
  });

  it('could not run (exit 2) when the token is refused or the API does not answer, saying what to do', async () => {
    const refused = await drift({ url: `${liveUrl}/graphql`, token: 'wrong' });
    expect([refused.code, refused.report.status]).toEqual([2, 'error']);
    expect(refused.report.graphql!.error).toMatch(
      /refused the token \(HTTP 401: Unauthorized\): pass the API token of a real tenant with --token/,
    );
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const gone = await drift({ gurusupUrl: `http://127.0.0.1:${port}/gurusup`, apiKey: KEY });
    expect([gone.code, gone.report.gurusup!.error]).toEqual([
      2,
      `cannot reach http://127.0.0.1:${port}/gurusup/threads: ECONNREFUSED`,
    ]);
    expect(gone.lines[0]).toMatch(/^ERROR {2}gurusup {2}cannot reach/);
  });

  it('refuses a run with nothing to compare, a Gurusup URL without a key, or an unknown --fail-on', async () => {
    await expect(runDrift({}, { log: () => undefined }, {})).rejects.toThrow(DriftUsageError);
    await expect(runDrift({ gurusupUrl: liveUrl }, { log: () => undefined }, {})).rejects.toThrow(
      /--gurusup-url needs --api-key/,
    );
    await expect(runDrift({ url: liveUrl, failOn: 'minor' }, { log: () => undefined }, {})).rejects.toThrow(
      /--fail-on: "minor" is not one of breaking, dangerous, safe/,
    );
    await expect(runDrift({ url: 'ftp://x' }, { log: () => undefined }, {})).rejects.toThrow(/not an http\(s\) URL/);
  });
});
