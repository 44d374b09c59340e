import { useState } from 'preact/hooks';
import { enc, query, send } from '../api';
import {
  ActionButton,
  Card,
  Code,
  DeliveryBadge,
  Empty,
  ErrorBox,
  HttpBadge,
  Json,
  KeyValues,
  Loading,
  LoadState,
  PageHead,
  RowForm,
  SelectField,
  TenantPicker,
  TextField,
  Time,
  useTenantId,
} from '../components';
import { type Column, DataTable } from '../data-table';
import { useResource } from '../resource';
import { href, navigate } from '../router';
import type { FaultRule } from '../../../webhooks/faults';
import type { Delivery, DeliveryList, SummaryList } from '../types';
import { WebhookBlock, groupRepeats } from '../webhook-parts';
import { CopyAsCurl } from '../copy-curl';
import { deliveryAsCurl } from '../curl';

const PENDING = ['queued', 'held', 'sending', 'retrying'];
const inGroup = (status: string, group: string) =>
  group === '' || (group === 'pending' ? PENDING.includes(status) : status === group);

interface Subscriptions {
  tenant: string;
  secret: string;
  events: Record<string, { url: string; active: boolean }>;
  events_available: string[];
  policy: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number; timeoutMs: number };
}

const STATUS_GROUPS = ['pending', 'delivered', 'failed'];
const FAULT_KINDS = ['duplicate', 'delay', 'reorder', 'drop-first-attempt'];
const none = <span class="muted">—</span>;

const DELIVERY_COLUMNS: Column<SummaryList['deliveries'][number]>[] = [
  { head: '#', cell: (d) => <a href={href('deliveries', d.id)}>{d.id}</a> },
  {
    head: 'Event',
    cell: (d) => (
      <>
        {d.event}
        {d.redeliveryOf && <span class="muted small"> (redelivery of {d.redeliveryOf})</span>}
      </>
    ),
  },
  { head: 'Status', cell: (d) => <DeliveryBadge status={d.status} /> },
  {
    head: 'Last answer',
    cell: (d) => (d.attempts > 0 ? <HttpBadge code={d.lastStatusCode} error={d.lastError} /> : none),
  },
  { head: 'Attempts', class: 'num', cell: (d) => d.attempts },
  { head: 'URL', class: 'url', title: (d) => d.url, cell: (d) => d.url },
  { head: 'Chat', cell: (d) => (d.chatId ? <a href={href('chats', d.tenantId, d.chatId)}>{d.chatId}</a> : none) },
  { head: 'Queued', cell: (d) => <Time at={d.createdAt} short /> },
];

const faultColumns = (reload: () => void): Column<FaultRule>[] => [
  { head: 'Kind', cell: (f) => `${f.kind}${f.kind === 'delay' ? ` ${f.delayMs} ms` : ''}` },
  { head: 'Matches', cell: (f) => [f.tenantId, f.event, f.chatId].filter(Boolean).join(' · ') || 'every delivery' },
  { head: 'Left', cell: (f) => f.remaining ?? '∞' },
  { head: 'Applied', cell: (f) => f.applied },
  {
    head: '',
    cell: (f) => (
      <ActionButton
        onClick={() => send('DELETE', `/_emulator/faults/${enc(f.id)}`).then(reload)}
        label={`Remove fault ${f.id}`}
      >
        Remove
      </ActionButton>
    ),
  },
];

function SubscriptionCard({ tenant }: { tenant: string }) {
  const subs = useResource<Subscriptions>(`/_emulator/webhooks${query({ tenant })}`);
  const [url, setUrl] = useState('');
  const s = subs.data;
  const urls = s
    ? [
        ...new Set(
          Object.values(s.events)
            .filter((e) => e.active && e.url)
            .map((e) => e.url),
        ),
      ]
    : [];
  return (
    <Card title="Subscriptions">
      {subs.error && <ErrorBox message={subs.error} />}
      {s && (
        <>
          {urls.length === 0 ? (
            <p class="muted">No URL is subscribed: GUURU events are not sent anywhere.</p>
          ) : (
            <ul class="plain">
              {urls.map((u) => (
                <li key={u}>
                  <Code>{u}</Code> ←{' '}
                  {Object.entries(s.events)
                    .filter(([, e]) => e.active && e.url === u)
                    .map(([name]) => name)
                    .join(', ')}
                </li>
              ))}
            </ul>
          )}
          <RowForm
            onSubmit={() =>
              void send('PUT', '/_emulator/webhooks', { tenant, url }).then(subs.reload, (err: Error) =>
                alert(err.message),
              )
            }
          >
            <TextField
              label="Send every GUURU event to"
              class="grow"
              type="url"
              required
              placeholder="http://127.0.0.1:3000/webhooks"
              value={url}
              onInput={setUrl}
            />
            <button type="submit" class="primary">
              Subscribe
            </button>
            {urls.length > 0 && (
              <ActionButton onClick={() => send('PUT', '/_emulator/webhooks', { tenant, url: '' }).then(subs.reload)}>
                Unsubscribe all
              </ActionButton>
            )}
          </RowForm>
          <p class="muted small">
            Signed with <Code>{s.secret || '(no secret: unsigned)'}</Code>. Retries: {s.policy.maxAttempts} attempts,
            from {s.policy.baseDelayMs} ms up to {s.policy.maxDelayMs} ms apart; timeout {s.policy.timeoutMs} ms.
          </p>
        </>
      )}
    </Card>
  );
}

function FaultCard({ tenant }: { tenant: string }) {
  const faults = useResource<{ faults: FaultRule[]; kinds: string[] }>(
    '/_emulator/faults',
    (e) => e.type === 'delivery',
    1_000,
  );
  const [kind, setKind] = useState('duplicate');
  const [event, setEvent] = useState('');
  const [times, setTimes] = useState('1');
  const [delayMs, setDelayMs] = useState('5000');
  const [error, setError] = useState<string | undefined>();
  const add = (e: Event) => {
    e.preventDefault();
    const body: Record<string, unknown> = { kind, tenant, times: times === '' ? null : Number(times) };
    if (event) body.event = event;
    if (kind === 'delay') body.delayMs = Number(delayMs);
    send('POST', '/_emulator/faults', body).then(
      () => (setError(undefined), faults.reload()),
      (err: Error) => setError(err.message),
    );
  };
  return (
    <Card
      title="Faults"
      actions={
        faults.data?.faults.length ? (
          <ActionButton onClick={() => send('DELETE', '/_emulator/faults').then(faults.reload)}>Clear all</ActionButton>
        ) : null
      }
    >
      {faults.data?.faults.length === 0 && (
        <p class="muted">No fault rule: every delivery is sent as it is. Add one to test how your receiver copes.</p>
      )}
      {faults.data && faults.data.faults.length > 0 && (
        <DataTable
          label="Fault rules"
          columns={faultColumns(faults.reload)}
          rows={faults.data.faults}
          rowKey={(f) => f.id}
        />
      )}
      <form class="row" onSubmit={add}>
        <SelectField label="Kind" value={kind} onChange={setKind} options={faults.data?.kinds ?? FAULT_KINDS} />
        <TextField label="Event (optional)" value={event} placeholder="chat-opened" onInput={setEvent} />
        <TextField label="Times (empty: all)" type="number" min="1" value={times} onInput={setTimes} />
        {kind === 'delay' && <TextField label="Delay ms" type="number" min="0" value={delayMs} onInput={setDelayMs} />}
        <button type="submit">Add fault</button>
      </form>
      {error && <ErrorBox message={error} />}
    </Card>
  );
}

export function DeliveriesView({ params }: { params: URLSearchParams }) {
  const tenant = useTenantId(params.get('tenant'));
  const event = params.get('event') ?? '';
  const status = params.get('status') ?? '';
  const url = params.get('url') ?? '';
  const setParams = (next: Record<string, string>) =>
    navigate(href('deliveries', { tenant: params.get('tenant') ?? undefined, event, status, url, ...next }));
  const list = useResource<SummaryList>(
    tenant === undefined ? undefined : `/_emulator/deliveries${query({ tenant, limit: 500, summary: 'true' })}`,
    (e) => e.type === 'delivery' && e.delivery.tenantId === tenant,
    1_000,
  );
  const all = list.data?.deliveries ?? [];
  const events = [...new Set(all.map((d) => d.event))].sort();
  const shown = all
    .filter(
      (d) => (event === '' || d.event === event) && inGroup(d.status, status) && (url === '' || d.url.includes(url)),
    )
    .reverse();
  return (
    <div class="page">
      <PageHead title="Deliveries">
        <div class="filters">
          <TenantPicker value={tenant ?? ''} onChange={(t) => setParams({ tenant: t })} />
          <SelectField
            label="Event"
            value={event}
            onChange={(v) => setParams({ event: v })}
            all="all"
            options={events}
          />
          <SelectField
            label="Status"
            value={status}
            onChange={(v) => setParams({ status: v })}
            all="all"
            options={STATUS_GROUPS}
          />
          <label class="field">
            <span>URL contains</span>
            <input
              type="search"
              value={url}
              onChange={(e) => setParams({ url: (e.target as HTMLInputElement).value })}
            />
          </label>
        </div>
      </PageHead>
      <LoadState resource={list} />
      {list.data && (
        <Card
          title={`${shown.length} of ${list.data.total} deliveries${list.data.log.evicted ? ` (${list.data.log.evicted} older ones evicted)` : ''}`}
        >
          {all.length === 0 ? (
            <Empty title="No deliveries yet.">
              Subscribe a URL below (or start with <code>--webhook-url</code>), or run a scenario with a target on the{' '}
              <a href={href('scenarios')}>Scenarios</a> view.
            </Empty>
          ) : shown.length === 0 ? (
            <Empty title="No delivery matches these filters." />
          ) : (
            <DataTable
              label="Deliveries, newest first"
              columns={DELIVERY_COLUMNS}
              rows={shown.slice(0, 200)}
              rowKey={(d) => d.id}
              rowProps={(d) => ({ 'data-delivery-id': d.id })}
            />
          )}
        </Card>
      )}
      {tenant && (
        <div class="grid two">
          <SubscriptionCard tenant={tenant} />
          <FaultCard tenant={tenant} />
        </div>
      )}
    </div>
  );
}

export function DeliveryPage({ id }: { id: string }) {
  const delivery = useResource<Delivery>(
    `/_emulator/deliveries/${enc(id)}`,
    (e) => e.type === 'delivery' && (e.delivery.id === id || e.delivery.redeliveryOf === id),
    250,
  );
  const d = delivery.data;
  const related = useResource<DeliveryList>(
    d ? `/_emulator/deliveries${query({ tenant: d.tenantId, source: d.source, limit: 1000 })}` : undefined,
    (e) => e.type === 'delivery' && e.delivery.redeliveryOf !== undefined,
    500,
  );
  if (delivery.error) return <ErrorBox message={delivery.error} />;
  if (!d) return <Loading />;
  const family = [d, ...(related.data?.deliveries ?? []).filter((x) => x.id !== d.id)];
  const repeats = groupRepeats(family).repeatsOf.get(d.id) ?? [];
  return (
    <div class="page">
      <PageHead
        title={
          <>
            {d.event} <DeliveryBadge status={d.status} />
          </>
        }
        back={[href('deliveries'), 'Deliveries']}
        here={d.id}
      />
      <KeyValues
        items={[
          ['URL', <code>{d.url}</code>],
          ['Tenant', d.tenantId],
          d.chatId && ['Chat', <a href={href('chats', d.tenantId, d.chatId)}>{d.chatId}</a>],
          ['Queued', <Time at={d.createdAt} />],
          d.nextAttemptAt !== undefined && ['Next attempt', <Time at={d.nextAttemptAt} />],
          d.redeliveryOf && ['Redelivery of', <a href={href('deliveries', d.redeliveryOf)}>{d.redeliveryOf}</a>],
        ]}
      />
      <CopyAsCurl what="delivery" build={() => Promise.resolve(deliveryAsCurl(d))} />
      <Card title="Attempts">
        <WebhookBlock delivery={d} repeats={repeats} />
      </Card>
      <div class="grid two">
        <Card title="Request headers">
          <Json value={d.headers} label="Request headers" />
        </Card>
        <Card title="Request body">
          <Json value={d.body} label="Request body" />
        </Card>
      </div>
    </div>
  );
}
