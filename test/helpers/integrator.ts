import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyGuuruSignature } from './webhook-sink.js';

/** Something the integrator does in a chat (through the Admin API). */
export type IntegratorAction = 'reply' | 'close' | 'reopen' | 'transfer' | { wait: number };

export interface IntegratorPlan {
  /** How it accepts a chat-assigned that lists "api": as a persona (default), as the service account, twice, or never. */
  accept?: 'persona' | 'service-account' | 'twice' | 'never';
  /** What it does right after accepting. */
  afterAccept?: IntegratorAction[];
  /** What it does for the n-th customer message (index 0: the first); nothing beyond the list. */
  onCustomer?: IntegratorAction[][];
  /** Skips deliveries whose Idempotency-Key it has seen (default true, as the webhook docs advise). */
  dedupe?: boolean;
  token?: string;
  secret?: string;
}

export interface TestIntegrator {
  url: string;
  /** What it did, in order (acceptChat, sendChatMessage, closeChat...), "… refused CODE" when the API said no. */
  actions: string[];
  /** Every webhook it received (duplicates included), in order. */
  received: { event: string; key: string; chatId: string; raw: string }[];
  close(): Promise<void>;
}

/**
 * A small third-party messaging tool written from the Third Party Messaging guide: it verifies each
 * webhook like the vendor's receiver, answers at once and works after, handles chats requested to
 * `api` (createPersona with its agent's providerId, then acceptChat with the persona id), and
 * follows `plan` for each customer message (message-created by a UserAuthor).
 */
export async function startIntegrator(graphqlUrl: string, plan: IntegratorPlan = {}): Promise<TestIntegrator> {
  const actions: string[] = [];
  const received: TestIntegrator['received'] = [];
  const seen = new Set<string>();
  const customerMessages = new Map<string, number>();
  const gql = async (label: string, query: string, variables: Record<string, unknown>) => {
    const res = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${plan.token ?? 'demo-token'}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as {
      data?: Record<string, unknown>;
      errors?: { extensions?: { code?: string } }[];
    };
    if (label) actions.push(body.errors ? `${label} refused ${body.errors[0]?.extensions?.code}` : label);
    return body;
  };
  const persona = async (agent: string) =>
    (
      await gql(
        '',
        'mutation CreatePersona($providerId: ID!, $name: String!) { createPersona(input: { providerId: $providerId, name: $name }) }',
        { providerId: agent, name: `Agent ${agent}` },
      )
    ).data?.createPersona as string;
  const accept = async (chatId: string) => {
    if (plan.accept === 'service-account')
      return gql('acceptChat', 'mutation AcceptChat($id: ID!) { acceptChat(id: $id) { id status } }', { id: chatId });
    return gql(
      'acceptChat',
      'mutation AcceptChat($id: ID!, $personaId: ID!) { acceptChat(id: $id, input: { personaId: $personaId }) { id status messages { edges { node { id } } } } }',
      {
        id: chatId,
        personaId: await persona('agent-007'),
      },
    );
  };
  let replies = 0;
  const act = async (chatId: string, actions: IntegratorAction[]) => {
    for (const action of actions) {
      if (typeof action === 'object') await new Promise((resolve) => setTimeout(resolve, action.wait));
      else if (action === 'reply') {
        replies += 1;
        await gql('sendChatMessage', 'mutation Send($input: ChatMessageInput!) { sendChatMessage(input: $input) }', {
          input: { chatId, posting: { type: 'text', text: `Answer ${replies}` } },
        });
      } else if (action === 'close')
        await gql('closeChat', 'mutation Close($id: ID!) { closeChat(id: $id) { id status } }', { id: chatId });
      else if (action === 'reopen')
        await gql('openChat', 'mutation Open($id: ID!) { openChat(id: $id) { id status } }', { id: chatId });
      else if (action === 'transfer') {
        const other = await persona('agent-008');
        await gql(
          'transferToPersona',
          'mutation Transfer($chatId: ID!, $personaId: ID!) { transferToPersona(chatId: $chatId, personaId: $personaId) }',
          { chatId, personaId: other },
        );
      }
    }
  };
  const handle = async (event: string, body: any) => {
    if (event === 'chat-assigned' && body.requestedExperts.includes('api') && plan.accept !== 'never') {
      await accept(body.id);
      if (plan.accept === 'twice') await accept(body.id);
      await act(body.id, plan.afterAccept ?? []);
    }
    if (event === 'message-created' && body.author.__typename === 'UserAuthor') {
      const chatId = body.chat.id as string;
      const n = customerMessages.get(chatId) ?? 0;
      customerMessages.set(chatId, n + 1);
      await act(chatId, plan.onCustomer?.[n] ?? []);
    }
  };
  // One chat's webhooks are handled in order, like a queue per conversation.
  const lanes = new Map<string, Promise<void>>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      if (!verifyGuuruSignature(raw, req.headers['x-guuru-hmac-sha256'], plan.secret ?? 'secr3t')) {
        res.writeHead(400).end('Invalid request, non-matching HMAC-SHA256 received');
        return;
      }
      res.writeHead(200).end('Success!');
      const event = String(req.headers['x-guuru-event']);
      const key = String(req.headers['idempotency-key']);
      const body = JSON.parse(raw);
      const chatId = event === 'message-created' ? body.chat.id : body.id;
      received.push({ event, key, chatId, raw });
      // The webhook docs: the same event may come twice; skip keys already processed.
      if (plan.dedupe !== false && seen.has(key)) return;
      seen.add(key);
      // Acknowledge first, work after (a receiver must not keep the webhook waiting).
      const lane = (lanes.get(chatId) ?? Promise.resolve()).then(() => handle(event, body));
      lanes.set(
        chatId,
        lane.catch(() => {}),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/guuru`,
    actions,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The plan of the integrator the old helper built: answer `replies` customer messages, close on the next. */
export const answerThenClose = (replies: number): IntegratorPlan => ({
  onCustomer: [...Array.from({ length: replies }, (): IntegratorAction[] => ['reply']), ['close']],
});
