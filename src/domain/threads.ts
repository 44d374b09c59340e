import { createHash } from 'node:crypto';
import type { GurusupMessageRecord, GurusupOrgData, GurusupThreadRecord } from '../store/model.js';
import { threadHash } from '../store/keys.js';
import type { Tenant } from '../store/tenant.js';
import type { DomainContext } from './context.js';
import { DomainError, invalidArgument } from './errors.js';
import { assertRoomForChat, assertRoomForMessage, reserveBytes } from './limits.js';
import { textBytes } from '../store/size.js';
import { FIELD_LIMITS, assertLength } from './field-limits.js';

/**
 * Gurusup threads: an organisation's conversations, addressed by md5(thread_fid). A customer
 * message gets the system's automatic reply (when the organisation has it on); what the system
 * sends is also announced for the send-message webhook.
 */

export { threadHash };

export const MAX_BODY_LENGTH = FIELD_LIMITS['gurusup.body'];
export const MAX_FID_LENGTH = FIELD_LIMITS['gurusup.thread_fid'];

/** The fields of the documented `PartialMessage` (already type-checked by the adapter). */
export interface PartialMessage {
  body: string;
  thread_fid: string;
  user_fid?: string;
  lang?: string;
  subject?: string;
  is_customer_support_agent?: boolean;
}

export function orgOf(tenant: Tenant): GurusupOrgData {
  const org = tenant.data.gurusup;
  if (!org) throw new DomainError('NOT_FOUND', `Tenant ${tenant.id} has no Gurusup organisation.`);
  return org;
}

export const listThreads = (tenant: Tenant): GurusupThreadRecord[] => tenant.data.gurusup?.threads ?? [];

/** A thread by md5(thread_fid), upper- or lower-case hex. */
export function findThread(tenant: Tenant, hash: string): GurusupThreadRecord | undefined {
  return tenant.threadsByHash.get(hash.toLowerCase());
}

export const findGurusupMessage = (tenant: Tenant, id: string): GurusupMessageRecord | undefined =>
  tenant.gurusupMessagesById.get(id.toLowerCase());

function checkFid(fid: string, field: string): string {
  if (fid.trim() === '')
    throw invalidArgument(field, `${field} must be a non-empty string (your id of the conversation).`);
  if (fid.length > MAX_FID_LENGTH)
    throw invalidArgument(field, `${field} is longer than ${MAX_FID_LENGTH} characters.`);
  return fid;
}

function checkBody(body: string): string {
  if (body.trim() === '') throw invalidArgument('body', 'body must be a non-empty string: the text of the message.');
  if (body.length > MAX_BODY_LENGTH)
    throw invalidArgument('body', `body is ${body.length} characters long; the limit is ${MAX_BODY_LENGTH}.`);
  return body;
}

/** Refuses before anything changes when the thread (new or not) has no room for `adding` more messages. */
function assertRoom(ctx: DomainContext, tenant: Tenant, org: GurusupOrgData, fid: string, adding: number): void {
  const existing = tenant.threadsByHash.get(threadHash(fid));
  if (!existing) assertRoomForChat(ctx, tenant, org.threads.length, 'Gurusup threads');
  assertRoomForMessage(ctx, (existing?.messages.length ?? 0) + adding - 1, `Gurusup thread ${fid}`);
}

function threadFor(tenant: Tenant, org: GurusupOrgData, fid: string, now: number): GurusupThreadRecord {
  const hash = threadHash(fid);
  const existing = tenant.threadsByHash.get(hash);
  if (existing) return existing;
  const last = org.threads[org.threads.length - 1];
  const thread: GurusupThreadRecord = {
    hash,
    fid,
    seq: (last?.seq ?? 0) + 1,
    createdAt: now,
    updatedAt: now,
    messages: [],
  };
  org.threads.push(thread);
  tenant.threadsByHash.set(hash, thread);
  return thread;
}

function append(
  ctx: DomainContext,
  tenant: Tenant,
  thread: GurusupThreadRecord,
  message: Omit<GurusupMessageRecord, 'id' | 'threadHash' | 'threadFid'>,
): GurusupMessageRecord {
  const record: GurusupMessageRecord = {
    id: ctx.random.objectIdAt(message.createdAt),
    threadHash: thread.hash,
    threadFid: thread.fid,
    ...message,
  };
  thread.messages.push(record);
  thread.updatedAt = message.createdAt;
  tenant.gurusupMessagesById.set(record.id, record);
  return record;
}

export interface PostResult {
  /** The message as posted. */
  posted: GurusupMessageRecord;
  /** The system's automatic reply, when there is one. */
  reply?: GurusupMessageRecord;
}

/**
 * `POST /messages`: stores the message (creating the thread on first use); a customer message
 * (not `is_customer_support_agent`) gets the automatic reply when the organisation has it on.
 */
export function postThreadMessage(ctx: DomainContext, tenant: Tenant, input: PartialMessage): PostResult {
  const org = orgOf(tenant);
  const fid = checkFid(input.thread_fid, 'thread_fid');
  const body = checkBody(input.body);
  const userFid = input.user_fid === undefined ? 'anonymous' : checkFid(input.user_fid, 'user_fid');
  assertLength('gurusup.lang', 'lang', input.lang);
  assertLength('gurusup.subject', 'subject', input.subject);
  const lang = input.lang?.trim() || org.language;
  const isAgent = input.is_customer_support_agent ?? false;
  const autoReplies = !isAgent && org.autoReply;
  assertRoom(ctx, tenant, org, fid, autoReplies ? 2 : 1);
  // The message, a new thread, and the automatic reply (one of the seed's texts).
  reserveBytes(
    ctx,
    tenant,
    textBytes(body, fid, userFid, lang, input.subject) +
      (tenant.threadsByHash.has(threadHash(fid)) ? 0 : textBytes(fid)) +
      (autoReplies ? textBytes(fid) + 512 : 0),
  );
  const now = ctx.clock.now();
  const thread = threadFor(tenant, org, fid, now);
  const posted = append(ctx, tenant, thread, {
    body,
    userFid,
    lang,
    ...(input.subject !== undefined && input.subject !== '' ? { subject: input.subject } : {}),
    isAgent,
    fromSystem: false,
    createdAt: now,
  });
  ctx.events.emit('gurusup.message-created', { tenantId: tenant.id, thread, message: posted });
  let reply: GurusupMessageRecord | undefined;
  if (!isAgent && org.autoReply) {
    const replies = (l: string): string[] => ctx.content.gurusup?.replies[l] ?? [];
    const own = replies(lang);
    const replyLang = own.length > 0 ? lang : org.language;
    const texts = own.length > 0 ? own : replies(org.language);
    reply = append(ctx, tenant, thread, {
      body: pickReply(texts, [String(tenant.data.seed), fid, String(thread.messages.length), body]),
      userFid: org.systemUserFid,
      lang: replyLang,
      isAgent: true,
      fromSystem: true,
      createdAt: now,
    });
    ctx.events.emit('gurusup.message-created', { tenantId: tenant.id, thread, message: reply });
  }
  ctx.store.changed({ kind: 'thread', tenant, thread, messages: reply ? [posted, reply] : [posted] });
  return reply ? { posted, reply } : { posted };
}

/** A message Gurusup itself sends into a thread (control API, scenarios): it goes out by webhook. */
export function sendSystemMessage(
  ctx: DomainContext,
  tenant: Tenant,
  input: { thread_fid: string; body: string; lang?: string; subject?: string; user_fid?: string },
): GurusupMessageRecord {
  const org = orgOf(tenant);
  const fid = checkFid(input.thread_fid, 'thread_fid');
  const body = checkBody(input.body);
  if (input.user_fid !== undefined) checkFid(input.user_fid, 'user_fid');
  assertLength('gurusup.lang', 'lang', input.lang);
  assertLength('gurusup.subject', 'subject', input.subject);
  assertRoom(ctx, tenant, org, fid, 1);
  reserveBytes(
    ctx,
    tenant,
    textBytes(body, fid, input.user_fid, input.lang, input.subject) +
      (tenant.threadsByHash.has(threadHash(fid)) ? 0 : textBytes(fid)),
  );
  const now = ctx.clock.now();
  const thread = threadFor(tenant, org, fid, now);
  const message = append(ctx, tenant, thread, {
    body,
    userFid: input.user_fid ?? org.systemUserFid,
    lang: input.lang ?? org.language,
    ...(input.subject ? { subject: input.subject } : {}),
    isAgent: true,
    fromSystem: true,
    createdAt: now,
  });
  ctx.events.emit('gurusup.message-created', { tenantId: tenant.id, thread, message });
  ctx.store.changed({ kind: 'thread', tenant, thread, messages: [message] });
  return message;
}

/** The organisation's settings that live in its data (reset restores them). */
export function updateOrg(
  ctx: DomainContext,
  tenant: Tenant,
  patch: { autoReply?: boolean; language?: string },
): GurusupOrgData {
  const org = orgOf(tenant);
  assertLength('gurusup.lang', 'language', patch.language);
  if (patch.autoReply !== undefined) org.autoReply = patch.autoReply;
  if (patch.language !== undefined) org.language = patch.language;
  ctx.store.changed({ kind: 'org', tenant });
  return org;
}

/** Deterministic: the same seed, thread, position and text always give the same reply. */
function pickReply(texts: string[], parts: string[]): string {
  if (texts.length === 0) return 'Thanks for your message! We will get back to you shortly.';
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  return texts[digest.readUInt32BE(0) % texts.length] as string;
}
