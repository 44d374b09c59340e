import { afterEach, describe, expect, it } from 'vitest';
import { CiWorker, WebhookRouter, walkProblems, type WalkPage } from '../../../bench/ci-worker.js';
import { startEmulator, type TestEmulator } from '../../helpers/emulator.js';

// The worker of the `workers` bench (200 CI jobs on one emulator, bench/ci-worker.ts): each its own
// tenant, a third-party-messaging conversation played as the guide has it, a walk over its chats.
// Its checks must pass on a sound emulator and fail on broken input.

let t: TestEmulator | undefined;
let router: WebhookRouter | undefined;
afterEach(async () => {
  await router?.close();
  await t?.stop();
  router = undefined;
  t = undefined;
});

/** A receiver that verifies with a secret that is not the tenant's. */
class WrongSecretRouter extends WebhookRouter {
  override route(tenant: string, route: Parameters<WebhookRouter['route']>[1]): void {
    super.route(tenant, { ...route, secret: 'whsec_not-the-tenants' });
  }
}

describe('a CI worker against one emulator', () => {
  it('three at once, each its own tenant: every conversation passes, the walks are whole, the tenants are gone after', async () => {
    t = await startEmulator();
    router = new WebhookRouter();
    await router.listen();
    const base = t.url;
    const receiver = router;
    const results = await Promise.all([1, 2, 3].map(() => new CiWorker({ base, receiver }).run()));
    expect(results.map((r) => r.failures)).toEqual([[], [], []]);
    const seeded = t.emulator.store.tenant('guuru-qa')!.data.chats.length;
    for (const r of results) {
      expect(r.passed).toBe(true);
      expect(r.chatStatus).toMatch(/^(closed|rated)$/);
      // The seeded chats and the conversation's, in pages of 100.
      expect(r.chatsWalked).toBe(seeded + 1);
      expect(r.pages).toBe(Math.ceil((seeded + 1) / 100));
      expect(r.webhooks.verified).toBe(r.webhooks.received);
      expect(r.webhooks.events).toEqual(expect.arrayContaining(['chat-assigned', 'chat-opened', 'chat-closed']));
    }
    expect(new Set(results.map((r) => r.tenant)).size).toBe(3);
    expect(t.emulator.store.tenants().map((tenant) => tenant.id)).toEqual(['guuru-qa']);
    expect(router.strays).toBe(0);
  }, 60_000);

  it('fails, and stops its run at once, when its webhooks do not verify with its tenant secret', async () => {
    t = await startEmulator();
    router = new WrongSecretRouter();
    await router.listen();
    const result = await new CiWorker({ base: t.url, receiver: router }).run();
    expect(result.passed).toBe(false);
    expect(result.failures[0]).toMatch(/chat-assigned: the signature did not verify with the tenant's secret/);
    expect(result.failures.join('\n')).toMatch(/cancelled/);
  }, 60_000);
});

describe('the walk check', () => {
  const page = (ids: string[], hasNextPage: boolean): WalkPage => ({ ids, hasNextPage, endCursor: ids.at(-1) ?? null });
  const ids = (from: number, n: number) => Array.from({ length: n }, (_, i) => `c${from + i}`);

  it('passes a whole walk', () => {
    expect(walkProblems([page(ids(0, 3), true), page(ids(3, 2), false)], 5, 3)).toEqual([]);
  });

  it('names a chat seen twice, a gap, a short page before the end and a last page that says there is more', () => {
    expect(walkProblems([page(ids(0, 3), true), page(['c2', 'c3'], false)], 5, 3)).toEqual([
      'walk: 1 chat(s) seen twice',
      'walk: 4 distinct chats, the tenant has 5',
    ]);
    expect(walkProblems([page(ids(0, 2), true), page(ids(2, 3), false)], 5, 3)).toEqual([
      'walk: page 1 has 2 chats before the end',
    ]);
    expect(walkProblems([page(ids(0, 3), true), page(ids(3, 1), true)], 5, 3)).toEqual([
      'walk: 4 distinct chats, the tenant has 5',
      'walk: the last page says hasNextPage',
    ]);
  });
});
