import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/kernel/logger.js';
import { EventBus } from '../../../src/domain/events.js';

const capture = () => {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return { stream, text: () => text };
};

describe('the logger', () => {
  it('writes JSON lines with level, time, message, the error and its stack, and other details as fields', () => {
    const out = capture();
    const logger = createLogger({ format: 'json', destination: out.stream });
    logger.warn('scenario skipped', { file: 'x.yaml' });
    logger.error('write failed', new Error('disk full'));
    const [warn, error] = out
      .text()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(warn).toMatchObject({
      level: 40,
      name: 'guuru-emulator',
      msg: 'scenario skipped',
      details: { file: 'x.yaml' },
    });
    expect(Date.parse(warn.time)).not.toBeNaN();
    expect(error).toMatchObject({ level: 50, msg: 'write failed', err: { message: 'disk full', type: 'Error' } });
    expect(error.err.stack).toContain('disk full');
  });

  it('writes one readable line per entry, without colour codes when not on a terminal', () => {
    const out = capture();
    createLogger({ destination: out.stream }).warn('scenario skipped: x.yaml: steps[0]: unknown action');
    expect(out.text()).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: scenario skipped: x\.yaml: steps\[0\]: unknown action\n$/,
    );
    expect(out.text()).not.toContain('\u001b[');
  });

  it('drops entries below its level', () => {
    const out = capture();
    const logger = createLogger({ format: 'json', level: 'error', destination: out.stream });
    logger.info('hello');
    logger.warn('careful');
    logger.error('broken');
    expect(
      out
        .text()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).msg),
    ).toEqual(['broken']);
  });

  it('is where the event bus reports a failing listener, which never stops the others', () => {
    const reported: string[] = [];
    const bus = new EventBus((message, error) => reported.push(`${message}: ${(error as Error).message}`));
    const seen: string[] = [];
    bus.on('tenant.created', () => {
      throw new Error('boom');
    });
    bus.on('tenant.created', ({ tenantId }) => seen.push(tenantId));
    bus.emit('tenant.created', { tenantId: 't1' });
    expect(reported).toEqual(['a listener of tenant.created failed: boom']);
    expect(seen).toEqual(['t1']);
  });
});
