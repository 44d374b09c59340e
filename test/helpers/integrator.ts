import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyGuuruSignature } from './webhook-sink.js';

export interface TestIntegrator {
  url: string;
  /** What it did, in order (acceptChat, sendChatMessage, closeChat...). */
  actions: string[];
  close(): Promise<void>;
}

/**
 * A small third-party messaging tool written from the Third Party Messaging guide: it verifies each
 * webhook like the vendor's receiver, handles chats requested to `api` (createPersona, acceptChat),
 * answers each customer message with sendChatMessage and closes the chat after `replies` answers.
 * With `accept: false` it never accepts.
 */
export async function startIntegrator(graphqlUrl: string, options: { replies: number; accept?: boolean; token?: string; secret?: string }): Promise<TestIntegrator> {
  const actions: string[] = [];
  const answered = new Map<string, number>();
  const gql = async (query: string, variables: Record<string, unknown>) => {
    const res = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token ?? 'demo-token'}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  };
  const handle = async (event: string, body: any) => {
    if (event === 'chat-assigned' && body.requestedExperts.includes('api') && options.accept !== false) {
      const persona = await gql('mutation CreatePersona($providerId: ID!, $name: String!) { createPersona(input: { providerId: $providerId, name: $name }) }', {
        providerId: 'agent-007',
        name: 'Agent Seven',
      });
      const accepted = await gql('mutation AcceptChat($id: ID!, $personaId: ID!) { acceptChat(id: $id, input: { personaId: $personaId }) { id status } }', {
        id: body.id,
        personaId: persona.data?.createPersona,
      });
      actions.push(accepted.errors ? 'acceptChat failed' : 'acceptChat');
    }
    if (event === 'message-created' && body.author.__typename === 'UserAuthor') {
      const chatId = body.chat.id as string;
      const count = (answered.get(chatId) ?? 0) + 1;
      answered.set(chatId, count);
      if (count <= options.replies) {
        await gql('mutation SendChatMessage($input: ChatMessageInput!) { sendChatMessage(input: $input) }', {
          input: { chatId, posting: { type: 'text', text: `Answer ${count}` } },
        });
        actions.push('sendChatMessage');
      } else {
        await gql('mutation Close($id: ID!) { closeChat(id: $id) { id status } }', { id: chatId });
        actions.push('closeChat');
      }
    }
    if (event === 'chat-rated') actions.push('saw chat-rated');
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      if (!verifyGuuruSignature(raw, req.headers['x-guuru-hmac-sha256'], options.secret ?? 'secr3t')) {
        res.writeHead(400).end('Invalid request, non-matching HMAC-SHA256 received');
        return;
      }
      res.writeHead(200).end('Success!');
      // Acknowledge first, work after (a receiver must not keep the webhook waiting).
      void handle(String(req.headers['x-guuru-event']), JSON.parse(raw));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/guuru`,
    actions,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
