/**
 * Cold-start baseline: a bare node:http server answering POST /graphql with the small JSON the
 * emulator answers to { partner { id } } (after reading and parsing the body, as any JSON API
 * does). Plain JavaScript, started as the emulator's CLI is (`node FILE`): nothing compiles it
 * first. Prints "listening on http://127.0.0.1:PORT".
 */
import { createServer } from 'node:http';

const ANSWER = JSON.stringify({ data: { partner: { id: 'guuru-qa' } } });

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    try {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"not JSON"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': ANSWER.length });
    res.end(ANSWER);
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
