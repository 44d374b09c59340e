/**
 * Child of the "scenarios" bench part: the loopback integrator the tests use (written from the Third
 * Party Messaging guide: verifies each webhook, createPersona + acceptChat, answers two customer
 * messages, closes on the third), for the emulator at `--graphql URL`. Prints "listening on URL";
 * exits when stdin closes (the bench went away).
 *
 *   node --import tsx bench/scenario-integrator.ts --graphql http://127.0.0.1:4000/graphql
 */
import { answerThenClose, startIntegrator } from '../test/helpers/integrator.js';
import { exitWithParent } from './lib.js';

exitWithParent();
const at = process.argv.indexOf('--graphql');
const graphql = at >= 0 ? process.argv[at + 1] : undefined;
if (!graphql) throw new Error('--graphql <url of the emulator /graphql> is required');
const integrator = await startIntegrator(graphql, answerThenClose(2));
console.log(`listening on ${integrator.url}`);
