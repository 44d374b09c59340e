import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixtures } from '../../../src/store/fixtures.js';
import { generateTenant } from '../../../src/store/seed.js';
import type { ChatRecord } from '../../../src/store/model.js';
import { SEED_TIME, startEmulator, type TestEmulator } from '../../helpers/emulator.js';
import { dialogueProblems, type Transcript } from '../../helpers/dialogue.js';

const { tenants, content } = loadFixtures();
const fixture = tenants.find((t) => t.id === 'guuru-qa')!;
const documented = fixture.documented.chat!;

const transcriptOf = (chat: ChatRecord): Transcript => ({
  id: chat.id,
  language: chat.language,
  question: chat.question,
  lines: chat.messages
    .filter((m) => m.type === 'text')
    .map((m) => ({
      who: m.author.kind === 'user' ? 'customer' : m.author.kind === 'bot' ? 'bot' : 'expert',
      text: m.text ?? '',
    })),
});

const CHATS = `query Chats($after: String) { partner { chats(first: 100, after: $after) {
  edges { node { id language question messages(first: 50) { edges { node {
    ... on TextMessage { text } author { __typename } } } } } }
  pageInfo { hasNextPage endCursor } } } }`;

describe('seeded chats make sense', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await startEmulator();
  });
  afterAll(() => t.stop());

  it('every chat of the default seed, read through GraphQL: one topic from question to answer to thanks, in its language, no line twice', async () => {
    const transcripts: Transcript[] = [];
    let after: string | undefined;
    do {
      const res = await t.gql(CHATS, { after });
      expect(res.body.errors).toBeUndefined();
      const chats = res.body.data!.partner.chats;
      for (const { node } of chats.edges) {
        const lines = node.messages.edges
          .map((e: any) => e.node)
          .filter((m: any) => typeof m.text === 'string')
          .map((m: any) => ({
            who:
              ({ UserAuthor: 'customer', BotAuthor: 'bot' } as Record<string, 'customer' | 'bot'>)[
                m.author.__typename
              ] ?? 'expert',
            text: m.text,
          }));
        transcripts.push({ id: node.id, language: node.language, question: node.question, lines });
      }
      after = chats.pageInfo.hasNextPage ? chats.pageInfo.endCursor : undefined;
    } while (after);
    expect(transcripts.length).toBe(fixture.chats);
    const problems = transcripts.flatMap((c) =>
      dialogueProblems(c, content, c.id === documented.id ? documented.text : undefined),
    );
    expect(problems).toEqual([]);
    // Finished chats end with the customer's thanks and the expert's closing; the documented chat opens with its "Hello".
    const closed = t.emulator.store.tenant('guuru-qa')!.data.chats.filter((c) => c.closedAt !== undefined);
    expect(closed.length).toBeGreaterThan(100);
    for (const chat of closed) {
      const texts = chat.messages.map((m) => m.text);
      expect(content.conversation![chat.language]!.thanks, chat.id).toContain(texts.at(-2));
      expect(content.conversation![chat.language]!.closings, chat.id).toContain(texts.at(-1));
    }
    const hello = transcripts.find((c) => c.id === documented.id)!;
    expect(hello.lines.slice(0, 2).map((l) => l.text)).toEqual([documented.text, hello.question]);
    expect(content.topics!.map((x) => x.en.question)).toContain(hello.question);
    // Every topic and every language is in the demo data.
    expect(new Set(transcripts.map((c) => c.language))).toEqual(new Set(['en', 'de', 'fr', 'it']));
    expect(new Set(transcripts.map((c) => c.question)).size).toBeGreaterThanOrEqual(content.topics!.length * 4);
  });

  it('for other seeds too, with the chat filed under its topic’s category', () => {
    for (const seed of [2, 99, 2024]) {
      const data = generateTenant({ fixture, content, seed, seedTime: SEED_TIME });
      const problems = data.chats.flatMap((c) =>
        dialogueProblems(transcriptOf(c), content, c.id === documented.id ? documented.text : undefined),
      );
      expect(problems, `seed ${seed}`).toEqual([]);
      for (const chat of data.chats) {
        const topic = content.topics!.find(
          (x) => (x[chat.language] as { question: string }).question === chat.question,
        )!;
        expect(data.categories.find((c) => c.id === chat.categoryId)?.name, chat.id).toBe(topic.category);
      }
    }
  });
});

describe('the dialogue check', () => {
  const chat = generateTenant({ fixture, content, seed: 5, seedTime: SEED_TIME }).chats.find(
    (c) => c.status === 'rated' && c.language === 'en' && c.messages.length >= 8,
  )!;
  const good = transcriptOf(chat);
  const withLine = (index: number, text: string): Transcript => ({
    ...good,
    lines: good.lines.map((l, i) => (i === index ? { ...l, text } : l)),
  });
  const customerAt = good.lines.findIndex((l) => l.who === 'customer');
  const expertAt = good.lines.findIndex((l) => l.who === 'expert');
  const topic = content.topics!.find((x) => x.en.question === good.question)!;
  const other = content.topics!.find((x) => x.id !== topic.id)!;

  it('passes a sensible chat', () => {
    expect(dialogueProblems(good, content)).toEqual([]);
  });

  it('finds an answer from another topic (a delivery question answered with a tent)', () => {
    expect(dialogueProblems(withLine(expertAt, other.en.answers[0]!), content).join('\n')).toMatch(/2 topics/);
  });

  it('finds an answer to another question of the topic than the one asked', () => {
    expect(dialogueProblems(withLine(expertAt, topic.en.answers[2]!), content).join('\n')).toMatch(
      /answers question 3 .* question 1 was asked/,
    );
  });

  it('finds a customer who opens with thanks', () => {
    const thanks = withLine(customerAt, content.conversation!.en!.thanks[0]!);
    expect(dialogueProblems(thanks, content).join('\n')).toMatch(
      /opens with something other than its question \(thanks\)/,
    );
  });

  it('finds a line said twice', () => {
    const repeated = { ...good, lines: [...good.lines, good.lines[expertAt]!] };
    expect(dialogueProblems(repeated, content).join('\n')).toMatch(/said twice/);
  });

  it('finds a line in another language than the chat’s', () => {
    expect(dialogueProblems(withLine(expertAt, topic.de!.answers[0]!), content).join('\n')).toMatch(
      /not a line of the expert in en/,
    );
    expect(dialogueProblems({ ...good, language: 'fr' }, content).length).toBeGreaterThan(0);
  });
});
