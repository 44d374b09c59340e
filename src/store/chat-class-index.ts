import type { ChatRecord, ChatStatus } from './model.js';

/**
 * A tenant's chats by status and language, each class in creation order, kept on every new chat and
 * every status change: the newest-first chat list of the control API (and the dashboard) with its
 * status and language filters and its totals, at a cost in the page size and the number of classes,
 * not in the number of chats.
 */
export class ChatClassIndex {
  /** By `status language`: the class's chats, ascending seq. */
  private readonly classes = new Map<string, { status: ChatStatus; language: string; chats: ChatRecord[] }>();
  private readonly languageCounts = new Map<string, number>();

  constructor(chats: readonly ChatRecord[] = []) {
    for (const chat of chats) this.add(chat);
  }

  add(chat: ChatRecord): void {
    insert(this.classOf(chat.status, chat.language), chat);
    this.languageCounts.set(chat.language, (this.languageCounts.get(chat.language) ?? 0) + 1);
  }

  /** The chat's status changed from `from` (already set on the record). */
  moved(chat: ChatRecord, from: ChatStatus): void {
    if (from === chat.status) return;
    const old = this.classes.get(key(from, chat.language))?.chats;
    if (old) {
      const at = firstAtLeast(old, chat.seq);
      if (old[at] === chat) old.splice(at, 1);
    }
    insert(this.classOf(chat.status, chat.language), chat);
  }

  /** Every language a chat of the tenant has, sorted. */
  languages(): string[] {
    return [...this.languageCounts.keys()].sort();
  }

  /** How many chats of each status. */
  countByStatus(): Map<ChatStatus, number> {
    const counts = new Map<ChatStatus, number>();
    for (const { status, chats } of this.classes.values()) counts.set(status, (counts.get(status) ?? 0) + chats.length);
    return counts;
  }

  /** Chats matching the filters (none given: any), newest first, only those before `beforeSeq`, at most `limit`; and how many match in all. */
  newestFirst(filter: { statuses?: ReadonlySet<ChatStatus>; language?: string; beforeSeq?: number; limit: number }): {
    chats: ChatRecord[];
    total: number;
  } {
    const lists: { list: ChatRecord[]; next: number }[] = [];
    let total = 0;
    for (const { status, language, chats: list } of this.classes.values()) {
      if (
        (filter.statuses && !filter.statuses.has(status)) ||
        (filter.language !== undefined && language !== filter.language)
      )
        continue;
      total += list.length;
      const end = filter.beforeSeq === undefined ? list.length : firstAtLeast(list, filter.beforeSeq);
      if (end > 0) lists.push({ list, next: end - 1 });
    }
    // Merge the classes backwards by seq (a handful of lists: a linear pick per chat is enough).
    const chats: ChatRecord[] = [];
    while (chats.length < filter.limit) {
      let best: { list: ChatRecord[]; next: number } | undefined;
      for (const cursor of lists) {
        if (
          cursor.next >= 0 &&
          (!best || (cursor.list[cursor.next] as ChatRecord).seq > (best.list[best.next] as ChatRecord).seq)
        )
          best = cursor;
      }
      if (!best) break;
      chats.push(best.list[best.next] as ChatRecord);
      best.next -= 1;
    }
    return { chats, total };
  }

  private classOf(status: ChatStatus, language: string): ChatRecord[] {
    const name = key(status, language);
    let found = this.classes.get(name);
    if (!found) {
      found = { status, language, chats: [] };
      this.classes.set(name, found);
    }
    return found.chats;
  }
}

// Statuses are single words, so a space separates them from any language string.
const key = (status: ChatStatus, language: string): string => `${status} ${language}`;

/** First index whose chat's seq is ≥ `seq`. */
function firstAtLeast(list: readonly ChatRecord[], seq: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as ChatRecord).seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Keeps the list in seq order: a new chat goes at the end, a chat changing class in its place. */
function insert(list: ChatRecord[], chat: ChatRecord): void {
  const last = list[list.length - 1];
  if (!last || last.seq < chat.seq) list.push(chat);
  else list.splice(firstAtLeast(list, chat.seq), 0, chat);
}
