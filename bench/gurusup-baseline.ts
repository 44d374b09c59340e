/**
 * The Gurusup throughput baseline: bare Express 5 routes answering the same JSON as the emulator's
 * GET /gurusup/threads and POST /gurusup/messages (read from a file the bench writes), with the same
 * x-api-key check and JSON body parsing. Prints "baseline listening on http://127.0.0.1:PORT".
 *
 *   node --import tsx bench/gurusup-baseline.ts <answers.json>
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { exitWithParent } from './lib.js';

const file = process.argv[2];
if (!file) throw new Error('usage: gurusup-baseline.ts <answers.json>');
const answers = JSON.parse(readFileSync(file, 'utf8')) as { threads: unknown; reply: unknown };

const app = express();
const keyed: express.RequestHandler = (req, res, next) => {
  if (req.get('x-api-key') !== 'demo-api-key') {
    res.status(401).json({ statusCode: 401, error: 'Unauthorized', message: 'bad key' });
    return;
  }
  next();
};
app.get('/gurusup/threads', keyed, (_req, res) => {
  res.json(answers.threads);
});
app.post('/gurusup/messages', keyed, express.json(), (req, res) => {
  const body = req.body as { body?: unknown; thread_fid?: unknown } | undefined;
  if (typeof body?.body !== 'string' || typeof body.thread_fid !== 'string') {
    res.status(400).json({ statusCode: 400, error: 'Bad Request', message: 'body and thread_fid are required' });
    return;
  }
  res.status(201).json(answers.reply);
});

const server = createServer(app);
server.listen(0, '127.0.0.1', () => {
  console.log(`baseline listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
exitWithParent();
