import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/index.js';
import { SEED_TIME, startEmulator, type TestEmulator } from '../../helpers/emulator.js';
import { answerThenClose, startIntegrator } from '../../helpers/integrator.js';
import { webhookSink, type ReceivedWebhook, type WebhookSink } from '../../helpers/webhook-sink.js';

const START = SEED_TIME + 9 * 3_600_000;

const control = async (t: TestEmulator, method: string, path: string, body?: unknown) => {
  const res = await fetch(`${t.url}/_emulator${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
};

/** Starts a run through the control API and waits (long poll) for its end. */
async function play(t: TestEmulator, name: string, body: Record<string, unknown>) {
  const started = await control(t, 'POST', `/scenarios/${name}/runs`, body);
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  expect(started.body).toMatchObject({ scenario: name, status: 'running' });
  const done = await control(t, 'GET', `/scenarios/${name}/runs/${started.body.id}?wait=1`);
  await t.emulator.webhooks.dispatcher.idle();
  return done.body;
}

const chatIdOf = (r: ReceivedWebhook): string => (r.event === 'message-created' ? r.body.chat.id : r.body.id);

/** What GraphQL says about a chat, to compare with what the webhooks said. */
async function chatFromApi(t: TestEmulator, id: string) {
  const res = await t.gql(
    `{ partner { chats(first: 100, orderBy: {field: id, direction: desc}) { edges { node { id status rating closedAt ratedAt messages(first: 100) { edges { node { id } } } } } } } }`,
  );
  return res.body.data!.partner.chats.edges.map((e: any) => e.node).find((c: any) => c.id === id);
}

/** The events of one chat agree with the API afterwards: last status, every message, signatures. */
async function expectAgreement(t: TestEmulator, received: ReceivedWebhook[], chatId: string) {
  const mine = received.filter((r) => chatIdOf(r) === chatId);
  expect(mine.every((r) => r.verified)).toBe(true);
  const chat = await chatFromApi(t, chatId);
  const lastChatEvent = [...mine].reverse().find((r) => r.event !== 'message-created');
  if (lastChatEvent && chat.status !== 'missed') expect(lastChatEvent.body.status).toBe(chat.status);
  if (chat.rating) expect(lastChatEvent!.body).toMatchObject({ rating: chat.rating, ratedAt: chat.ratedAt });
  const messageIds = chat.messages.edges.map((e: any) => e.node.id);
  const sent = mine.filter((r) => r.event === 'message-created').map((r) => r.body.id);
  // Every message but the question (stored when the chat opens) fired message-created.
  expect(sent).toEqual(messageIds.slice(1));
  return mine.map((r) => r.event);
}

describe('built-in scenarios against a loopback receiver', () => {
  let sink: WebhookSink;
  let t: TestEmulator;
  beforeAll(async () => {
    sink = await webhookSink();
    t = await startEmulator({ clock: new VirtualClock(START) });
  });
  afterAll(async () => {
    await t.stop();
    await sink.close();
  });

  const expected: Record<string, { params?: Record<string, unknown>; events: string[] }> = {
    'happy-path': {
      params: { messages: 1 },
      events: [
        'chat-assigned',
        'chat-opened',
        'message-created',
        'message-created',
        'message-created',
        'message-created',
        'message-created',
        'chat-closed',
        'chat-rated',
      ],
    },
    missed: { events: ['chat-assigned', 'message-created'] },
    reopen: {
      events: [
        'chat-assigned',
        'chat-opened',
        'message-created',
        'chat-closed',
        'chat-reopened',
        'message-created',
        'message-created',
        'message-created',
        'chat-closed',
        'chat-rated',
      ],
    },
    transfer: {
      events: ['chat-assigned', 'chat-opened', 'message-created', 'message-created', 'chat-transferred', 'chat-rated'],
    },
    'bad-rating': {
      events: ['chat-assigned', 'chat-opened', 'message-created', 'message-created', 'chat-closed', 'chat-rated'],
    },
    attachments: {
      events: [
        'message-created',
        'chat-assigned',
        'chat-opened',
        'message-created',
        'message-created',
        'chat-closed',
        'chat-rated',
      ],
    },
  };

  for (const [name, { params, events }] of Object.entries(expected)) {
    it(`${name}: the expected events, in order, agreeing with GraphQL`, async () => {
      const before = sink.received.length;
      const run = await play(t, name, { target: sink.url, speed: 0, ...(params ? { params } : {}) });
      expect(run.status, run.error).toBe('completed');
      expect(run.chats).toHaveLength(1);
      const received = sink.received.slice(before);
      expect(await expectAgreement(t, received, run.chats[0])).toEqual(events);
      // The timeline names the webhooks each step caused.
      const fromTimeline = run.timeline.flatMap((e: any) => e.webhooks.map((w: any) => w.event));
      expect(fromTimeline).toEqual(events);
    });
  }

  it('attachments: message payloads carry the attachment', async () => {
    const before = sink.received.length;
    await play(t, 'attachments', { target: sink.url, speed: 0 });
    const files = sink.received.slice(before).filter((r) => r.body.type === 'attachment');
    expect(files.map((r) => [r.body.author.__typename, r.body.attachment.filename])).toEqual([
      ['UserAuthor', 'rocket.png'],
      ['ExpertAuthor', 'size-chart.pdf'],
    ]);
  });

  it('busy-day: many overlapping chats over a simulated day, each a valid lifecycle', async () => {
    const before = sink.received.length;
    const realStart = Date.now();
    const run = await play(t, 'busy-day', { target: sink.url, speed: 0, params: { chats: 12 } });
    expect(run.status, run.error).toBe('completed');
    expect(run.chats).toHaveLength(12);
    expect(Date.now() - realStart).toBeLessThan(15_000);
    const received = sink.received.slice(before);
    const starts = run.timeline.filter((e: any) => e.action === 'open').map((e: any) => e.at);
    // Staggered over simulated time (2-40 minutes apart), not all at once.
    expect(Math.max(...starts) - Math.min(...starts)).toBeGreaterThan(11 * 2 * 60_000);
    for (const chatId of run.chats) {
      const events = await expectAgreement(t, received, chatId);
      expect(events[0]).toBe('chat-assigned');
      const final = (await chatFromApi(t, chatId)).status;
      expect(['rated', 'missed']).toContain(final);
    }
  });

  it('busy-day with hundreds of chats does not block the API while it runs', async () => {
    const started = await control(t, 'POST', '/scenarios/busy-day/runs', { speed: 0, params: { chats: 300 } });
    let answeredWhileRunning = 0;
    for (;;) {
      const res = await t.gql('{ partner { id } }');
      expect(res.body.data!.partner.id).toBe('guuru-qa');
      // The run's status read in process: a GET of its 300-chat record per query would be most of the load.
      const run = t.emulator.scenarios.get('busy-day', started.body.id);
      if (run.status !== 'running') {
        expect(run.status, run.error).toBe('completed');
        expect(run.chats).toHaveLength(300);
        break;
      }
      answeredWhileRunning += 1;
    }
    // Answered while it ran (a blocked API would answer only once the run is over); how often depends on the machine.
    expect(answeredWhileRunning).toBeGreaterThanOrEqual(1);
  });

  it('gurusup-conversation: send_message events with the organisation key, matching the thread', async () => {
    const gurusupSink = await webhookSink({ secret: null });
    try {
      const run = await play(t, 'gurusup-conversation', { target: gurusupSink.url, speed: 0, params: { messages: 1 } });
      expect(run.status, run.error).toBe('completed');
      expect(run.threads).toHaveLength(1);
      await gurusupSink.waitFor({ count: 3 });
      expect(gurusupSink.received.map((r) => r.body.event)).toEqual(['send_message', 'send_message', 'send_message']);
      expect(gurusupSink.received.every((r) => r.headers['x-api-key'] === 'demo-api-key')).toBe(true);
      const thread = (await (
        await fetch(`${t.url}/gurusup/threads/${run.threads[0]}`, { headers: { 'x-api-key': 'demo-api-key' } })
      ).json()) as any;
      const systemMessages = thread.messages.filter((m: any) => m.user_fid === 'gurusup-assistant');
      expect(gurusupSink.received.map((r) => r.body.data)).toEqual(systemMessages);
      expect(thread.messages.map((m: any) => m.lang).every((l: string) => l === 'es')).toBe(true);
    } finally {
      await gurusupSink.close();
    }
  });
});

describe('third-party-messaging against an integrator written from the docs', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await startEmulator({ clock: new VirtualClock(START) });
  });
  afterAll(() => t.stop());

  it('completes to rated, and the timeline states each protocol step the integrator did', async () => {
    const integrator = await startIntegrator(`${t.url}/graphql`, answerThenClose(2));
    try {
      const run = await play(t, 'third-party-messaging', {
        target: integrator.url,
        speed: 0,
        params: { exchanges: 2 },
      });
      expect(run.status, run.error).toBe('completed');
      const chat = await chatFromApi(t, run.chats[0]);
      expect(chat).toMatchObject({ status: 'rated', rating: 'good' });
      expect(integrator.actions).toEqual(['acceptChat', 'sendChatMessage', 'sendChatMessage', 'closeChat']);
      const waits = run.timeline.filter((e: any) => e.action === 'waits');
      expect(waits.map((e: any) => e.outcome)).toEqual(['done', 'done', 'done', 'done']);
      expect(waits.map((e: any) => e.expected.split(' ')[0])).toEqual([
        'acceptChat',
        'sendChatMessage',
        'sendChatMessage',
        'closeChat',
      ]);
      const byIntegrator = run.timeline.filter((e: any) => e.by === 'integrator');
      expect(byIntegrator.map((e: any) => e.action)).toEqual([
        'acceptChat',
        'sendChatMessage',
        'sendChatMessage',
        'closeChat',
      ]);
      expect(byIntegrator[0].webhooks).toEqual([
        { deliveryId: expect.any(String), event: 'chat-opened', status: 'delivered' },
      ]);
      expect(run.verdict.passed).toBe(true);
    } finally {
      await integrator.close();
    }
  });
});

describe('runs: determinism, speed, cancelling, validation', () => {
  let sink: WebhookSink;
  beforeAll(async () => {
    sink = await webhookSink();
  });
  afterAll(() => sink.close());
  const emulators: TestEmulator[] = [];
  afterEach(async () => {
    await Promise.all(emulators.splice(0).map((e) => e.stop()));
  });
  const fresh = async (options: Parameters<typeof startEmulator>[0] = {}) => {
    const t = await startEmulator(options);
    emulators.push(t);
    return t;
  };

  it('the same scenario, seed and params give the same ids, texts and payloads', async () => {
    const bodies: string[][] = [];
    for (let i = 0; i < 2; i++) {
      const t = await fresh({ clock: new VirtualClock(START) });
      const before = sink.received.length;
      const run = await play(t, 'happy-path', {
        target: sink.url,
        speed: 0,
        seed: 42,
        params: { language: 'de', messages: 2 },
      });
      expect(run.status).toBe('completed');
      bodies.push(sink.received.slice(before).map((r) => r.rawBody));
    }
    expect(bodies[0]!.length).toBe(11);
    expect(bodies[1]).toEqual(bodies[0]);
    const t = await fresh({ clock: new VirtualClock(START) });
    const before = sink.received.length;
    await play(t, 'happy-path', { target: sink.url, speed: 0, seed: 43, params: { language: 'de', messages: 2 } });
    expect(sink.received.slice(before).map((r) => r.rawBody)).not.toEqual(bodies[0]);
  });

  it('scales delays with speed on the virtual clock, keeping simulated timestamps', async () => {
    const t = await fresh({ clock: new VirtualClock(START) });
    const realStart = Date.now();
    const run = await play(t, 'missed', { speed: 20, params: { waitBeforeMiss: '4s' } });
    const elapsed = Date.now() - realStart;
    // 3 s + 4 s of scenario time at speed 20: about 350 ms of real time.
    expect(elapsed).toBeGreaterThanOrEqual(300);
    expect(elapsed).toBeLessThan(5_000);
    const chat = t.emulator.store.tenant('guuru-qa')!.chatsById.get(run.chats[0])!;
    expect(chat.messages.at(-1)!.createdAt - chat.createdAt).toBe(7_000);
    const instant = await play(t, 'missed', { speed: 0, params: { waitBeforeMiss: '1h' } });
    const other = t.emulator.store.tenant('guuru-qa')!.chatsById.get(instant.chats[0])!;
    expect(other.messages.at(-1)!.createdAt - other.createdAt).toBe(3_603_000);
  });

  it('cancels a run: no further steps, status cancelled', async () => {
    const t = await fresh();
    const started = await control(t, 'POST', '/scenarios/happy-path/runs', { speed: 1 });
    const cancelled = await control(t, 'DELETE', `/scenarios/happy-path/runs/${started.body.id}`);
    expect(cancelled.body.status).toBe('cancelled');
    const entries = cancelled.body.timeline.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    const later = await control(t, 'GET', `/scenarios/happy-path/runs/${started.body.id}`);
    expect(later.body).toMatchObject({ status: 'cancelled' });
    expect(later.body.timeline).toHaveLength(entries);
    expect(t.emulator.store.tenant('guuru-qa')!.chatsById.get(later.body.chats[0])!.status).toBe('created');
  });

  it('lists scenarios with their parameters and refuses bad runs clearly', async () => {
    const t = await fresh();
    const list = await control(t, 'GET', '/scenarios');
    expect(list.body.scenarios.map((s: any) => s.name)).toEqual([
      'attachments',
      'bad-rating',
      'busy-day',
      'gurusup-conversation',
      'happy-path',
      'missed',
      'reopen',
      'third-party-impatient',
      'third-party-messaging',
      'third-party-reopen',
      'transfer',
    ]);
    expect(list.body.scenarios.find((s: any) => s.name === 'happy-path').params.rating).toMatchObject({
      default: 'good',
      enum: ['good', 'average', 'bad'],
    });
    expect(list.body.errors).toEqual([]);
    expect((await control(t, 'POST', '/scenarios/nope/runs', {})).status).toBe(404);
    const unknownParam = await control(t, 'POST', '/scenarios/happy-path/runs', { params: { colour: 'red' } });
    expect(unknownParam.status).toBe(400);
    expect(unknownParam.body.message).toMatch(/no parameter "colour"/);
    expect(
      (await control(t, 'POST', '/scenarios/happy-path/runs', { params: { rating: 'superb' } })).body.message,
    ).toMatch(/one of good, average, bad/);
    expect((await control(t, 'POST', '/scenarios/happy-path/runs', { params: { messages: 'many' } })).status).toBe(400);
    expect((await control(t, 'POST', '/scenarios/happy-path/runs', { speed: -1 })).status).toBe(400);
    expect((await control(t, 'POST', '/scenarios/happy-path/runs', { target: 'nowhere' })).status).toBe(400);
    expect((await control(t, 'POST', '/scenarios/happy-path/runs', { tenant: 'nobody' })).status).toBe(404);
    expect((await control(t, 'GET', '/scenarios/happy-path/runs/run-999')).status).toBe(404);
  });

  it('loads --scenarios folders: a broken file is reported by file, step and field, the others run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scenarios-'));
    try {
      writeFileSync(
        join(dir, 'broken.yaml'),
        'name: broken\ndescription: x\nsteps:\n  - open: {}\n  - rate: { rating: superb }\n',
      );
      writeFileSync(join(dir, 'not-yaml.yaml'), 'name: [unclosed\n');
      writeFileSync(
        join(dir, 'quick-close.yaml'),
        'name: quick-close\ndescription: opens, assigns to api, misses\nparams:\n  wait: { default: 1m }\nsteps:\n  - open: { question: "Custom question?" }\n  - assign: {}\n  - wait: "{{wait}}"\n  - miss: {}\n',
      );
      const t = await fresh({ clock: new VirtualClock(START), scenarios: [dir] });
      const list = await control(t, 'GET', '/scenarios');
      expect(list.body.errors).toHaveLength(2);
      expect(list.body.errors[0]).toMatch(
        /broken\.yaml: steps\[1\] \(rate\): rating: "superb" is not one of good, average, bad/,
      );
      expect(list.body.errors[1]).toMatch(/not-yaml\.yaml: not valid YAML/);
      expect(list.body.scenarios.map((s: any) => s.name)).toContain('quick-close');
      const run = await play(t, 'quick-close', { speed: 0 });
      expect(run.status).toBe('completed');
      expect(t.emulator.store.tenant('guuru-qa')!.chatsById.get(run.chats[0])).toMatchObject({
        status: 'missed',
        question: 'Custom question?',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a {{param}} that names who acts is read like the control API's words, and a wrong one fails the run naming them", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scenarios-'));
    try {
      writeFileSync(
        join(dir, 'who-closes.yaml'),
        'name: who-closes\ndescription: closes as {{who}}\nparams:\n  who: { default: customer }\nsteps:\n  - open: {}\n  - assign: {}\n  - accept: { by: persona }\n  - close: { by: "{{who}}" }\n',
      );
      const t = await fresh({ clock: new VirtualClock(START), scenarios: [dir] });
      const closedBy = async (who: string) => {
        const run = await play(t, 'who-closes', { speed: 0, params: { who } });
        const closed = t.emulator.store.tenant('guuru-qa')!.chatsById.get(run.chats[0]);
        return { run, closed };
      };
      const byCustomer = await closedBy('customer');
      expect(byCustomer.run.status).toBe('completed');
      expect(byCustomer.closed?.status).toBe('closed');
      const wrong = await closedBy('robot');
      expect(wrong.run.status).toBe('failed');
      expect(wrong.run.error).toMatch(/"robot" is not one of user, customer, expert, api, system, bot/);
      // Nothing half-done: the chat the failed step was about is still open.
      expect(wrong.closed?.status).toBe('open');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
