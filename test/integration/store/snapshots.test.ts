import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ControlApiError, startEmulator, webhookSink, type TestEmulator } from '../../../src/testing/index.js';
import { SEED_TIME } from '../../helpers/emulator.js';

const CHAT = 'O2bqy2CsAaS7RBXZrhMOB';
const PERSONA = 'ab22a12e-cefd-4f67-945b-c215c42202b4';
// The newest chats with their status and messages: what an integration reads back.
const newest =
  '{ partner { chats(first: 5, orderBy: { field: id, direction: desc }) { edges { node { id status messages(first: 50) { edges { node { id } } } } } } } }';
const accept = `mutation { acceptChat(id: "${CHAT}", input: { personaId: "${PERSONA}" }) { status } }`;
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e as ControlApiError,
  );

describe('snapshots', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await startEmulator({ seedTime: SEED_TIME });
  });
  afterAll(() => t.stop());
  beforeEach(async () => {
    await t.control.reset();
    for (const s of await t.control.snapshots()) await t.control.deleteSnapshot(s.name);
  });

  it('snapshot, change, restore: GraphQL shows the state of the snapshot, as often as it is restored', async () => {
    const taken = await t.control.snapshot('seeded');
    expect(taken).toMatchObject({
      name: 'seeded',
      tenant: null,
      tenants: [{ id: 'guuru-qa', chats: expect.any(Number) }],
    });
    const before = await t.graphql(newest);
    expect(before.data.partner.chats.edges).toHaveLength(5);

    for (let round = 0; round < 2; round++) {
      expect((await t.graphql(accept)).data.acceptChat.status).toBe('open');
      await t.graphql('mutation ($input: ChatMessageInput!) { sendChatMessage(input: $input) }', {
        input: { chatId: CHAT, posting: { type: 'text', text: 'hi' } },
      });
      const created = await t.control.createChat({ question: 'Made after the snapshot' });
      const changed = await t.graphql(newest);
      expect(changed.data.partner.chats.edges[0].node.id).toBe(created.id);
      expect((await t.graphql(accept)).errors?.[0]?.extensions?.code).toBe('CHAT_ALREADY_ACCEPTED');

      const restored = await t.control.restore('seeded');
      expect(restored.restored.name).toBe('seeded');
      expect(restored.tenants.map((x) => x.id)).toEqual(['guuru-qa']);
      expect(await t.graphql(newest)).toEqual(before);
      // The chat is assigned again, as in the snapshot: it can be accepted once more.
      expect((await t.graphql(accept)).data?.acceptChat.status).toBe('open');
      await t.control.restore('seeded');
    }
  });

  it('ids made after a restore collide with none made before it, even after a reset in between', async () => {
    const made = async () => {
      // First a message into a seeded chat: nothing checks its id against stored ones.
      const first = (await t.control.chatAction(CHAT, 'messages', { text: 'Still there?' })) as { id: string };
      const chat = await t.control.createChat({ question: 'Which size?', requestedExperts: ['api'] });
      await t.control.chatAction(chat.id, 'accept');
      const message = (await t.control.chatAction(chat.id, 'messages', { text: 'M' })) as { id: string };
      const persona = await t.graphql('mutation ($p: ID!) { createPersona(input: { providerId: $p, name: "P" }) }', {
        p: `provider-${chat.id}`,
      });
      const stored = (await t.control.chat(chat.id)) as unknown as { user: { id: string }; messages: { id: string }[] };
      expect(stored.messages.map((m) => m.id)).toContain(message.id);
      return [
        first.id,
        chat.id,
        persona.data.createPersona as string,
        stored.user.id,
        ...stored.messages.map((m) => m.id),
      ];
    };
    const inSnapshot = await made();
    await t.control.snapshot('with-a-chat');
    const afterSnapshot = await made();
    await t.control.restore('with-a-chat');
    const afterRestore = await made();
    // A reset rewinds the domain ids to a fresh start's; a restore after it must not repeat them.
    await t.control.reset();
    await t.control.restore('with-a-chat');
    const afterResetAndRestore = await made();
    const all = [...inSnapshot, ...afterSnapshot, ...afterRestore, ...afterResetAndRestore];
    expect(new Set(all).size).toBe(all.length);
  });

  it('Idempotency-Keys after a restore are new', async () => {
    await using sink = await webhookSink();
    await t.control.subscribe(sink.url);
    await t.control.snapshot('keys');
    await t.control.chatAction(CHAT, 'accept');
    await t.control.restore('keys');
    await t.control.chatAction(CHAT, 'accept');
    const [first, second] = await sink.waitFor({ event: 'chat-opened', chatId: CHAT, count: 2 });
    expect(first!.idempotencyKey).not.toBe(second!.idempotencyKey);
    await t.control.subscribe('');
  });

  it('a whole restore removes tenants made since; settings and the delivery log are not data and stay', async () => {
    await using sink = await webhookSink();
    await t.control.flush();
    await t.control.request('DELETE', '/deliveries');
    await t.control.snapshot('one-tenant');
    await t.control.subscribe(sink.url, { events: ['chat-opened'] });
    await t.control.chatAction(CHAT, 'accept');
    await sink.waitFor({ event: 'chat-opened' });
    const extra = await t.control.createTenant();
    const restored = await t.control.restore('one-tenant');
    expect(restored.removed).toEqual([extra.id]);
    expect((await t.control.tenants()).map((x) => x.id)).toEqual(['guuru-qa']);
    expect((await failure(t.control.getTenant(extra.id)))?.status).toBe(404);
    expect((await t.control.request<any>('GET', '/webhooks')).events['chat-opened']).toEqual({
      url: sink.url,
      active: true,
    });
    expect(await t.control.deliveries({ event: 'chat-opened' })).toHaveLength(1);
    await t.control.subscribe('');
  });

  it("one tenant's snapshot restores that tenant only, and brings it back after it was removed", async () => {
    const other = await t.control.createTenant({ id: 'team-b', token: 'team-b-token' });
    const b = t.control.forTenant('team-b');
    const chat = await b.createChat({ question: 'B before' });
    const taken = await t.control.snapshot('team-b-state', { tenant: 'team-b' });
    expect(taken).toMatchObject({ tenant: 'team-b', tenants: [{ id: 'team-b', chats: other.counts.chats + 1 }] });

    await b.chatAction(chat.id, 'assign');
    await t.control.chatAction(CHAT, 'accept');
    await b.restore('team-b-state');
    expect((await b.chat(chat.id)).status).toBe('created');
    expect((await t.control.chat(CHAT)).status).toBe('open');

    await t.control.removeTenant('team-b');
    await t.control.restore('team-b-state');
    const back = await fetch(`${t.graphqlUrl}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer team-b-token' },
      body: JSON.stringify({ query: '{ partner { id } }' }),
    });
    expect(await back.json()).toEqual({ data: { partner: { id: 'team-b' } } });
  });

  it('refuses to restore a tenant whose token another tenant holds now, changing nothing', async () => {
    await t.control.createTenant({ id: 'team-c', token: 'team-c-token' });
    await t.control.snapshot('team-c', { tenant: 'team-c' });
    await t.control.removeTenant('team-c');
    await t.control.createTenant({ id: 'team-d', token: 'team-c-token' });
    const error = await failure(t.control.restore('team-c'));
    expect(error).toMatchObject({
      status: 409,
      body: { message: 'Cannot restore snapshot "team-c": its token now belongs to tenant "team-d".' },
    });
    expect((await t.control.tenants()).map((x) => x.id)).toEqual(['guuru-qa', 'team-d']);
  });

  it('answers 404 to an unknown name, 409 to a taken one, 400 to a bad one, and lists and deletes', async () => {
    const unknown = await failure(t.control.restore('nope'));
    expect(unknown).toMatchObject({
      status: 404,
      body: { message: 'No snapshot "nope". Take one with POST /_emulator/snapshots {"name": "..."}.' },
    });
    await t.control.snapshot('a');
    expect((await failure(t.control.restore('nope')))?.body.message).toBe('No snapshot "nope". Snapshots: a.');
    expect(await failure(t.control.snapshot('a'))).toMatchObject({
      status: 409,
      body: { message: expect.stringContaining('DELETE /_emulator/snapshots/a first') },
    });
    expect(await failure(t.control.snapshot('no spaces'))).toMatchObject({
      status: 400,
      body: { code: 'INVALID_ARGUMENT' },
    });
    expect(await failure(t.control.snapshot('x', { tenant: 'ghost' }))).toMatchObject({ status: 404 });
    expect(await failure(t.control.request('POST', '/snapshots/a/restore', { extra: 1 }))).toMatchObject({
      status: 400,
    });
    expect((await t.control.snapshots()).map((s) => s.name)).toEqual(['a']);
    expect(await t.control.request('GET', '/snapshots/a')).toMatchObject({ name: 'a' });
    await t.control.deleteSnapshot('a');
    expect(await failure(t.control.deleteSnapshot('a'))).toMatchObject({ status: 404 });
    expect(await t.control.snapshots()).toEqual([]);
  });
});
