import { describe, expect, it } from 'vitest';
import { apiCallEvidence, integratorCallsOf, timedApiCallEvidence } from '../../../src/journal/chat-calls.js';
import type { RequestRecord } from '../../../src/journal/request-journal.js';

const record = (over: Partial<RequestRecord> = {}): RequestRecord => ({
  id: '7',
  api: 'graphql',
  at: Date.UTC(2026, 10, 22, 9),
  iso: '2026-11-22T09:00:00.000Z',
  method: 'POST',
  path: '/graphql',
  route: 'POST /graphql',
  status: 200,
  durationMs: 3,
  tenantId: 'guuru-qa',
  operationName: 'Act',
  operationType: 'mutation',
  fields: [
    { name: 'acceptChat', chatId: 'c1' },
    { name: 'createPersona' },
    { name: 'sendChatMessage', chatId: 'c2', errorCode: 'CHAT_NOT_OPEN', errorMessage: 'its status is "closed"' },
  ],
  chatIds: ['c1', 'c2'],
  ...over,
});

describe("an integrator's call on a chat, from the request journal", () => {
  it('is one per top-level field naming a chat, in order, with the refusal of each', () => {
    const calls = integratorCallsOf(record());
    expect(calls.map((c) => [c.operation, c.chatId, c.ok, c.errorCode])).toEqual([
      ['acceptChat', 'c1', true, undefined],
      ['sendChatMessage', 'c2', false, 'CHAT_NOT_OPEN'],
    ]);
    expect(calls[0]).toMatchObject({
      requestId: '7',
      operationName: 'Act',
      status: 200,
      iso: '2026-11-22T09:00:00.000Z',
      durationMs: 3,
    });
  });

  it('counts a field of a refused request as refused', () => {
    expect(integratorCallsOf(record({ status: 400 })).map((c) => c.ok)).toEqual([false, false]);
  });

  it('leaves out the Gurusup API, unknown credentials and, when asked, queries', () => {
    expect(integratorCallsOf(record({ api: 'gurusup' }))).toEqual([]);
    expect(integratorCallsOf(record({ tenantId: undefined }))).toEqual([]);
    expect(integratorCallsOf(record({ operationType: 'query' }), { mutationsOnly: true })).toEqual([]);
    expect(integratorCallsOf(record({ operationType: 'query' }))).toHaveLength(2);
  });

  it('is cited in the same words by a verification and by a scenario verdict (which adds its clock time)', () => {
    const refused = integratorCallsOf(record())[1]!;
    const evidence = apiCallEvidence(refused);
    expect(evidence).toEqual({
      kind: 'api-call',
      requestId: '7',
      operation: 'sendChatMessage',
      chatId: 'c2',
      ok: false,
      errorCode: 'CHAT_NOT_OPEN',
      errorMessage: 'its status is "closed"',
    });
    expect(timedApiCallEvidence(refused)).toEqual({
      ...evidence,
      at: refused.at,
      iso: refused.iso,
      status: 200,
      message: 'its status is "closed"',
    });
  });
});
