import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/index.js';
import { SEED_TIME, startEmulator, type TestEmulator } from '../../helpers/emulator.js';
import { startIntegrator } from '../../helpers/integrator.js';

/** A team writes its own customer in YAML; broken files say where; generated conversations make sense. */

const START = SEED_TIME + 9 * 3_600_000;

const OWN_CUSTOMER = `
name: asks-first
description: The customer writes its details before anyone accepts, answers once with a fixed line, rates bad.
steps:
  - open: {}
  - assign: { experts: [api] }
  - message: { from: customer, text: '{{details}}' }
  - customer:
      exchanges: 1
      patience: { accept: 5s, reply: 5s }
      grace: 200ms
      on:
        accepted: []
        replied:
          - wait: 5s
          - message: { from: customer, text: 'Thanks, that was quick!' }
        closed:
          - rate: { rating: bad }
`;

const BROKEN: Record<string, string> = {
  'unknown-event.yaml': `name: unknown-event\ndescription: x\nsteps:\n  - open: {}\n  - assign: {}\n  - customer: { on: { replyed: [] } }\n`,
  'open-in-handler.yaml': `name: open-in-handler\ndescription: x\nsteps:\n  - open: {}\n  - customer: { on: { closed: [ { open: {} } ] } }\n`,
  'give-up-outside.yaml': `name: give-up-outside\ndescription: x\nsteps:\n  - open: {}\n  - give-up: {}\n`,
  'bad-patience.yaml': `name: bad-patience\ndescription: x\nsteps:\n  - open: {}\n  - customer: { patience: { reply: soon } }\n`,
  'bad-rating.yaml': `name: bad-rating-in-handler\ndescription: x\nsteps:\n  - open: {}\n  - customer: { on: { closed: { first: [ { wait: 1m } ], then: [ { rate: { rating: superb } } ] } } }\n`,
};

describe('a customer written in YAML', () => {
  let t: TestEmulator;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'customers-'));
    writeFileSync(join(dir, 'asks-first.yaml'), OWN_CUSTOMER);
    for (const [file, text] of Object.entries(BROKEN)) writeFileSync(join(dir, file), text);
    t = await startEmulator({ clock: new VirtualClock(START), scenarios: [dir] });
  });
  afterAll(async () => {
    await t.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs as written: asks before the accept, answers once, rates bad', async () => {
    const integrator = await startIntegrator(`${t.url}/graphql`, { onCustomer: [['reply'], ['close']] });
    try {
      const started = (await (
        await fetch(`${t.url}/_emulator/scenarios/asks-first/runs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ target: integrator.url, speed: 0 }),
        })
      ).json()) as any;
      const run = (await (
        await fetch(`${t.url}/_emulator/scenarios/asks-first/runs/${started.id}?wait=1`)
      ).json()) as any;
      expect(run.status, run.error).toBe('completed');
      const chat = t.emulator.store.tenant('guuru-qa')!.chatsById.get(run.chats[0])!;
      expect(chat).toMatchObject({ status: 'rated', rating: 'bad' });
      const lines = chat.messages.filter((m) => m.author.kind === 'user').map((m) => m.text);
      expect(lines).toHaveLength(3);
      expect(lines[2]).toBe('Thanks, that was quick!');
      expect(integrator.received.map((r) => r.event)).toEqual([
        'chat-assigned',
        'message-created',
        'chat-opened',
        'message-created',
        'message-created',
        'chat-closed',
        'chat-rated',
      ]);
      expect(run.verdict.passed).toBe(true);
      // Its own handlers' steps are on the timeline with their place in the file.
      expect(run.timeline.map((e: any) => e.step)).toContain('steps[3].customer.on.replied[1]#1');
    } finally {
      await integrator.close();
    }
  });

  it('reports each broken customer by file, step and field, and loads the rest', async () => {
    const { errors, scenarios } = (await (await fetch(`${t.url}/_emulator/scenarios`)).json()) as any;
    const of = (file: string) => errors.find((e: string) => e.includes(file)) as string;
    expect(of('unknown-event.yaml')).toMatch(
      /steps\[2\]\.customer\.on: unknown event "replyed"; a customer reacts to accepted, replied, closed/,
    );
    expect(of('open-in-handler.yaml')).toMatch(
      /steps\[1\]\.customer\.on\.closed\[0\]: "open" cannot be used in a customer's handler; there the actions are wait, message, rate/,
    );
    expect(of('give-up-outside.yaml')).toMatch(/steps\[1\]: "give-up" only works in a customer's handlers/);
    expect(of('bad-patience.yaml')).toMatch(/steps\[1\] \(customer\): patience\.reply: a duration such as 500ms/);
    expect(of('bad-rating.yaml')).toMatch(
      /steps\[1\]\.customer\.on\.closed\.then\[0\] \(rate\): rating: "superb" is not one of good, average, bad/,
    );
    expect(errors).toHaveLength(5);
    expect(scenarios.map((s: any) => s.name)).toContain('asks-first');
  });
});

interface TopicLines {
  question: string;
  details: string;
  followUps: string[];
  answers: string[];
}
const content = JSON.parse(readFileSync(new URL('../../../fixtures/content.json', import.meta.url), 'utf8')) as {
  topics: (Record<string, TopicLines> & { id: string })[];
  conversation: Record<string, Record<string, string[]>>;
};
/** Every line of every topic in a language, to find which topic a chat's line comes from. */
const topicOf = (line: string, language: string) =>
  content.topics.find((t) => {
    const l = t[language] as TopicLines;
    return [l.question, l.details, ...l.followUps, ...l.answers].includes(line);
  })?.id;

describe('conversations that make sense', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await startEmulator({ clock: new VirtualClock(START) });
  });
  afterAll(() => t.stop());

  for (const language of ['en', 'de', 'fr', 'it']) {
    it(`${language}: each chat keeps one topic from question to answer to thanks, no line twice`, async () => {
      for (const seed of [1, 2, 3, 4, 5]) {
        const started = (await (
          await fetch(`${t.url}/_emulator/scenarios/happy-path/runs`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ speed: 0, seed, params: { language } }),
          })
        ).json()) as any;
        const run = (await (
          await fetch(`${t.url}/_emulator/scenarios/happy-path/runs/${started.id}?wait=1`)
        ).json()) as any;
        const chat = t.emulator.store.tenant('guuru-qa')!.chatsById.get(run.chats[0])!;
        const texts = chat.messages.map((m) => m.text as string);
        expect(new Set(texts).size, texts.join(' | ')).toBe(texts.length);
        // The opening question, the answers and the follow-ups all come from one topic…
        const topics = new Set(texts.map((line) => topicOf(line, language)).filter(Boolean));
        expect(topics.size, texts.join(' | ')).toBe(1);
        expect(topicOf(texts[0]!, language)).toBeDefined();
        // …and the chat ends with the expert's closing line in the customer's language.
        expect(content.conversation[language]!.closings).toContain(texts.at(-1));
        expect(chat.language).toBe(language);
      }
    });
  }

  it('the reactive customer explains, asks its follow-up, then thanks: in that order', async () => {
    const integrator = await startIntegrator(`${t.url}/graphql`, { onCustomer: [['reply'], ['reply'], ['close']] });
    try {
      const started = (await (
        await fetch(`${t.url}/_emulator/scenarios/third-party-messaging/runs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ target: integrator.url, speed: 0, params: { language: 'de' } }),
        })
      ).json()) as any;
      const run = (await (
        await fetch(`${t.url}/_emulator/scenarios/third-party-messaging/runs/${started.id}?wait=1`)
      ).json()) as any;
      const chat = t.emulator.store.tenant('guuru-qa')!.chatsById.get(run.chats[0])!;
      const lines = chat.messages.filter((m) => m.author.kind === 'user').map((m) => m.text as string);
      const topic = content.topics.find((x) => (x.de as TopicLines).question === lines[0])!;
      expect(topic, lines.join(' | ')).toBeDefined();
      const de = topic.de as TopicLines;
      expect(lines).toEqual([de.question, de.details, de.followUps[0], expect.any(String)]);
      expect(content.conversation.de!.thanks).toContain(lines[3]);
    } finally {
      await integrator.close();
    }
  });
});
