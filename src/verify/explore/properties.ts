import { DOCS, type CheckDefinition } from '../checks.js';
import type { ChatInfo, Played, PlayedCall, PlayedDelivery, TraceEntry } from './trace.js';

/**
 * The properties `verify --explore` checks after every flow, each tied to the documented rule as
 * the fixed checks are. They are read from the flow's trace (deliveries and calls in the order
 * they happened) by one walk over it, the same walk that tells the runner what is still awaited.
 */
export const EXPLORE_PROPERTIES = [
  {
    id: 'explore.answers-every-message',
    suite: 'explore',
    title: 'Answers every customer message of its chats',
    level: 'required',
    rule: 'Every customer message of a chat requested to api is answered with sendChatMessage (one answer per message; a chat re-assigned to the pool is accepted again first), unless your code closed the chat as it arrived (a close that crossed it) or before it arrived (a delayed delivery of a message written before the close); the customer writing into a closed chat reopens it.',
    doc: DOCS.thirdParty,
  },
  {
    id: 'explore.no-write-after-close',
    suite: 'explore',
    title: 'Writes nothing into a closed or rated chat',
    level: 'required',
    rule: 'No sendChatMessage into a closed chat (until it is reopened) and nothing at all into a rated one (openChat included).',
    doc: DOCS.thirdParty,
  },
  {
    id: 'explore.acts-once',
    suite: 'explore',
    title: 'Acts at most once on each event',
    level: 'required',
    rule: 'Each event is acted on at most once, whatever copies arrive and however concurrently: one acceptChat per chat-assigned, one answer per customer message (same Idempotency-Key, same event).',
    doc: DOCS.webhooks,
  },
  {
    id: 'explore.only-api-chats',
    suite: 'explore',
    title: 'Accepts only chats requested to api',
    level: 'required',
    rule: 'No chat is accepted (nor written into) unless its requestedExperts contain "api": chats of other experts, interleaved with yours, are left alone.',
    doc: DOCS.thirdParty,
  },
  {
    id: 'explore.ignores-own-messages',
    suite: 'explore',
    title: "Never answers its own or another agent's messages",
    level: 'required',
    rule: "message-created is sent for every message, yours and other agents' included: only a message whose author is the customer (UserAuthor) is answered.",
    doc: DOCS.thirdParty,
  },
  {
    id: 'explore.acknowledges',
    suite: 'explore',
    title: 'Acknowledges every delivery within the timeout',
    level: 'required',
    rule: 'Every delivery (text, attachment, copies, retries, reorderings, delays) is answered 2xx before the delivery timeout.',
    doc: DOCS.delivery,
  },
  {
    id: 'explore.closes-when-helped',
    suite: 'explore',
    title: 'Closes a chat once the customer is helped',
    level: 'required',
    rule: 'Once the customer says it is helped (its closing thanks), the chat reaches closed (or rated) by the end of the flow, whenever your code decides to close.',
    doc: DOCS.thirdParty,
  },
] as const satisfies readonly CheckDefinition[];

export type PropertyId = (typeof EXPLORE_PROPERTIES)[number]['id'];

export interface Violation {
  property: PropertyId;
  /** What happened, in words (chat labels and ids). */
  text: string;
  /** The deliveries and calls it rests on. */
  evidence: TraceEntry[];
}

interface Pending {
  delivery: PlayedDelivery;
  answers: PlayedCall[];
}

interface ChatLedger {
  info: ChatInfo;
  /** chat-assigned delivered for the current assignment, and the acceptChat calls since. */
  assignment?: { delivery: PlayedDelivery; accepts: PlayedCall[] };
  /** Every chat-assigned delivered (first copies) and every acceptChat. */
  assignments: PlayedDelivery[];
  accepts: PlayedCall[];
  pending: Pending[];
  lastAnswered?: Pending;
  lastFrom?: 'customer' | 'own' | 'agent';
  lastOwn?: PlayedDelivery;
  helped?: PlayedDelivery;
  /** Closed by the integration's closeChat, and no chat-reopened delivered (nor openChat) since. */
  closed?: boolean;
}

/**
 * How soon after a message's delivery a close counts as having crossed it (decided before the message
 * arrived): the grace, and at least 250 ms, as a loaded machine delays an integration's queued work.
 */
export const crossingMs = (played: Pick<Played, 'graceMs'>): number => Math.max(played.graceMs, 250);

const is2xx = (d: PlayedDelivery) => d.statusCode !== undefined && d.statusCode >= 200 && d.statusCode < 300;
const closedOrRated = (call: PlayedCall) => /status is "(closed|rated)"/.test(call.errorMessage ?? '');

/** "chat-assigned (chat A, key 4f1c…) → 200" */
export const deliveryWords = (d: PlayedDelivery): string =>
  `${d.author === 'own' ? 'message-created of its own message' : d.event}${d.author === 'agent' ? ' (the other expert)' : ''} (chat ${d.chat}, Idempotency-Key ${d.idempotencyKey}${d.copies > 1 ? `, copy ${d.copy} of ${d.copies}` : ''}) → ${d.statusCode ?? `no answer (${d.error ?? 'unknown'})`}${d.durationMs !== undefined && d.durationMs >= 1000 ? ` after ${d.durationMs} ms` : ''}`;

const callWords = (calls: PlayedCall[]): string => {
  const counts = new Map<string, number>();
  for (const c of calls) counts.set(c.operation, (counts.get(c.operation) ?? 0) + 1);
  return (
    [...counts].map(([op, k]) => `${op} ×${k}`).join(', ') +
    (calls.some((c) => !c.ok)
      ? ` (refused: ${[...new Set(calls.filter((c) => !c.ok).map((c) => c.errorCode ?? 'error'))].join(', ')})`
      : '')
  );
};

interface Walk {
  violations: Violation[];
  ledgers: Map<string, ChatLedger>;
}

function walk(played: Played): Walk {
  return new TraceWalk(played).run();
}

/** One walk over a flow's trace: each chat's ledger, and the properties broken on the way (each once). */
class TraceWalk {
  readonly ledgers: Map<string, ChatLedger>;
  readonly violations: Violation[] = [];
  private readonly seen = new Set<PropertyId>();

  constructor(private readonly played: Played) {
    this.ledgers = new Map<string, ChatLedger>(
      played.chats.map((c) => [c.id, { info: c, pending: [], assignments: [], accepts: [] }]),
    );
  }

  run(): Walk {
    for (const entry of this.played.entries) {
      if (entry.kind === 'note') continue;
      const chat = this.ledgers.get(entry.chatId);
      if (!chat) continue;
      if (entry.kind === 'delivery') this.delivery(chat, entry);
      else this.call(chat, entry);
    }
    return { violations: this.violations, ledgers: this.ledgers };
  }

  private violate(property: PropertyId, text: string, evidence: TraceEntry[]): void {
    if (this.seen.has(property)) return;
    this.seen.add(property);
    this.violations.push({ property, text, evidence });
  }

  private delivery(chat: ChatLedger, entry: PlayedDelivery): void {
    this.acknowledged(entry);
    // Copies and retries are the same event: the ledger counts the first only.
    if (entry.copy !== 1) return;
    if (entry.event === 'chat-assigned') {
      chat.assignment = { delivery: entry, accepts: [] };
      chat.assignments.push(entry);
    }
    if (entry.event === 'chat-reopened') chat.closed = false;
    if (entry.event === 'message-created' && entry.author) {
      chat.lastFrom = entry.author;
      if (entry.author === 'own') chat.lastOwn = entry;
      // Written before your close but delivered after it (held back by a delay): the close crossed it.
      if (entry.author === 'customer' && chat.info.api && !chat.closed) {
        chat.pending.push({ delivery: entry, answers: [] });
        if (/"text":\s*"Thanks, that solved it!"/.test(entry.body)) chat.helped = entry;
      }
    }
  }

  /** explore.acknowledges: answered 2xx, within the delivery timeout. */
  private acknowledged(entry: PlayedDelivery): void {
    const { timeoutMs } = this.played;
    if (entry.statusCode !== undefined && !is2xx(entry))
      this.violate(
        'explore.acknowledges',
        `${deliveryWords(entry)}: every delivery must be answered 2xx (a non-2xx makes GUURU send it again)`,
        [entry],
      );
    else if (entry.statusCode === undefined)
      this.violate(
        'explore.acknowledges',
        `${deliveryWords(entry)}: no answer within the delivery timeout of ${timeoutMs} ms`,
        [entry],
      );
    else if ((entry.durationMs ?? 0) >= timeoutMs)
      this.violate(
        'explore.acknowledges',
        `${deliveryWords(entry)} after ${entry.durationMs} ms, over the delivery timeout of ${timeoutMs} ms`,
        [entry],
      );
  }

  /** A call of the integration on one of the flow's chats. */
  private call(chat: ChatLedger, entry: PlayedCall): void {
    if (!chat.info.api) {
      this.violate(
        entry.operation === 'acceptChat' ? 'explore.only-api-chats' : 'explore.ignores-own-messages',
        `chat ${chat.info.label} (${chat.info.id}) was requested to another expert, not api, yet your code called ${callWords([entry])} on it`,
        [...this.played.entries.filter((e) => e.kind === 'delivery' && e.chatId === entry.chatId), entry],
      );
      return;
    }
    if (entry.operation === 'acceptChat' && chat.assignment) this.accept(chat, entry);
    this.writeAfterClose(chat, entry);
    if (entry.operation === 'sendChatMessage' && entry.ok) this.answer(chat, entry);
    // A close that crossed a message (decided before it arrived: within the crossing window after its delivery) leaves it to the customer to write again.
    if (entry.operation === 'closeChat' && entry.ok) {
      chat.pending = chat.pending.filter((p) => entry.at - p.delivery.at > crossingMs(this.played));
      chat.closed = true;
    }
    if (entry.operation === 'openChat' && entry.ok) chat.closed = false;
  }

  /** explore.acts-once for chat-assigned. */
  private accept(chat: ChatLedger, entry: PlayedCall): void {
    chat.assignment?.accepts.push(entry);
    chat.accepts.push(entry);
    // One acceptChat per chat-assigned delivered (a re-assignment is a new one; a refused "already accepted" counts too).
    if (chat.accepts.length <= chat.assignments.length) return;
    const assigned = this.played.entries.filter(
      (e): e is PlayedDelivery => e.kind === 'delivery' && e.event === 'chat-assigned' && e.chatId === entry.chatId,
    );
    this.violate(
      'explore.acts-once',
      `${assigned.map(deliveryWords).join('; ')} → ${callWords(chat.accepts)} on chat ${chat.info.label}: ${chat.assignments.length} chat-assigned (distinct Idempotency-Keys) acted on ${chat.accepts.length} times`,
      [...assigned, ...chat.accepts],
    );
  }

  /** explore.no-write-after-close: refused writes into a closed or rated chat. */
  private writeAfterClose(chat: ChatLedger, entry: PlayedCall): void {
    if (
      (entry.operation === 'sendChatMessage' || entry.operation === 'openChat') &&
      !entry.ok &&
      closedOrRated(entry)
    ) {
      this.violate(
        'explore.no-write-after-close',
        `your code called ${callWords([entry])} on chat ${chat.info.label} (${chat.info.id}) while it was ${/rated/.test(entry.errorMessage ?? '') ? 'rated' : 'closed'}: ${entry.errorMessage ?? ''}`,
        [entry],
      );
    }
    if (entry.operation === 'openChat' && !entry.ok && /rated/.test(entry.errorMessage ?? '')) {
      this.violate(
        'explore.no-write-after-close',
        `your code called openChat on the rated chat ${chat.info.label} (${chat.info.id}): ${entry.errorMessage ?? ''}`,
        [entry],
      );
    }
  }

  /** A successful sendChatMessage: the answer to the oldest waiting customer message, or an answer too many. */
  private answer(chat: ChatLedger, entry: PlayedCall): void {
    const next = chat.pending.shift();
    if (next) {
      next.answers.push(entry);
      chat.lastAnswered = next;
    } else if (chat.lastAnswered && chat.lastAnswered.delivery.copies > 1) {
      chat.lastAnswered.answers.push(entry);
      const copies = this.played.entries.filter(
        (e): e is PlayedDelivery =>
          e.kind === 'delivery' && e.idempotencyKey === chat.lastAnswered?.delivery.idempotencyKey,
      );
      this.violate(
        'explore.acts-once',
        `${copies.map(deliveryWords).join('; ')} → ${callWords(chat.lastAnswered.answers)} on chat ${chat.info.label}: one customer message was answered once per copy`,
        [...copies, ...chat.lastAnswered.answers],
      );
    } else if (chat.lastFrom === 'own' && chat.lastOwn) {
      this.violate(
        'explore.ignores-own-messages',
        `${deliveryWords(chat.lastOwn)} → sendChatMessage on chat ${chat.info.label} with no customer message waiting: your code answered its own message (author ExpertAuthor, not UserAuthor)`,
        [chat.lastOwn, entry],
      );
    } else if (chat.lastFrom === 'agent') {
      this.violate(
        'explore.ignores-own-messages',
        `sendChatMessage on chat ${chat.info.label} after the other expert's message, with no customer message waiting`,
        [entry],
      );
    }
  }
}

/** What the integration still owes, as far as the trace shows (the runner waits until nothing is). */
export function outstanding(played: Played): string[] {
  const { ledgers } = walk(played);
  const owed: string[] = [];
  for (const chat of ledgers.values()) {
    if (!chat.info.api) continue;
    const status = played.statuses[chat.info.id];
    if (chat.assignment && chat.assignment.accepts.length === 0 && status === 'assigned')
      owed.push(`acceptChat on chat ${chat.info.label}`);
    if (chat.pending.length > 0) owed.push(`an answer on chat ${chat.info.label}`);
    if (chat.helped && status !== 'closed' && status !== 'rated') owed.push(`closeChat on chat ${chat.info.label}`);
  }
  return owed;
}

/** The properties a played flow breaks, each once (the first time it happened). */
export function violations(played: Played): Violation[] {
  const { violations: found, ledgers } = walk(played);
  const has = (p: PropertyId) => found.some((v) => v.property === p);
  for (const chat of ledgers.values()) {
    if (!chat.info.api) continue;
    const status = played.statuses[chat.info.id];
    const first = chat.pending[0];
    if (first && !has('explore.answers-every-message')) {
      const calls = played.entries.filter((e): e is PlayedCall => e.kind === 'call' && e.chatId === chat.info.id);
      const why =
        status === 'assigned'
          ? `: the chat was ${chat.assignments.length > 1 ? 're-assigned and never accepted again' : 'never accepted'}`
          : '';
      found.push({
        property: 'explore.answers-every-message',
        text: `${deliveryWords(first.delivery)} was never answered (chat ${chat.info.label} ${chat.info.id} is ${status}; your code's calls on it: ${calls.length ? callWords(calls) : 'none'})${why}`,
        evidence: [first.delivery, ...calls],
      });
    }
    if (chat.helped && status !== 'closed' && status !== 'rated' && !has('explore.closes-when-helped')) {
      found.push({
        property: 'explore.closes-when-helped',
        text: `${deliveryWords(chat.helped)}, yet chat ${chat.info.label} (${chat.info.id}) is still ${status} at the end of the flow`,
        evidence: [chat.helped],
      });
    }
  }
  return found;
}
