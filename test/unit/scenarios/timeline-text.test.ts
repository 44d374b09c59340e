import { describe, expect, it } from 'vitest';
import type { TimelineEntry } from '../../../src/scenarios/run-types.js';
import { isOpenWait, timelineText } from '../../../src/scenarios/timeline-text.js';

const entry = (over: Partial<TimelineEntry>): TimelineEntry => ({
  at: 0,
  iso: '',
  step: 'steps[0].parallel.steps[3]/1',
  action: 'open',
  by: 'scenario',
  webhooks: [],
  ...over,
});
const wait = (over: Partial<TimelineEntry> = {}) =>
  entry({
    action: 'waits',
    detail: 'waiting up to 30000 ms for acceptChat (the chat was assigned to "api")',
    expected: 'acceptChat (the chat was assigned to "api")',
    ...over,
  });

describe('a run time line in words', () => {
  it('says what each step did, without the step path', () => {
    expect(timelineText(entry({ action: 'assign', detail: 'assigned to api' }))).toBe('GUURU assigned the chat to api');
    expect(timelineText(entry({ action: 'message', detail: 'customer: "Is it blue?"' }))).toBe(
      'the customer wrote "Is it blue?"',
    );
    expect(timelineText(entry({ action: 'rate', detail: 'rated bad' }))).toBe('the customer rated the chat bad');
    expect(timelineText(entry({ action: 'acceptChat', by: 'integrator', step: '-' }))).toBe(
      'your integration called acceptChat',
    );
    expect(
      timelineText(entry({ action: 'sendChatMessage', by: 'integrator', detail: 'refused: CHAT_NOT_OPEN: closed' })),
    ).toBe('your integration called sendChatMessage: refused: CHAT_NOT_OPEN: closed');
  });

  it('a wait: one sentence while it waits, one with its outcome (and its cause when it had one)', () => {
    expect(isOpenWait(wait())).toBe(true);
    expect(timelineText(wait())).toBe('waiting up to 30 s for acceptChat (the chat was assigned to "api")');
    expect(timelineText(wait({ outcome: 'done' }))).toBe(
      'waited for acceptChat (the chat was assigned to "api"): it came',
    );
    expect(timelineText(wait({ outcome: 'timeout' }))).toBe(
      'waited 30 s for acceptChat (the chat was assigned to "api"): it did not come',
    );
    const cause = wait({
      outcome: 'timeout',
      detail:
        'waiting up to 30000 ms for acceptChat (the chat was assigned to "api"): no webhook was sent (no target, no subscription)',
    });
    expect(timelineText(cause)).toBe(
      'waited 30 s for acceptChat (the chat was assigned to "api"): no webhook was sent (no target, no subscription)',
    );
    expect(isOpenWait(cause)).toBe(false);
  });

  it('names the chat by its number when the run has several', () => {
    const line = entry({ action: 'open', chatId: 'b', detail: 'customer opened chat b: "Hi"' });
    expect(timelineText(line, ['a', 'b'])).toBe('chat 2: the customer opened chat b: "Hi"');
    expect(timelineText(line, ['b'])).toBe('the customer opened chat b: "Hi"');
  });
});
