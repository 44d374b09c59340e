import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseScenarioText } from '../../../src/scenarios/loader.js';
import { sessionScenario } from '../../../src/scenarios/from-session.js';
import { integrationSteps, type SessionCall, type SessionStep } from '../../../src/scenarios/session-origin.js';
import type { ChatRecord } from '../../../src/store/model.js';

// A chat held by hand becomes a scenario file: the person's moves as steps, the integration's
// (the api steps its journaled calls caused) as wait-until steps.

const message = (id: string, text: string, kind: 'user' | 'persona') => ({
  id,
  chatId: 'c1',
  seq: 1,
  type: 'text' as const,
  text,
  createdAt: 0,
  hideForUser: false,
  hideForExpert: false,
  author: kind === 'user' ? { kind: 'user' as const } : { kind: 'persona' as const, id: 'p1' },
});

const chat = {
  id: 'c1',
  seq: 1,
  createdAt: 0,
  isAssignedToAgent: false,
  question: 'Where is my parcel?',
  status: 'rated',
  rating: 'average',
  language: 'de',
  expertId: 'p1',
  requestedExperts: ['api'],
  user: { id: 'u1', name: 'Mia' },
  messages: [
    message('m0', 'Where is my parcel?', 'user'),
    message('m1', 'Ordered on Monday.', 'user'),
    message('m2', 'It ships today.', 'persona'),
  ],
} as unknown as ChatRecord;

const steps: SessionStep[] = [
  { at: 1, kind: 'created', event: 'chat.created', to: 'created', actor: 'user' },
  { at: 2, kind: 'status', event: 'chat.assigned', to: 'assigned', actor: 'system' },
  { at: 3, kind: 'status', event: 'chat.accepted', to: 'open', actor: 'api' },
  { at: 4, kind: 'message', event: 'message.created', to: 'open', actor: 'user', messageId: 'm1' },
  { at: 5, kind: 'message', event: 'message.created', to: 'open', actor: 'api', messageId: 'm2' },
  { at: 6, kind: 'status', event: 'chat.closed', to: 'closed', actor: 'api' },
  { at: 7, kind: 'status', event: 'chat.rated', to: 'rated', actor: 'user' },
];

const stepsOf = (yaml: string) => parse(yaml).steps as unknown[];

describe('who made each step', () => {
  it('a successful call about the chat marks the first step it causes at or after its arrival; refusals and other chats mark none', () => {
    const calls: SessionCall[] = [
      { at: 3, fields: [{ name: 'acceptChat', chatId: 'c1' }] },
      { at: 4, fields: [{ name: 'sendChatMessage', chatId: 'c1', errorCode: 'CHAT_NOT_OPEN' }] },
      { at: 5, fields: [{ name: 'closeChat', chatId: 'other' }] },
    ];
    expect([...integrationSteps('c1', steps, calls)].map((s) => s.at)).toEqual([3]);
  });
});

describe('a session as a scenario file', () => {
  it("moves made by hand are replayed as steps, with the shopper's lines kept; the file loads", () => {
    const yaml = sessionScenario(chat, steps, [], { name: 'by-hand' });
    expect(stepsOf(yaml)).toEqual([
      { open: { question: 'Where is my parcel?', language: 'de', user: { name: 'Mia' } } },
      { assign: { experts: ['api'] } },
      { accept: { by: 'persona', persona: 'p1' } },
      { message: { from: 'customer', text: 'Ordered on Monday.' } },
      { message: { from: 'expert', text: 'It ships today.' } },
      { close: { by: 'expert' } },
      { rate: { rating: 'average' } },
    ]);
    expect(parseScenarioText(yaml, 'by-hand.yaml').steps.map((s) => s.kind)).toEqual([
      'open',
      'assign',
      'accept',
      'message',
      'message',
      'close',
      'rate',
    ]);
    expect(parse(yaml).description).toMatch(/Every move was made by hand/);
  });

  it("the integration's moves become one wait per reaction (accept, answer and close folded into the furthest); generated text on request", () => {
    const calls: SessionCall[] = [
      { at: 3, fields: [{ name: 'acceptChat', chatId: 'c1' }] },
      { at: 5, fields: [{ name: 'sendChatMessage', chatId: 'c1' }] },
      { at: 6, fields: [{ name: 'closeChat', chatId: 'c1' }] },
    ];
    const yaml = sessionScenario(chat, steps, calls, { name: 'against-it', text: 'generated', timeout: '20s' });
    expect(stepsOf(yaml)).toEqual([
      { open: { language: 'de', user: { name: 'Mia' } } },
      { assign: { experts: ['api'] } },
      { 'wait-until': { event: 'accepted', timeout: '20s' } },
      { message: { from: 'customer' } },
      { 'wait-until': { event: 'closed', timeout: '20s' } },
      { rate: { rating: 'average' } },
    ]);
    expect(parseScenarioText(yaml, 'against-it.yaml').name).toBe('against-it');
  });
});
