import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { deliveryAsCurl, requestAsCurl, shellQuote } from '../../../src/dashboard/client/curl.js';
import type { RequestRecord } from '../../../src/journal/request-journal.js';

// "Copy as curl" in the dashboard: the commands must survive a shell whatever the text holds.
const echo = (word: string) => execFileSync('sh', ['-c', `printf %s ${word}`], { encoding: 'utf8' });

const graphql: RequestRecord = {
  id: '7',
  api: 'graphql',
  at: 0,
  iso: '',
  method: 'POST',
  path: '/graphql',
  route: 'POST /graphql',
  status: 200,
  durationMs: 1,
  query: 'query Q($q: String!) { partner { id } }',
  variables: { q: 'it\'s $HOME `x` "y"' },
  operationName: 'Q',
  chatIds: [],
};

describe('copy as curl', () => {
  it('quotes any text so the shell passes it on unchanged', () => {
    for (const text of ["don't", '$(rm -rf /) `id` $HOME', 'a\nb', "\"\\''", ''])
      expect(echo(shellQuote(text))).toBe(text);
  });

  it('a GraphQL request: the document, variables and operation name as its JSON body, with the token given', () => {
    const command = requestAsCurl(graphql, 'http://127.0.0.1:4000', { token: 'demo-token' })!;
    const body = /--data-raw ('.*')$/s.exec(command)![1]!;
    expect(JSON.parse(echo(body))).toEqual({ query: graphql.query, variables: graphql.variables, operationName: 'Q' });
    expect(command).toContain("-H 'Authorization: Bearer demo-token'");
    // Sent without credentials: sent again without them.
    expect(requestAsCurl(graphql, 'http://127.0.0.1:4000', {})).not.toContain('Authorization');
  });

  it('refuses what the journal cannot rebuild: a cut document, a Gurusup request with a body', () => {
    expect(
      requestAsCurl({ ...graphql, query: `${'x'.repeat(4000)}… (5000 characters)` }, 'http://h', {}),
    ).toBeUndefined();
    expect(
      requestAsCurl({ ...graphql, api: 'gurusup', method: 'POST', path: '/gurusup/messages' }, 'http://h', {}),
    ).toBeUndefined();
    expect(
      requestAsCurl({ ...graphql, api: 'gurusup', method: 'GET', path: '/gurusup/threads' }, 'http://h', {
        gurusupApiKey: 'k',
      }),
    ).toBe("curl -s 'http://h/gurusup/threads' \\\n  -H 'x-api-key: k'");
  });

  it('a delivery: every header and the raw body as they were sent', () => {
    const command = deliveryAsCurl({
      url: 'http://127.0.0.1:8000/hooks',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'k-1' },
      rawBody: '{"question":"don\'t"}',
    });
    expect(command.split(' \\\n  ')).toEqual([
      "curl -s -X POST 'http://127.0.0.1:8000/hooks'",
      "-H 'Content-Type: application/json'",
      "-H 'Idempotency-Key: k-1'",
      `--data-raw '{"question":"don'\\''t"}'`,
    ]);
  });
});
