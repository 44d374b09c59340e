import type { ChatRecord, ChatStatus } from '../store/model.js';
import { DomainError } from './errors.js';
import type { DomainEventName } from './events.js';

/**
 * The chat status state machine, in one table: for each action, the statuses it may start from,
 * the status it leads to, and the one domain event it emits. This table is the documentation
 * (docs/graphql-api.md restates it); every chat command checks it before touching anything.
 *
 * - assign: GUURU routes the chat to a pool of experts (`requestedExperts`); again later to
 *   re-assign it, which also makes an accepted chat acceptable again.
 * - accept: an expert or persona takes the chat (`acceptChat`).
 * - close / reopen: `closeChat` / `openChat` (or the end user coming back).
 * - handover: a guuru hands the chat to a company representative (webhook `chat-transferred`).
 * - rate: the end user rates a closed or handed-over chat; final.
 * - miss: nobody accepted the assigned chat in time.
 * - transferToPersona: an open chat moves to another persona and stays open.
 */
export const CHAT_TRANSITIONS = {
  assign: { from: ['created', 'assigned', 'open', 'missed'], to: 'assigned', event: 'chat.assigned' },
  accept: { from: ['assigned'], to: 'open', event: 'chat.accepted' },
  close: { from: ['open'], to: 'closed', event: 'chat.closed' },
  reopen: { from: ['closed'], to: 'open', event: 'chat.reopened' },
  handover: { from: ['open'], to: 'handover', event: 'chat.handed-over' },
  rate: { from: ['closed', 'handover'], to: 'rated', event: 'chat.rated' },
  miss: { from: ['assigned'], to: 'missed', event: 'chat.missed' },
  transferToPersona: { from: ['open'], to: 'open', event: 'chat.persona-transferred' },
} as const satisfies Record<string, { from: readonly ChatStatus[]; to: ChatStatus; event: DomainEventName }>;

export type ChatAction = keyof typeof CHAT_TRANSITIONS;

/** Statuses in which a chat has been accepted by someone (a second acceptChat is "already accepted"). */
const ACCEPTED: readonly ChatStatus[] = ['open', 'closed', 'rated', 'handover'];

/** Throws the domain error for `action` on `chat` if the table does not allow it; changes nothing. */
export function assertTransition(chat: ChatRecord, action: ChatAction): void {
  const rule = CHAT_TRANSITIONS[action];
  if ((rule.from as readonly ChatStatus[]).includes(chat.status)) return;
  const details = { chatId: chat.id, currentStatus: chat.status, attemptedAction: action, allowedFrom: [...rule.from] };
  if (action === 'accept' && ACCEPTED.includes(chat.status)) {
    throw new DomainError(
      'ALREADY_ACCEPTED',
      `Chat ${chat.id} was already accepted (status "${chat.status}"). A chat can be accepted once per assignment; handle this as "someone else took it".`,
      details,
    );
  }
  throw new DomainError(
    'INVALID_TRANSITION',
    `Cannot ${ACTION_VERBS[action]} chat ${chat.id}: its status is "${chat.status}", and ${action} is only allowed from ${rule.from.map((s) => `"${s}"`).join(', ')}.`,
    details,
  );
}

const ACTION_VERBS: Record<ChatAction, string> = {
  assign: 'assign',
  accept: 'accept',
  close: 'close',
  reopen: 'reopen',
  handover: 'hand over',
  rate: 'rate',
  miss: 'mark as missed',
  transferToPersona: 'transfer',
};
