import { useState } from 'preact/hooks';
import { enc, postGurusupMessage, query, send } from '../api';
import {
  ActionButton,
  Card,
  Code,
  DeliveryBadge,
  Empty,
  ErrorBox,
  HttpBadge,
  KeyValues,
  Loading,
  MessageComposer,
  PageHead,
  RowForm,
  TenantPicker,
  TextField,
  Time,
  useTenantId,
} from '../components';
import { type Column, DataTable } from '../data-table';
import { useResource } from '../resource';
import { href, navigate } from '../router';
import type { GurusupOrgView } from '../../../control/gurusup-routes';
import type { threadWithMessagesJson } from '../../../gurusup/views';
import type { SummaryList } from '../types';
import { redeliver } from '../webhook-parts';

type Thread = ReturnType<typeof threadWithMessagesJson>;
type OrgView = GurusupOrgView;

/** The send-message deliveries, without a header row: id, event, status, last answer, when, redeliver. */
const SENT_COLUMNS: Column<SummaryList['deliveries'][number]>[] = [
  { cell: (d) => <a href={href('deliveries', d.id)}>{d.id}</a> },
  { cell: (d) => d.event },
  { cell: (d) => <DeliveryBadge status={d.status} /> },
  { cell: (d) => (d.attempts > 0 ? <HttpBadge code={d.lastStatusCode} error={d.lastError} /> : '—') },
  { cell: (d) => <Time at={d.createdAt} short /> },
  { cell: (d) => <ActionButton onClick={() => redeliver(d.id)}>Redeliver</ActionButton> },
];

function Settings({ tenant }: { tenant: string }) {
  const org = useResource<OrgView>(`/_emulator/tenants/${enc(tenant)}/gurusup`);
  const [url, setUrl] = useState('');
  const o = org.data;
  if (org.error) return <ErrorBox message={org.error} />;
  if (!o) return <Loading />;
  return (
    <Card title={`Organisation ${o.name}`}>
      <KeyValues
        inline={false}
        items={[
          ['x-api-key', <Code>{o.apiKey}</Code>],
          [
            'Automatic reply',
            <>
              {o.autoReply ? 'on' : 'off'} ({o.language}){' '}
              <ActionButton
                onClick={() =>
                  send('PUT', `/_emulator/tenants/${enc(tenant)}/gurusup`, { autoReply: !o.autoReply }).then(org.reload)
                }
              >
                {o.autoReply ? 'Turn off' : 'Turn on'}
              </ActionButton>
            </>,
          ],
          ['send-message webhook', o.webhookUrl ? <Code>{o.webhookUrl}</Code> : <span class="muted">not set</span>],
        ]}
      />
      <RowForm
        onSubmit={() =>
          void send('PUT', `/_emulator/tenants/${enc(tenant)}/gurusup`, { webhookUrl: url }).then(
            org.reload,
            (err: Error) => alert(err.message),
          )
        }
      >
        <TextField
          label="Webhook URL"
          class="grow"
          type="url"
          placeholder="http://127.0.0.1:3000/gurusup"
          value={url}
          onInput={setUrl}
        />
        <button type="submit">Set</button>
      </RowForm>
    </Card>
  );
}

/** A new thread, written as a Gurusup user (POST /gurusup/messages with the organisation's key). */
function NewThread({ apiKey, tenant }: { apiKey: string; tenant: string }) {
  const [fid, setFid] = useState('');
  const [user, setUser] = useState('');
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | undefined>();
  return (
    <form
      class="card"
      aria-label="New Gurusup thread"
      onSubmit={(e) => {
        e.preventDefault();
        const thread_fid = fid.trim() || `dashboard-${Date.now().toString(36)}`;
        setError(undefined);
        void postGurusupMessage(apiKey, {
          thread_fid,
          body: body.trim(),
          ...(user.trim() ? { user_fid: user.trim() } : {}),
        }).then(
          () => {
            setBody('');
            navigate(href('gurusup', thread_fid, { tenant }));
          },
          (err: Error) => setError(err.message),
        );
      }}
    >
      <h2>Write as a Gurusup user</h2>
      <div class="row">
        <TextField label="Thread (thread_fid)" value={fid} onInput={setFid} placeholder="a new one" />
        <TextField label="User (user_fid)" value={user} onInput={setUser} placeholder="anonymous" />
      </div>
      <TextField label="First message" value={body} onInput={setBody} required />
      <button type="submit" class="primary">
        Start thread
      </button>
      {error && <ErrorBox message={error} />}
    </form>
  );
}

export function GurusupView({ tenant: fromUrl, thread }: { tenant: string | null; thread?: string }) {
  const tenant = useTenantId(fromUrl);
  const threads = useResource<{ threads: Thread[] }>(
    tenant === undefined ? undefined : `/_emulator/tenants/${enc(tenant)}/gurusup/threads`,
    (e) => e.type === 'gurusup' && e.tenantId === tenant,
    300,
  );
  const deliveries = useResource<SummaryList>(
    tenant === undefined
      ? undefined
      : `/_emulator/deliveries${query({ tenant, source: 'gurusup', limit: 100, summary: 'true' })}`,
    (e) => e.type === 'delivery' && e.delivery.source === 'gurusup',
    500,
  );
  const org = useResource<OrgView>(tenant === undefined ? undefined : `/_emulator/tenants/${enc(tenant)}/gurusup`);
  const list = threads.data?.threads ?? [];
  // A thread is addressed by its hash or, right after the new-thread form, by its thread_fid.
  const current = list.find((t) => t.thread === thread || t.thread_fid === thread) ?? list[0];
  const apiKey = org.data?.apiKey;
  return (
    <div class="page">
      <PageHead title="Gurusup">
        <div class="filters">
          <TenantPicker value={tenant ?? ''} onChange={(t) => navigate(href('gurusup', { tenant: t }))} />
        </div>
      </PageHead>
      {threads.error && <ErrorBox message={threads.error} />}
      {!threads.data && !threads.error && <Loading />}
      {threads.data && list.length === 0 && (
        <Empty title="No threads yet.">
          Post one with <code>POST /gurusup/messages</code> (header x-api-key) or run the{' '}
          <a href={href('scenarios', 'gurusup-conversation')}>gurusup-conversation</a> scenario.
        </Empty>
      )}
      {list.length > 0 && (
        <div class="split narrow-left">
          <nav class="side-list" aria-label="Threads">
            {list.map((t) => (
              <a
                key={t.thread}
                href={href('gurusup', t.thread, { tenant: fromUrl ?? undefined })}
                class={t === current ? 'active' : ''}
                aria-current={t === current ? 'page' : undefined}
              >
                <strong>{t.subject ?? t.thread_fid}</strong>
                <span class="muted small">
                  {t.message_count} messages · {t.lang} · {t.updated_at.slice(0, 16).replace('T', ' ')}
                </span>
              </a>
            ))}
          </nav>
          {current && (
            <Card title={current.subject ?? current.thread_fid}>
              <p class="muted small">
                thread_fid <Code>{current.thread_fid}</Code> · thread <Code>{current.thread}</Code>
              </p>
              <ol class="transcript" aria-label="Thread messages">
                {current.messages.map((m) => (
                  <li
                    key={m.id}
                    class={`msg ${m.is_customer_support_agent ? (m.user_fid === current.user_fid ? 'guuru' : 'bot') : 'customer'}`}
                  >
                    <div class="who">
                      {m.user_fid}{' '}
                      <span class="role">{m.is_customer_support_agent ? 'agent / system' : 'customer'}</span>
                    </div>
                    <div class="bubble">{m.body}</div>
                    <div class="meta">
                      <Time at={Date.parse(m.created_at)} /> · {m.lang}
                    </div>
                  </li>
                ))}
              </ol>
              {apiKey && (
                <MessageComposer
                  placeholder={`Write as ${current.user_fid || 'the user'} (POST /gurusup/messages)`}
                  onSend={(body) =>
                    postGurusupMessage(apiKey, {
                      thread_fid: current.thread_fid,
                      body,
                      ...(current.user_fid ? { user_fid: current.user_fid } : {}),
                      ...(current.lang ? { lang: current.lang } : {}),
                    })
                  }
                />
              )}
            </Card>
          )}
        </div>
      )}
      {tenant && apiKey && <NewThread apiKey={apiKey} tenant={tenant} />}
      {tenant && (
        <div class="grid two">
          <Settings tenant={tenant} />
          <Card title="send-message deliveries">
            {deliveries.data && deliveries.data.deliveries.length === 0 ? (
              <Empty title="No send-message webhook went out yet.">
                Set the webhook URL; the automatic reply and system messages are sent to it.
              </Empty>
            ) : (
              <DataTable
                label="send-message deliveries"
                columns={SENT_COLUMNS}
                rows={[...(deliveries.data?.deliveries ?? [])].reverse()}
                rowKey={(d) => d.id}
              />
            )}
          </Card>
        </div>
      )}
    </div>
  );
}
