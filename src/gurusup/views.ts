import type { GurusupMessageRecord, GurusupThreadRecord } from '../store/model.js';

/**
 * The Gurusup API's JSON shapes (snake_case, as its docs write them). Shared by the REST API and
 * the send-message webhook, so the webhook's `data` is exactly what `GET /messages/:id` returns.
 */
export interface GurusupMessageJson {
  _id: string;
  id: string;
  thread: string;
  thread_fid: string;
  body: string;
  user_fid: string;
  lang: string;
  subject?: string;
  is_customer_support_agent: boolean;
  created_at: string;
  updated_at: string;
}

/** The send-message webhook's body: `{event, data}`, `data` being the API's message object (the envelope is the emulator's choice: the docs only say "the event type and event data"). */
export interface GurusupWebhookPayload {
  event: string;
  data: GurusupMessageJson;
}

/** The send-message webhook's body for one system message. */
export const webhookPayload = (eventName: string, m: GurusupMessageRecord): GurusupWebhookPayload => ({
  event: eventName,
  data: messageJson(m),
});

export function messageJson(m: GurusupMessageRecord): GurusupMessageJson {
  const at = new Date(m.createdAt).toISOString();
  return {
    _id: m.id,
    id: m.id,
    thread: m.threadHash,
    thread_fid: m.threadFid,
    body: m.body,
    user_fid: m.userFid,
    lang: m.lang,
    ...(m.subject !== undefined ? { subject: m.subject } : {}),
    is_customer_support_agent: m.isAgent,
    created_at: at,
    updated_at: at,
  };
}

type ThreadJson = ReturnType<typeof threadView>;

/**
 * Each thread's view with what it was made from: a thread only changes by new messages (its count
 * and updatedAt move), so GET /threads formats each date once, not on every call.
 */
const views = new WeakMap<GurusupThreadRecord, { count: number; updatedAt: number; json: ThreadJson }>();

/** A thread's metadata, as `GET /threads` lists it (shared: callers copy, never change it). */
export function threadJson(t: GurusupThreadRecord): ThreadJson {
  const known = views.get(t);
  if (known && known.count === t.messages.length && known.updatedAt === t.updatedAt) return known.json;
  const json = threadView(t);
  views.set(t, { count: t.messages.length, updatedAt: t.updatedAt, json });
  return json;
}

function threadView(t: GurusupThreadRecord) {
  const customer = t.messages.find((m) => !m.isAgent) ?? t.messages[0];
  const subject = t.messages.find((m) => m.subject !== undefined)?.subject;
  return {
    thread: t.hash,
    thread_fid: t.fid,
    user_fid: customer?.userFid ?? '',
    lang: customer?.lang ?? '',
    ...(subject !== undefined ? { subject } : {}),
    message_count: t.messages.length,
    created_at: new Date(t.createdAt).toISOString(),
    updated_at: new Date(t.updatedAt).toISOString(),
  };
}

/** One thread with all its messages, in order. */
export const threadWithMessagesJson = (t: GurusupThreadRecord) => ({
  ...threadJson(t),
  messages: t.messages.map(messageJson),
});
