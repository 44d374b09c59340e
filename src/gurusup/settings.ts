/**
 * Per-organisation settings of the emulated Gurusup API that are configuration, not data (a reset
 * keeps them): the send-message webhook's URL and event name, and the status `POST /messages`
 * answers with.
 */
export interface GurusupSettingsValue {
  webhookUrl: string;
  /** The event type in the webhook envelope (undocumented; default send_message). */
  eventName: string;
  /** 201 (the auth page's code for a created message) or 200. */
  postStatus: 200 | 201;
}

export class GurusupSettings {
  private readonly byTenant = new Map<string, GurusupSettingsValue>();

  constructor(private readonly defaultWebhookUrl = '') {}

  get(tenantId: string): GurusupSettingsValue {
    let value = this.byTenant.get(tenantId);
    if (!value) {
      value = { webhookUrl: this.defaultWebhookUrl, eventName: 'send_message', postStatus: 201 };
      this.byTenant.set(tenantId, value);
    }
    return value;
  }

  update(tenantId: string, patch: Partial<GurusupSettingsValue>): GurusupSettingsValue {
    return Object.assign(this.get(tenantId), patch);
  }

  remove(tenantId: string): void {
    this.byTenant.delete(tenantId);
  }

  /** Forgets the settings of tenants that no longer exist (after a reset). */
  retainOnly(exists: (tenantId: string) => boolean): void {
    for (const tenantId of [...this.byTenant.keys()]) if (!exists(tenantId)) this.byTenant.delete(tenantId);
  }
}
