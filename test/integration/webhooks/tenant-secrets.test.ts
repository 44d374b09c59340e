import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../../../src/testing/index.js';
import { startEmulator, type TestEmulator } from '../../helpers/emulator.js';
import { webhookSink, type WebhookSink } from '../../helpers/webhook-sink.js';

interface TenantAnswer {
  id: string;
  token: string;
  webhookSecret: string;
}

const json = { 'content-type': 'application/json' };

describe('each created tenant signs with its own secret', () => {
  let t: TestEmulator;
  let sink: WebhookSink;
  beforeAll(async () => {
    // Checks nothing itself: the test verifies each delivery with the secrets it compares.
    sink = await webhookSink({ secret: null });
    t = await startEmulator();
  });
  afterAll(async () => {
    await t.stop();
    await sink.close();
  });

  const createTenant = async (body: Record<string, unknown> = {}) => {
    const res = await fetch(`${t.url}/_emulator/tenants`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as TenantAnswer & { message?: string } };
  };
  const assignedChat = async (tenant: string) => {
    const res = await fetch(`${t.url}/_emulator/tenants/${tenant}/chats`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ question: `Which size, ${tenant}?`, requestedExperts: ['api'] }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };

  it("a delivery to tenant B's receiver verifies with B's secret, not with A's nor the built-in secr3t", async () => {
    const a = (await createTenant()).body;
    const b = (await createTenant()).body;
    expect(a.webhookSecret).toMatch(/^whsec_[A-Za-z0-9]{32}$/);
    expect(b.webhookSecret).toMatch(/^whsec_[A-Za-z0-9]{32}$/);
    expect(new Set([a.webhookSecret, b.webhookSecret, 'secr3t']).size).toBe(3);

    const subscribe = await fetch(`${t.url}/_emulator/webhooks`, {
      method: 'PUT',
      headers: json,
      body: JSON.stringify({ tenant: b.id, url: sink.url }),
    });
    expect(subscribe.status).toBe(200);
    const chatId = await assignedChat(b.id);
    const [delivery] = await sink.waitFor({ event: 'chat-assigned', chatId });
    if (!delivery) throw new Error('no delivery');
    expect(verifyWebhook(delivery.rawBody, delivery.headers, b.webhookSecret)).toBe(true);
    expect(verifyWebhook(delivery.rawBody, delivery.headers, a.webhookSecret)).toBe(false);
    expect(verifyWebhook(delivery.rawBody, delivery.headers, 'secr3t')).toBe(false);
  });

  it("the testing toolkit's sink checks a created tenant's deliveries once told its secret", async () => {
    const made = (await createTenant()).body;
    const checking = await webhookSink();
    try {
      await fetch(`${t.url}/_emulator/webhooks`, {
        method: 'PUT',
        headers: json,
        body: JSON.stringify({ tenant: made.id, url: checking.url }),
      });
      // Checked with secr3t (the default), the tenant's own signature does not match.
      const before = await assignedChat(made.id);
      const [refused] = await checking.waitFor({ event: 'chat-assigned', chatId: before });
      expect(refused!.verified).toBe(false);
      checking.useSecret(made.webhookSecret);
      const after = await assignedChat(made.id);
      const [accepted] = await checking.waitFor({ event: 'chat-assigned', chatId: after });
      expect(accepted!.verified).toBe(true);
    } finally {
      await checking.close();
    }
  });

  it('the secret is shown by GET /tenants/:id and the webhook settings, kept by a tenant reset, and settable at creation', async () => {
    const made = (await createTenant({ webhookSecret: 'team-a-secret-123' })).body;
    expect(made.webhookSecret).toBe('team-a-secret-123');
    const shown = (await (await fetch(`${t.url}/_emulator/tenants/${made.id}`)).json()) as TenantAnswer;
    expect(shown.webhookSecret).toBe('team-a-secret-123');
    const settings = (await (await fetch(`${t.url}/_emulator/webhooks?tenant=${made.id}`)).json()) as {
      secret: string;
    };
    expect(settings.secret).toBe('team-a-secret-123');

    const random = (await createTenant()).body;
    await fetch(`${t.url}/_emulator/tenants/${random.id}/reset`, { method: 'POST', headers: json, body: '{}' });
    const after = (await (await fetch(`${t.url}/_emulator/tenants/${random.id}`)).json()) as TenantAnswer;
    expect(after.webhookSecret).toBe(random.webhookSecret);
  });

  it('refuses a webhookSecret shorter than 8 characters, naming the field, and creates nothing', async () => {
    const before = ((await (await fetch(`${t.url}/_emulator/tenants`)).json()) as { tenants: unknown[] }).tenants
      .length;
    const res = await createTenant({ webhookSecret: 'short' });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('webhookSecret');
    const now = ((await (await fetch(`${t.url}/_emulator/tenants`)).json()) as { tenants: unknown[] }).tenants.length;
    expect(now).toBe(before);
  });

  it('the built-in tenant keeps secr3t, and the same seed gives the same created secrets', async () => {
    const builtIn = (await (await fetch(`${t.url}/_emulator/tenants/guuru-qa`)).json()) as TenantAnswer;
    expect(builtIn.webhookSecret).toBe('secr3t');
    const first = await startEmulator({ seed: 7 });
    const second = await startEmulator({ seed: 7 });
    try {
      const secretOf = async (e: TestEmulator) =>
        (
          (await (
            await fetch(`${e.url}/_emulator/tenants`, { method: 'POST', headers: json, body: '{}' })
          ).json()) as TenantAnswer
        ).webhookSecret;
      expect(await secretOf(first)).toBe(await secretOf(second));
    } finally {
      await Promise.all([first.stop(), second.stop()]);
    }
  });
});
