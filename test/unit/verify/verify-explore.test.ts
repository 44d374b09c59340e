import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../../src/scenarios/loader.js';
import {
  DELAY_LADDER,
  describeStep,
  flowArbitrary,
  normalise,
  TEXTS,
  type Flow,
} from '../../../src/verify/explore/model.js';
import { outstanding, violations } from '../../../src/verify/explore/properties.js';
import { parseFlowFile } from '../../../src/verify/explore/flow-file.js';
import { numbered, toFlowFile } from '../../../src/verify/explore/replay.js';
import { simpler } from '../../../src/verify/explore/shrink.js';
import { toScenarioYaml } from '../../../src/verify/explore/to-scenario.js';
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
    expect(
      describeStep({ do: 'write', chat: 'B', kind: 'text', at: { gapMs: 50 }, fault: 'delayed', delayMs: 500 }),
    ).toBe(
      "50 ms later, the customer of chat B sends a message, delivered 500 ms late (other chats' deliveries go on meanwhile)",
    );
  });

  it('generates delayed deliveries, each with a delay of 100 ms to 2 s, and no delay without the fault', () => {
    const steps = fc.sample(flowArbitrary(OPTIONS), { seed: 42, numRuns: 200 }).flat();
    const delayed = steps.filter((s) => s.fault === 'delayed');
    expect(delayed.length).toBeGreaterThan(10);
    for (const s of delayed) expect(DELAY_LADDER).toContain(s.delayMs);
    expect(new Set(delayed.map((s) => s.delayMs)).size).toBeGreaterThan(2);
    expect(steps.filter((s) => s.fault !== 'delayed' && s.delayMs !== undefined)).toEqual([]);
  });

  it('shrinks a delayed step to no fault, then to shorter delays', () => {
    const step = { do: 'write', chat: 'A', kind: 'text', at: { gapMs: 0 }, fault: 'delayed', delayMs: 1000 } as const;
    expect(simpler(step)).toEqual([
      { do: 'write', chat: 'A', kind: 'text', at: { gapMs: 0 } },
      { ...step, delayMs: 100 },
      { ...step, delayMs: 500 },
    ]);
    expect(simpler({ ...step, delayMs: 100 })).toEqual([{ do: 'write', chat: 'A', kind: 'text', at: { gapMs: 0 } }]);
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

  it('leave a message delivered after your close (held back by a delay) to the customer, but not one after a reopen', () => {
    const crossed = played([delivery('chat-assigned'), call('acceptChat'), call('closeChat'), customer()], 'closed');
    expect(violations(crossed)).toEqual([]);
    expect(outstanding(crossed)).toEqual([]);
    const reopened = played(
      [delivery('chat-assigned'), call('acceptChat'), call('closeChat'), delivery('chat-reopened'), customer()],
      'open',
    );
    expect(violations(reopened).map((v) => v.property)).toEqual(['explore.answers-every-message']);
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

  it('keeps a delayed step with its delay, and refuses a delay without the fault (or the fault without a delay)', () => {
    const delayed = {
      ...file,
      flow: [...file.flow, { do: 'write', chat: 'A', kind: 'text', at: { gapMs: 0 }, fault: 'delayed', delayMs: 250 }],
    };
    expect(parseFlowFile(JSON.parse(JSON.stringify(delayed))).flow[2]).toMatchObject({
      fault: 'delayed',
      delayMs: 250,
    });
    expect(() => parseFlowFile({ ...file, flow: [{ do: 'rate', chat: 'A', at: { gapMs: 0 }, delayMs: 250 }] })).toThrow(
      /flow\.0\.delayMs: delayMs goes with fault "delayed", and only with it/,
    );
    expect(() =>
      parseFlowFile({ ...file, flow: [{ do: 'rate', chat: 'A', at: { gapMs: 0 }, fault: 'delayed' }] }),
    ).toThrow(/flow\.0\.delayMs/);
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

  it('turns into a scenario the scenario engine loads: every chat, interleaved, its faults as fault steps', () => {
    const flow: Flow = [
      { do: 'assign', chat: 'A', api: true, at: { gapMs: 0 } },
      { do: 'write', chat: 'A', kind: 'attachment', at: { silenceMs: 200 }, fault: 'concurrent' },
      { do: 'assign', chat: 'B', api: false, at: { gapMs: 50 }, fault: 'reordered' },
      { do: 'write', chat: 'A', kind: 'text', at: { gapMs: 0 }, fault: 'delayed', delayMs: 500 },
      { do: 'agent-write', chat: 'B', at: { gapMs: 0 }, fault: 'retry' },
      { do: 'assign', chat: 'C', api: true, at: { gapMs: 0 } },
      { do: 'write', chat: 'C', kind: 'helped', at: { gapMs: 0 }, fault: 'duplicate' },
      { do: 'rate', chat: 'A', at: { afterClose: true } },
    ];
    const yaml = toScenarioYaml({ ...file, flow }, 'explore-acts-once');
    const scenario = parseScenarioText(yaml, 'explore-acts-once.yaml');
    expect(scenario.name).toBe('explore-acts-once');
    const steps = scenario.steps.map((s) => [s.kind, s.args]);
    // Every chat, named as in the flow, and the flow goes back and forth between them.
    expect(steps.filter(([k]) => k === 'open').map(([, a]) => (a as { as: string }).as)).toEqual(['A', 'B', 'C']);
    expect(steps.filter(([k]) => k === 'in-chat').map(([, a]) => a)).toEqual(['A', 'B', 'A', 'C']);
    expect(steps.filter(([k]) => k === 'fault').map(([, a]) => a)).toEqual([
      { kind: 'duplicate', event: 'message-created' },
      { kind: 'reorder', event: 'chat-assigned' },
      { kind: 'delay', delay: '500ms' },
      { kind: 'duplicate', event: 'message-created' },
      { kind: 'duplicate', event: 'message-created' },
    ]);
    expect(steps).toContainEqual(['accept', { by: 'guuru' }]);
    expect(steps).toContainEqual(['message', { from: 'expert', text: TEXTS.agent }]);
    // The flow in words, and the faults without a scenario form said, not dropped.
    expect(yaml).toContain('# 4. the customer of chat A sends a message, delivered 500 ms late');
    expect(yaml).toMatch(/# fault: two copies sent at once have no scenario form: played as a duplicate/);
    expect(yaml).toMatch(/# fault: a first attempt given up and retried 20 ms later has no scenario form/);
    // The end, as the flow's verdict waited: every chat quiet, each chat of api accepted, C (helped last) closed.
    expect(steps.slice(-5)).toEqual([
      ['quiet', { grace: '100ms', timeout: '600ms' }],
      ['wait-until', { event: 'accepted', timeout: '600ms', onTimeout: 'continue' }],
      ['in-chat', 'C'],
      ['wait-until', { event: 'accepted', timeout: '600ms', onTimeout: 'continue' }],
      ['wait-until', { event: 'closed', timeout: '500ms', onTimeout: 'continue' }],
    ]);
  });

  it('leaves out, with a comment, the steps the explored flow could not play, and reopens where it reopened', () => {
    const flow: Flow = [
      { do: 'assign', chat: 'A', api: true, at: { gapMs: 0 } },
      { do: 'rate', chat: 'A', at: { gapMs: 0 } },
      { do: 'write', chat: 'A', kind: 'text', at: { silenceMs: 500 } },
    ];
    const d = (step: number, event: string) => ({
      step,
      event,
      chatId: 'c1',
      idempotencyKey: `k${step}${event}`,
      headers: {},
      body: '{}',
    });
    const yaml = toScenarioYaml({
      ...file,
      flow,
      deliveries: [d(0, 'chat-assigned'), d(2, 'chat-reopened'), d(2, 'message-created')],
    });
    expect(yaml).toContain(
      '# 2. the customer rates chat A (once it is closed)\n  #    not played in the explored flow',
    );
    const kinds = parseScenarioText(yaml, 'x.yaml').steps.map((s) => s.kind);
    expect(kinds).toEqual([
      'open',
      'assign',
      'quiet',
      'wait',
      'wait-until',
      'reopen',
      'message',
      'quiet',
      'wait-until',
    ]);
  });
});
