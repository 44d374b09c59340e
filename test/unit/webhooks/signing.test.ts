import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook } from '../../../src/testing/signing.js';

// The known-answer vectors of the webhook reference (guuru-webhooks.md §6), key secr3t.
const VECTORS = [
  {
    body: '{"id":"O2bqy2CsAaS7RBXZrhMOB","status":"assigned"}',
    signature: 'a0e75e18810c7e4be937f10fd53d003069194599b543d26a44d0a527f11639e7',
  },
  { body: '{"text":"Grüezi"}', signature: '624e73470bef9a3f9b7dba4260aff6a75ea7edbbcb3266a583247fdc371c1e0e' },
];

describe('signWebhook', () => {
  it('matches the known-answer vectors of the webhook docs, for a string and for its bytes', () => {
    for (const { body, signature } of VECTORS) {
      expect(signWebhook(body, 'secr3t', { event: 'chat-assigned' })['X-Guuru-Hmac-Sha256']).toBe(signature);
      expect(signWebhook(Buffer.from(body, 'utf8'), 'secr3t', { event: 'chat-assigned' })['X-Guuru-Hmac-Sha256']).toBe(
        signature,
      );
    }
  });

  it('returns the headers GUURU sends: JSON, the event, a fresh idempotency key, the signature, the chat id', () => {
    const body = VECTORS[0]!.body;
    const headers = signWebhook(body, 'secr3t');
    expect(headers).toEqual({
      'Content-Type': 'application/json',
      'X-Guuru-Event': 'chat-assigned',
      'Idempotency-Key': expect.stringMatching(/^[0-9a-f-]{36}$/),
      'X-Guuru-Hmac-Sha256': VECTORS[0]!.signature,
      'X-Guuru-Chat-Id': 'O2bqy2CsAaS7RBXZrhMOB',
    });
    expect(signWebhook(body, 'secr3t')['Idempotency-Key']).not.toBe(headers['Idempotency-Key']);
    expect(signWebhook(body, 'secr3t', { event: 'chat-reopened', idempotencyKey: 'k-1', chatId: 'c-1' })).toMatchObject(
      {
        'X-Guuru-Event': 'chat-reopened',
        'Idempotency-Key': 'k-1',
        'X-Guuru-Chat-Id': 'c-1',
      },
    );
  });

  it('reads the event from the body as GUURU would have sent it', () => {
    const eventOf = (body: object) => signWebhook(JSON.stringify(body), 's')['X-Guuru-Event'];
    expect(eventOf({ id: 'c', status: 'open' })).toBe('chat-opened');
    expect(eventOf({ id: 'c', status: 'closed' })).toBe('chat-closed');
    expect(eventOf({ id: 'c', status: 'handover' })).toBe('chat-transferred');
    expect(eventOf({ id: 'c', status: 'rated', rating: 'good' })).toBe('chat-rated');
    expect(eventOf({ id: 'm', type: 'text', chat: { id: 'c' } })).toBe('message-created');
    expect(signWebhook(JSON.stringify({ id: 'm', chat: { id: 'c' } }), 's')['X-Guuru-Chat-Id']).toBe('c');
  });

  it('refuses a body it cannot name an event for, a parsed body and an empty secret, saying what to pass', () => {
    expect(() => signWebhook('not json', 's')).toThrow(/pass \{ event: "chat-opened" \}/);
    expect(() => signWebhook({ id: 'c' } as never, 's')).toThrow(/needs the raw body/);
    expect(() => signWebhook('{}', '', { event: 'chat-opened' })).toThrow(/needs the webhook secret/);
  });
});

describe('verifyWebhook', () => {
  const body = VECTORS[1]!.body;
  const headers = signWebhook(body, 'secr3t', { event: 'message-created' });

  it('accepts the signature of the exact body, with headers as Node, fetch or a plain object hold them', () => {
    expect(verifyWebhook(body, headers, 'secr3t')).toBe(true);
    expect(
      verifyWebhook(Buffer.from(body, 'utf8'), { 'x-guuru-hmac-sha256': headers['X-Guuru-Hmac-Sha256'] }, 'secr3t'),
    ).toBe(true);
    expect(verifyWebhook(body, new Headers(headers), 'secr3t')).toBe(true);
    expect(verifyWebhook(body, { 'x-guuru-hmac-sha256': [headers['X-Guuru-Hmac-Sha256']!] }, 'secr3t')).toBe(true);
  });

  it('refuses a tampered body, another secret, a missing header and a malformed one', () => {
    expect(verifyWebhook(body.replace('Grüezi', 'Gruezi'), headers, 'secr3t')).toBe(false);
    expect(verifyWebhook(`${body} `, headers, 'secr3t')).toBe(false);
    expect(verifyWebhook(body, headers, 'another-secret')).toBe(false);
    expect(verifyWebhook(body, { 'Content-Type': 'application/json' }, 'secr3t')).toBe(false);
    const base64 = createHmac('sha256', 'secr3t').update(body).digest('base64');
    expect(verifyWebhook(body, { 'X-Guuru-Hmac-Sha256': base64 }, 'secr3t')).toBe(false);
    expect(verifyWebhook(body, { 'X-Guuru-Hmac-Sha256': `sha256=${headers['X-Guuru-Hmac-Sha256']}` }, 'secr3t')).toBe(
      false,
    );
    expect(
      verifyWebhook(body, { 'X-Guuru-Hmac-Sha256': headers['X-Guuru-Hmac-Sha256']!.toUpperCase() }, 'secr3t'),
    ).toBe(false);
  });

  it('refuses a parsed body with a message about raw bytes', () => {
    expect(() => verifyWebhook(JSON.parse(body), headers, 'secr3t')).toThrow(/express\.raw/);
  });
});
