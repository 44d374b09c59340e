import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/index.js';
import { ControlClient } from '../../../src/testing/index.js';
import { SEED_TIME, startEmulator, type TestEmulator } from '../../helpers/emulator.js';
import { startReferenceIntegration } from '../../helpers/reference-integration.js';
import { startWebhookSink } from '../../helpers/webhook-sink.js';

let t: TestEmulator;

beforeAll(async () => {
  t = await startEmulator();
});
afterAll(async () => {
  await t.stop();
});

const post = (url: string, path: string, body: unknown) =>
  fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** A receiver that accepts connections and never answers. */
async function silentReceiver(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(() => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('verify: the control API', { timeout: 60_000 }, () => {
  it('POST /_emulator/verifications answers 202 with an id; GET shows the live report and ?wait=1 the final one', async () => {
    const integration = await startReferenceIntegration({ graphqlUrl: `${t.url}/graphql` });
    try {
      const started = await post(t.url, '/_emulator/verifications', {
        target: integration.url,
        timeoutMs: 2000,
        seed: 7,
      });
      expect(started.status).toBe(202);
      const answer = (await started.json()) as any;
      expect(started.headers.get('location')).toBe(`/_emulator/verifications/${answer.id}`);
      expect(answer).toMatchObject({
        id: expect.stringMatching(/^ver-\d+$/),
        status: 'running',
        target: integration.url,
        tenant: 'guuru-qa',
        suites: ['receiver', 'third-party'],
        seed: 7,
        timeoutMs: 2000,
      });

      const live = (await (await fetch(`${t.url}/_emulator/verifications/${answer.id}`)).json()) as any;
      expect(live).toMatchObject({ kind: 'guuru-emulator/verification', version: 1, id: answer.id, status: 'running' });
      expect(live.checks).toHaveLength(19);
      expect(live.checks.some((c: any) => c.status === 'pending')).toBe(true);
      // Self-describing: every check carries what a dashboard or a CI needs to show it.
      expect(Object.keys(live).sort()).toEqual([
        'checks',
        'deliveries',
        'id',
        'kind',
        'seed',
        'status',
        'suites',
        'summary',
        'target',
        'tenant',
        'timeoutMs',
        'timings',
        'version',
      ]);
      for (const check of live.checks)
        expect(Object.keys(check).sort()).toEqual([
          'details',
          'doc',
          'evidence',
          'id',
          'level',
          'rule',
          'status',
          'suite',
          'title',
        ]);

      const done = (await (await fetch(`${t.url}/_emulator/verifications/${answer.id}?wait=1`)).json()) as any;
      expect(done.status).toBe('passed');
      expect(done.checks.filter((c: any) => c.status !== 'passed').map((c: any) => c.id)).toEqual([
        'third-party.reopen',
      ]);
      expect(done.timings.finishedAt).toEqual(expect.any(String));

      const list = (await (await fetch(`${t.url}/_emulator/verifications`)).json()) as any;
      expect(list.suites).toEqual(['receiver', 'third-party']);
      expect(list.verifications.find((v: any) => v.id === answer.id)).toMatchObject({
        status: 'passed',
        summary: { passed: 18, skipped: 1 },
      });

      const junit = await fetch(`${t.url}/_emulator/verifications/${answer.id}/junit`);
      expect(junit.headers.get('content-type')).toMatch(/application\/xml/);
      const xml = new XMLParser({ ignoreAttributes: false }).parse(await junit.text());
      expect(xml.testsuites.testsuite.map((suite: any) => [suite['@_name'], suite.testcase.length])).toEqual([
        ['receiver', 11],
        ['third-party', 8],
      ]);
    } finally {
      await integration.close();
    }
  });

  it('sends nothing else for its chats: a subscribed receiver gets no webhook of them, the target only the crafted deliveries', async () => {
    const sink = await startWebhookSink();
    const integration = await startReferenceIntegration({ graphqlUrl: `${t.url}/graphql` });
    const tenant = (await (await post(t.url, '/_emulator/tenants', {})).json()) as any;
    try {
      const put = await fetch(`${t.url}/_emulator/webhooks`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tenant: tenant.id, url: sink.url }),
      });
      expect(put.status).toBe(200);
      const other = await startReferenceIntegration({
        graphqlUrl: `${t.url}/graphql`,
        token: tenant.token,
        secret: tenant.webhookSecret,
      });
      try {
        const { id } = (await (
          await post(t.url, '/_emulator/verifications', {
            target: other.url,
            timeoutMs: 2000,
            tenant: tenant.id,
            suites: ['receiver'],
          })
        ).json()) as any;
        const report = (await (await fetch(`${t.url}/_emulator/verifications/${id}?wait=1`)).json()) as any;
        expect(report.status).toBe('passed');
        expect(other.received).toEqual(report.deliveries.map((d: any) => d.event));
        const chats = new Set(report.deliveries.map((d: any) => d.chatId));
        const log = (await (await fetch(`${t.url}/_emulator/deliveries?tenant=${tenant.id}`)).json()) as any;
        expect(log.deliveries.filter((d: any) => chats.has(d.chatId))).toEqual([]);
        expect(sink.received).toEqual([]);
      } finally {
        await other.close();
      }
    } finally {
      await integration.close();
      await sink.close();
    }
  });

  it('refuses a bad request with 400 naming the field, and changes nothing', async () => {
    const before = ((await (await fetch(`${t.url}/_emulator/verifications`)).json()) as any).verifications.length;
    const cases: [unknown, RegExp][] = [
      [{}, /target/],
      [{ target: 'not a url' }, /target: an http\(s\) URL of your webhook receiver/],
      [{ target: 'http://127.0.0.1:1/x', suites: ['nope'] }, /suites/],
      [{ target: 'http://127.0.0.1:1/x', suites: [] }, /suites/],
      [{ target: 'http://127.0.0.1:1/x', timeoutMs: 0 }, /timeoutMs/],
      [{ target: 'http://127.0.0.1:1/x', speed: 2 }, /speed/],
      [{ target: 'http://127.0.0.1:1/x', tenant: 'nobody' }, /No tenant "nobody"/],
      [{ target: 'http://127.0.0.1:1/x', explore: { runs: 0 } }, /explore\.runs/],
      [{ target: 'http://127.0.0.1:1/x', explore: { flows: 3 } }, /explore/],
      [{ target: 'http://127.0.0.1:1/x', replay: { kind: 'guuru-emulator/verification' } }, /replay/],
    ];
    for (const [body, message] of cases) {
      const res = await post(t.url, '/_emulator/verifications', body);
      expect([400, 404], JSON.stringify(body)).toContain(res.status);
      expect(((await res.json()) as any).message).toMatch(message);
    }
    expect(((await (await fetch(`${t.url}/_emulator/verifications`)).json()) as any).verifications.length).toBe(before);
    const missing = await fetch(`${t.url}/_emulator/verifications/ver-999`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as any).message).toMatch(/No verification ver-999/);
  });

  it('refuses to verify a tenant without a webhook secret (409), saying how to set one', async () => {
    const tenant = (await (await post(t.url, '/_emulator/tenants', {})).json()) as any;
    await fetch(`${t.url}/_emulator/webhooks`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: tenant.id, secret: '' }),
    });
    const res = await post(t.url, '/_emulator/verifications', { target: 'http://127.0.0.1:1/x', tenant: tenant.id });
    expect(res.status).toBe(409);
    expect(((await res.json()) as any).message).toMatch(/has no webhook secret.*PUT \/_emulator\/webhooks/);
  });

  it('ends in status error when the target cannot be reached: nothing was examined', async () => {
    const { id } = (await (
      await post(t.url, '/_emulator/verifications', { target: 'http://127.0.0.1:9/hooks', timeoutMs: 1000 })
    ).json()) as any;
    const report = (await (await fetch(`${t.url}/_emulator/verifications/${id}?wait=1`)).json()) as any;
    expect(report.status).toBe('error');
    expect(report.error).toMatch(
      /cannot reach the target http:\/\/127.0.0.1:9\/hooks: connection refused \(nothing listens on 127.0.0.1:9\)/,
    );
    expect(
      report.checks.every((c: any) => c.status === 'skipped' && c.evidence.startsWith('not examined: cannot reach')),
    ).toBe(true);
  });

  it('says when nothing takes a POST at the target, and examines nothing more', async () => {
    const server = createServer((_req, res) => res.writeHead(404).end('Cannot POST /hooks'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
    try {
      const { id } = (await (await post(t.url, '/_emulator/verifications', { target, timeoutMs: 1000 })).json()) as any;
      const report = (await (await fetch(`${t.url}/_emulator/verifications/${id}?wait=1`)).json()) as any;
      expect(report.status).toBe('failed');
      const failed = report.checks.filter((c: any) => c.status === 'failed');
      expect(failed.map((c: any) => c.id)).toEqual(['receiver.signed-accepted']);
      expect(failed[0].evidence).toMatch(
        /→ 404 "Cannot POST \/hooks": nothing takes a POST at http:\S+\/hooks: check the path of --target$/,
      );
      const thirdParty = report.checks.filter((c: any) => c.suite === 'third-party');
      expect(
        thirdParty.every(
          (c: any) =>
            c.status === 'skipped' &&
            /^not examined: the integration refuses correctly signed deliveries/.test(c.evidence),
        ),
      ).toBe(true);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('ends in status error, saying which limit, when the tenant has no room for its chats', async () => {
    // The seed's own chats (this file's emulator holds the chats of earlier verifications too).
    const fresh = await startEmulator();
    const seeded = ((await (await fetch(`${fresh.url}/_emulator/tenants/guuru-qa`)).json()) as any).counts.chats;
    await fresh.stop();
    const small = await startEmulator({ maxChats: seeded + 3 });
    const integration = await startReferenceIntegration({ graphqlUrl: `${small.url}/graphql` });
    try {
      const { id } = (await (
        await post(small.url, '/_emulator/verifications', {
          target: integration.url,
          timeoutMs: 2000,
          suites: ['receiver'],
        })
      ).json()) as any;
      const report = (await (await fetch(`${small.url}/_emulator/verifications/${id}?wait=1`)).json()) as any;
      expect(report.status).toBe('error');
      expect(report.error).toMatch(/--max-chats/);
      expect(report.error).not.toMatch(/internal error/);
    } finally {
      await integration.close();
      await small.stop();
    }
  });

  it('runs through the testing ControlClient, which resolves with the finished report', async () => {
    const integration = await startReferenceIntegration({ graphqlUrl: `${t.url}/graphql` });
    try {
      const report = await new ControlClient(t.url, { tenant: 'guuru-qa' }).verify({
        target: integration.url,
        suites: ['receiver'],
        timeoutMs: 2000,
      });
      expect(report).toMatchObject({
        kind: 'guuru-emulator/verification',
        status: 'passed',
        tenant: 'guuru-qa',
        suites: ['receiver'],
        summary: { total: 11, passed: 11 },
      });
      await expect(new ControlClient(t.url).verify({ target: 'ftp://example.org' })).rejects.toThrow(
        /POST \/_emulator\/verifications answered 400: .*target/,
      );
    } finally {
      await integration.close();
    }
  });

  it('reports a receiver that never answers, and DELETE cancels a running verification', async () => {
    const silent = await silentReceiver();
    try {
      const { id } = (await (
        await post(t.url, '/_emulator/verifications', { target: silent.url, timeoutMs: 300 })
      ).json()) as any;
      const report = (await (await fetch(`${t.url}/_emulator/verifications/${id}?wait=1`)).json()) as any;
      expect(report.status).toBe('failed');
      const checks = Object.fromEntries(report.checks.map((c: any) => [c.id, c]));
      expect(checks['receiver.signed-accepted'].evidence).toMatch(
        /→ no answer \(no response within 600 ms \(timeout\)\)/,
      );
      expect(checks['receiver.idempotent'].evidence).toBe(
        'not examined: the integration does not answer correctly signed deliveries (see receiver.signed-accepted)',
      );

      const running = (await (
        await post(t.url, '/_emulator/verifications', { target: silent.url, timeoutMs: 5000 })
      ).json()) as any;
      const cancelled = await fetch(`${t.url}/_emulator/verifications/${running.id}`, { method: 'DELETE' });
      expect(cancelled.status).toBe(200);
      expect(await cancelled.json()).toMatchObject({ status: 'cancelled', error: expect.stringMatching(/cancelled/) });
      const after = (await (await fetch(`${t.url}/_emulator/verifications/${running.id}?wait=1`)).json()) as any;
      expect(after.checks.every((c: any) => c.status === 'skipped')).toBe(true);
    } finally {
      await silent.close();
    }
  });
});

describe('verify: determinism', { timeout: 60_000 }, () => {
  /** Runs one verification on a fresh emulator on a fixed virtual clock; returns the deliveries as received and the report. */
  async function once(seed: number) {
    const emulator = await startEmulator({ clock: new VirtualClock(SEED_TIME) });
    const sink = await startWebhookSink();
    const integration = await startReferenceIntegration({ graphqlUrl: `${emulator.url}/graphql` });
    // Record what reaches the integration: a sink in front that forwards every delivery.
    try {
      const recorded: { headers: Record<string, unknown>; body: string }[] = [];
      const proxy = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', async () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const { host: _h, connection: _c, ...headers } = req.headers;
          recorded.push({ headers, body });
          const answer = await fetch(integration.url, {
            method: 'POST',
            headers: headers as Record<string, string>,
            body,
          });
          res.writeHead(answer.status).end(await answer.text());
        });
      });
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
      try {
        const target = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/hooks`;
        const { id } = (await (
          await post(emulator.url, '/_emulator/verifications', { target, timeoutMs: 2000, seed })
        ).json()) as any;
        const report = (await (await fetch(`${emulator.url}/_emulator/verifications/${id}?wait=1`)).json()) as any;
        // Timings differ from run to run (and the proxy's port is in the target): everything else must not.
        const { timings: _t, target: _target, ...rest } = report;
        const stable = JSON.parse(
          JSON.stringify(rest, (key, value) => (key === 'durationMs' || key === 'requestId' ? undefined : value)),
        );
        for (const check of stable.checks) if (check.id.startsWith('receiver.ack-')) check.evidence = '(timings)';
        // Concurrent attempts of the retry probe may arrive in either order.
        recorded.sort((a, b) =>
          String(a.headers['x-emulator-delivery-id']).localeCompare(String(b.headers['x-emulator-delivery-id']), 'en', {
            numeric: true,
          }),
        );
        return { recorded, report: stable };
      } finally {
        await new Promise<void>((resolve) => proxy.close(() => resolve()));
      }
    } finally {
      await integration.close();
      await sink.close();
      await emulator.stop();
    }
  }

  it('gives the same deliveries and the same report for the same seed, and other ones for another seed', async () => {
    // Each on its own emulator, side by side: a verification takes seconds of real time.
    const [a, b, c] = await Promise.all([once(11), once(11), once(12)]);
    expect(a.report.status).toBe('passed');
    expect(a.recorded.length).toBeGreaterThan(15);
    expect(b.recorded).toEqual(a.recorded);
    expect(b.report).toEqual(a.report);
    expect(c.recorded.map((r) => r.body)).not.toEqual(a.recorded.map((r) => r.body));
    expect(c.recorded.map((r) => r.headers['x-guuru-event'])).toEqual(
      a.recorded.map((r) => r.headers['x-guuru-event']),
    );
  });
});
