import { BoundedMap } from '../kernel/bounded-map.js';

/**
 * The request journal: which API calls the emulator received and what it answered ("what did my
 * client send"). One entry per HTTP request to the GUURU Admin API (GraphQL) or the Gurusup API,
 * bounded like the delivery log. The dashboard, the control API and scenario verdicts read it;
 * nothing here changes state.
 */

/** One top-level GraphQL field of a request (a mutation or a root query), with its outcome. */
export interface RequestField {
  /** The schema field, e.g. acceptChat. */
  name: string;
  /** The response key when an alias was used. */
  alias?: string;
  /** The chat the field names through a chatId argument (or chat(id:)). */
  chatId?: string;
  /** The error code the API answered for this field, when it failed. */
  errorCode?: string;
  errorMessage?: string;
}

export interface RequestError {
  code: string;
  message: string;
  path?: (string | number)[];
}

export interface RequestRecord {
  /** Sequence number as a string ("1", "2", …), in the order requests finished. */
  id: string;
  api: 'graphql' | 'gurusup';
  /** Emulator clock time the request arrived. */
  at: number;
  iso: string;
  method: string;
  /** The path as sent, without the query string. */
  path: string;
  /** The route that answered, e.g. "POST /gurusup/messages" or "POST /graphql". */
  route: string;
  status: number;
  /** Wall-clock time to answer. */
  durationMs: number;
  /** The tenant the credentials belong to (absent when they were missing or unknown). */
  tenantId?: string;
  /** GraphQL: the operation's name (or the operationName sent) and its type. */
  operationName?: string;
  operationType?: 'query' | 'mutation' | 'subscription';
  /** GraphQL: the document sent (cut at QUERY_CHARS) and the variables. */
  query?: string;
  variables?: Record<string, unknown>;
  /** GraphQL: the top-level fields with their outcome. */
  fields?: RequestField[];
  /** Errors of the response (GraphQL errors; for REST the message of a non-2xx answer). */
  errors?: RequestError[];
  /** Chats the request names (mutation arguments, chat(id:)): what scenario verdicts follow. */
  chatIds: string[];
}

export interface RequestFilter {
  tenantId?: string;
  api?: RequestRecord['api'];
  operationName?: string;
  chatId?: string;
  /** Only answers with an error (status ≥ 400 or GraphQL errors). */
  failed?: boolean;
}

/** Longest GraphQL document kept per entry; the rest is cut with a marker. */
export const QUERY_CHARS = 4_000;
/** Longest string kept whole in an entry's variables; a longer one is kept as a prefix with its size. */
export const VALUE_CHARS = 1_000;
/** Most keys of an object and items of a list kept in an entry's variables. */
export const VALUE_ITEMS = 50;
/** Most bytes the journal keeps (about, as JSON); the oldest entries are forgotten first. */
export const JOURNAL_BYTES = 16 * 2 ** 20;

/** A string as the journal keeps it: whole, or its first `max` characters and its length. */
export const clip = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;

/**
 * A variable value as the journal keeps it: long strings as a prefix with their size, long lists
 * and objects as their first items with a count of the rest, deep nesting cut. A fuzzer's 1 MiB
 * variable thus costs the journal about a kilobyte, not a megabyte per entry.
 */
export function boundValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return clip(value, VALUE_CHARS);
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= 8) return '… (nested too deep to keep)';
  if (Array.isArray(value)) {
    const kept = value.slice(0, VALUE_ITEMS).map((v) => boundValue(v, depth + 1));
    return value.length > VALUE_ITEMS ? [...kept, `… (${value.length - VALUE_ITEMS} more items)`] : kept;
  }
  const entries = Object.entries(value);
  const kept = entries.slice(0, VALUE_ITEMS).map(([k, v]) => [clip(k, 100), boundValue(v, depth + 1)]);
  if (entries.length > VALUE_ITEMS) kept.push(['…', `${entries.length - VALUE_ITEMS} more keys`]);
  return Object.fromEntries(kept);
}

/** An entry with every part bounded: what the journal keeps of a request, whatever it carried. */
function bounded(record: RequestRecord): RequestRecord {
  const short = (text: string | undefined, max: number) => (text === undefined ? undefined : clip(text, max));
  return {
    ...record,
    path: clip(record.path, 2_000),
    route: clip(record.route, 2_000),
    ...(record.operationName !== undefined ? { operationName: short(record.operationName, 200) } : {}),
    ...(record.query !== undefined ? { query: clip(record.query, QUERY_CHARS + 40) } : {}),
    ...(record.variables !== undefined ? { variables: boundValue(record.variables) as Record<string, unknown> } : {}),
    ...(record.fields !== undefined
      ? {
          fields: record.fields.slice(0, VALUE_ITEMS).map((f) => ({
            ...f,
            name: clip(f.name, 200),
            ...(f.alias !== undefined ? { alias: clip(f.alias, 200) } : {}),
            ...(f.chatId !== undefined ? { chatId: clip(f.chatId, 200) } : {}),
            ...(f.errorMessage !== undefined ? { errorMessage: clip(f.errorMessage, 2_000) } : {}),
          })),
        }
      : {}),
    ...(record.errors !== undefined
      ? {
          errors: record.errors
            .slice(0, VALUE_ITEMS)
            .map((e) => ({ ...e, message: clip(e.message, 2_000), ...(e.path ? { path: e.path.slice(0, 20) } : {}) })),
        }
      : {}),
    chatIds: record.chatIds.slice(0, VALUE_ITEMS).map((id) => clip(id, 200)),
  };
}

export const isFailed = (r: RequestRecord): boolean => r.status >= 400 || (r.errors?.length ?? 0) > 0;

type Listener = (record: RequestRecord) => void;

/** A bounded, newest-last list of requests with listeners (dashboard stream, scenario verdicts). */
export class RequestJournal {
  private readonly entries: BoundedMap<RequestRecord>;
  private readonly listeners = new Set<Listener>();
  private seq = 0;

  /** `limit` entries at most, and about `maxBytes` bytes (JOURNAL_BYTES). */
  constructor(limit: number, maxBytes = JOURNAL_BYTES) {
    this.entries = new BoundedMap(limit, maxBytes);
  }

  record(entry: Omit<RequestRecord, 'id'>): RequestRecord {
    this.seq += 1;
    const record = bounded({ id: String(this.seq), ...entry });
    if (this.entries.limit > 0) this.entries.add(record.id, record, JSON.stringify(record).length);
    for (const listener of this.listeners) {
      try {
        listener(record);
      } catch {
        // An observer must never break the request it observes.
      }
    }
    return record;
  }

  /** Called with every new entry (also when the journal keeps none); returns the unsubscribe. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(id: string): RequestRecord | undefined {
    return this.entries.get(id);
  }

  /** Matching entries, oldest first. */
  list(filter: RequestFilter = {}): RequestRecord[] {
    return [...this.entries.values()].filter(
      (r) =>
        (filter.tenantId === undefined || r.tenantId === filter.tenantId) &&
        (filter.api === undefined || r.api === filter.api) &&
        (filter.operationName === undefined ||
          r.operationName === filter.operationName ||
          (r.fields ?? []).some((f) => f.name === filter.operationName)) &&
        (filter.chatId === undefined || r.chatIds.includes(filter.chatId)) &&
        (filter.failed === undefined || isFailed(r) === filter.failed),
    );
  }

  counts(): { kept: number; evicted: number; limit: number } {
    return { kept: this.entries.size, evicted: this.entries.evicted, limit: this.entries.limit };
  }

  /** About the bytes the kept entries take as JSON. */
  get keptBytes(): number {
    return this.entries.bytes;
  }

  clear(): number {
    return this.entries.clear();
  }
}
