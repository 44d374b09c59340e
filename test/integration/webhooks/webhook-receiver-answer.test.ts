import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type TestEmulator } from '../../helpers/emulator.js';

const CHAT = 'O2bqy2CsAaS7RBXZrhMOB';
const PERSONA = 'ab22a12e-cefd-4f67-945b-c215c42202b4';

describe("a receiver's answer in the delivery log", () => {
  let receiver: Server;
  let t: TestEmulator;
  beforeAll(async () => {
    // A receiver that answers every delivery with 2 MiB (an HTML error page, a debug dump…).
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () =>
        res.writeHead(200, { 'content-type': 'text/plain' }).end(`start of the answer ${'x'.repeat(2 * 1024 * 1024)}`),
      );
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    t = await startEmulator({ webhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks` });
  });
  afterAll(async () => {
    await t.stop();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('keeps only its first 512 characters, and the delivery counts as delivered', async () => {
    await t.gql(
      'mutation { createPersona(input: { providerId: "any-unique-agent-id-from-your-system", name: "John Doe" }) }',
    );
    const accepted = await t.gql(`mutation { acceptChat(id: "${CHAT}", input: { personaId: "${PERSONA}" }) { id } }`);
    expect(accepted.body.errors).toBeUndefined();
    await t.emulator.webhooks.dispatcher.idle();
    const res = await fetch(`${t.url}/_emulator/deliveries`);
    const { deliveries } = (await res.json()) as {
      deliveries: { status: string; attempts: { statusCode: number; response: string }[] }[];
    };
    expect(deliveries.length).toBeGreaterThan(0);
    for (const delivery of deliveries) {
      expect(delivery.status).toBe('delivered');
      const [attempt] = delivery.attempts;
      expect(attempt!.statusCode).toBe(200);
      expect(attempt!.response).toHaveLength(512);
      expect(attempt!.response.startsWith('start of the answer x')).toBe(true);
    }
  });
});
