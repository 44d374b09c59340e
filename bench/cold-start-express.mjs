/**
 * Cold-start baseline: bare Express 5 answering POST /graphql with the small JSON the emulator
 * answers to { partner { id } }, its body read by express.json(). Plain JavaScript, started as
 * the emulator's CLI is (`node FILE`, Express loaded from node_modules as any Express app loads
 * it). Prints "listening on http://127.0.0.1:PORT".
 */
import express from 'express';

const app = express();
app.post('/graphql', express.json(), (_req, res) => {
  res.json({ data: { partner: { id: 'guuru-qa' } } });
});
const server = app.listen(0, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
