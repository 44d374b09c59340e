import type { GeneratorState } from '../kernel/generators.js';
import type {
  ChatRecord,
  CommunityExpertRecord,
  ExpertRecord,
  GurusupMessageRecord,
  GurusupOrgData,
  GurusupThreadRecord,
  MessageRecord,
  PageRecord,
  PersonaRecord,
  SubmissionRecord,
  TenantData,
} from './model.js';
import type { StoreChange } from './store.js';

/**
 * The change log of `--data`: one JSON line per change, holding only what the change touched (a
 * chat's fields and its new messages, a persona, a whole tenant when one is created). Appending a
 * line costs what the change is, not what the state is; replaying the lines onto the snapshot they
 * follow gives the state back. Every operation is an upsert, so replaying a line twice is harmless.
 */

/** The first line of a log file: which snapshot lineage it belongs to. */
export interface LogHeader {
  format: typeof LOG_FORMAT;
  /** The `log.id` of the snapshot the lines follow. */
  id: string;
}

export const LOG_FORMAT = 'guuru-emulator-changes';

type Head<T, K extends keyof T> = Omit<T, K>;

/** One line of the log after the header. `n` numbers the lines; a snapshot keeps the last `n` it holds. */
export type LogOp = { n: number } & (
  | { op: 'chat'; t: string; chat: Head<ChatRecord, 'messages'>; messages?: MessageRecord[] }
  | { op: 'thread'; t: string; thread: Head<GurusupThreadRecord, 'messages'>; messages?: GurusupMessageRecord[] }
  | { op: 'org'; t: string; org: Head<GurusupOrgData, 'threads'> }
  | { op: 'persona'; t: string; persona: PersonaRecord }
  | { op: 'page'; t: string; page: PageRecord }
  | { op: 'submission'; t: string; submission: SubmissionRecord; expert?: ExpertRecord; member?: CommunityExpertRecord }
  | { op: 'tenant'; tenant: TenantData }
  | { op: 'removed'; t: string }
  | { op: 'everything'; tenants: TenantData[] }
  | { op: 'generators'; generators: GeneratorState }
);

type OpBody = LogOp extends infer O ? (O extends { n: number } ? Omit<O, 'n'> : never) : never;

function withoutKey<T extends object, K extends keyof T>(record: T, key: K): Omit<T, K> {
  const { [key]: _dropped, ...rest } = record;
  return rest;
}

/**
 * The line body of a change, read now (the records' current values). `tenants` is what the store
 * holds now: a change on a tenant that has since been replaced or removed is no longer state.
 */
export function encodeChange(
  change: StoreChange,
  current: (tenantId: string) => unknown,
  everything: () => TenantData[],
): OpBody | undefined {
  if (change.kind === 'removed') return { op: 'removed', t: change.tenantId };
  if (change.kind === 'everything') return { op: 'everything', tenants: everything() };
  const { tenant } = change;
  if (current(tenant.id) !== tenant) return undefined;
  const t = tenant.id;
  switch (change.kind) {
    case 'chat':
      return {
        op: 'chat',
        t,
        chat: withoutKey(change.chat, 'messages'),
        ...(change.messages ? { messages: change.messages } : {}),
      };
    case 'thread':
      return {
        op: 'thread',
        t,
        thread: withoutKey(change.thread, 'messages'),
        ...(change.messages ? { messages: change.messages } : {}),
      };
    case 'org':
      return tenant.data.gurusup ? { op: 'org', t, org: withoutKey(tenant.data.gurusup, 'threads') } : undefined;
    case 'persona':
      return { op: 'persona', t, persona: change.persona };
    case 'page':
      return { op: 'page', t, page: change.page };
    case 'submission':
      return {
        op: 'submission',
        t,
        submission: change.submission,
        ...(change.expert ? { expert: change.expert } : {}),
        ...(change.member ? { member: change.member } : {}),
      };
    case 'tenant':
      return { op: 'tenant', tenant: tenant.data };
  }
}

/** Upserts `record` into `list` by `key`, through an index built on first use. */
class Keyed<T> {
  private readonly index = new Map<string, number>();
  constructor(
    private readonly list: T[],
    private readonly key: (record: T) => string,
  ) {
    list.forEach((record, i) => this.index.set(key(record), i));
  }

  get(key: string): T | undefined {
    const i = this.index.get(key);
    return i === undefined ? undefined : this.list[i];
  }

  put(record: T): T {
    const key = this.key(record);
    const i = this.index.get(key);
    if (i === undefined) {
      this.index.set(key, this.list.length);
      this.list.push(record);
    } else {
      this.list[i] = record;
    }
    return record;
  }
}

/** One tenant's data with the indexes replay needs, built as they are first used. */
class Replayed {
  private readonly keyed = new Map<string, Keyed<unknown>>();
  constructor(readonly data: TenantData) {}

  list<T>(name: string, list: T[], key: (record: T) => string): Keyed<T> {
    let keyed = this.keyed.get(name) as Keyed<T> | undefined;
    if (!keyed) {
      keyed = new Keyed(list, key);
      this.keyed.set(name, keyed as Keyed<unknown>);
    }
    return keyed;
  }

  /** Messages of one chat or thread, by a key of their own. */
  messages<T>(owner: string, list: T[], key: (record: T) => string): Keyed<T> {
    return this.list(`messages:${owner}`, list, key);
  }
}

/** Thrown when a line cannot apply (a tenant it names is not there): the log does not belong to the snapshot. */
export class ReplayError extends Error {}

/** Applies log lines to the tenants of a snapshot, in order. Returns the tenants and the last generators line. */
export class Replay {
  private readonly tenants = new Map<string, Replayed>();
  generators: GeneratorState | undefined;

  constructor(tenants: TenantData[]) {
    for (const data of tenants) this.tenants.set(data.id, new Replayed(data));
  }

  result(): TenantData[] {
    return [...this.tenants.values()].map((t) => t.data);
  }

  apply(line: LogOp): void {
    switch (line.op) {
      case 'generators':
        this.generators = line.generators;
        return;
      case 'everything':
        this.tenants.clear();
        for (const data of line.tenants) this.tenants.set(data.id, new Replayed(data));
        return;
      case 'tenant':
        this.tenants.set(line.tenant.id, new Replayed(line.tenant));
        return;
      case 'removed':
        this.tenants.delete(line.t);
        return;
    }
    const tenant = this.tenants.get(line.t);
    if (!tenant) throw new ReplayError(`line ${line.n} changes tenant "${line.t}", which is not there`);
    const data = tenant.data;
    switch (line.op) {
      case 'chat': {
        const chats = tenant.list('chats', data.chats, (c) => c.id);
        const chat = chats.put({ ...line.chat, messages: chats.get(line.chat.id)?.messages ?? [] });
        const messages = tenant.messages(`chat:${chat.id}`, chat.messages, (m) => String(m.seq));
        for (const message of line.messages ?? []) messages.put(message);
        return;
      }
      case 'thread': {
        const org = data.gurusup;
        if (!org)
          throw new ReplayError(
            `line ${line.n} adds a Gurusup thread to tenant "${line.t}", which has no organisation`,
          );
        const threads = tenant.list('threads', org.threads, (t) => t.hash);
        const thread = threads.put({ ...line.thread, messages: threads.get(line.thread.hash)?.messages ?? [] });
        const messages = tenant.messages(`thread:${thread.hash}`, thread.messages, (m) => m.id);
        for (const message of line.messages ?? []) messages.put(message);
        return;
      }
      case 'org':
        data.gurusup = { ...line.org, threads: data.gurusup?.threads ?? [] };
        return;
      case 'persona':
        tenant.list('personas', data.personas, (p) => p.id).put(line.persona);
        return;
      case 'page':
        tenant.list('pages', data.pages, (p) => p.id).put(line.page);
        return;
      case 'submission':
        tenant.list('submissions', data.submissions, (s) => s.id).put(line.submission);
        if (line.expert) tenant.list('experts', data.experts, (e) => e.id).put(line.expert);
        if (line.member) tenant.list('community', data.communityExperts, (m) => m.expertId).put(line.member);
        return;
    }
  }
}
