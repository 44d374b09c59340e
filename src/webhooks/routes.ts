/**
 * Where one event of one chat goes instead of the tenant's subscriptions: a URL, `null` for
 * nowhere (someone else sends it, or it is held back), `undefined` for "no opinion".
 */
export type RouteDecision = string | null | undefined;

/** One party that routes some chats' webhooks (a scenario run with a target, a verification, a trigger). */
export type RouteSource = (tenantId: string, chatId: string, event: string) => RouteDecision;

/**
 * The per-chat overrides of webhook targets, in one place: each source routes the chats it owns
 * and answers undefined for the others; the first answer wins. Publishers ask `resolve`; with no
 * answer the tenant's subscriptions apply. (Chat ids are thread hashes for Gurusup events.)
 */
export class WebhookRoutes {
  private readonly sources: RouteSource[] = [];

  /** Adds a source; returns its removal. */
  add(source: RouteSource): () => void {
    this.sources.push(source);
    return () => {
      const index = this.sources.indexOf(source);
      if (index >= 0) this.sources.splice(index, 1);
    };
  }

  resolve = (tenantId: string, chatId: string, event: string): RouteDecision => {
    for (const source of this.sources) {
      const decision = source(tenantId, chatId, event);
      if (decision !== undefined) return decision;
    }
    return undefined;
  };
}
