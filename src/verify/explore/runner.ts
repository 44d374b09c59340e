import { createHash } from 'node:crypto';
import { SERVICE_ACCOUNT_ID, USER } from '../../domain/actors.js';
import { acceptChat, assignChat, createChat, postMessage, rateChat, reopenChat } from '../../domain/chats.js';
import type { DomainContext } from '../../domain/context.js';
import type { RequestJournal, RequestRecord } from '../../journal/request-journal.js';
import { Random } from '../../kernel/random.js';
import type { ChatRecord, MessageRecord } from '../../store/model.js';
import type { Tenant } from '../../store/tenant.js';
import { Quiescence } from '../quiescence.js';
import type { WebhookWire } from '../wire.js';
import { normalise, TEXTS, type ChatLabel, type Flow, type Step } from './model.js';
import { outstanding } from './properties.js';
import type { Author, ChatInfo, Played, PlayedDelivery, Recorded, TraceEntry } from './trace.js';

export type { Played, Recorded, TraceEntry } from './trace.js';

/** What playing flows needs (given by the verification). */
export interface ExploreContext {
  tenant: Tenant;
  /** The emulator's domain; each flow gets its own seeded random source. */
  domain: DomainContext;
  wire: WebhookWire;
  journal: RequestJournal;
  target: string;
  timeoutMs: number;
  /** How long every chat of a flow must be quiet before the flow goes on or is judged (the observation rule). */
  graceMs: number;
  /** The longest customer silence: also how long a step waits for the integration to close a chat. */
  maxSilenceMs: number;
  signal: AbortSignal;
  /** Makes a chat the verification's (the publisher stays silent for it; the runner sends its webhooks). */
  adopt(chatId: string): void;
  /** Prefix of X-Emulator-Delivery-Id. */
  prefix: string;
}

interface Outgoing {
  step?: number;
  event: string;
  chat: ChatInfo;
  key: string;
  author?: Author;
  headers: Record<string, string>;
  body: string;
}

/** Per chat at most this many echoes of the integration's own actions (an integration answering itself would loop for ever). */
const ECHO_CAP = 25;
const RETRY_AFTER_MS = 20;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/** A uuid derived from the flow's seed and what it is for: the same in a replay whatever the timing. */
function derivedKey(seed: number, what: string): string {
  const h = createHash('sha256').update(`${seed}:${what}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Plays one flow against the integration: performs each step in the emulator (real chats of the
 * tenant, so the integration's Admin API calls succeed), sends its webhook rendered and signed as
 * the emulator sends them (then duplicated, retried, reordered as the step says), and plays GUURU's
 * side of what the integration does (chat-opened after its acceptChat, message-created of its own
 * messages, chat-closed after its closeChat). Steps that wait do so by the observation rule: once
 * every chat of the flow is quiet and nothing is awaited (quiescence.ts), never a fixed window.
 */
// eslint-disable-next-line max-lines-per-function -- one closure over a flow's state; to be split into a class of its own (issue 21)
export async function playFlow(x: ExploreContext, raw: Flow, seed: number, recorded?: Recorded): Promise<Played> {
  const flow = normalise(raw);
  const started = performance.now();
  const random = new Random(seed);
  const domain: DomainContext = { ...x.domain, random };
  const activity = new Quiescence();
  const entries: TraceEntry[] = [];
  const chats = new Map<ChatLabel, ChatInfo>();
  const byId = new Map<string, ChatInfo>();
  const echoed = new Set<string>();
  const echoes = new Map<string, { chain: Promise<void>; count: number }>();
  const renders: Recorded = [];
  const echoCounts = new Map<string, number>();
  let n = 0;
  let replayed = 0;
  const other = [...x.tenant.expertsById.values()].find((e) => e.isMember && e.id !== SERVICE_ACCOUNT_ID);

  const chatOf = (id: string): ChatRecord => x.tenant.chatsById.get(id) as ChatRecord;
  const rule = { graceMs: x.graceMs, boundMs: x.timeoutMs + x.graceMs };
  const snapshot = (): Played => ({
    flow,
    seed,
    chats: [...chats.values()],
    entries,
    statuses: Object.fromEntries([...chats.values()].map((c) => [c.id, chatOf(c.id)?.status ?? 'unknown'])),
    rendered: renders,
    timeoutMs: x.timeoutMs,
    graceMs: x.graceMs,
    durationMs: Math.round(performance.now() - started),
  });
  const quiet = () =>
    activity.until([...byId.keys()], rule, { ready: () => outstanding(snapshot()).length === 0, signal: x.signal });

  const render = (
    event: string,
    chat: ChatInfo,
    subject: { chat: ChatRecord } | { message: MessageRecord },
    key: string,
    step?: number,
    author?: Author,
  ): Outgoing => {
    const rendered = x.wire.render(x.tenant.id, event, subject, key);
    const out: Outgoing = {
      event,
      chat,
      key,
      headers: rendered.headers,
      body: rendered.body,
      ...(step !== undefined ? { step } : {}),
      ...(author ? { author } : {}),
    };
    if (recorded && recorded.length > 0 && step !== undefined) {
      // A replay sends the recorded bytes (same body, key and signature), once it is sure they are about the same chat.
      const r = recorded[replayed++];
      if (!r || r.event !== event || r.chatId !== chat.id || r.idempotencyKey !== key) {
        throw new ReplayDiverged(
          `the replayed flow's delivery ${replayed} would be ${event} of chat ${chat.id} (key ${key}), but the file has ${r ? `${r.event} of chat ${r.chatId} (key ${r.idempotencyKey})` : 'no more deliveries'}`,
        );
      }
      out.headers = { ...r.headers };
      out.body = r.body;
    }
    if (step !== undefined)
      renders.push({ event, chatId: chat.id, idempotencyKey: key, headers: out.headers, body: out.body });
    return out;
  };

  const send = async (o: Outgoing, copy: number, copies: number, attempt = 1): Promise<void> => {
    n += 1;
    const headers = {
      ...o.headers,
      'X-Emulator-Delivery-Id': `${x.prefix}.${n}`,
      'X-Emulator-Delivery-Attempt': String(attempt),
    };
    const entry: PlayedDelivery = {
      kind: 'delivery',
      at: Math.round(performance.now() - started),
      deliveryId: headers['X-Emulator-Delivery-Id'],
      ...(o.step !== undefined ? { step: o.step } : {}),
      event: o.event,
      chat: o.chat.label,
      chatId: o.chat.id,
      idempotencyKey: o.key,
      ...(o.author ? { author: o.author } : {}),
      copy,
      copies,
      attempt,
      headers: o.headers,
      body: o.body,
    };
    entries.push(entry);
    const done = activity.begin(o.chat.id);
    try {
      const result = await x.wire.send({
        url: x.target,
        headers,
        body: Buffer.from(o.body, 'utf8'),
        timeoutMs: x.timeoutMs,
      });
      if (result.statusCode !== undefined) entry.statusCode = result.statusCode;
      if (result.error !== undefined) entry.error = result.error;
      entry.durationMs = Math.round(result.durationMs);
    } finally {
      done();
    }
  };

  const deliver = async (o: Outgoing, fault: Step['fault']): Promise<void> => {
    switch (fault) {
      case 'duplicate':
        await send(o, 1, 2);
        await send(o, 2, 2);
        return;
      case 'concurrent':
        await Promise.all([send(o, 1, 2), send(o, 2, 2)]);
        return;
      case 'retry': {
        const first = send(o, 1, 2, 1);
        await sleep(RETRY_AFTER_MS, x.signal);
        await Promise.all([first, send(o, 2, 2, 2)]);
        return;
      }
      default:
        await send(o, 1, 1);
    }
  };

  // GUURU's side of what the integration does, in order per chat.
  const echo = (chat: ChatInfo, make: () => Outgoing[]): void => {
    const queue = echoes.get(chat.id) ?? { chain: Promise.resolve(), count: 0 };
    echoes.set(chat.id, queue);
    const done = activity.begin(chat.id);
    queue.chain = queue.chain
      .then(async () => {
        for (const o of make()) {
          if (queue.count >= ECHO_CAP || x.signal.aborted) return;
          queue.count += 1;
          await send(o, 1, 1);
        }
      })
      .catch(() => undefined)
      .finally(done);
  };

  const onRecord = (record: RequestRecord): void => {
    if (record.tenantId !== x.tenant.id || record.operationType !== 'mutation') return;
    for (const field of record.fields ?? []) {
      const chat = field.chatId === undefined ? undefined : byId.get(field.chatId);
      if (!chat) continue;
      const ok = field.errorCode === undefined && record.status < 400;
      entries.push({
        kind: 'call',
        at: Math.round(performance.now() - started),
        requestId: record.id,
        operation: field.name,
        chat: chat.label,
        chatId: chat.id,
        ok,
        ...(field.errorCode !== undefined ? { errorCode: field.errorCode } : {}),
        ...(field.errorMessage !== undefined ? { errorMessage: field.errorMessage } : {}),
      });
      activity.touch(chat.id);
      if (!ok) continue;
      const event = { acceptChat: 'chat-opened', closeChat: 'chat-closed', openChat: 'chat-reopened' }[field.name];
      if (event) {
        // Numbered per chat and event, so a replay derives the same keys whatever the timing.
        const nth = (echoCounts.get(`${event}:${chat.id}`) ?? 0) + 1;
        echoCounts.set(`${event}:${chat.id}`, nth);
        echo(chat, () => [
          render(event, chat, { chat: chatOf(chat.id) }, derivedKey(seed, `${event}:${chat.id}:${nth}`)),
        ]);
      }
      if (field.name === 'sendChatMessage') {
        echo(chat, () =>
          chatOf(chat.id)
            .messages.filter(
              (m) =>
                !echoed.has(m.id) &&
                (m.author.kind === 'persona' || (m.author.kind === 'expert' && m.author.id === SERVICE_ACCOUNT_ID)),
            )
            .map((m) => {
              echoed.add(m.id);
              return render(
                'message-created',
                chat,
                { message: m },
                derivedKey(seed, `message-created:${m.id}`),
                undefined,
                'own',
              );
            }),
        );
      }
    }
  };
  const off = x.journal.subscribe(onRecord);

  /** Performs a step in the emulator and renders its deliveries; undefined (with a note) when it cannot happen now. */
  const perform = (index: number, step: Step): Outgoing[] | undefined => {
    const note = (text: string) => {
      entries.push({ kind: 'note', step: index, text });
      return undefined;
    };
    const known = chats.get(step.chat);
    const key = () => random.uuid();
    switch (step.do) {
      case 'assign': {
        if (!step.api && !other) return note('the tenant has no community expert to request the chat to');
        const experts = step.api ? [SERVICE_ACCOUNT_ID] : [(other as { id: string }).id];
        let chat = known;
        if (!chat) {
          const record = createChat(domain, x.tenant, {
            question: TEXTS.text[index % TEXTS.text.length] as string,
            user: { name: 'Alex' },
          });
          x.adopt(record.id);
          chat = { label: step.chat, id: record.id, api: step.api };
          chats.set(step.chat, chat);
          byId.set(record.id, chat);
        } else if (!['open', 'assigned'].includes(chatOf(chat.id).status)) {
          return note(`chat ${step.chat} is ${chatOf(chat.id).status}: not re-assigned`);
        }
        const record = assignChat(domain, x.tenant, chat.id, experts);
        const out = [render('chat-assigned', chat, { chat: record }, key(), index)];
        if (!step.api) {
          acceptChat(domain, x.tenant, chat.id, { expertId: experts[0] as string });
          out.push(render('chat-opened', chat, { chat: chatOf(chat.id) }, key(), index));
        }
        return out;
      }
      case 'write': {
        const chat = known as ChatInfo;
        const status = chatOf(chat.id).status;
        if (!['assigned', 'open', 'closed'].includes(status))
          return note(`chat ${step.chat} is ${status}: the customer cannot write`);
        const out: Outgoing[] = [];
        if (status === 'closed')
          out.push(render('chat-reopened', chat, { chat: reopenChat(domain, x.tenant, chat.id, USER) }, key(), index));
        const posting =
          step.kind === 'attachment'
            ? {
                type: 'attachment',
                address: TEXTS.attachment.url,
                mimetype: TEXTS.attachment.mimetype,
                filename: TEXTS.attachment.filename,
              }
            : {
                type: 'text',
                text: step.kind === 'helped' ? TEXTS.helped : (TEXTS.text[index % TEXTS.text.length] as string),
              };
        const message = postMessage(domain, x.tenant, chat.id, posting, USER);
        out.push(render('message-created', chat, { message }, key(), index, 'customer'));
        return out;
      }
      case 'rate': {
        const chat = known as ChatInfo;
        const status = chatOf(chat.id).status;
        if (status !== 'closed') return note(`chat ${step.chat} is ${status}, not closed: not rated`);
        return [render('chat-rated', chat, { chat: rateChat(domain, x.tenant, chat.id, 'good') }, key(), index)];
      }
      case 'agent-write': {
        const chat = known as ChatInfo;
        const record = chatOf(chat.id);
        if (record.status !== 'open' || !record.expertId)
          return note(`chat ${step.chat} is ${record.status}: the other expert cannot write`);
        const message = postMessage(
          domain,
          x.tenant,
          chat.id,
          { type: 'text', text: TEXTS.agent },
          { kind: 'expert', id: record.expertId },
        );
        return [render('message-created', chat, { message }, key(), index, 'agent')];
      }
    }
  };

  try {
    let held: { out: Outgoing[]; step: Step } | undefined;
    for (const [index, step] of flow.entries()) {
      if (x.signal.aborted) break;
      if ('gapMs' in step.at) await sleep(step.at.gapMs, x.signal);
      else {
        if (held) {
          await sendAll(held.out, held.step);
          held = undefined;
        }
        await quiet();
        if ('silenceMs' in step.at) await sleep(step.at.silenceMs, x.signal);
        else {
          // Until the integration closes the chat, as long as the customer keeps silent at most.
          const chat = chats.get(step.chat);
          if (chat)
            await activity.until(
              [chat.id],
              { graceMs: x.graceMs, boundMs: x.maxSilenceMs + x.graceMs },
              {
                ready: () => chatOf(chat.id).status !== 'open' && outstanding(snapshot()).length === 0,
                signal: x.signal,
              },
            );
        }
      }
      const out = perform(index, step);
      const next = flow[index + 1];
      if (out && step.fault === 'reordered' && next && next.chat !== step.chat && !held) {
        held = { out, step };
        continue;
      }
      if (out) await sendAll(out, step);
      if (held) {
        await sendAll(held.out, held.step);
        held = undefined;
      }
    }
    if (held) await sendAll(held.out, held.step);
    await quiet();
    await Promise.all([...echoes.values()].map((e) => e.chain));
  } finally {
    off();
  }
  return snapshot();

  async function sendAll(out: Outgoing[], step: Step): Promise<void> {
    // The fault is the message's (or the assignment's): the reopen or chat-opened around it goes once.
    for (const o of out)
      await deliver(
        o,
        o.event === 'chat-reopened' || (o.event === 'chat-opened' && step.do === 'assign') ? undefined : step.fault,
      );
  }
}

export class ReplayDiverged extends Error {}
