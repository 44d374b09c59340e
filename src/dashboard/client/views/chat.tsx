import type { ComponentChildren } from 'preact';
import { enc, query } from '../api';
import { Card, ErrorBox, KeyValues, Loading, PageHead, StatusBadge, Time } from '../components';
import { useResource } from '../resource';
import { href } from '../router';
import { useDocumentTitle } from '../title';
import type { ChatActivityView, ChatRecord, Delivery, DeliveryList, JournalRequest, SessionFile } from '../types';
import { AgentConsole, ChatFaults, SessionTools } from './agent-console';
import { Timeline } from './timeline';

type Message = ChatRecord['messages'][number];

function authorOf(view: ChatActivityView, m: Message): { role: string; name: string } {
  const a = m.author;
  if (a.kind === 'user') return { role: 'customer', name: view.chat.user.name ?? 'Customer' };
  if (a.kind === 'bot') return { role: 'bot', name: view.bot.name };
  const known = view.authors[a.id];
  if (a.kind === 'persona' || known?.kind === 'persona') return { role: 'persona', name: known?.name ?? a.id };
  return { role: 'guuru', name: known?.name ?? a.id };
}

function Transcript({ view }: { view: ChatActivityView }) {
  const { chat } = view;
  // Chats opened through the emulator carry the question as their first message too.
  const first = chat.messages[0];
  const askedInFirst = first?.author.kind === 'user' && first.text === chat.question;
  return (
    <ol class="transcript" aria-label="Conversation">
      {!askedInFirst && (
        <li class="msg customer question">
          <div class="who">{chat.user.name ?? 'Customer'} asked</div>
          <div class="bubble">{chat.question}</div>
          <div class="meta">
            <Time at={chat.createdAt} />
          </div>
        </li>
      )}
      {chat.messages.map((m) => {
        const { role, name } = authorOf(view, m);
        return (
          <li key={m.id} class={`msg ${role}`} id={`msg-${m.id}`}>
            <div class="who">
              {name} <span class="role">{role}</span>
            </div>
            <div class="bubble">
              {m.type === 'attachment' && m.attachment ? (
                <a class="attachment" href={m.attachment.url} target="_blank" rel="noopener noreferrer">
                  📎 {m.attachment.filename ?? m.attachment.url.split('/').pop()}{' '}
                  <span class="muted small">{m.attachment.mimetype}</span>
                </a>
              ) : (
                m.text
              )}
            </div>
            <div class="meta">
              <Time at={m.createdAt} />
              {m.hideForUser && ' · hidden from the customer'}
              {m.hideForExpert && ' · hidden from the expert'}
            </div>
          </li>
        );
      })}
    </ol>
  );
}

interface ChatData {
  view: ChatActivityView;
  deliveries: Delivery[];
  calls: JournalRequest[];
}

/** The chat's facts, its conversation and its one time line: the same for a live chat and an imported session. */
function ChatBody({ data, readOnly, side }: { data: ChatData; readOnly?: boolean; side?: ComponentChildren }) {
  const { view: v } = data;
  const { chat } = v;
  const expert = chat.expertId ? (v.authors[chat.expertId]?.name ?? chat.expertId) : undefined;
  return (
    <>
      <KeyValues
        items={[
          ['Chat', <code>{chat.id}</code>],
          ['Tenant', v.tenant],
          ['Language', chat.language],
          ['Customer', [chat.user.name, chat.user.email].filter(Boolean).join(' · ') || '—'],
          [
            'Held by',
            expert ?? (chat.requestedExperts.length ? `offered to ${chat.requestedExperts.join(', ')}` : '—'),
          ],
          chat.rating && ['Rating', `${chat.rating}${chat.ratingComment ? ` · “${chat.ratingComment}”` : ''}`],
        ]}
      />
      <div class="split">
        <div class="stack">
          {side}
          <Card title="Conversation">
            <Transcript view={v} />
          </Card>
        </div>
        <Card title="Time line">
          <Timeline
            chat={chat}
            steps={v.steps}
            deliveries={data.deliveries}
            calls={[...data.calls].sort((a, b) => a.at - b.at)}
            readOnly={readOnly}
          />
        </Card>
      </div>
    </>
  );
}

export function ChatPage({ tenant, chatId }: { tenant: string; chatId: string }) {
  const view = useResource<ChatActivityView>(
    `/_emulator/tenants/${enc(tenant)}/chats/${enc(chatId)}/activity`,
    (e) =>
      (e.type === 'chat' || e.type === 'message') &&
      e.tenantId === tenant &&
      (e.type === 'chat' ? e.chat.id : e.chatId) === chatId,
    250,
  );
  const deliveries = useResource<DeliveryList>(
    `/_emulator/deliveries${query({ tenant, chatId, limit: 1000 })}`,
    (e) => e.type === 'delivery' && e.delivery.tenantId === tenant && e.delivery.chatId === chatId,
    250,
  );
  const calls = useResource<{ requests: JournalRequest[] }>(
    `/_emulator/requests${query({ tenant, chatId, api: 'graphql', limit: 500 })}`,
    (e) => e.type === 'requests' && (e.chatIds === undefined || e.chatIds.includes(chatId)),
    250,
  );
  // The chat's title is its question, never its latest message.
  useDocumentTitle(view.data?.chat.question);
  if (view.error) return <ErrorBox message={view.error} />;
  if (!view.data) return <Loading />;
  const { chat } = view.data;
  return (
    <div class="page">
      <PageHead
        title={
          <>
            <StatusBadge status={chat.status} /> {chat.question}
          </>
        }
        back={[href('chats', { tenant }), 'Chats']}
        here={chat.id}
      >
        <SessionTools tenant={tenant} chatId={chat.id} />
      </PageHead>
      <ChatFaults tenant={tenant} chatId={chat.id} />
      <ChatBody
        data={{ view: view.data, deliveries: deliveries.data?.deliveries ?? [], calls: calls.data?.requests ?? [] }}
        side={<AgentConsole tenant={tenant} chat={chat} />}
      />
    </div>
  );
}

/** An imported session (another emulator's export), read-only. */
export function SessionPage({ id }: { id: string }) {
  const session = useResource<SessionFile>(`/_emulator/sessions/${enc(id)}`);
  useDocumentTitle(session.data ? `Imported: ${session.data.chat.question}` : undefined);
  if (session.error) return <ErrorBox message={session.error} />;
  if (!session.data) return <Loading />;
  const s = session.data;
  return (
    <div class="page">
      <PageHead
        title={
          <>
            <StatusBadge status={s.chat.status} /> {s.chat.question}
          </>
        }
        back={[href('chats'), 'Chats']}
        here={`imported ${s.chat.id}`}
      />
      <p class="muted imported-note" role="note">
        Imported session, read-only: exported {s.exportedAt ?? ''} from tenant {s.tenant} of another emulator. Nothing
        here acts on this emulator.
      </p>
      <ChatBody data={{ view: s, deliveries: s.deliveries, calls: s.requests }} readOnly />
    </div>
  );
}
