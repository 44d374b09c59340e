/**
 * The checks of `guuru-emulator verify`: each documented rule an integration can break, with the
 * page it comes from. The catalogue is data: the report, the terminal checklist, the JUnit file and
 * the docs all describe a check from here.
 */

/** `explore` is not chosen with --suite: `verify --explore` (or `--replay`) adds it after the fixed suites. */
export type SuiteName = 'receiver' | 'third-party' | 'explore';
export const SUITES: readonly SuiteName[] = ['receiver', 'third-party'];

export type CheckLevel = 'required' | 'recommended';

export interface DocLink {
  title: string;
  url: string;
}

export interface CheckDefinition {
  id: string;
  suite: SuiteName;
  title: string;
  level: CheckLevel;
  /** The rule in one or two sentences: what the check sends and what it expects. */
  rule: string;
  doc: DocLink;
}

export const DOCS = {
  signature: {
    title: 'GUURU webhooks: Examples (signature verification)',
    url: 'https://developers.guuru.com/docs/webhooks/examples',
  },
  webhooks: {
    title: 'GUURU webhooks: Getting started (headers, idempotency, payloads)',
    url: 'https://developers.guuru.com/docs/webhooks/start',
  },
  thirdParty: {
    title: 'GUURU: Third Party Messaging',
    url: 'https://developers.guuru.com/docs/integrations/thirdpartytool',
  },
  delivery: {
    title: 'guuru-emulator: webhook delivery (timeout, retries; GUURU documents none)',
    url: 'docs/webhooks.md',
  },
} satisfies Record<string, DocLink>;

export const RECEIVER_CHECKS = [
  {
    id: 'receiver.signed-accepted',
    suite: 'receiver',
    title: 'Accepts a correctly signed delivery',
    level: 'required',
    rule: 'A chat-assigned signed with your webhook secret (X-Guuru-Hmac-Sha256: lower-case hex HMAC-SHA256 of the raw body) is answered with a 2xx.',
    doc: DOCS.signature,
  },
  {
    id: 'receiver.signature-raw-body',
    suite: 'receiver',
    title: 'Checks the signature over the raw body bytes',
    level: 'required',
    rule: 'A correctly signed body laid out differently (indented JSON, non-ASCII text) is accepted: the HMAC is over the exact bytes received, not over re-serialised or re-decoded JSON.',
    doc: DOCS.signature,
  },
  {
    id: 'receiver.bad-signature-refused',
    suite: 'receiver',
    title: 'Refuses a delivery with a wrong or missing signature',
    level: 'required',
    rule: "A body changed after signing, a body signed with another secret and a delivery without X-Guuru-Hmac-Sha256 are each answered non-2xx (the docs' receiver answers 400) and not acted on.",
    doc: DOCS.signature,
  },
  {
    id: 'receiver.idempotent',
    suite: 'receiver',
    title: 'Acts once on a delivery received twice',
    level: 'required',
    rule: 'The same delivery (same Idempotency-Key, same body) sent twice is acknowledged both times and acted on once: a duplicated chat-assigned leads to one acceptChat, a duplicated message-created to the same answers as a single message (each counted once its chat has been quiet for 1 s).',
    doc: DOCS.webhooks,
  },
  {
    id: 'receiver.retry-after-timeout',
    suite: 'receiver',
    title: 'Acts once on a delivery retried after a timeout',
    level: 'required',
    rule: 'When the first attempt is given up as timed out and retried at once (same Idempotency-Key and body) while your code is still working on it (its Admin API calls on the chat are held until the retry is answered, as a slow API would), the chat is acted on once.',
    doc: DOCS.webhooks,
  },
  {
    id: 'receiver.ignores-other-experts',
    suite: 'receiver',
    title: 'Leaves chats not requested to api alone',
    level: 'required',
    rule: 'A chat-assigned whose requestedExperts does not contain "api" (the Public API service account) is acknowledged and not accepted.',
    doc: DOCS.thirdParty,
  },
  {
    id: 'receiver.unknown-field',
    suite: 'receiver',
    title: 'Tolerates a field it does not know',
    level: 'required',
    rule: 'A chat-assigned with an extra field is answered 2xx and handled like any other (accepted when it requests api).',
    doc: DOCS.webhooks,
  },
  {
    id: 'receiver.unknown-event',
    suite: 'receiver',
    title: 'Acknowledges an event it does not handle',
    level: 'required',
    rule: 'A delivery whose X-Guuru-Event is a name your code does not know (a newer event) is answered 2xx and breaks nothing.',
    doc: DOCS.webhooks,
  },
  {
    id: 'receiver.out-of-order',
    suite: 'receiver',
    title: 'Handles message-created before chat-opened',
    level: 'required',
    rule: 'Delivery is at least once with no order guarantee: a customer message delivered before the chat-opened of its chat gets the same answers as one in order (each counted once its chat has been quiet for 1 s; when to closeChat is left to the close checks).',
    doc: DOCS.webhooks,
  },
  {
    id: 'receiver.ack-within-timeout',
    suite: 'receiver',
    title: 'Acknowledges every delivery within the delivery timeout',
    level: 'required',
    rule: 'Every delivery is answered before the delivery timeout (the p99 of acknowledgement times is under it); a later answer counts as a failed attempt and the delivery is retried.',
    doc: DOCS.delivery,
  },
  {
    id: 'receiver.ack-under-2s',
    suite: 'receiver',
    title: 'Acknowledges within 2 s',
    level: 'recommended',
    rule: 'The p99 of acknowledgement times is under 2 s: acknowledge first, do the work after.',
    doc: DOCS.delivery,
  },
] as const satisfies readonly CheckDefinition[];

export type ReceiverCheckId = (typeof RECEIVER_CHECKS)[number]['id'];
