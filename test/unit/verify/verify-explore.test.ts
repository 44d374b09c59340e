import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../../src/scenarios/loader.js';
import { describeStep, flowArbitrary, normalise, type Flow } from '../../../src/verify/explore/model.js';
import { outstanding, violations } from '../../../src/verify/explore/properties.js';
import { parseFlowFile } from '../../../src/verify/explore/flow-file.js';
import { numbered, toFlowFile, toScenarioYaml } from '../../../src/verify/explore/replay.js';
import type { Played, PlayedCall, PlayedDelivery } from '../../../src/verify/explore/trace.js';

const OPTIONS = { maxSteps: 8, maxSilenceMs: 3000 };

describe('explore model', () => {
  it('generates the same flows from the same seed, and other flows from another', () => {
    const sample = (seed: number) => fc.sample(flowArbitrary(OPTIONS), { seed, numRuns: 30 });
    expect(sample(42)).toEqual(sample(42));
    expect(sample(43)).not.toEqual(sample(42));
    for (const flow of sample(42)) expect(flow[0]).toEqual({ do: 'assign', chat: 'A', api: true, at: { gapMs: 0 } });
  });

  it('drops the steps that cannot happen and names chats in order of appearance', () => {
    const flow: Flow = [
      { do: 'write', chat: 'B', kind: 'text', at: { gapMs: 0 } }, // B never assigned yet
      { do: 'assign', chat: 'C', api: true, at: { gapMs: 0 } },
      { do: 'agent-write', chat: 'C', at: { gapMs: 0 } }, // another expert cannot write into a chat of api
      { do: 'assign', chat: 'C', api: false, at: { gapMs: 0 } }, // a re-assignment does not change who it is requested to
      { do: 'write', chat: 'C', kind: 'helped', at: { silenceMs: 300 }, fault: 'concurrent' },
    ];
    expect(normalise(flow)).toEqual([
      { do: 'assign', chat: 'A', api: true, at: { gapMs: 0 } },
      { do: 'write', chat: 'A', kind: 'helped', at: { silenceMs: 300 }, fault: 'concurrent' },
    ]);
  });

  it('says each step in words', () => {
    expect(
      numbered(
        normalise([
          { do: 'assign', chat: 'A', api: true, at: { gapMs: 0 } },
          { do: 'write', chat: 'A', kind: 'text', at: { gapMs: 50 }, fault: 'concurrent' },
          { do: 'assign', chat: 'B', api: false, at: { silenceMs: 300 } },
        ]),
      ),
    ).toEqual([
      '1. chat A assigned to api',
      '2. 50 ms later, the customer of chat A sends a message, delivered twice at once',
      '3. after 300 ms of silence, chat B assigned to another expert (no api in requestedExperts), who accepts it',
    ]);
    expect(describeStep({ do: 'write', chat: 'B', kind: 'text', at: { afterClose: true } })).toBe(
      'once chat B is closed, the customer of chat B sends a message',
    );
    expect(describeStep({ do: 'rate', chat: 'A', at: { gapMs: 0 }, fault: 'retry' })).toBe(
      'the customer rates chat A (once it is closed), its first attempt given up and retried (same Idempotency-Key)',
    );
  });
});

// Traces written by hand: the checker passes a correct one and fails each broken one.
let at = 0;
const delivery = (event: string, extra: Partial<PlayedDelivery> = {}): PlayedDelivery => ({
  kind: 'delivery',
  at: (at += 10),
  deliveryId: `d.${at}`,
  event,
  chat: 'A',
  chatId: 'c1',
  idempotencyKey: `k-${event}-${at}`,
  copy: 1,
  copies: 1,
  attempt: 1,
  statusCode: 200,
  durationMs: 3,
  headers: {},
  body: '{}',
  ...extra,
});
const call = (operation: string, extra: Partial<PlayedCall> = {}): PlayedCall => ({
  kind: 'call',
  at: (at += 10),
  requestId: String(at),
  operation,
  chat: 'A',
  chatId: 'c1',
  ok: true,
  ...extra,
});
const played = (entries: Played['entries'], status = 'open', api = true): Played => ({
  flow: [],
  seed: 1,
  chats: [{ label: 'A', id: 'c1', api }],
  entries,
  statuses: { c1: status },
  rendered: [],
  timeoutMs: 1000,
  graceMs: 100,
  durationMs: 0,
});
const customer = (extra: Partial<PlayedDelivery> = {}) => delivery('message-created', { author: 'customer', ...extra });

describe('explore properties', () => {
  it('pass a correct conversation', () => {
    const trace = played(
      [
        delivery('chat-assigned'),
        call('acceptChat'),
        delivery('chat-opened'),
        customer(),
        call('sendChatMessage'),
        delivery('message-created', { author: 'own' }),
        call('closeChat'),
      ],
      'closed',
    );
    expect(violations(trace)).toEqual([]);
    expect(outstanding(trace)).toEqual([]);
  });

  it('fail an unanswered message, and say it is still owed', () => {
    const trace = played([delivery('chat-assigned'), call('acceptChat'), customer()]);
    expect(outstanding(trace)).toEqual(['an answer on chat A']);
    expect(violations(trace).map((v) => v.property)).toEqual(['explore.answers-every-message']);
  });

  it('fail two answers to one message delivered twice at once', () => {
    const copy = customer({ copies: 2 });
    const trace = played([
      delivery('chat-assigned'),
      call('acceptChat'),
      copy,
      { ...copy, copy: 2, at: copy.at + 1 },
      call('sendChatMessage'),
      call('sendChatMessage'),
    ]);
    expect(violations(trace).map((v) => v.property)).toEqual(['explore.acts-once']);
  });

  it('fail an answer to its own message, a write into a closed chat, an accept of a chat of another expert, a refused delivery, a helped customer left open', () => {
    expect(
      violations(
        played([
          delivery('chat-assigned'),
          call('acceptChat'),
          customer(),
          call('sendChatMessage'),
          delivery('message-created', { author: 'own' }),
          call('sendChatMessage'),
        ]),
      ).map((v) => v.property),
    ).toEqual(['explore.ignores-own-messages']);
    expect(
      violations(
        played(
          [
            delivery('chat-assigned'),
            call('acceptChat'),
            call('closeChat'),
            call('sendChatMessage', {
              ok: false,
              errorCode: 'CHAT_NOT_OPEN',
              errorMessage: 'Cannot post a message as api into chat c1: its status is "closed"',
            }),
          ],
          'closed',
        ),
      ).map((v) => v.property),
    ).toEqual(['explore.no-write-after-close']);
    expect(
      violations(
        played([delivery('chat-assigned'), call('acceptChat', { ok: false, errorCode: 'FORBIDDEN' })], 'open', false),
      ).map((v) => v.property),
    ).toEqual(['explore.only-api-chats']);
    expect(
      violations(played([delivery('chat-assigned', { statusCode: 500 }), call('acceptChat')])).map((v) => v.property),
    ).toEqual(['explore.acknowledges']);
    const helped = customer({ body: '{"text":"Thanks, that solved it!"}' });
    expect(
      violations(played([delivery('chat-assigned'), call('acceptChat'), helped, call('sendChatMessage')])).map(
        (v) => v.property,
      ),
    ).toEqual(['explore.closes-when-helped']);
  });

  it('leave a message to the customer when the close crossed it, but not when the close came later', () => {
    const message = customer();
    const crossing = played(
      [delivery('chat-assigned'), call('acceptChat'), message, { ...call('closeChat'), at: message.at + 20 }],
      'closed',
    );
    expect(violations(crossing)).toEqual([]);
    const later = played(
      [delivery('chat-assigned'), call('acceptChat'), message, { ...call('closeChat'), at: message.at + 600 }],
      'closed',
    );
    expect(violations(later).map((v) => v.property)).toEqual(['explore.answers-every-message']);
  });
});

describe('the flow file', () => {
  const file = toFlowFile({
    property: 'explore.acts-once',
    rule: 'one answer per message',
    failure: 'answered twice',
    seed: 7,
    tenant: 'guuru-qa',
    timeoutMs: 500,
    graceMs: 100,
    maxSilenceMs: 400,
    flow: [
      { do: 'assign', chat: 'A', api: true, at: { gapMs: 0 } },
      { do: 'write', chat: 'A', kind: 'attachment', at: { silenceMs: 200 }, fault: 'concurrent' },
    ],
    deliveries: [],
    chats: { A: 'c1' },
  });

  it('is read back as written, and refused with the reason when it is not one', () => {
    expect(parseFlowFile(JSON.parse(JSON.stringify(file)))).toEqual(file);
    expect(() => parseFlowFile({ kind: 'something else' })).toThrow(
      /^not a flow file of verify --explore \(kind: .*\); write one with verify --explore$/,
    );
    expect(() => parseFlowFile({ ...file, flow: [{ do: 'dance', chat: 'A', at: { gapMs: 0 } }] })).toThrow(
      /flow\.0\.do/,
    );
  });

  it('turns into a scenario the scenario engine loads', () => {
    const scenario = parseScenarioText(toScenarioYaml(file), 'explore-replay.yaml');
    expect(scenario.name).toBe('explore-replay');
    expect(scenario.description).toContain('Left out (no scenario step for them): concurrent delivery');
  });
});
