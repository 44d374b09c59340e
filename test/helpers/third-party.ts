import { expect } from 'vitest';
import type { TestEmulator } from './emulator.js';
import { startIntegrator, type IntegratorPlan } from './integrator.js';

/** A chat as GraphQL shows it: status, rating, and each message's text and author type. */
export interface ApiChat {
  id: string;
  status: string;
  rating: string | null;
  messages: { text: string; by: string }[];
}

export async function chatFromApi(t: TestEmulator, id: string): Promise<ApiChat> {
  const res = await t.gql(
    `{ partner { chats(first: 30, orderBy: {field: createdAt, direction: desc}) { edges { node { id status rating messages(first: 100) { edges { node { ... on TextMessage { text } author { __typename } } } } } } } } }`,
  );
  const chat = res.body.data!.partner.chats.edges.map((e: any) => e.node).find((c: any) => c.id === id);
  return {
    ...chat,
    messages: chat.messages.edges.map((e: any) => ({ text: e.node.text, by: e.node.author.__typename })),
  };
}

export const customerLines = (chat: ApiChat): string[] =>
  chat.messages.filter((m) => m.by === 'UserAuthor').map((m) => m.text);

/**
 * Runs an integrator-facing scenario against an integrator following `plan` (speed 0 unless
 * `options` says otherwise), and returns the run, the chat from GraphQL, the verdict by expectation
 * and the webhooks the integrator received, in order.
 */
export async function playAgainst(
  t: TestEmulator,
  name: string,
  plan: IntegratorPlan,
  params: Record<string, unknown> = {},
  options: Record<string, unknown> = {},
) {
  const integrator = await startIntegrator(`${t.url}/graphql`, plan);
  try {
    const started = await fetch(`${t.url}/_emulator/scenarios/${name}/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ target: integrator.url, speed: 0, params, ...options }),
    });
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: string };
    const run = (await (await fetch(`${t.url}/_emulator/scenarios/${name}/runs/${id}?wait=1`)).json()) as any;
    await t.emulator.webhooks.dispatcher.idle();
    const chat = await chatFromApi(t, run.chats[0]);
    const statuses = Object.fromEntries(run.verdict.expectations.map((e: any) => [e.id, e.status]));
    const expectation = (expectationId: string) => run.verdict.expectations.find((e: any) => e.id === expectationId);
    return { run, chat, statuses, expectation, integrator, events: integrator.received.map((r) => r.event) };
  } finally {
    await integrator.close();
  }
}
