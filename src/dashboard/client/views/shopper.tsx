import { useState } from 'preact/hooks';
import { enc, send } from '../api';
import {
  ActionButton,
  ErrorBox,
  Loading,
  MessageComposer,
  PageHead,
  SelectField,
  SubmitButton,
  TenantPicker,
  TextField,
  useSubmit,
  useTenantId,
} from '../components';
import { useResource } from '../resource';
import { href, navigate } from '../router';
import { useDocumentTitle } from '../title';
import type { ChatActivityView, ChatRecord } from '../types';

/**
 * The shopper's window: a person starts a chat as the end user and holds it as a customer chat
 * widget would show it. Every action is a control-API chat action by the end user (the same
 * domain commands as a scenario's simulated customer), so an integration gets GUURU's webhooks.
 */

const LANGUAGES = ['en', 'de', 'fr', 'it'];

function StartForm({ tenant }: { tenant: string }) {
  const [question, setQuestion] = useState('');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [language, setLanguage] = useState('en');
  const [pool, setPool] = useState('api');
  const { busy, error, run } = useSubmit();
  return (
    <form
      class="card shop-start"
      onSubmit={(e) => {
        e.preventDefault();
        const requestedExperts = pool
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean);
        const user = {
          ...(name.trim() ? { name: name.trim() } : {}),
          ...(email.trim() ? { email: email.trim() } : {}),
        };
        run(
          () =>
            send<ChatRecord>('POST', `/_emulator/tenants/${enc(tenant)}/chats`, {
              question: question.trim(),
              language,
              user,
              requestedExperts,
            }),
          (chat) => navigate(href('shop', tenant, chat.id)),
        );
      }}
    >
      <h2>Ask the shop</h2>
      <label class="field">
        <span>Question</span>
        <textarea
          required
          rows={3}
          value={question}
          onInput={(e) => setQuestion((e.target as HTMLTextAreaElement).value)}
        />
      </label>
      <div class="row">
        <TextField label="Name" value={name} onInput={setName} />
        <TextField label="Email" type="email" value={email} onInput={setEmail} />
      </div>
      <div class="row">
        <SelectField label="Language" value={language} onChange={setLanguage} options={LANGUAGES} />
        <TextField label="Pool (requestedExperts)" value={pool} onInput={setPool} placeholder="api" />
      </div>
      <p class="muted small">
        The chat is created, then assigned to the pool: with <code>api</code> a Third Party Messaging integration gets{' '}
        <code>chat-assigned</code>. With no integration subscribed, open the chat on the Chats view in another tab and
        answer as the agent.
      </p>
      <SubmitButton busy={busy} error={error}>
        Start chat
      </SubmitButton>
    </form>
  );
}

/** The chat's status as a customer widget says it. */
function statusWords(chat: ChatRecord, agent: string | undefined): string {
  switch (chat.status) {
    case 'created':
    case 'assigned':
      return 'Waiting for an expert…';
    case 'open':
      return `${agent ?? 'An expert'} joined the chat`;
    case 'handover':
      return 'Your chat was passed on to the support team';
    case 'closed':
      return 'The chat was closed';
    case 'rated':
      return `Thank you: you rated this chat ${chat.rating ?? ''}. It takes no more messages.`;
    case 'missed':
      return 'No expert was available';
  }
}

function Avatar({ name, photo }: { name: string; photo?: string }) {
  return photo ? (
    <img class="avatar" src={photo} alt="" />
  ) : (
    <span class="avatar" aria-hidden="true">
      {name.slice(0, 1).toUpperCase()}
    </span>
  );
}

function Widget({ view }: { view: ChatActivityView }) {
  const { chat, tenant } = view;
  const base = `/_emulator/tenants/${enc(tenant)}/chats/${enc(chat.id)}`;
  const agentOf = (id: string | undefined) => (id ? view.authors[id] : undefined);
  const holder = agentOf(chat.expertId);
  const [comment, setComment] = useState('');
  const write = async (text: string) => {
    // Writing after a close reopens the chat (the guide: "the end user decided the chat needed more interactions").
    if (chat.status === 'closed') await send('POST', `${base}/reopen`, { by: 'user' });
    await send('POST', `${base}/messages`, { from: 'user', text });
  };
  const rate = (rating: string) =>
    send('POST', `${base}/rate`, { rating, ...(comment.trim() ? { comment: comment.trim() } : {}) });
  return (
    <section class="widget card" aria-label="Chat with the shop">
      <header class="widget-head">
        {holder ? (
          <Avatar name={holder.name} photo={holder.photoUrl} />
        ) : (
          <span class="avatar" aria-hidden="true">
            ?
          </span>
        )}
        <div>
          <strong>{holder?.name ?? 'Shop assistant'}</strong>
          <div class="widget-status" role="status" aria-live="polite" data-status={chat.status}>
            {statusWords(chat, holder?.name)}
          </div>
        </div>
      </header>
      <ol class="transcript widget-messages" aria-label="Conversation">
        {chat.messages
          .filter((m) => !m.hideForUser)
          .map((m) => {
            const mine = m.author.kind === 'user';
            const agent =
              m.author.kind === 'bot' ? { name: view.bot.name } : 'id' in m.author ? agentOf(m.author.id) : undefined;
            const name = mine ? 'You' : (agent?.name ?? 'Shop assistant');
            const image = m.attachment?.mimetype?.startsWith('image/');
            return (
              <li key={m.id} class={`msg ${mine ? 'customer mine' : m.author.kind === 'bot' ? 'bot' : 'persona'}`}>
                <div class="who">
                  {!mine && <Avatar name={name} photo={(agent as { photoUrl?: string } | undefined)?.photoUrl} />}{' '}
                  {name}
                </div>
                <div class="bubble">
                  {m.type === 'attachment' && m.attachment ? (
                    image ? (
                      <img
                        class="attachment-image"
                        src={m.attachment.url}
                        alt={m.attachment.filename ?? 'attachment'}
                      />
                    ) : (
                      <a class="attachment" href={m.attachment.url} target="_blank" rel="noopener noreferrer">
                        📎 {m.attachment.filename ?? m.attachment.url.split('/').pop()}
                      </a>
                    )
                  ) : (
                    m.text
                  )}
                </div>
              </li>
            );
          })}
      </ol>
      {chat.status === 'closed' && (
        <div role="group" aria-label="Rating" class="rating">
          <p>How was this chat?</p>
          <div class="row">
            <ActionButton onClick={() => rate('good')}>Good</ActionButton>
            <ActionButton onClick={() => rate('average')}>Average</ActionButton>
            <ActionButton onClick={() => rate('bad')}>Bad</ActionButton>
          </div>
          <label class="field">
            <span>Comment</span>
            <input value={comment} onInput={(e) => setComment((e.target as HTMLInputElement).value)} />
          </label>
          <p class="muted small">Or write again below: that reopens the chat.</p>
        </div>
      )}
      {chat.status === 'rated' || chat.status === 'missed' ? (
        <p class="muted small done">
          This chat is over{chat.status === 'rated' ? ' and rated' : ''}: it takes nothing more.
        </p>
      ) : (
        <MessageComposer
          onSend={write}
          placeholder={chat.status === 'closed' ? 'Write again to reopen the chat' : 'Type your message'}
        />
      )}
    </section>
  );
}

export function ShopperView({
  tenant: tenantParam,
  chatId,
  params,
}: {
  tenant?: string;
  chatId?: string;
  params: URLSearchParams;
}) {
  const fromUrl = tenantParam ?? params.get('tenant');
  const tenant = useTenantId(fromUrl);
  const view = useResource<ChatActivityView>(
    tenant && chatId ? `/_emulator/tenants/${enc(tenant)}/chats/${enc(chatId)}/activity` : undefined,
    (e) =>
      (e.type === 'chat' || e.type === 'message' || e.type === 'data') &&
      e.tenantId === tenant &&
      (e.type === 'chat' ? e.chat.id === chatId : e.type === 'message' ? e.chatId === chatId : true),
    150,
  );
  useDocumentTitle(chatId ? 'Chat as a customer' : 'Chat as a customer: start');
  return (
    <div class="page shop">
      <PageHead title="Chat as a customer">
        <div class="filters">
          {!chatId && <TenantPicker value={tenant ?? ''} onChange={(t) => navigate(href('shop', { tenant: t }))} />}
          {chatId && tenant && (
            <>
              <a href={href('chats', tenant, chatId)}>The agent's side and the time line →</a>
              <a href={href('shop', { tenant })}>New chat</a>
            </>
          )}
        </div>
      </PageHead>
      {!chatId && (tenant ? <StartForm tenant={tenant} /> : <Loading />)}
      {chatId && view.error && <ErrorBox message={view.error} />}
      {chatId && !view.data && !view.error && <Loading />}
      {chatId && view.data && <Widget view={view.data} />}
    </div>
  );
}
