import { enc, query } from '../api';
import { Card, Empty, ErrorBox, Loading, StatusBadge, Time } from '../components';
import { useResource } from '../resource';
import { href } from '../router';
import { useDocumentTitle } from '../title';
import type { ActivityStep, ChatActivityView, ChatRecord, DeliveryList } from '../types';
import { WebhookBlock, groupRepeats } from '../webhook-parts';

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
                  📎 {m.attachment.filename ?? m.attachment.url.split('/').pop()} <span class="muted small">{m.attachment.mimetype}</span>
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

/** Seeded chats have no recorded steps: their timestamps tell the story. */
function stepsFromRecord(chat: ChatRecord): ActivityStep[] {
  const step = (at: number | undefined, to: ActivityStep['to'], event: string): ActivityStep[] =>
    at === undefined ? [] : [{ at, kind: at === chat.createdAt && to === 'created' ? 'created' : 'status', event, to, actor: 'system', actorLabel: 'from the seed', deliveries: [] }];
  return [
    ...step(chat.createdAt, 'created', 'chat.created'),
    ...step(chat.acceptedAt, 'open', 'chat.accepted'),
    ...step(chat.transfer?.createdAt, 'handover', 'chat.handed-over'),
    ...step(chat.closedAt, 'closed', 'chat.closed'),
    ...step(chat.ratedAt, 'rated', 'chat.rated'),
  ].sort((a, b) => a.at - b.at);
}

export function ChatPage({ tenant, chatId }: { tenant: string; chatId: string }) {
  const view = useResource<ChatActivityView>(`/_emulator/tenants/${enc(tenant)}/chats/${enc(chatId)}/activity`, (e) => (e.type === 'chat' || e.type === 'message') && e.tenantId === tenant && (e.type === 'chat' ? e.chat.id : e.chatId) === chatId, 250);
  const deliveries = useResource<DeliveryList>(`/_emulator/deliveries${query({ tenant, chatId, limit: 1000 })}`, (e) => e.type === 'delivery' && e.delivery.tenantId === tenant && e.delivery.chatId === chatId, 250);
  // The chat's title is its question, never its latest message.
  useDocumentTitle(view.data?.chat.question);
  if (view.error) return <ErrorBox message={view.error} />;
  if (!view.data) return <Loading />;
  const v = view.data;
  const { chat } = v;
  const all = deliveries.data?.deliveries ?? [];
  const { originals, repeatsOf } = groupRepeats(all);
  const byId = new Map(originals.map((d) => [d.id, d]));
  const recorded = v.steps.length > 0;
  const steps = recorded ? v.steps : stepsFromRecord(chat);
  const placed = new Set(steps.flatMap((s) => s.deliveries));
  const unplaced = originals.filter((d) => !placed.has(d.id));
  const expert = chat.expertId ? (v.authors[chat.expertId]?.name ?? chat.expertId) : undefined;

  return (
    <div class="page">
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={href('chats', { tenant })}>Chats</a> / <span>{chat.id}</span>
      </nav>
      <div class="page-head">
        <h1>
          <StatusBadge status={chat.status} /> {chat.question}
        </h1>
      </div>
      <dl class="kv inline-kv">
        <dt>Chat</dt>
        <dd>
          <code>{chat.id}</code>
        </dd>
        <dt>Tenant</dt>
        <dd>{tenant}</dd>
        <dt>Language</dt>
        <dd>{chat.language}</dd>
        <dt>Customer</dt>
        <dd>{[chat.user.name, chat.user.email].filter(Boolean).join(' · ') || '—'}</dd>
        <dt>Held by</dt>
        <dd>{expert ?? (chat.requestedExperts.length ? `offered to ${chat.requestedExperts.join(', ')}` : '—')}</dd>
        {chat.rating && (
          <>
            <dt>Rating</dt>
            <dd>{chat.rating}</dd>
          </>
        )}
      </dl>
      <div class="split">
        <Card title="Conversation">
          <Transcript view={v} />
        </Card>
        <Card title="Time line">
          {!recorded && <p class="muted small">Nothing has happened to this chat since the emulator started: these steps come from its seeded timestamps.</p>}
          <ol class="timeline" aria-label="Status changes and webhooks">
            {steps.map((s, i) => {
              const hooks = s.deliveries.map((id) => byId.get(id)).filter((d) => d !== undefined);
              return (
                <li key={i} class={`step ${s.kind}`} data-step={s.event}>
                  <div class="step-head">
                    <span class="dot-line" aria-hidden="true" />
                    {s.kind === 'message' ? <span class="badge neutral">message</span> : <StatusBadge status={s.to} />}
                    <span class="step-title">
                      {s.kind === 'message' ? (
                        <a href={`#msg-${s.messageId}`} onClick={(e) => (e.preventDefault(), document.getElementById(`msg-${s.messageId}`)?.scrollIntoView({ block: 'center' }))}>
                          message by {s.actorLabel}
                        </a>
                      ) : s.from ? (
                        `${s.from} → ${s.to}`
                      ) : (
                        s.to
                      )}
                    </span>
                    <span class="muted small">
                      {s.event} · {s.actorLabel} · <Time at={s.at} short />
                    </span>
                  </div>
                  {hooks.length > 0 ? (
                    hooks.map((d) => <WebhookBlock key={d.id} delivery={d} repeats={repeatsOf.get(d.id) ?? []} />)
                  ) : recorded && s.kind !== 'created' ? (
                    <p class="muted small no-webhook">No webhook (nothing subscribed to {s.event === 'message.created' ? 'message-created' : 'this event'}, or it has no webhook).</p>
                  ) : null}
                </li>
              );
            })}
          </ol>
          {unplaced.length > 0 && (
            <>
              <h3>Other webhooks of this chat</h3>
              {unplaced.map((d) => (
                <WebhookBlock key={d.id} delivery={d} repeats={repeatsOf.get(d.id) ?? []} />
              ))}
            </>
          )}
          {recorded && all.length === 0 && (
            <Empty title="No webhooks went out for this chat.">
              Subscribe a URL on the <a href={href('deliveries')}>Deliveries</a> view or with <code>--webhook-url</code>, or run a scenario with a target.
            </Empty>
          )}
        </Card>
      </div>
    </div>
  );
}
