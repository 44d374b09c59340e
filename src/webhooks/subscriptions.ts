import { GUURU_EVENTS, type GuuruEvent, type RequestedExpertsShape } from './payloads.js';

export interface EventSubscription {
  url: string;
  active: boolean;
}

/** A partner's webhook settings, as on the Partner Portal's Developer page plus emulator options. */
export interface TenantWebhooks {
  /** Signing secret; empty means deliveries go unsigned (no X-Guuru-Hmac-Sha256). */
  secret: string;
  events: Record<GuuruEvent, EventSubscription>;
  requestedExperts: RequestedExpertsShape;
  /** 'legacy' sends chatTransferred/chatRated, the older page's names. */
  eventNames: 'current' | 'legacy';
}

export interface WebhookPatch {
  secret?: string;
  /** Every event to this URL ('' or null unsubscribes all). */
  url?: string | null;
  /** Every event's active flag. */
  active?: boolean;
  events?: Partial<Record<GuuruEvent, { url?: string | null; active?: boolean } | null>>;
  requestedExperts?: RequestedExpertsShape;
  eventNames?: 'current' | 'legacy';
}

export interface WebhookDefaults {
  /** --webhook-url: every event of every tenant to this URL, active. */
  url?: string;
  /** Per tenant, from fixtures. */
  fixtures?: Map<string, WebhookPatch>;
}

/**
 * Webhook settings per tenant. They are configuration, not data: a reset of the seed data keeps
 * them (a CI job subscribes once), deleting a tenant removes them.
 */
export class WebhookSettings {
  private readonly byTenant = new Map<string, TenantWebhooks>();

  /** `initialSecret`: the tenant's seeded secret (fixtures, or generated for a created tenant); from then on this is the secret's one home. */
  constructor(
    private readonly defaults: WebhookDefaults,
    private readonly initialSecret: (tenantId: string) => string,
  ) {}

  get(tenantId: string): TenantWebhooks {
    let settings = this.byTenant.get(tenantId);
    if (!settings) {
      const url = this.defaults.url ?? '';
      settings = {
        secret: this.initialSecret(tenantId),
        events: Object.fromEntries(GUURU_EVENTS.map((e) => [e, { url, active: url !== '' }])) as Record<
          GuuruEvent,
          EventSubscription
        >,
        requestedExperts: 'ids',
        eventNames: 'current',
      };
      const fixture = this.defaults.fixtures?.get(tenantId);
      if (fixture) applyPatch(settings, fixture);
      this.byTenant.set(tenantId, settings);
    }
    return settings;
  }

  update(tenantId: string, patch: WebhookPatch): TenantWebhooks {
    const settings = this.get(tenantId);
    applyPatch(settings, patch);
    return settings;
  }

  remove(tenantId: string): void {
    this.byTenant.delete(tenantId);
  }

  /** Forgets the settings of tenants that no longer exist (a reset removes created tenants without a tenant.removed each). */
  retainOnly(exists: (tenantId: string) => boolean): void {
    for (const tenantId of [...this.byTenant.keys()]) if (!exists(tenantId)) this.byTenant.delete(tenantId);
  }

  /** The subscription an event goes to, if it is active and has a URL. */
  target(tenantId: string, event: GuuruEvent): string | undefined {
    const sub = this.get(tenantId).events[event];
    return sub.active && sub.url !== '' ? sub.url : undefined;
  }
}

function applyPatch(settings: TenantWebhooks, patch: WebhookPatch): void {
  if (patch.secret !== undefined) settings.secret = patch.secret;
  if (patch.requestedExperts !== undefined) settings.requestedExperts = patch.requestedExperts;
  if (patch.eventNames !== undefined) settings.eventNames = patch.eventNames;
  for (const event of GUURU_EVENTS) {
    const sub = settings.events[event];
    if (patch.url !== undefined) {
      sub.url = patch.url ?? '';
      sub.active = sub.url !== '';
    }
    if (patch.active !== undefined) sub.active = patch.active;
    const one = patch.events?.[event];
    if (one === null) {
      sub.url = '';
      sub.active = false;
    } else if (one) {
      if (one.url !== undefined) {
        sub.url = one.url ?? '';
        sub.active = sub.url !== '';
      }
      if (one.active !== undefined) sub.active = one.active;
    }
  }
}
