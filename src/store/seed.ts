import type { Faker } from '@faker-js/faker';
import { Random, type SeedLanguage } from '../kernel/random.js';
import { Conversation } from './conversation.js';
import { monthStart, nextMonth, threadHash } from './keys.js';
import type { ContentFixture, TenantFixture, TopicLines } from './fixtures.js';
import type {
  AuthorRef,
  ChatRecord,
  ChatStatus,
  CommunityExpertRecord,
  ExpertRecord,
  GurusupMessageRecord,
  GurusupOrgData,
  GurusupThreadRecord,
  MessageRecord,
  PageRecord,
  PayoutRecord,
  PersonaRecord,
  Rating,
  SubmissionRecord,
  TenantData,
} from './model.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Payouts exist from this month on (the Examples page asks for January 2019). */
export const FIRST_PAYOUT_MONTH = Date.UTC(2019, 0, 1);
/** Finished chats spread over this many days before the seed time. */
const HISTORY_DAYS = 90;

export interface SeedInput {
  fixture: TenantFixture;
  content: ContentFixture;
  /** The random seed: same seed, same fixture, same seed time → byte-identical data. */
  seed: number;
  /** "Now" for the seed: every seeded timestamp is at or before it. */
  seedTime: number;
  /** Extra light-weight chats before the seeded ones (benchmarks). */
  bulkChats?: number;
}

/** Builds one tenant's whole data set from its fixture and the seed. Pure: no clock, no I/O. */
/** Bump when the generator's output changes, so cached seeds are regenerated. */
export const GENERATOR_REVISION = 4;

export function generateTenant(input: SeedInput): TenantData {
  return new TenantGenerator(input).generate();
}

class TenantGenerator {
  private readonly rnd: Random;
  private readonly f: Faker;
  private readonly fx: TenantFixture;
  private readonly content: ContentFixture;
  private readonly now: number;
  private experts: ExpertRecord[] = [];
  private guurus: ExpertRecord[] = [];
  private agents: ExpertRecord[] = [];
  private personas: PersonaRecord[] = [];
  /** The topic each seeded chat talks about, for the documented chat's English question. */
  private readonly topics = new Map<ChatRecord, string>();

  constructor(private readonly input: SeedInput) {
    this.rnd = new Random(input.seed);
    this.f = this.rnd.faker;
    this.fx = input.fixture;
    this.content = input.content;
    this.now = input.seedTime;
  }

  generate(): TenantData {
    this.generateExperts();
    this.generatePersonas();
    const communityExperts = this.generateCommunity();
    const submissions = this.generateSubmissions();
    const payouts = this.generatePayouts();
    const chats = [...this.generateBulkChats(), ...this.generateChats()];
    chats.forEach((chat, index) => (chat.seq = index + 1));
    return {
      id: this.fx.id,
      name: this.fx.name,
      tokens: [...this.fx.tokens],
      webhookSecret: this.fx.webhookSecret,
      seed: this.input.seed,
      createdAt: this.now - 800 * DAY,
      chatAvailable: this.fx.chatAvailable,
      bot: { id: 'guuru-bot', name: 'GUURU Bot', photoUrl: 'https://cdn.guuru.com/assets/logo/robotAvatar.png' },
      categories: this.fx.categories.map((c) => ({ ...c })),
      experts: this.experts,
      personas: this.personas,
      chats,
      submissions,
      payouts,
      communityExperts,
      pages: this.generatePages(),
      ...(this.fx.gurusup ? { gurusup: generateGurusupOrg(this.fx, this.content, this.input.seed, this.now) } : {}),
    };
  }

  private language(): SeedLanguage {
    const weights = Object.entries(this.fx.languages) as [SeedLanguage, number][];
    return this.rnd.weighted(weights.filter(([, w]) => w > 0).map(([value, weight]) => ({ value, weight })));
  }

  private generateExperts(): void {
    const add = (e: Omit<ExpertRecord, 'seq'>): ExpertRecord => {
      const expert = { ...e, seq: this.experts.length + 1 };
      this.experts.push(expert);
      return expert;
    };
    add({
      id: 'api',
      name: 'Public API service account',
      email: 'public@api.guuru.com',
      summary: 'Answers chats on behalf of a third-party messaging tool',
      kind: 'service',
      isMember: true,
      joinedAt: this.now - 400 * DAY,
      balances: [],
    });
    for (const agent of this.fx.agents) {
      this.agents.push(
        add({
          id: this.rnd.userId(),
          ...agent,
          kind: 'agent',
          isMember: true,
          joinedAt: this.now - this.rnd.int(300, 700) * DAY,
          balances: [],
        }),
      );
    }
    const earliestJoin = Date.UTC(2018, 5, 1);
    const person = (isMember: boolean, joinedAt: number): ExpertRecord => {
      const lang = this.language();
      const p = this.rnd.people(lang);
      const firstName = p.person.firstName();
      const lastName = p.person.lastName();
      const id = this.rnd.userId();
      return add({
        id,
        name: `${firstName} ${lastName}`,
        email: p.internet.email({ firstName, lastName, provider: 'example.com' }).toLowerCase(),
        summary: this.rnd.pick(this.content.bios),
        photoUrl: `https://cdn.guuru.com/avatars/${id}.jpg`,
        kind: 'guuru',
        isMember,
        joinedAt,
        balances: [],
      });
    };
    for (let i = 0; i < this.fx.guurus; i++) {
      // The first few are veterans, so the community has payouts from January 2019 on.
      const joinedAt =
        i < 3 ? this.rnd.int(earliestJoin, FIRST_PAYOUT_MONTH - DAY) : this.rnd.int(earliestJoin, this.now - 30 * DAY);
      this.guurus.push(person(true, joinedAt));
    }
    for (let i = 0; i < this.fx.applicants.pending + this.fx.applicants.rejected; i++) {
      person(false, this.now);
    }
  }

  private generatePersonas(): void {
    const createdAt = this.now - 200 * DAY;
    this.personas = this.fx.documented.personas.map((p) => ({ ...p, createdAt, updatedAt: createdAt }));
  }

  private generateCommunity(): CommunityExpertRecord[] {
    return this.guurus.map((g) => ({
      expertId: g.id,
      bio: g.summary,
      rating: this.rnd.int(36, 50) / 10,
      joinedAt: g.joinedAt,
      bestFeedbackComments: this.rnd.sample(this.content.feedbackComments, 0, 3),
    }));
  }

  private generateSubmissions(): SubmissionRecord[] {
    const subs: Omit<SubmissionRecord, 'seq'>[] = [];
    for (const g of this.guurus) {
      subs.push({
        id: this.rnd.uuid(),
        createdAt: g.joinedAt - this.rnd.int(1, 5) * DAY,
        reviewedAt: g.joinedAt,
        verificationCode: this.rnd.verificationCode(),
        expertId: g.id,
        status: 'approved',
      });
    }
    const applicants = this.experts.filter((e) => !e.isMember && e.kind === 'guuru');
    applicants.forEach((a, i) => {
      const pending = i < this.fx.applicants.pending;
      const createdAt = this.now - this.rnd.int(pending ? 1 * HOUR : 20 * DAY, pending ? 20 * DAY : 200 * DAY);
      a.joinedAt = createdAt;
      subs.push({
        id: this.rnd.uuid(),
        createdAt,
        ...(pending ? {} : { reviewedAt: createdAt + this.rnd.int(HOUR, 3 * DAY) }),
        verificationCode: this.rnd.verificationCode(),
        expertId: a.id,
        status: pending ? 'pending' : 'rejected',
      });
    });
    subs.sort((a, b) => a.createdAt - b.createdAt);
    const documentedId = this.fx.documented.submissionId;
    const lastPending = [...subs].reverse().find((s) => s.status === 'pending');
    if (documentedId && lastPending) lastPending.id = documentedId;
    return subs.map((s, i) => ({ ...s, seq: i + 1 }));
  }

  private generatePayouts(): PayoutRecord[] {
    const payouts: PayoutRecord[] = [];
    const current = monthStart(this.now);
    const amount = () => this.rnd.int(5, 250) * 100 + this.rnd.int(0, 99);
    for (let period = FIRST_PAYOUT_MONTH; period <= current; period = nextMonth(period)) {
      const before = payouts.length;
      const active = this.guurus.filter((g) => g.joinedAt < nextMonth(period));
      for (const g of active) {
        if (this.rnd.fraction() < 0.45) continue;
        payouts.push({ expertId: g.id, period, amount: amount(), currency: this.fx.currency });
      }
      // Every month has at least one payout, so any period a client asks for returns data.
      const someone = active[0] ?? this.guurus[0];
      if (payouts.length === before && someone)
        payouts.push({ expertId: someone.id, period, amount: amount(), currency: this.fx.currency });
    }
    for (const p of payouts) {
      if (p.period !== current) continue;
      const expert = this.guurus.find((g) => g.id === p.expertId);
      expert?.balances.push({ amount: p.amount, currency: p.currency });
    }
    return payouts;
  }

  /** Status mix: live chats (created, assigned, open) are the most recent ones. */
  private statusPlan(total: number): { live: ChatStatus[]; finished: ChatStatus[] } {
    const share = (fraction: number) => (total >= 20 ? Math.max(1, Math.round(total * fraction)) : 0);
    const live: ChatStatus[] = [
      ...Array<ChatStatus>(share(0.025)).fill('created'),
      ...Array<ChatStatus>(share(0.055)).fill('assigned'),
      ...Array<ChatStatus>(share(0.06)).fill('open'),
    ];
    const finished: ChatStatus[] = [
      ...Array<ChatStatus>(share(0.15)).fill('closed'),
      ...Array<ChatStatus>(share(0.06)).fill('handover'),
      ...Array<ChatStatus>(share(0.11)).fill('missed'),
    ];
    while (live.length + finished.length < total) finished.push('rated');
    return { live: this.rnd.shuffle(live), finished: this.rnd.shuffle(finished) };
  }

  private generateChats(): ChatRecord[] {
    const plan = this.statusPlan(this.fx.chats);
    const times = (count: number, from: number, to: number) =>
      Array.from({ length: count }, () => this.rnd.int(from, to)).sort((a, b) => a - b);
    const finishedTimes = times(plan.finished.length, this.now - HISTORY_DAYS * DAY, this.now - DAY);
    const liveTimes = times(plan.live.length, this.now - 3 * HOUR, this.now - 10 * MINUTE);
    const chats: ChatRecord[] = [];
    plan.finished.forEach((status, i) => chats.push(this.chat(status, finishedTimes[i] ?? this.now, false)));
    let apiAssigned = 0;
    plan.live.forEach((status, i) => {
      // At least half the waiting chats are requested to the Public API service account.
      const forApi = status === 'assigned' && apiAssigned++ % 2 === 0;
      chats.push(this.chat(status, liveTimes[i] ?? this.now, forApi));
    });
    this.applyDocumentedChat(chats);
    return chats;
  }

  /** A chat's record with its customer and topic, before anything is said (the draws in this order keep the seed as it was). */
  private newChat(status: ChatStatus, createdAt: number): { chat: ChatRecord; talk: Conversation } {
    const lang = this.language();
    const p = this.rnd.people(lang);
    const firstName = p.person.firstName();
    const lastName = p.person.lastName();
    const id = this.rnd.chatId();
    // One topic per chat, from question to answer to thanks, no line twice.
    const talk = new Conversation(this.content, this.rnd, lang);
    const category =
      this.fx.categories.find((c) => c.name === talk.topic.category) ?? this.rnd.pick(this.fx.categories);
    const chat: ChatRecord = {
      id,
      seq: 0,
      createdAt,
      isAssignedToAgent: false,
      question: talk.question(),
      status,
      language: lang,
      requestedExperts: [],
      user: {
        id: this.rnd.userId(),
        name: `${firstName} ${lastName}`,
        ...(this.rnd.fraction() < 0.9 ? { email: p.internet.email({ firstName, lastName }).toLowerCase() } : {}),
        ...(this.rnd.fraction() < 0.3 ? { phone: p.phone.number({ style: 'international' }) } : {}),
        ipAddress: this.rnd.ipv4(),
        locale: lang,
        isLead: this.rnd.fraction() < 0.2,
      },
      categoryId: category.id,
      messages: [],
    };
    return { chat, talk };
  }

  private chat(status: ChatStatus, createdAt: number, forApi: boolean): ChatRecord {
    const { chat, talk } = this.newChat(status, createdAt);
    const lang = chat.language;
    this.topics.set(chat, talk.topic.id);
    let t = createdAt;
    const step = (min: number, max: number) => (t = Math.min(this.now, t + this.rnd.int(min, max)));
    const say = (author: AuthorRef, text: string, hide: { user?: boolean; expert?: boolean } = {}) =>
      this.addMessage(chat, {
        type: 'text',
        text,
        author,
        createdAt: t,
        hideForUser: hide.user ?? false,
        hideForExpert: hide.expert ?? false,
      });

    say({ kind: 'user' }, chat.question);
    if (this.rnd.fraction() < 0.12) {
      step(5_000, 40_000);
      this.addAttachment(chat, t);
    }
    if (status === 'created') return chat;

    chat.requestedExperts = this.requestedExperts(forApi || (status !== 'assigned' && this.rnd.fraction() < 0.25));
    step(1_000, 3_000);
    say({ kind: 'bot' }, this.content.bot.searching[lang] ?? this.content.bot.searching.en, { expert: true });
    if (this.rnd.fraction() < 0.3) say({ kind: 'bot' }, this.content.bot.internalNote, { user: true });
    if (status === 'assigned') return chat;
    if (status === 'missed') {
      step(5 * MINUTE, 15 * MINUTE);
      say({ kind: 'bot' }, this.content.bot.missed[lang] ?? this.content.bot.missed.en);
      return chat;
    }

    const expert = this.acceptingExpert(chat);
    chat.expertId = expert.id;
    chat.isAssignedToAgent = expert.kind !== 'guuru';
    const author: AuthorRef =
      expert.kind === 'persona' ? { kind: 'persona', id: expert.id } : { kind: 'expert', id: expert.id };
    chat.acceptedAt = step(20_000, 8 * MINUTE);
    if (this.rnd.fraction() < 0.3) {
      // Someone listens: the customer explains the question in more detail.
      step(15_000, 2 * MINUTE);
      say({ kind: 'user' }, talk.details());
    }
    // Each round: the expert answers what was asked, the customer asks a follow-up on the topic.
    // An open chat ends with the customer's question, waiting for its answer.
    const rounds = this.rnd.int(1, 3);
    for (let r = 0; r < rounds; r++) {
      step(30_000, 4 * MINUTE);
      say(author, talk.answer());
      const last = r === rounds - 1;
      if ((!last || status === 'open') && talk.hasFollowUp()) {
        step(30_000, 3 * MINUTE);
        say({ kind: 'user' }, talk.followUp());
      } else if (!last) break;
    }
    if (status === 'open') return chat;

    const handedOver = status === 'handover' || (status === 'rated' && this.rnd.fraction() < 0.15);
    if (handedOver) {
      const created = step(MINUTE, 5 * MINUTE);
      const confirmed = this.rnd.fraction() < 0.8;
      chat.transfer = {
        id: this.rnd.uuid(),
        createdAt: created,
        notificationSentAt: created + this.rnd.int(1_000, 10_000),
        ...(confirmed ? { confirmedAt: created + this.rnd.int(MINUTE, 10 * MINUTE) } : {}),
        reason: this.rnd.pick(this.content.transferReasons),
        receiver: this.rnd.pick(this.fx.agents).email,
        type: 'agent',
      };
      chat.isAssignedToAgent = true;
      if (status === 'handover') return chat;
    } else {
      step(20_000, 2 * MINUTE);
      say({ kind: 'user' }, talk.thanks());
      step(20_000, 2 * MINUTE);
      say(author, talk.closing());
      chat.closedAt = step(MINUTE, 10 * MINUTE);
    }
    if (status === 'closed') return chat;

    chat.ratedAt = step(MINUTE, 2 * HOUR);
    chat.rating = this.rating();
    return chat;
  }

  /** Most seeded chats are rated good. */
  private rating(): Rating {
    return this.rnd.weighted<Rating>([
      { value: 'good', weight: 70 },
      { value: 'average', weight: 20 },
      { value: 'bad', weight: 10 },
    ]);
  }

  private requestedExperts(includeApi: boolean): string[] {
    const pool = this.rnd.sample(this.guurus, 1, 3).map((g) => g.id);
    return includeApi ? ['api', ...pool] : pool;
  }

  private acceptingExpert(chat: ChatRecord): { id: string; kind: ExpertRecord['kind'] | 'persona' } {
    if (chat.requestedExperts.includes('api') && this.personas.length > 0) {
      return { id: this.rnd.pick(this.personas).id, kind: 'persona' };
    }
    const guuruIds = chat.requestedExperts.filter((id) => id !== 'api');
    if (guuruIds.length > 0 && this.rnd.fraction() < 0.85) return { id: this.rnd.pick(guuruIds), kind: 'guuru' };
    const agent = this.agents.length > 0 ? this.rnd.pick(this.agents) : this.experts[0];
    return agent ? { id: agent.id, kind: agent.kind } : { id: 'api', kind: 'service' };
  }

  private addMessage(chat: ChatRecord, m: Omit<MessageRecord, 'id' | 'chatId' | 'seq'>): void {
    chat.messages.push({ id: this.rnd.uuid(), chatId: chat.id, seq: chat.messages.length + 1, ...m });
  }

  private addAttachment(chat: ChatRecord, createdAt: number): void {
    const file = this.rnd.pick([
      { filename: 'photo.jpg', mimetype: 'image/jpeg' },
      { filename: 'receipt.pdf', mimetype: 'application/pdf' },
      { filename: 'screenshot.png', mimetype: 'image/png' },
    ]);
    const attachmentId = this.rnd.uuid();
    this.addMessage(chat, {
      type: 'attachment',
      attachment: {
        id: attachmentId,
        ...file,
        url: `https://scontentd.guuru.com/partner/${this.fx.id}/attachments/${chat.id}/${attachmentId}/${file.filename}`,
      },
      createdAt,
      hideForUser: false,
      hideForExpert: false,
      author: { kind: 'user' },
    });
  }

  /** The chat the vendor's examples name gets the documented ids, so copied examples work. */
  private applyDocumentedChat(chats: ChatRecord[]): void {
    const doc = this.fx.documented.chat;
    if (!doc) return;
    const target = [...chats].reverse().find((c) => c.status === 'assigned' && c.requestedExperts.includes('api'));
    if (!target) return;
    const searching = this.content.bot.searching;
    const oldSearching = searching[target.language];
    target.id = doc.id;
    target.user.id = doc.userId;
    target.user.locale = 'en';
    target.language = 'en';
    for (const m of target.messages) if (m.author.kind === 'bot' && m.text === oldSearching) m.text = searching.en;
    target.question = new Conversation(this.content, this.rnd, 'en', this.topics.get(target)).question();
    const first = target.messages[0];
    const hello: MessageRecord = {
      id: doc.messageId,
      chatId: doc.id,
      seq: 1,
      type: 'text',
      text: doc.text,
      createdAt: target.createdAt,
      hideForUser: false,
      hideForExpert: false,
      author: { kind: 'user' },
    };
    if (first) first.text = target.question;
    target.messages = [hello, ...target.messages].map((m, i) => ({ ...m, chatId: doc.id, seq: i + 1 }));
  }

  private generatePages(): PageRecord[] {
    const pages: PageRecord[] = [];
    for (let i = 0; i < this.fx.pages; i++) {
      const topic = this.content.pages[i % this.content.pages.length] ?? {};
      const title: Record<string, string | null> = {};
      const content: Record<string, string | null> = {};
      for (const [lang, [t, c]] of Object.entries(topic)) {
        title[lang] = t;
        content[lang] = c;
      }
      // The Types page's example: values may be empty strings or null.
      if (i % 4 === 1) {
        title.it = '';
        content.it = null;
      }
      const createdAt = this.now - this.rnd.int(30, 700) * DAY;
      const id = String(this.fx.firstPageId + i);
      pages.push({
        id,
        seq: i + 1,
        title,
        content,
        createdAt,
        updatedAt: Math.min(this.now, createdAt + this.rnd.int(0, 20) * DAY),
        isVisible: this.rnd.fraction() < 0.85,
        isBotKnowledge: this.rnd.fraction() < 0.4,
        url: `https://community.guuru.com/${this.fx.id}/pages/${id}`,
      });
    }
    return pages;
  }

  /** Cheap chats for load benchmarks: no faker per chat, finished, before the seeded history. */
  private *generateBulkChats(): Generator<ChatRecord> {
    const count = this.input.bulkChats ?? 0;
    if (count === 0) return;
    const start = Date.UTC(2020, 0, 1);
    const span = this.now - HISTORY_DAYS * DAY - start;
    const statuses: ChatStatus[] = ['rated', 'rated', 'rated', 'closed', 'missed'];
    const languages = ['en', 'de', 'fr', 'it'];
    const topics = this.content.topics ?? [];
    const fallback = this.content.questions.en;
    for (let i = 0; i < count; i++) {
      const createdAt = start + Math.floor((span * i) / count);
      const status = statuses[i % statuses.length] ?? 'rated';
      const language = languages[i % languages.length] ?? 'en';
      // Every topic in every language, each question in its chat's language.
      const topic = topics[Math.floor(i / languages.length) % Math.max(topics.length, 1)];
      const question = topic
        ? ((topic[language] as TopicLines | undefined) ?? topic.en).question
        : (fallback[i % fallback.length] ?? '');
      yield {
        id: `bulk${i.toString(36).padStart(17, '0')}`,
        seq: 0,
        createdAt,
        isAssignedToAgent: false,
        question,
        status,
        language,
        requestedExperts: [],
        user: { id: `bulkuser${i}` },
        messages: [],
        ...(status === 'missed' ? {} : { acceptedAt: createdAt + MINUTE, closedAt: createdAt + 10 * MINUTE }),
        ...(status === 'rated' ? { ratedAt: createdAt + 20 * MINUTE, rating: 'good' as const } : {}),
      };
    }
  }
}

/** md5(thread_fid) in lower-case hex: how the Gurusup API addresses a thread. */
export const GURUSUP_SYSTEM_USER = 'gurusup-assistant';

/**
 * The Gurusup organisation's seed: threads in several languages, each a customer message, the
 * system's automatic reply, sometimes an agent's answer and a follow-up. Its own random stream, so
 * it never shifts the GUURU data.
 */
function generateGurusupOrg(fx: TenantFixture, content: ContentFixture, seed: number, now: number): GurusupOrgData {
  const org = fx.gurusup;
  if (!org) throw new Error('unreachable: no gurusup fixture');
  const rnd = new Random(seed + 4099);
  const texts = content.gurusup;
  const pick = (list: Record<string, string[]> | undefined, lang: string, fallback: string[]): string =>
    rnd.pick(list?.[lang] ?? list?.en ?? fallback);
  const langs = Object.entries(org.languages)
    .filter(([, w]) => w > 0)
    .map(([value, weight]) => ({ value, weight }));
  const threads: GurusupThreadRecord[] = [];
  const count = org.threads;
  for (let i = 0; i < count; i++) {
    const lang = langs.length > 0 ? rnd.weighted(langs) : org.language;
    const fid = `conv_${rnd.slug(12)}`;
    const hash = threadHash(fid);
    const userFid = `user_${rnd.slug(8)}`;
    const subject = rnd.fraction() < 0.5 ? pick(texts?.subjects, lang, ['Question']) : undefined;
    // Spread over the last 30 days, oldest first, never after the seed time.
    let t = now - Math.floor(((count - i) * 30 * DAY) / Math.max(count, 1)) + rnd.int(0, 6 * HOUR);
    t = Math.min(t, now - HOUR);
    const messages: GurusupMessageRecord[] = [];
    const add = (body: string, who: 'customer' | 'system' | 'agent', withSubject = false) => {
      messages.push({
        id: rnd.objectIdAt(t),
        threadHash: hash,
        threadFid: fid,
        body,
        userFid: who === 'customer' ? userFid : who === 'system' ? GURUSUP_SYSTEM_USER : `agent_${rnd.slug(6)}`,
        lang,
        ...(withSubject && subject ? { subject } : {}),
        isAgent: who !== 'customer',
        fromSystem: who === 'system',
        createdAt: t,
      });
    };
    add(pick(texts?.customer, lang, content.questions.en), 'customer', true);
    t += rnd.int(1_000, 4_000);
    if (org.autoReply) add(pick(texts?.replies, lang, content.answers.en), 'system');
    if (rnd.fraction() < 0.5) {
      t += rnd.int(2 * MINUTE, 40 * MINUTE);
      add(pick(texts?.agentReplies, lang, content.answers.en), 'agent');
    }
    if (rnd.fraction() < 0.4) {
      t += rnd.int(MINUTE, 2 * HOUR);
      add(pick(texts?.customer, lang, content.questions.en), 'customer');
      t += rnd.int(1_000, 4_000);
      if (org.autoReply) add(pick(texts?.replies, lang, content.answers.en), 'system');
    }
    const first = messages[0];
    threads.push({ hash, fid, seq: i + 1, createdAt: first?.createdAt ?? t, updatedAt: t, messages });
  }
  return {
    name: org.name ?? fx.name,
    apiKeys: [...org.apiKeys],
    language: org.language,
    autoReply: org.autoReply,
    systemUserFid: GURUSUP_SYSTEM_USER,
    threads,
  };
}
