import { describe, expect, it } from 'vitest';
import { Replay, ReplayError, type LogOp } from '../../../src/store/change-log.js';
import type { ChatRecord, MessageRecord, TenantData } from '../../../src/store/model.js';
import { emptyTenantData } from '../../helpers/tenant-data.js';

const tenant = (id: string): TenantData => emptyTenantData(id);

const head = (id: string, status: ChatRecord['status']): Omit<ChatRecord, 'messages'> => ({
  id,
  seq: 1,
  createdAt: 10,
  isAssignedToAgent: false,
  question: 'Q?',
  status,
  language: 'en',
  requestedExperts: [],
  user: { id: 'u1' },
});
const message = (seq: number): MessageRecord => ({
  id: `m${seq}`,
  chatId: 'c1',
  seq,
  type: 'text',
  text: `line ${seq}`,
  createdAt: 10 + seq,
  hideForUser: false,
  hideForExpert: false,
  author: { kind: 'user' },
});

describe('replaying the change log', () => {
  const lines: LogOp[] = [
    { n: 1, op: 'chat', t: 'a', chat: head('c1', 'created'), messages: [message(1)] },
    { n: 2, op: 'chat', t: 'a', chat: head('c1', 'open') },
    { n: 3, op: 'chat', t: 'a', chat: head('c1', 'open'), messages: [message(2)] },
  ];

  it('upserts: a chat keeps its messages when its fields change, and a line applied twice changes nothing more', () => {
    const once = new Replay([tenant('a')]);
    for (const line of lines) once.apply(line);
    const twice = new Replay([tenant('a')]);
    for (const line of [...lines, ...lines]) twice.apply(line);
    const [data] = once.result();
    expect(data!.chats).toHaveLength(1);
    expect(data!.chats[0]!.status).toBe('open');
    expect(data!.chats[0]!.messages.map((m) => m.text)).toEqual(['line 1', 'line 2']);
    expect(twice.result()).toEqual(once.result());
  });

  it('a whole tenant replaces what was there, a removal drops it, and the last generators line wins', () => {
    const replay = new Replay([tenant('a')]);
    replay.apply(lines[0]!);
    replay.apply({ n: 4, op: 'tenant', tenant: tenant('a') });
    replay.apply({ n: 5, op: 'tenant', tenant: tenant('b') });
    replay.apply({ n: 6, op: 'removed', t: 'b' });
    expect(replay.result().map((t) => [t.id, t.chats.length])).toEqual([['a', 0]]);
    const streams = {
      tenants: [1, 2, 3, 4],
      domain: [1, 2, 3, 4],
      webhookKeys: [1, 2, 3, 4],
      jitter: [1, 2, 3, 4],
    } as never;
    replay.apply({ n: 9, op: 'generators', generators: { generation: 3, tenantsCreated: 1, streams } });
    replay.apply({ n: 10, op: 'generators', generators: { generation: 3, tenantsCreated: 2, streams } });
    expect(replay.generators?.tenantsCreated).toBe(2);
  });

  it('refuses a line about a tenant that is not there (a log that does not fit its snapshot)', () => {
    const replay = new Replay([tenant('a')]);
    expect(() =>
      replay.apply({
        n: 7,
        op: 'persona',
        t: 'nobody',
        persona: { id: 'p', providerId: 'x', name: 'X', createdAt: 0, updatedAt: 0 },
      }),
    ).toThrow(ReplayError);
    expect(() =>
      replay.apply({ n: 8, op: 'thread', t: 'a', thread: { hash: 'h', fid: 'f', seq: 1, createdAt: 0, updatedAt: 0 } }),
    ).toThrow(/has no organisation/);
  });
});
