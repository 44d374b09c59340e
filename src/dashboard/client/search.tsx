import { useState } from 'preact/hooks';
import type { RequestRecord } from '../../journal/request-journal';
import { ApiError, enc, getJson } from './api';
import { href, navigate } from './router';
import type { ChatRecord, Delivery, SummaryList, TenantSummary } from './types';

interface Hit {
  label: string;
  href: string;
}

/** A lookup that found nothing (404, or an id the route refuses) is no hit; anything else is an error. */
async function found<T>(path: string): Promise<T | undefined> {
  try {
    return await getJson<T>(path);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 400)) return undefined;
    throw error;
  }
}

/**
 * Everything an id can name, across the views: a chat (in any tenant), a delivery, the deliveries
 * with that Idempotency-Key, a request of the journal. Delivery and request ids are both small
 * numbers, so one id can be both.
 */
export async function lookUp(id: string): Promise<Hit[]> {
  const { tenants } = await getJson<{ tenants: TenantSummary[] }>('/_emulator/tenants');
  const [chats, delivery, byKey, request] = await Promise.all([
    Promise.all(
      tenants.map(async (t) => ({
        tenant: t.id,
        chat: await found<ChatRecord>(`/_emulator/tenants/${enc(t.id)}/chats/${enc(id)}`),
      })),
    ),
    found<Delivery>(`/_emulator/deliveries/${enc(id)}`),
    found<SummaryList>(`/_emulator/deliveries?summary=true&idempotencyKey=${enc(id)}`),
    found<RequestRecord>(`/_emulator/requests/${enc(id)}`),
  ]);
  const hits: Hit[] = [];
  for (const { tenant, chat } of chats)
    if (chat)
      hits.push({ label: `Chat ${chat.id} (${tenant}): ${chat.question}`, href: href('chats', tenant, chat.id) });
  if (delivery)
    hits.push({
      label: `Delivery ${delivery.id}: ${delivery.event} → ${delivery.url}`,
      href: href('deliveries', delivery.id),
    });
  for (const d of byKey?.deliveries ?? [])
    hits.push({
      label: `Delivery ${d.id} with this Idempotency-Key: ${d.event}${d.redeliveryOf ? ` (redelivery of ${d.redeliveryOf})` : ''}`,
      href: href('deliveries', d.id),
    });
  if (request)
    hits.push({
      label: `Request ${request.id}: ${request.route}${request.operationName ? ` ${request.operationName}` : ''} (HTTP ${request.status})`,
      href: href('requests', { request: request.id }),
    });
  return hits;
}

/** The top bar's search: one field for a chat id, delivery id, Idempotency-Key or request id; one hit opens it, several are listed. */
export function Search() {
  const [text, setText] = useState('');
  const [hits, setHits] = useState<Hit[] | undefined>();
  const [message, setMessage] = useState('');
  const close = () => {
    setHits(undefined);
    setMessage('');
  };
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    const id = text.trim();
    if (id === '') return;
    try {
      const found = await lookUp(id);
      if (found.length === 1) {
        close();
        navigate((found[0] as Hit).href);
        return;
      }
      setHits(found);
      setMessage(
        found.length === 0
          ? `Nothing has the id "${id}" (chat, delivery, Idempotency-Key, request). Finished deliveries and requests are kept up to a limit.`
          : `${found.length} things have the id "${id}":`,
      );
    } catch (error) {
      setHits([]);
      setMessage((error as Error).message);
    }
  };
  return (
    <form class="search" role="search" aria-label="Find by id" onSubmit={(e) => void onSubmit(e)}>
      <input
        type="search"
        aria-label="Chat id, delivery id, Idempotency-Key or request id"
        placeholder="Find an id…"
        value={text}
        onInput={(e) => setText((e.target as HTMLInputElement).value)}
        onKeyDown={(e) => e.key === 'Escape' && close()}
      />
      <button type="submit">Find</button>
      {hits && (
        <div class="search-results" role="region" aria-label="Search results">
          <p role="status">{message}</p>
          {hits.length > 0 && (
            <ul class="plain">
              {hits.map((h) => (
                <li key={h.href + h.label}>
                  <a href={h.href} onClick={close}>
                    {h.label}
                  </a>
                </li>
              ))}
            </ul>
          )}
          <button type="button" class="link" onClick={close}>
            Close
          </button>
        </div>
      )}
    </form>
  );
}
