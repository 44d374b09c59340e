import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type TestEmulator } from '../../helpers/emulator.js';
import { webhookSink, type ReceivedWebhook, type WebhookSink } from '../../helpers/webhook-sink.js';

// Several named chats in one flow (`open: {as}`, `in-chat`), and delivery faults switched on for
// the flow's chat (`fault`): what `scenario from-flow` writes for a flow of verify --explore.

let t: TestEmulator;
let sink: WebhookSink;
beforeAll(async () => {
  sink = await webhookSink({ secret: null });
  t = await startEmulator();
});
afterAll(async () => {
  await t.stop();
  await sink.close();
});

async function play(name: string, yaml: string) {
  const added = await fetch(`${t.url}/_emulator/scenarios`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ files: [{ file: `${name}.yaml`, yaml }] }),
  });
  expect(added.status, await added.clone().text()).toBe(200);
  const started = (await (
    await fetch(`${t.url}/_emulator/scenarios/${name}/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ target: sink.url, speed: 1 }),
    })
  ).json()) as { id: string };
  const run = (await (await fetch(`${t.url}/_emulator/scenarios/${name}/runs/${started.id}?wait=1`)).json()) as any;
  await t.emulator.webhooks.dispatcher.idle();
  return run;
}

const chatOf = (r: ReceivedWebhook): string => (r.event === 'message-created' ? r.body.chat.id : r.body.id);

describe('scenario steps in-chat and fault', () => {
  it('interleaves named chats, and applies each fault to the next webhook of its chat only', async () => {
    sink.clear();
    const run = await play(
      'two-chats',
      [
        'name: two-chats',
        'description: Two chats interleaved, with delivery faults.',
        'steps:',
        '  - open: { as: first, question: "Is the rain cover included?" }',
        '  - assign: { experts: [api] }',
        '  - open: { as: second }',
        '  - assign: { experts: [api] }',
        '  - in-chat: first',
        '  - fault: { kind: duplicate, event: message-created }',
        '  - message: { from: customer, text: "Hello from the first chat" }',
        '  - in-chat: second',
        '  - fault: { kind: delay, delay: 300ms }',
        '  - message: { from: customer, text: "Hello from the second chat" }',
        '  - in-chat: first',
        '  - message: { from: customer, text: "Once more in the first" }',
      ].join('\n'),
    );
    expect(run.status, run.error).toBe('completed');
    expect(run.chats).toHaveLength(2);
    const [first, second] = run.chats as string[];
    const received = sink.received;
    const texts = (chat: string) =>
      received.filter((r) => r.event === 'message-created' && chatOf(r) === chat).map((r) => r.body.text);
    // The duplicate is the first chat's first message only; its later message comes once.
    expect(texts(first as string)).toEqual([
      'Hello from the first chat',
      'Hello from the first chat',
      'Once more in the first',
    ]);
    expect(texts(second as string)).toEqual(['Hello from the second chat']);
    // The delayed message of the second chat arrives after the first chat's later one (other chats go on).
    const at = (text: string) => received.findIndex((r) => r.body.text === text);
    expect(at('Hello from the second chat')).toBeGreaterThan(at('Once more in the first'));
    const log = t.emulator.webhooks.dispatcher.log.list();
    expect(log.filter((d) => d.faults.includes('delay')).map((d) => [d.chatId, d.event])).toEqual([
      [second, 'message-created'],
    ]);
    expect(run.timeline.filter((e: any) => e.action === 'fault').map((e: any) => e.detail)).toEqual([
      `delivery fault duplicate on the next message-created of chat ${first}`,
      `delivery fault delay (300 ms) on the next webhook of chat ${second}`,
    ]);
  });

  it('quiet waits for the webhooks of every chat of the flow, and goes on at its timeout', async () => {
    sink.clear();
    const run = await play(
      'quiet-chats',
      [
        'name: quiet-chats',
        'description: Waits for quiet, and for no longer than its timeout.',
        'steps:',
        '  - open: { as: A }',
        '  - assign: { experts: [api] }',
        '  - open: { as: B }',
        '  - fault: { kind: delay, delay: 400ms }',
        '  - assign: { experts: [api] }',
        '  - in-chat: A',
        '  - quiet: { grace: 50ms, timeout: 5s }',
        '  - message: { from: customer, text: "After the quiet" }',
        '  - fault: { kind: delay, delay: 3s }',
        '  - message: { from: customer, text: "Held for 3 s" }',
        '  - quiet: { grace: 50ms, timeout: 200ms }',
        '  - message: { from: customer, text: "After the timeout" }',
      ].join('\n'),
    );
    expect(run.status, run.error).toBe('completed');
    const events = sink.received.map((r) => (r.event === 'message-created' ? r.body.text : r.event));
    // B's assignment (held 400 ms) came before the quiet ended; the message held 3 s did not.
    expect(events).toEqual(['chat-assigned', 'chat-assigned', 'After the quiet', 'Held for 3 s', 'After the timeout']);
    expect(run.timeline.filter((e: any) => e.action === 'quiet').map((e: any) => e.detail)).toEqual([
      'not quiet within 200 ms: went on',
    ]);
  });

  it('fails the run on a chat name not opened in the flow, or opened twice', async () => {
    const unknown = await play(
      'unknown-chat',
      ['name: unknown-chat', 'description: x', 'steps:', '  - open: { as: A }', '  - in-chat: B'].join('\n'),
    );
    expect(unknown.status).toBe('failed');
    expect(unknown.error).toContain('steps[1]: no chat named "B" in this flow; open it first with open: {as: B}.');
    const twice = await play(
      'twice-chat',
      ['name: twice-chat', 'description: x', 'steps:', '  - open: { as: A }', '  - open: { as: A }'].join('\n'),
    );
    expect(twice.status).toBe('failed');
    expect(twice.error).toContain('this flow has a chat named "A" already');
  });
});
