import { send } from './api';
import { ActionButton, DeliveryBadge, HttpBadge, Time } from './components';
import { href } from './router';
import type { Attempt, Delivery } from './types';

/** The header that carries the signature, whatever its case. */
export const signatureOf = (d: Delivery): string | undefined =>
  Object.entries(d.headers).find(([k]) => k.toLowerCase() === 'x-guuru-hmac-sha256')?.[1];

export const redeliver = (id: string) => send('POST', `/_emulator/deliveries/${encodeURIComponent(id)}/redeliver`);

export function AttemptRows({ attempts, via }: { attempts: Attempt[]; via?: string }) {
  return (
    <>
      {attempts.map((a) => (
        <tr key={`${via ?? ''}${a.attempt}`} class="attempt">
          <td>
            #{a.attempt}
            {via && <span class="muted small"> ({via})</span>}
          </td>
          <td>
            <Time at={a.at} short />
          </td>
          <td>
            <HttpBadge code={a.statusCode} error={a.error} />
          </td>
          <td class="num">{a.durationMs} ms</td>
          <td class="wide">
            {a.error && <span class="inline-error">{a.error}</span>}
            {a.response !== undefined && a.response !== '' && <code class="excerpt">{a.response.slice(0, 160)}</code>}
            {a.fault && <span class="badge neutral">fault: {a.fault}</span>}
          </td>
        </tr>
      ))}
    </>
  );
}

/**
 * One webhook with every attempt, its redeliveries' attempts under it (a redelivery is another
 * try of the same event: same body, same signature, same idempotency key), and "Redeliver".
 */
export function WebhookBlock({
  delivery,
  repeats,
  readOnly,
}: {
  delivery: Delivery;
  repeats: Delivery[];
  readOnly?: boolean;
}) {
  const signature = signatureOf(delivery);
  const attempts = delivery.attempts.length + repeats.reduce((n, r) => n + r.attempts.length, 0);
  return (
    <div class="webhook" data-delivery-id={delivery.id}>
      <div class="webhook-head">
        <span class="event">{delivery.event}</span>
        <DeliveryBadge status={repeats.at(-1)?.status ?? delivery.status} />
        {readOnly ? (
          <span class="small">delivery {delivery.id}</span>
        ) : (
          <a href={href('deliveries', delivery.id)} class="small">
            delivery {delivery.id}
          </a>
        )}
        <span class="muted small url" title={delivery.url}>
          → {delivery.url}
        </span>
        <span class="muted small attempt-count">
          {attempts} attempt{attempts === 1 ? '' : 's'}
        </span>
        {!readOnly && (
          <ActionButton onClick={() => redeliver(delivery.id)} label={`Redeliver delivery ${delivery.id}`}>
            Redeliver
          </ActionButton>
        )}
      </div>
      {delivery.idempotencyKey && (
        <div class="muted small idempotency-key">
          Idempotency-Key: <code>{delivery.idempotencyKey}</code>
        </div>
      )}
      {signature && (
        <div class="muted small signature">
          X-Guuru-Hmac-Sha256: <code>{signature}</code>
        </div>
      )}
      <details class="signed-body">
        <summary>Signed body and headers</summary>
        <pre class="json" tabIndex={0} aria-label={`Headers of delivery ${delivery.id}`}>
          {Object.entries(delivery.headers)
            .map(([k, v]) => `${k}: ${v}`)
            .join('\n')}
        </pre>
        <pre class="json" tabIndex={0} aria-label={`Body of delivery ${delivery.id}`}>
          {delivery.rawBody}
        </pre>
      </details>
      {attempts === 0 ? (
        <p class="muted small">
          {delivery.status === 'held' ? 'Held back by a reorder fault.' : 'Queued, not sent yet.'}
        </p>
      ) : (
        <table class="attempts" aria-label={`Attempts of delivery ${delivery.id}`}>
          <tbody>
            <AttemptRows attempts={delivery.attempts} />
            {repeats.map((r) => (
              <AttemptRows
                key={r.id}
                attempts={r.attempts}
                via={`${r.redeliveryOf ? 'redelivery' : 'duplicate'} ${r.id}`}
              />
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** Splits a chat's deliveries into originals and, per original, its redeliveries and duplicates. */
export function groupRepeats(deliveries: Delivery[]): { originals: Delivery[]; repeatsOf: Map<string, Delivery[]> } {
  const ids = new Set(deliveries.map((d) => d.id));
  const repeatsOf = new Map<string, Delivery[]>();
  const originals: Delivery[] = [];
  for (const d of deliveries) {
    const of = d.redeliveryOf ?? d.duplicateOf;
    if (of !== undefined && ids.has(of)) {
      // A redelivery of a redelivery counts for the first one.
      let root = of;
      for (let i = 0; i < 50; i += 1) {
        const parent = deliveries.find((x) => x.id === root);
        const up = parent?.redeliveryOf ?? parent?.duplicateOf;
        if (up === undefined || !ids.has(up)) break;
        root = up;
      }
      repeatsOf.set(root, [...(repeatsOf.get(root) ?? []), d]);
    } else originals.push(d);
  }
  return { originals, repeatsOf };
}
