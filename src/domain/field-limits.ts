import { invalidArgument } from './errors.js';

/**
 * The longest value the emulator stores for each text field, in one table (docs/robustness.md
 * lists it; the API docs link it). The domain commands check them, so the Admin API, the Gurusup
 * API, the control API and scenarios refuse the same input with the same message. Message texts
 * and Gurusup bodies keep the 20,000 characters they always had; names, ids and URLs get bounds
 * well above anything a real client sends.
 */
export const FIELD_LIMITS = {
  /** Persona (createPersona). */
  'persona.providerId': 256,
  'persona.name': 200,
  'persona.email': 320,
  'persona.photoUrl': 2_048,
  /** A page's title and content, per language (updatePage). */
  'page.title': 1_000,
  'page.content': 100_000,
  /** A chat's question (its first message) and a message's text. */
  'chat.question': 20_000,
  'message.text': 20_000,
  /** An attachment posting. */
  'attachment.address': 2_048,
  'attachment.filename': 255,
  'attachment.mimetype': 255,
  /** The end user of a chat (control API, scenarios). */
  'user.name': 200,
  'user.email': 320,
  'user.phone': 50,
  /** A handover (chat-transferred). */
  'handover.reason': 1_000,
  'handover.receiver': 256,
  'handover.type': 50,
  /** Gurusup messages. */
  'gurusup.body': 20_000,
  'gurusup.thread_fid': 256,
  'gurusup.user_fid': 256,
  'gurusup.subject': 1_000,
  'gurusup.lang': 10,
  /** Webhook target URLs (subscriptions, --webhook-url, redelivery, scenario and verify targets). */
  'webhook.url': 2_048,
} as const satisfies Record<string, number>;

export type LimitedField = keyof typeof FIELD_LIMITS;

/** The webhook URL bound, for the adapters that validate URLs with zod. */
export const MAX_URL_LENGTH = FIELD_LIMITS['webhook.url'];

/**
 * Refuses a value longer than its field's limit: INVALID_ARGUMENT naming the argument as the
 * client sent it (`argument`) and the limit, never quoting the value.
 */
export function assertLength(field: LimitedField, argument: string, value: string | undefined | null): void {
  if (value === undefined || value === null) return;
  const limit = FIELD_LIMITS[field];
  if (value.length <= limit) return;
  throw invalidArgument(argument, `${argument} is ${value.length} characters long; the limit is ${limit}.`);
}

/** Default length of a quoted input in a message. */
const QUOTE_CHARS = 80;

/**
 * An input as an error message may show it: whole when short, else its first characters and its
 * length, so that a 900 KiB value never comes back in a 900 KiB error.
 */
export function quote(value: string, max = QUOTE_CHARS): string {
  if (value.length <= max) return `"${value}"`;
  return `"${value.slice(0, max)}…" (${value.length} characters)`;
}

/** Longest error message an edge sends; a longer one quotes too much input. */
export const MAX_MESSAGE_CHARS = 2_000;

const QUOTED = /"((?:[^"\\]|\\.)*)"/g;

/**
 * An error message as an edge may send it: every quoted value longer than a short prefix is cut
 * (GraphQL's own coercion errors quote the whole variable), and the whole message is capped.
 */
export function shortenMessage(message: string): string {
  if (message.length <= 200) return message;
  const shortened = message.replace(QUOTED, (whole, inner: string) =>
    inner.length <= QUOTE_CHARS ? whole : `"${inner.slice(0, QUOTE_CHARS)}…" (${inner.length} characters)`,
  );
  return shortened.length <= MAX_MESSAGE_CHARS
    ? shortened
    : `${shortened.slice(0, MAX_MESSAGE_CHARS)}… (message cut at ${MAX_MESSAGE_CHARS} characters)`;
}
