import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/index.js';
import { SEED_TIME, startEmulator, type TestEmulator } from '../../helpers/emulator.js';
import { answerThenClose, type IntegratorPlan } from '../../helpers/integrator.js';
import { customerLines, playAgainst } from '../../helpers/third-party.js';

/** The customer's variants (comes back, impatient), determinism, speed, and runs that tell the truth. */

const START = SEED_TIME + 9 * 3_600_000;
const mc = 'message-created';

async function start(t: TestEmulator, name: string, body: Record<string, unknown>) {
  const res = await fetch(`${t.url}/_emulator/scenarios/${name}/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

async function finish(t: TestEmulator, name: string, id: string) {
  const run = (await (await fetch(`${t.url}/_emulator/scenarios/${name}/runs/${id}?wait=1`)).json()) as any;
  await t.emulator.webhooks.dispatcher.idle();
  return run;
}

const play = playAgainst;

describe('third-party-reopen: the customer comes back after the close', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await startEmulator({ clock: new VirtualClock(START) });
  });
  afterAll(() => t.stop());

  it('reopens, asks once more, and rates after the second close of an integrator that answers again', async () => {
    const r = await play(t, 'third-party-reopen', { onCustomer: [['reply'], ['close'], ['reply'], ['close']] });
    expect(r.run.status, r.run.error).toBe('completed');
    expect(r.chat).toMatchObject({ status: 'rated', rating: 'good' });
    expect(r.events).toEqual([
      'chat-assigned',
      'chat-opened',
      mc,
      mc,
      mc,
      'chat-closed',
      'chat-reopened',
      mc,
      mc,
      mc,
      'chat-closed',
      'chat-rated',
    ]);
    // The customer reopened: openChat was never needed.
    expect(r.statuses).toMatchObject({
      accept: 'passed',
      reply: 'passed',
      close: 'passed',
      reopen: 'not-applicable',
      'no-message-after-close': 'passed',
    });
    const lines = customerLines(r.chat);
    expect(lines).toHaveLength(5);
    expect(new Set(lines).size).toBe(5);
    // Coming back: "one more thing" and a question still open on the topic.
    expect(lines[3]).toMatch(/again|one more|more question|forgot/i);
  });

  it('fails an integrator that treats chat-closed as the end: the returning customer is never answered', async () => {
    const r = await play(t, 'third-party-reopen', answerThenClose(1), { replyTimeout: '500ms' });
    expect(r.chat.status).toBe('open');
    expect(r.events).toEqual(['chat-assigned', 'chat-opened', mc, mc, mc, 'chat-closed', 'chat-reopened', mc]);
    expect(r.statuses).toMatchObject({ reply: 'failed', close: 'passed' });
    expect(r.expectation('reply').evidence.at(-1)).toMatchObject({ kind: 'timeout', cause: 'patience' });
    expect(r.run.status).toBe('failed');
  });
});

describe('third-party-impatient: a customer short of patience', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await startEmulator({ clock: new VirtualClock(START) });
  });
  afterAll(() => t.stop());

  it('passes a prompt integrator', async () => {
    const r = await play(t, 'third-party-impatient', answerThenClose(2), { replyTimeout: '2s' });
    expect(r.run.status, r.run.error).toBe('completed');
    expect(r.chat).toMatchObject({ status: 'rated', rating: 'average' });
    expect(r.run.verdict.passed).toBe(true);
  });

  it('nudges a slow integrator once; the late reply still counts against it', async () => {
    // Patience 1 s: the nudge comes at about 1.3 s (after a 300 ms grace), the reply at 1.6 s, before the second second runs out.
    const r = await play(
      t,
      'third-party-impatient',
      { onCustomer: [[{ wait: 1_600 }, 'reply', 'close']] },
      { replyTimeout: '1s' },
    );
    expect(r.chat).toMatchObject({ status: 'rated', rating: 'average' });
    expect(r.events).toEqual(['chat-assigned', 'chat-opened', mc, mc, mc, 'chat-closed', 'chat-rated']);
    const lines = customerLines(r.chat);
    expect(lines[2]).toMatch(/anyone there|still there|still waiting/i);
    expect(r.statuses).toMatchObject({ reply: 'failed', close: 'passed' });
    const timeout = r.expectation('reply').evidence.find((e: any) => e.kind === 'timeout');
    expect(timeout).toMatchObject({ cause: 'patience', expected: 'sendChatMessage answering the customer' });
    expect(r.run.status).toBe('failed');
  });

  it('leaves when the silence goes on after its nudge', async () => {
    const r = await play(t, 'third-party-impatient', {}, { replyTimeout: '400ms' });
    expect(r.chat).toMatchObject({ status: 'open', rating: null });
    expect(r.events).toEqual(['chat-assigned', 'chat-opened', mc, mc]);
    expect(customerLines(r.chat)).toHaveLength(3);
    expect(r.statuses).toMatchObject({ reply: 'failed', close: 'not-applicable' });
    expect(r.run.timeline.at(-1).detail).toMatch(/gave up waiting for sendChatMessage/);
  });
});

describe('third-party runs: deterministic, independent of speed, truthful', () => {
  const emulators: TestEmulator[] = [];
  afterEach(async () => {
    await Promise.all(emulators.splice(0).map((e) => e.stop()));
  });
  const fresh = async () => {
    const t = await startEmulator({ clock: new VirtualClock(START) });
    emulators.push(t);
    return t;
  };

  it('same seed, same integrator: the same payloads and the same verdict', async () => {
    const outcomes: { bodies: string[]; verdict: string }[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await play(
        await fresh(),
        'third-party-messaging',
        { onCustomer: [['reply', 'reply'], ['reply'], ['close']] },
        { language: 'fr' },
        { seed: 7 },
      );
      outcomes.push({ bodies: r.integrator.received.map((x) => x.raw), verdict: JSON.stringify(r.run.verdict) });
    }
    expect(outcomes[0]!.bodies).toHaveLength(10);
    expect(outcomes[1]).toEqual(outcomes[0]);
    const other = await play(
      await fresh(),
      'third-party-messaging',
      { onCustomer: [['reply', 'reply'], ['reply'], ['close']] },
      { language: 'fr' },
      { seed: 8 },
    );
    expect(other.integrator.received.map((x) => x.raw)).not.toEqual(outcomes[0]!.bodies);
  });

  it('the same integrator gets the same conversation and verdict at speed 0 and at speed 40', async () => {
    const plan: IntegratorPlan = {
      onCustomer: [
        ['reply', 'reply'],
        ['reply', 'close'],
      ],
    };
    const instant = await play(await fresh(), 'third-party-messaging', plan, {}, { seed: 3 });
    const paced = await play(await fresh(), 'third-party-messaging', plan, {}, { seed: 3, speed: 40 });
    expect(instant.run.status, instant.run.error).toBe('completed');
    expect(paced.events).toEqual(instant.events);
    expect(paced.statuses).toEqual(instant.statuses);
    expect(paced.chat.messages).toEqual(instant.chat.messages);
  });

  it('a target that refuses connections fails the run at once, naming the undelivered webhook', async () => {
    const t = await fresh();
    const realStart = Date.now();
    const run = await finish(
      t,
      'third-party-messaging',
      await start(t, 'third-party-messaging', { target: 'http://127.0.0.1:9/guuru', speed: 0 }),
    );
    // Far less than the 30 s the customer would wait for an accept: nothing can arrive.
    expect(Date.now() - realStart).toBeLessThan(15_000);
    expect(run.status).toBe('failed');
    expect(run.deliveries).toMatchObject({ sent: 1, delivered: 0, failed: 1, pending: 0 });
    expect(run.deliveries.undelivered[0]).toMatchObject({
      event: 'chat-assigned',
      url: 'http://127.0.0.1:9/guuru',
      attempts: 5,
    });
    expect(run.deliveries.undelivered[0].error).toMatch(/ECONNREFUSED/);
    const byId = Object.fromEntries(run.verdict.expectations.map((e: any) => [e.id, e]));
    expect(byId['webhooks-delivered'].status).toBe('failed');
    expect(byId.accept).toMatchObject({ status: 'failed' });
    expect(byId.accept.evidence.at(-1)).toMatchObject({ kind: 'timeout', cause: 'undelivered' });
  });

  it('a scripted run to a refusing target completes, and its result lists the webhooks that never arrived', async () => {
    const t = await fresh();
    const run = await finish(
      t,
      'bad-rating',
      await start(t, 'bad-rating', { target: 'http://127.0.0.1:9/hooks', speed: 0 }),
    );
    expect(run.status).toBe('completed');
    expect(run.integratorFacing).toBe(false);
    expect(run.verdict).toBeUndefined();
    // The run ended once every webhook had been given up: the result is final.
    expect(run.deliveries).toMatchObject({ sent: 6, delivered: 0, failed: 6, pending: 0 });
    expect(run.deliveries.undelivered.map((d: any) => d.event)).toEqual([
      'chat-assigned',
      'chat-opened',
      'message-created',
      'message-created',
      'chat-closed',
      'chat-rated',
    ]);
    expect(run.timeline.flatMap((e: any) => e.webhooks.map((w: any) => w.status))).toEqual(Array(6).fill('failed'));
  });

  it('without a target or a subscription nothing can reach the integrator, and the run says so', async () => {
    const t = await fresh();
    const run = await finish(t, 'third-party-messaging', await start(t, 'third-party-messaging', { speed: 0 }));
    expect(run.status).toBe('failed');
    const delivered = run.verdict.expectations.find((e: any) => e.id === 'webhooks-delivered');
    expect(delivered).toMatchObject({ status: 'failed' });
    expect(delivered.reason).toMatch(/no webhook was sent.*--target/);
  });
});
