import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RequestHandler } from 'express';

/** One control-API answer as recorded: what the contract check of the test suite reads. */
export interface RecordedAnswer {
  method: string;
  /** The path as requested, without the query string. */
  path: string;
  status: number;
  contentType?: string;
  /** The JSON sent, as sent (absent for other bodies). */
  json?: string;
}

/** The most of a written body kept to check (a bigger JSON answer is recorded without its body). */
const MAX_KEPT = 1_048_576;

/**
 * Appends every answer of the routes it is mounted on to DIR/<pid>.jsonl. The test suite turns it
 * on (env GUURU_EMULATOR_RECORD_CONTROL=DIR) and checks each answer against the control API's
 * OpenAPI document once every test file has run, in-process emulators and spawned CLIs alike.
 * Synchronous writes: a process may exit right after answering.
 */
export function recordAnswers(dir: string): RequestHandler {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${process.pid}.jsonl`);
  return (req, res, next) => {
    let json: string | undefined;
    const send = res.json.bind(res);
    res.json = (value: unknown) => {
      json = JSON.stringify(value);
      return send(value);
    };
    // A body written with write()/end() (the MCP endpoint's SDK answers so): kept when it is JSON.
    const chunks: Buffer[] = [];
    let kept = 0;
    const keep = (chunk: unknown) => {
      // Bounded: a long event stream or a file must not pile up in memory.
      if (json !== undefined || kept > MAX_KEPT || !(typeof chunk === 'string' || chunk instanceof Uint8Array)) return;
      const buffer = Buffer.from(chunk);
      kept += buffer.length;
      if (kept <= MAX_KEPT) chunks.push(buffer);
    };
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    res.write = ((...args: unknown[]) => {
      keep(args[0]);
      return write(...args);
    }) as typeof res.write;
    const end = res.end.bind(res) as (...args: unknown[]) => typeof res;
    res.end = ((...args: unknown[]) => {
      if (typeof args[0] !== 'function') keep(args[0]);
      return end(...args);
    }) as typeof res.end;
    res.once('close', () => {
      // A client that hung up before any answer (a long poll, a malformed request) got none to check.
      if (!res.headersSent) return;
      // Headers given to writeHead() (the event stream) are only in the header block sent.
      const sent = (res as unknown as { _header?: string | null })._header ?? '';
      const type = res.getHeader('content-type') ?? /^content-type:\s*(.*?)\r?$/im.exec(sent)?.[1];
      if (json === undefined && chunks.length > 0 && kept <= MAX_KEPT && /json/i.test(String(type ?? '')))
        json = Buffer.concat(chunks).toString('utf8');
      const answer: RecordedAnswer = {
        method: req.method,
        path: req.originalUrl.split('?')[0] ?? '',
        status: res.statusCode,
        ...(type !== undefined ? { contentType: String(type) } : {}),
        ...(json !== undefined ? { json } : {}),
      };
      try {
        appendFileSync(file, `${JSON.stringify(answer)}\n`);
      } catch {
        // the folder went away (the suite is over): nothing to check any more
      }
    });
    next();
  };
}
