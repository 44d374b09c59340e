import type { TimelineEntry } from './run-types.js';

/**
 * A run's time line in words, for people (the CLI and the dashboard print it): what happened, once,
 * without the step paths of the file (`steps[0].parallel.steps[3]…` stays in the JSON's `step` for
 * finding the step in the file). Pure, and free of Node and domain imports: the dashboard bundles it.
 */

const seconds = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`);

/** A wait on the integrator: one sentence while it waits, another once it knows. */
function waitText(entry: TimelineEntry): string {
  const detail = entry.detail ?? '';
  const limit = /^waiting up to (\d+) ms for:? /.exec(detail);
  const what = limit ? detail.slice(limit[0].length) : (entry.expected ?? detail);
  const limitText = limit ? seconds(Number(limit[1])) : undefined;
  if (!entry.outcome) return `waiting${limitText ? ` up to ${limitText}` : ''} for ${what}`;
  if (entry.outcome === 'done') return `waited for ${what}: it came`;
  // A cause the wait added (no webhook was sent, the webhook never arrived) says why; else it ran out.
  const hasCause = entry.expected !== undefined && what.length > entry.expected.length;
  return `waited${limitText ? ` ${limitText}` : ''} for ${what}${hasCause ? '' : ': it did not come'}`;
}

const MESSAGE_FROM: Record<string, string> = {
  customer: 'the customer',
  expert: 'the expert',
  bot: 'the bot',
  agent: 'the agent',
  system: 'Gurusup',
};

/** What a scenario step did, from its action and the detail the runner wrote. */
function stepText(entry: TimelineEntry): string {
  const detail = entry.detail ?? '';
  switch (entry.action) {
    case 'waits':
    case 'wait-until':
      return waitText(entry);
    case 'open':
      return detail.replace(/^customer /, 'the customer ');
    case 'assign':
      return `GUURU ${detail.replace(/^assigned /, 'assigned the chat ')}`;
    case 'accept':
    case 'close':
    case 'reopen':
    case 'handover':
    case 'transfer-to-persona':
      return detail ? `the chat was ${detail}` : entry.action;
    case 'rate':
      return `the customer ${detail.replace(/^rated /, 'rated the chat ')}`;
    case 'miss':
      return 'nobody accepted: the chat was missed';
    case 'message':
    case 'gurusup-message': {
      const from = /^(\w+): /.exec(detail);
      return from ? `${MESSAGE_FROM[from[1] as string] ?? from[1]} wrote ${detail.slice(from[0].length)}` : detail;
    }
    case 'customer':
      // The end of a customer's part; "rated" and "missed" were just said by the step before.
      return detail === 'the customer rated the chat' || detail.startsWith('nobody accepted')
        ? "the customer's part is over"
        : detail;
    case 'give-up':
      return `the customer gives up: ${detail}`;
    default:
      return detail || entry.action;
  }
}

/**
 * One entry as a sentence. With `chats` (the run's chats), a run of several chats names the chat
 * the entry is about by its number in the run ("chat 2: …").
 */
export function timelineText(entry: TimelineEntry, chats: string[] = []): string {
  const text =
    entry.by === 'integrator'
      ? `your integration called ${entry.action}${entry.detail ? `: ${entry.detail}` : ''}`
      : stepText(entry);
  const index = chats.length > 1 && entry.chatId ? chats.indexOf(entry.chatId) : -1;
  return index >= 0 ? `chat ${index + 1}: ${text}` : text;
}

/** A wait whose outcome is not known yet: printed once, when it is. */
export const isOpenWait = (entry: TimelineEntry): boolean =>
  (entry.action === 'waits' || entry.action === 'wait-until') && !entry.outcome;
