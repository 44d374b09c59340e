import { useEffect, useState } from 'preact/hooks';
import type { RequestRecord } from '../../../journal/request-journal';
import { getJson, query, send } from '../api';
import { CopyAsCurl } from '../copy-curl';
import { requestAsCurl } from '../curl';
import type { TenantSummary } from '../types';
import { ActionButton, Card, Empty, HttpBadge, Json, LoadState, PageHead, SelectField, Time } from '../components';
import { type Column, DataTable } from '../data-table';
import { useResource } from '../resource';
import { href, navigate } from '../router';

interface Journal {
  requests: RequestRecord[];
  total: number;
  journal: { kept: number; evicted: number; limit: number };
}

/** What the request was: the GraphQL operation (and its root fields) or the REST route. */
function whatOf(r: RequestRecord): string {
  if (r.api === 'gurusup') return r.route;
  const fields = (r.fields ?? []).map((f) => f.name).join(', ');
  const name = r.operationName ?? '(anonymous)';
  return `${r.operationType ?? 'query'} ${name}${fields && fields !== name ? ` { ${fields} }` : ''}`;
}

const codesOf = (r: RequestRecord): string[] => [...new Set((r.errors ?? []).map((e) => e.code))];

/** The request as a curl command, with the credentials of its tenant (none when it was sent without valid ones). */
async function curlOf(r: RequestRecord): Promise<string | undefined> {
  const tenant = r.tenantId
    ? await getJson<TenantSummary>(`/_emulator/tenants/${encodeURIComponent(r.tenantId)}`)
    : undefined;
  return requestAsCurl(r, location.origin, { token: tenant?.token, gurusupApiKey: tenant?.gurusupApiKey });
}

function Detail({ r }: { r: RequestRecord }) {
  return (
    <div class="request-detail">
      <dl class="kv">
        <dt>Route</dt>
        <dd>
          <code>
            {r.method} {r.path}
          </code>
        </dd>
        <dt>Tenant</dt>
        <dd>{r.tenantId ?? <span class="muted">none (credentials missing or unknown)</span>}</dd>
        {r.chatIds.length > 0 && (
          <>
            <dt>Chats</dt>
            <dd>
              {r.chatIds.map((c) => (
                <a key={c} href={href('chats', r.tenantId ?? '', c)}>
                  {c}{' '}
                </a>
              ))}
            </dd>
          </>
        )}
      </dl>
      {(r.errors ?? []).length > 0 && (
        <ul class="plain">
          {(r.errors ?? []).map((e, i) => (
            <li key={i} class="inline-error">
              <strong>{e.code}</strong> {e.message}
              {e.path && <span class="muted"> at {e.path.join('.')}</span>}
            </li>
          ))}
        </ul>
      )}
      <CopyAsCurl what="request" build={() => curlOf(r)} />
      <div class="grid two">
        {r.query !== undefined && <Json value={r.query} label="GraphQL document" />}
        {r.variables !== undefined && <Json value={r.variables} label="Variables" />}
      </div>
    </div>
  );
}

const API_OPTIONS = [
  ['graphql', 'GraphQL'],
  ['gurusup', 'Gurusup'],
] as const;
const OUTCOME_OPTIONS = [
  ['true', 'errors only'],
  ['false', 'successes only'],
] as const;

/** The journal's columns; the request's name opens its detail under it. */
function columns(
  api: string,
  failed: string,
  open: string | undefined,
  setOpen: (id: string | undefined) => void,
): Column<RequestRecord>[] {
  return [
    { head: 'At', cell: (r) => <Time at={r.at} short /> },
    { head: 'API', cell: (r) => (r.api === 'graphql' ? 'GraphQL' : 'Gurusup') },
    {
      head: 'Request',
      class: 'wide',
      cell: (r) => (
        <button
          type="button"
          class="link"
          aria-expanded={open === r.id}
          onClick={() => setOpen(open === r.id ? undefined : r.id)}
        >
          {whatOf(r)}
        </button>
      ),
    },
    { head: 'Status', cell: (r) => <HttpBadge code={r.status} /> },
    {
      head: 'Errors',
      cell: (r) =>
        codesOf(r).map((c) => (
          <span key={c} class="badge delivery-bad">
            {c}
          </span>
        )),
    },
    { head: 'Time', class: 'num', cell: (r) => `${r.durationMs} ms` },
    {
      head: 'Tenant',
      cell: (r) =>
        r.tenantId ? (
          <a href={href('requests', { tenant: r.tenantId, api, failed })}>{r.tenantId}</a>
        ) : (
          <span class="muted">—</span>
        ),
    },
  ];
}

/** The request journal: what the integrator's client sent, and what the emulator answered. */
export function RequestsView({ params }: { params: URLSearchParams }) {
  const tenant = params.get('tenant') ?? '';
  const api = params.get('api') ?? '';
  const failed = params.get('failed') ?? '';
  // #/requests?request=ID (what the search opens) opens that request.
  const asked = params.get('request') ?? undefined;
  const [open, setOpen] = useState<string | undefined>(asked);
  useEffect(() => setOpen(asked), [asked]);
  const setParams = (next: Record<string, string>) => navigate(href('requests', { tenant, api, failed, ...next }));
  const journal = useResource<Journal>(
    `/_emulator/requests${query({ tenant, api, failed, limit: 200 })}`,
    (e) => e.type === 'requests',
    1_000,
  );
  const j = journal.data;
  return (
    <div class="page">
      <PageHead title="Requests">
        <div class="filters">
          <SelectField
            label="API"
            value={api}
            onChange={(v) => setParams({ api: v })}
            all="all"
            options={API_OPTIONS}
          />
          <SelectField
            label="Outcome"
            value={failed}
            onChange={(v) => setParams({ failed: v })}
            all="all"
            options={OUTCOME_OPTIONS}
          />
          <label class="field">
            <span>Tenant</span>
            <input
              value={tenant}
              placeholder="all"
              onChange={(e) => setParams({ tenant: (e.target as HTMLInputElement).value })}
            />
          </label>
          {j && j.journal.kept > 0 && (
            <ActionButton onClick={() => send('DELETE', '/_emulator/requests').then(journal.reload)}>
              Clear
            </ActionButton>
          )}
        </div>
      </PageHead>
      <LoadState resource={journal} />
      {j && (
        <Card
          title={`${Math.min(j.requests.length, j.total)} of ${j.total} requests${j.journal.evicted ? ` (the journal keeps the last ${j.journal.limit})` : ''}`}
        >
          {j.requests.length === 0 ? (
            <Empty title={tenant || api || failed ? 'No request matches these filters.' : 'No API request yet.'}>
              Send one from <a href="/graphql">GraphiQL</a>, point your integration at{' '}
              <code>{location.origin}/graphql</code> (Bearer token on the Overview), or call{' '}
              <code>{location.origin}/gurusup</code>.
            </Empty>
          ) : (
            <DataTable
              label="API requests, newest first"
              class="requests"
              columns={columns(api, failed, open, setOpen)}
              rows={j.requests}
              rowKey={(r) => r.id}
              rowProps={(r) => ({ 'data-request-id': r.id, class: open === r.id ? 'open' : '' })}
              detail={(r) => open === r.id && <Detail r={r} />}
            />
          )}
        </Card>
      )}
    </div>
  );
}
