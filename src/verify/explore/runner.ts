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
export function playFlow(x: ExploreContext, raw: Flow, seed: number, recorded?: Recorded): Promise<Played> {
  return new FlowPlayer(x, raw, seed, recorded).play();
}

/** Where a step leaves its chat: the chat, or why the step cannot happen now. */
type StepChat = { chat: ChatInfo } | { why: string };
type StepOf<D extends Step['do']> = Extract<Step, { do: D }>;

/** One flow's playing: its state, what it sent and what the integration did (one player per flow). */
class FlowPlayer {
  private readonly flow: Flow;
  private readonly started: number;
  private readonly random: Random;
  private readonly domain: DomainContext;
  private readonly activity = new Quiescence();
  private readonly entries: TraceEntry[] = [];
  private readonly chats = new Map<ChatLabel, ChatInfo>();
  private readonly byId = new Map<string, ChatInfo>();
  /** Messages of the integration (or the service account) already echoed as message-created. */
  private readonly echoed = new Set<string>();
  private readonly echoes = new Map<string, { chain: Promise<void>; count: number }>();
  private readonly renders: Recorded = [];
  private readonly echoCounts = new Map<string, number>();
  /**
   * Per chat, the tail of its deliveries held back by a `delayed` step: the chat's later deliveries
   * (steps and echoes) go after it, as GUURU keeps each chat's events in order; other chats go on.
   */
  private readonly lanes = new Map<string, Promise<void>>();
  private n = 0;
  private replayed = 0;
  /** A community expert of the tenant, for chats requested to someone other than api. */
  private readonly other: { id: string } | undefined;
  private readonly rule: { graceMs: number; boundMs: number };

  constructor(
    private readonly x: ExploreContext,
    raw: Flow,
    private readonly seed: number,
    private readonly recorded?: Recorded,
  ) {
    this.flow = normalise(raw);
    this.started = performance.now();
    this.random = new Random(seed);
    this.domain = { ...x.domain, random: this.random };
    this.other = [...x.tenant.expertsById.values()].find((e) => e.isMember && e.id !== SERVICE_ACCOUNT_ID);
    this.rule = { graceMs: x.graceMs, boundMs: x.timeoutMs + x.graceMs };
  }

  async play(): Promise<Played> {
    const off = this.x.journal.subscribe((record) => this.onRecord(record));
    try {
      await this.playSteps();
      await this.quiet();
      await Promise.all([...this.echoes.values()].map((e) => e.chain));
    } finally {
      off();
    }
    return this.snapshot();
  }

  private async playSteps(): Promise<void> {
    const { flow, x } = this;
    // A reordered step's deliveries, held back until the next step (of another chat) has sent its own.
    let held: { out: Outgoing[]; step: Step } | undefined;
    for (const [index, step] of flow.entries()) {
      if (x.signal.aborted) break;
      if ('gapMs' in step.at) await sleep(step.at.gapMs, x.signal);
      else {
        if (held) {
          await this.sendAll(held.out, held.step);
          held = undefined;
        }
        await this.waitBefore(step);
      }
      const out = this.perform(index, step);
      const next = flow[index + 1];
      if (out && step.fault === 'reordered' && next && next.chat !== step.chat && !held) {
        held = { out, step };
        continue;
      }
      if (out) await this.sendAll(out, step);
      if (held) {
        await this.sendAll(held.out, held.step);
        held = undefined;
      }
    }
    if (held) await this.sendAll(held.out, held.step);
  }

  /** A step that does not follow a gap waits by the observation rule, then for its silence or the close. */
  private async waitBefore(step: Step): Promise<void> {
    const { x } = this;
    await this.quiet();
    if ('silenceMs' in step.at) return sleep(step.at.silenceMs, x.signal);
    // Until the integration closes the chat, as long as the customer keeps silent at most.
    const chat = this.chats.get(step.chat);
    if (chat)
      await this.activity.until(
        [chat.id],
        { graceMs: x.graceMs, boundMs: x.maxSilenceMs + x.graceMs },
        {
          ready: () => this.chatOf(chat.id).status !== 'open' && outstanding(this.snapshot()).length === 0,
          signal: x.signal,
        },
      );
  }

  private chatOf(id: string): ChatRecord {
    return this.x.tenant.chatsById.get(id) as ChatRecord;
  }

  private snapshot(): Played {
    const { x, chats } = this;
    return {
      flow: this.flow,
      seed: this.seed,
      chats: [...chats.values()],
      entries: this.entries,
      statuses: Object.fromEntries([...chats.values()].map((c) => [c.id, this.chatOf(c.id)?.status ?? 'unknown'])),
      rendered: this.renders,
      timeoutMs: x.timeoutMs,
      graceMs: x.graceMs,
      durationMs: Math.round(performance.now() - this.started),
    };
  }

  private async quiet(): Promise<void> {
    // A delayed delivery is not yet the integration's to act on: the observation starts once it is sent.
    while (this.lanes.size > 0) await Promise.all(this.lanes.values());
    await this.activity.until([...this.byId.keys()], this.rule, {
      ready: () => outstanding(this.snapshot()).length === 0,
      signal: this.x.signal,
    });
  }

  private render(
    event: string,
    chat: ChatInfo,
    subject: { chat: ChatRecord } | { message: MessageRecord },
    key: string,
    step?: number,
    author?: Author,
  ): Outgoing {
    const { x, recorded } = this;
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
      const r = recorded[this.replayed++];
      if (!r || r.event !== event || r.chatId !== chat.id || r.idempotencyKey !== key) {
        throw new ReplayDiverged(
          `the replayed flow's delivery ${this.replayed} would be ${event} of chat ${chat.id} (key ${key}), but the file has ${r ? `${r.event} of chat ${r.chatId} (key ${r.idempotencyKey})` : 'no more deliveries'}`,
        );
      }
      out.headers = { ...r.headers };
      out.body = r.body;
    }
    if (step !== undefined)
      this.renders.push({ step, event, chatId: chat.id, idempotencyKey: key, headers: out.headers, body: out.body });
    return out;
  }

  private async send(o: Outgoing, copy: number, copies: number, attempt = 1): Promise<void> {
    const { x } = this;
    this.n += 1;
    const headers = {
      ...o.headers,
      'X-Emulator-Delivery-Id': `${x.prefix}.${this.n}`,
      'X-Emulator-Delivery-Attempt': String(attempt),
    };
    const entry: PlayedDelivery = {
      kind: 'delivery',
      at: Math.round(performance.now() - this.started),
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
    this.entries.push(entry);
    const done = this.activity.begin(o.chat.id);
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
  }

  private async deliver(o: Outgoing, fault: Step['fault']): Promise<void> {
    switch (fault) {
      case 'duplicate':
        await this.send(o, 1, 2);
        await this.send(o, 2, 2);
        return;
      case 'concurrent':
        await Promise.all([this.send(o, 1, 2), this.send(o, 2, 2)]);
        return;
      case 'retry': {
        const first = this.send(o, 1, 2, 1);
        await sleep(RETRY_AFTER_MS, this.x.signal);
        await Promise.all([first, this.send(o, 2, 2, 2)]);
        return;
      }
      default:
        await this.send(o, 1, 1);
    }
  }

  /** A step's deliveries: now, or (delayed, or behind a delayed one of the same chat) on the chat's lane, not awaited. */
  private async sendAll(out: Outgoing[], step: Step): Promise<void> {
    const chatId = out[0]?.chat.id;
    const behind = chatId === undefined ? undefined : this.lanes.get(chatId);
    const delayMs = step.fault === 'delayed' ? (step.delayMs ?? 0) : 0;
    if (chatId === undefined || (behind === undefined && step.fault !== 'delayed')) return this.sendNow(out, step);
    // Not awaited: the flow goes on (quiet() awaits the lanes before any observation).
    void this.onLane(chatId, async () => {
      await sleep(delayMs, this.x.signal);
      await this.sendNow(out, step);
    });
  }

  /** Runs `work` after the chat's lane (its held-back deliveries); the chat counts as busy meanwhile. */
  private onLane(chatId: string, work: () => Promise<void>): Promise<void> {
    const done = this.activity.begin(chatId);
    const tail = (this.lanes.get(chatId) ?? Promise.resolve())
      .then(work)
      .catch(() => undefined)
      .finally(() => {
        done();
        if (this.lanes.get(chatId) === tail) this.lanes.delete(chatId);
      });
    this.lanes.set(chatId, tail);
    return tail;
  }

  private async sendNow(out: Outgoing[], step: Step): Promise<void> {
    // The fault is the message's (or the assignment's): the reopen or chat-opened around it goes once.
    for (const o of out)
      await this.deliver(
        o,
        o.event === 'chat-reopened' || (o.event === 'chat-opened' && step.do === 'assign') ? undefined : step.fault,
      );
  }

  // GUURU's side of what the integration does, in order per chat.
  private echo(chat: ChatInfo, make: () => Outgoing[]): void {
    const queue = this.echoes.get(chat.id) ?? { chain: Promise.resolve(), count: 0 };
    this.echoes.set(chat.id, queue);
    const done = this.activity.begin(chat.id);
    // After the chat's deliveries held back by a delay (they are events before this one).
    const behind = this.lanes.get(chat.id);
    queue.chain = Promise.all([queue.chain, behind])
      .then(async () => {
        for (const o of make()) {
          if (queue.count >= ECHO_CAP || this.x.signal.aborted) return;
          queue.count += 1;
          await this.send(o, 1, 1);
        }
      })
      .catch(() => undefined)
      .finally(done);
  }

  private onRecord(record: RequestRecord): void {
    if (record.tenantId !== this.x.tenant.id || record.operationType !== 'mutation') return;
    for (const field of record.fields ?? []) {
      const chat = field.chatId === undefined ? undefined : this.byId.get(field.chatId);
      if (!chat) continue;
      const ok = field.errorCode === undefined && record.status < 400;
      this.entries.push({
        kind: 'call',
        at: Math.round(performance.now() - this.started),
        requestId: record.id,
        operation: field.name,
        chat: chat.label,
        chatId: chat.id,
        ok,
        ...(field.errorCode !== undefined ? { errorCode: field.errorCode } : {}),
        ...(field.errorMessage !== undefined ? { errorMessage: field.errorMessage } : {}),
      });
      this.activity.touch(chat.id);
      if (ok) this.echoCall(chat, field.name);
    }
  }

  /** Queues the webhooks GUURU sends after the integration's successful call on a chat. */
  private echoCall(chat: ChatInfo, operation: string): void {
    const { seed } = this;
    const event = { acceptChat: 'chat-opened', closeChat: 'chat-closed', openChat: 'chat-reopened' }[operation];
    if (event) {
      // Numbered per chat and event, so a replay derives the same keys whatever the timing.
      const nth = (this.echoCounts.get(`${event}:${chat.id}`) ?? 0) + 1;
      this.echoCounts.set(`${event}:${chat.id}`, nth);
      this.echo(chat, () => [
        this.render(event, chat, { chat: this.chatOf(chat.id) }, derivedKey(seed, `${event}:${chat.id}:${nth}`)),
      ]);
    }
    if (operation === 'sendChatMessage') this.echo(chat, () => this.ownMessages(chat));
  }

  /** message-created of the chat's messages by the integration (or the service account) not yet echoed. */
  private ownMessages(chat: ChatInfo): Outgoing[] {
    return this.chatOf(chat.id)
      .messages.filter(
        (m) =>
          !this.echoed.has(m.id) &&
          (m.author.kind === 'persona' || (m.author.kind === 'expert' && m.author.id === SERVICE_ACCOUNT_ID)),
      )
      .map((m) => {
        this.echoed.add(m.id);
        return this.render(
          'message-created',
          chat,
          { message: m },
          derivedKey(this.seed, `message-created:${m.id}`),
          undefined,
          'own',
        );
      });
  }

  /** Performs a step in the emulator and renders its deliveries; undefined (with a note) when it cannot happen now. */
  private perform(index: number, step: Step): Outgoing[] | undefined {
    switch (step.do) {
      case 'assign':
        return this.assign(index, step);
      case 'write':
        return this.write(index, step);
      case 'rate':
        return this.rate(index, step);
      case 'agent-write':
        return this.agentWrite(index, step);
    }
  }

  private note(index: number, text: string): undefined {
    this.entries.push({ kind: 'note', step: index, text });
    return undefined;
  }

  private key(): string {
    return this.random.uuid();
  }

  private assign(index: number, step: StepOf<'assign'>): Outgoing[] | undefined {
    const { x, domain } = this;
    if (!step.api && !this.other) return this.note(index, 'the tenant has no community expert to request the chat to');
    const experts = step.api ? [SERVICE_ACCOUNT_ID] : [(this.other as { id: string }).id];
    const found = this.assignable(index, step);
    if ('why' in found) return this.note(index, found.why);
    const { chat } = found;
    const record = assignChat(domain, x.tenant, chat.id, experts);
    const out = [this.render('chat-assigned', chat, { chat: record }, this.key(), index)];
    if (!step.api) {
      acceptChat(domain, x.tenant, chat.id, { expertId: experts[0] as string });
      out.push(this.render('chat-opened', chat, { chat: this.chatOf(chat.id) }, this.key(), index));
    }
    return out;
  }

  /** The step's chat, created (and adopted) on its first assignment; a known chat only while open or assigned. */
  private assignable(index: number, step: StepOf<'assign'>): StepChat {
    const { x } = this;
    const known = this.chats.get(step.chat);
    if (known) {
      const status = this.chatOf(known.id).status;
      return ['open', 'assigned'].includes(status)
        ? { chat: known }
        : { why: `chat ${step.chat} is ${status}: not re-assigned` };
    }
    const record = createChat(this.domain, x.tenant, {
      question: TEXTS.text[index % TEXTS.text.length] as string,
      user: { name: 'Alex' },
    });
    x.adopt(record.id);
    const chat = { label: step.chat, id: record.id, api: step.api };
    this.chats.set(step.chat, chat);
    this.byId.set(record.id, chat);
    return { chat };
  }

  private write(index: number, step: StepOf<'write'>): Outgoing[] | undefined {
    const { x, domain } = this;
    const chat = this.chats.get(step.chat) as ChatInfo;
    const status = this.chatOf(chat.id).status;
    if (!['assigned', 'open', 'closed'].includes(status))
      return this.note(index, `chat ${step.chat} is ${status}: the customer cannot write`);
    const out: Outgoing[] = [];
    if (status === 'closed')
      out.push(
        this.render('chat-reopened', chat, { chat: reopenChat(domain, x.tenant, chat.id, USER) }, this.key(), index),
      );
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
    out.push(this.render('message-created', chat, { message }, this.key(), index, 'customer'));
    return out;
  }

  private rate(index: number, step: StepOf<'rate'>): Outgoing[] | undefined {
    const chat = this.chats.get(step.chat) as ChatInfo;
    const status = this.chatOf(chat.id).status;
    if (status !== 'closed') return this.note(index, `chat ${step.chat} is ${status}, not closed: not rated`);
    const record = rateChat(this.domain, this.x.tenant, chat.id, 'good');
    return [this.render('chat-rated', chat, { chat: record }, this.key(), index)];
  }

  private agentWrite(index: number, step: StepOf<'agent-write'>): Outgoing[] | undefined {
    const chat = this.chats.get(step.chat) as ChatInfo;
    const record = this.chatOf(chat.id);
    if (record.status !== 'open' || !record.expertId)
      return this.note(index, `chat ${step.chat} is ${record.status}: the other expert cannot write`);
    const message = postMessage(
      this.domain,
      this.x.tenant,
      chat.id,
      { type: 'text', text: TEXTS.agent },
      { kind: 'expert', id: record.expertId },
    );
    return [this.render('message-created', chat, { message }, this.key(), index, 'agent')];
  }
}

export class ReplayDiverged extends Error {}
