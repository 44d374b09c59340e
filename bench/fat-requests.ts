/**
 * `node --import tsx bench/fat-requests.ts` (after `npm run build`): issue 22's fat-request attack
 * against the built CLI, and what the byte budgets hold it to. Writes bench/fat-results.json.
 *
 * 1. the issue's repro: createPersona with a 900 KiB name, a distinct providerId per call, 4 in
 *    flight, 5,000 calls (the unpatched emulator aborted after 4,728);
 * 2. the fattest input the API still accepts, with the public demo token: 20,000-character
 *    messages into one chat until the tenant's budget (--max-tenant-mb) refuses them;
 * 3. the process budget: tenants filled with 20,000-character Gurusup messages until
 *    --max-stored-mb refuses them.
 * After each: refusals by code, whether the process still answers, its RSS and heap in use.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const child = spawn(
  process.execPath,
  ['dist/main.js', 'start', '--port', '0', '--seed-time', '2026-11-22', '--log-level', 'warn'],
  { stdio: ['ignore', 'pipe', 'pipe'] },
);
process.on('exit', () => child.kill('SIGKILL'));
let output = '';
let exited: string | undefined;
child.on('exit', (code, signal) => (exited = `code ${code} signal ${signal}`));
const url = await new Promise<string>((resolve, reject) => {
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    const match = /listening on (http:\/\/\S+)/.exec(output);
    if (match?.[1]) resolve(match[1]);
  });
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.once('exit', () => reject(new Error(`exited before listening:\n${output}`)));
});
const pid = child.pid as number;
const rssMiB = (): number =>
  Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024);

async function post(
  path: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; json: any }> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}
const gql = (query: string, variables: unknown, token = 'demo-token') =>
  post('/graphql', JSON.stringify({ query, variables }), { authorization: `Bearer ${token}` });
const codeOf = (r: { status: number; json: any }): string =>
  r.json?.errors?.[0]?.extensions?.code ?? r.json?.code ?? String(r.status);

async function health(): Promise<{ alive: boolean; rssMiB?: number; memory?: unknown }> {
  if (exited) return { alive: false };
  const answer = await fetch(`${url}/_emulator/health`).then(
    async (r) => (await r.json()) as { memory: unknown },
    () => undefined,
  );
  return answer ? { alive: true, rssMiB: rssMiB(), memory: answer.memory } : { alive: false };
}

const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  node: process.version,
  rssAtStartMiB: rssMiB(),
};
const count = (codes: string[]) =>
  codes.reduce<Record<string, number>>((all, c) => ({ ...all, [c]: (all[c] ?? 0) + 1 }), {});

// 1. The repro.
{
  const name = 'N'.repeat(900_000);
  const codes: string[] = [];
  let next = 0;
  let peak = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < 5_000 && !exited) {
      const i = next++;
      const r = await gql('mutation($i: PersonaInput!) { createPersona(input: $i) }', {
        i: { providerId: `p-${i}`, name },
      }).catch(() => ({ status: 0, json: undefined }));
      codes.push(codeOf(r));
      if (i % 500 === 0) peak = Math.max(peak, rssMiB());
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  results.fatPersonas = {
    calls: codes.length,
    answers: count(codes),
    seconds: Math.round((performance.now() - started) / 1000),
    peakRssMiB: peak,
    after: await health(),
  };
  console.log('fat personas', JSON.stringify(results.fatPersonas));
}

// 2. The fattest accepted messages with the public token, until the tenant budget refuses them.
{
  const chat = await post(
    '/_emulator/tenants/guuru-qa/chats',
    JSON.stringify({ question: 'Room for a long talk?', requestedExperts: ['api'] }),
    {},
  );
  const chatId: string = chat.json.id;
  await gql('mutation($id: ID!) { acceptChat(id: $id) { id } }', { id: chatId });
  const text = 'T'.repeat(20_000);
  const codes: string[] = [];
  let refusal: string | undefined;
  for (let i = 0; i < 20_000 && !refusal && !exited; i++) {
    const r = await gql('mutation($i: ChatMessageInput!) { sendChatMessage(input: $i) }', {
      i: { chatId, posting: { type: 'text', text } },
    });
    const code = r.json?.errors ? codeOf(r) : 'ok';
    codes.push(code);
    if (code !== 'ok') refusal = r.json.errors[0].message;
  }
  results.fatMessages = { calls: codes.length, answers: count(codes), refusal, after: await health() };
  console.log('fat messages', JSON.stringify(results.fatMessages));
}

// 3. The process budget: tenants filled with Gurusup messages until --max-stored-mb refuses.
{
  const body = 'B'.repeat(20_000);
  const codes: string[] = [];
  let refusal: string | undefined;
  let tenants = 0;
  while (!refusal && !exited && tenants < 100) {
    const tenant = await post('/_emulator/tenants', '{}', {});
    if (tenant.status !== 201) {
      refusal = tenant.json.message;
      codes.push(codeOf(tenant));
      break;
    }
    tenants += 1;
    for (let i = 0; i < 5_000 && !refusal; i++) {
      const r = await post('/gurusup/messages', JSON.stringify({ body, thread_fid: `t-${i % 50}`, user_fid: 'u' }), {
        'x-api-key': tenant.json.gurusupApiKey,
      });
      const code = r.status === 201 ? 'ok' : codeOf(r);
      codes.push(code);
      if (r.status === 409) {
        if (/--max-stored-mb/.test(r.json.message)) refusal = r.json.message;
        else break; // this tenant is full: the next one
      }
    }
  }
  results.fullProcess = { tenants, calls: codes.length, answers: count(codes), refusal, after: await health() };
  console.log('full process', JSON.stringify(results.fullProcess));
}

const demo = await gql('{ partner { id } }', undefined);
results.demoStillServed = demo.json?.data?.partner?.id === 'guuru-qa';
child.kill('SIGTERM');
writeFileSync('bench/fat-results.json', `${JSON.stringify(results, null, 2)}\n`);
console.log(JSON.stringify(results, null, 2));
process.exit(0);
