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

export const isFailed = (r: RequestRecord): boolean => r.status >= 400 || (r.errors?.length ?? 0) > 0;

type Listener = (record: RequestRecord) => void;

/** A bounded, newest-last list of requests with listeners (dashboard stream, scenario verdicts). */
export class RequestJournal {
  private readonly entries = new Map<string, RequestRecord>();
  private readonly listeners = new Set<Listener>();
  private seq = 0;
  evicted = 0;

  constructor(public limit: number) {}

  record(entry: Omit<RequestRecord, 'id'>): RequestRecord {
    this.seq += 1;
    const record: RequestRecord = { id: String(this.seq), ...entry };
    if (this.limit > 0) {
      this.entries.set(record.id, record);
      for (const id of this.entries.keys()) {
        if (this.entries.size <= this.limit) break;
        this.entries.delete(id);
        this.evicted += 1;
      }
    }
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
        (filter.operationName === undefined || r.operationName === filter.operationName || (r.fields ?? []).some((f) => f.name === filter.operationName)) &&
        (filter.chatId === undefined || r.chatIds.includes(filter.chatId)) &&
        (filter.failed === undefined || isFailed(r) === filter.failed),
    );
  }

  counts(): { kept: number; evicted: number; limit: number } {
    return { kept: this.entries.size, evicted: this.evicted, limit: this.limit };
  }

  clear(): number {
    const n = this.entries.size;
    this.entries.clear();
    return n;
  }
}
