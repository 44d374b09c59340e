import { useEffect, useState } from 'preact/hooks';
import { enc, getJson, query } from '../api';
import {
  Card,
  CHAT_STATUSES,
  ChatAsCustomer,
  Empty,
  LoadState,
  PageHead,
  SelectField,
  StatusBadge,
  TenantPicker,
  Time,
  useTenantId,
} from '../components';
import { type Column, DataTable } from '../data-table';
import { useLive } from '../live';
import { href, navigate } from '../router';
import type { ChatSummary } from '../types';
import { ImportSession } from './agent-console';

interface ChatList {
  chats: ChatSummary[];
  total: number;
  languages: string[];
}

const PAGE = 50;

const chatColumns = (tenant: string): Column<ChatSummary>[] => [
  { head: 'Status', cell: (c) => <StatusBadge status={c.status} /> },
  {
    head: 'Question',
    class: 'wide',
    cell: (c) => (
      <>
        <a href={href('chats', tenant, c.id)}>{c.question}</a>
        <div class="muted small">
          {c.id}
          {c.userName ? ` · ${c.userName}` : ''}
          {c.rating ? ` · rated ${c.rating}` : ''}
        </div>
      </>
    ),
  },
  { head: 'Lang', cell: (c) => c.language },
  { head: 'Messages', class: 'num', cell: (c) => c.messages },
  { head: 'Created', cell: (c) => <Time at={c.createdAt} /> },
];

/**
 * A tenant's chats, newest first. Live: a chat that changes is updated in place, a new one appears
 * on top (if it passes the filters), without reading the list again.
 */
export function ChatsView({ params }: { params: URLSearchParams }) {
  const tenant = useTenantId(params.get('tenant'));
  const status = params.get('status') ?? '';
  const language = params.get('language') ?? '';
  const [list, setList] = useState<ChatList | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [more, setMore] = useState(false);
  const setParams = (next: Record<string, string | undefined>) =>
    navigate(href('chats', { tenant: params.get('tenant') ?? undefined, status, language, ...next }));

  const load = (before?: number) => {
    if (tenant === undefined) return;
    getJson<ChatList>(
      `/_emulator/tenants/${enc(tenant)}/chats${query({ status, language, limit: PAGE, before })}`,
    ).then(
      (page) => {
        setError(undefined);
        setList((prev) => (before !== undefined && prev ? { ...page, chats: [...prev.chats, ...page.chats] } : page));
        setMore(page.chats.length === PAGE);
      },
      (e: Error) => setError(e.message),
    );
  };
  useEffect(() => {
    setList(undefined);
    load();
  }, [tenant, status, language]);

  useLive((events) => {
    if (
      events.some(
        (e) => e.type === 'resync' || (e.type === 'tenants' && (e.tenantId === undefined || e.tenantId === tenant)),
      )
    ) {
      load();
      return;
    }
    const changed = events.flatMap((e) => (e.type === 'chat' && e.tenantId === tenant ? [e.chat] : []));
    if (changed.length === 0) return;
    setList((prev) => {
      if (!prev) return prev;
      const matches = (c: ChatSummary) =>
        (status === '' || status.split(',').includes(c.status)) && (language === '' || c.language === language);
      const byId = new Map(changed.map((c) => [c.id, c]));
      let total = prev.total;
      const kept = prev.chats.flatMap((c) => {
        const next = byId.get(c.id);
        if (!next) return [c];
        byId.delete(c.id);
        if (matches(next)) return [next];
        total -= 1;
        return [];
      });
      const newest = prev.chats[0]?.seq ?? 0;
      const fresh = [...byId.values()].filter((c) => c.seq > newest && matches(c)).sort((a, b) => b.seq - a.seq);
      const languages = [...new Set([...prev.languages, ...changed.map((c) => c.language)])].sort();
      return { chats: [...fresh, ...kept], total: total + fresh.length, languages };
    });
  });

  const statuses = status === '' ? [] : status.split(',');
  const toggle = (s: string) =>
    setParams({ status: (statuses.includes(s) ? statuses.filter((x) => x !== s) : [...statuses, s]).join(',') });

  return (
    <div class="page">
      <PageHead title="Chats">
        <div class="filters">
          <TenantPicker value={tenant ?? ''} onChange={(t) => setParams({ tenant: t })} />
          <SelectField
            label="Language"
            value={language}
            onChange={(v) => setParams({ language: v })}
            all="all"
            options={list?.languages ?? []}
          />
          <ChatAsCustomer tenant={params.get('tenant') ?? undefined} />
          <ImportSession />
        </div>
      </PageHead>
      <div class="chips" role="group" aria-label="Filter by status">
        {CHAT_STATUSES.map((s) => (
          <button
            key={s}
            type="button"
            class={`chip status-${s}`}
            aria-pressed={statuses.includes(s)}
            onClick={() => toggle(s)}
          >
            {s}
          </button>
        ))}
        {statuses.length > 0 && (
          <button type="button" class="link" onClick={() => setParams({ status: '' })}>
            clear
          </button>
        )}
      </div>
      <LoadState resource={{ data: list, error }} />
      {list && (
        <Card title={`${list.total} chat${list.total === 1 ? '' : 's'}`}>
          {list.chats.length === 0 ? (
            <Empty title={statuses.length || language ? 'No chat matches these filters.' : 'No chats yet.'}>
              Run a scenario (<a href={href('scenarios')}>Scenarios</a>) or create one with{' '}
              <code>POST /_emulator/tenants/{tenant}/chats</code>.
            </Empty>
          ) : (
            <DataTable
              label="Chats, newest first"
              class="chats"
              columns={chatColumns(tenant ?? '')}
              rows={list.chats}
              rowKey={(c) => c.id}
              rowProps={(c) => ({ 'data-chat-id': c.id })}
            />
          )}
          {more && (
            <button type="button" onClick={() => load(list.chats[list.chats.length - 1]?.seq)}>
              Load older chats
            </button>
          )}
        </Card>
      )}
    </div>
  );
}
