import type { Conversation } from '../store/conversation.js';
import type { Interrupt } from './interrupt.js';

/** Who caused a domain event of a run's chat: the run's own step, the integrator (Admin API), or someone else (control API). */
export type EventOrigin = 'scenario' | 'integrator' | 'other';

/** One line of play in a run: its chat (or Gurusup thread), language, dialogue, and who speaks for the customer. */
export interface Flow {
  chatId?: string;
  language: string;
  threadFid?: string;
  /** Iteration suffix for timeline step names. */
  suffix: string;
  /** The chat's dialogue (one topic, no line twice). */
  talk?: Conversation;
  /** The reactive customer of the chat, while one plays: its next `{{followUp}}` is its thanks when this is set. */
  customer?: { lastExchange: boolean };
  /** Set while a customer's handler runs: a newer event stops it. */
  interrupt?: Interrupt;
  /** The chats opened `as` a name in this flow: `in-chat` makes one the flow's chat again. */
  named?: Map<string, NamedChat>;
}

/** A named chat of a flow: what `in-chat` restores. */
export interface NamedChat {
  chatId: string;
  language: string;
  talk?: Conversation;
}
