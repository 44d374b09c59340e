import { useEffect, useState } from 'preact/hooks';
import { send } from '../api';
import {
  ActionButton,
  Card,
  CHAT_STATUSES,
  ChatAsCustomer,
  Code,
  ErrorBox,
  KeyValues,
  Loading,
  LoadState,
  PageHead,
  StatusBadge,
  Time,
  useTenants,
} from '../components';
import { useResource } from '../resource';
import { href } from '../router';
import type { ClockView, DeliveryList } from '../types';

export const FIRST_RENDER = 'guuru-dashboard:first-render';

function ClockCard() {
  const clock = useResource<ClockView>('/_emulator/clock', undefined);
  const [ms, setMs] = useState('60000');
  const advance = (by: number) => send<ClockView>('POST', '/_emulator/clock/advance', { ms: by }).then(clock.reload);
  const c = clock.data;
  return (
    <Card title="Clock">
      {clock.error && <ErrorBox message={clock.error} />}
      {c && (
        <>
          <p class="big">
            <Time at={c.now} />
          </p>
          <p>
            {c.kind === 'virtual' ? (
              <>
                <span class="badge neutral">virtual</span> Time moves only when advanced (scenarios advance it too).
              </>
            ) : (
              <>
                <span class="badge neutral">system</span> Real time. Start with <Code>--virtual-clock</Code> to control
                it.
              </>
            )}
          </p>
          {c.kind === 'virtual' && (
            <div class="row">
              <ActionButton onClick={() => advance(60_000)}>+1 min</ActionButton>
              <ActionButton onClick={() => advance(3_600_000)}>+1 h</ActionButton>
              <ActionButton onClick={() => advance(86_400_000)}>+1 day</ActionButton>
              <label class="field inline">
                <span>ms</span>
                <input
                  type="number"
                  min="0"
                  step="1000"
                  value={ms}
                  onInput={(e) => setMs((e.target as HTMLInputElement).value)}
                />
              </label>
              <ActionButton kind="primary" onClick={() => advance(Math.max(0, Math.round(Number(ms) || 0)))}>
                Advance
              </ActionButton>
            </div>
          )}
          {c.kind === 'system' && (
            <button type="button" onClick={clock.reload}>
              Refresh
            </button>
          )}
        </>
      )}
    </Card>
  );
}

function WebhookCard() {
  const log = useResource<DeliveryList>('/_emulator/deliveries?limit=1', (e) => e.type === 'delivery', 1_000);
  const l = log.data?.log;
  return (
    <Card title="Webhooks" actions={<a href={href('deliveries')}>Delivery log →</a>}>
      {l ? (
        <dl class="stats">
          <div>
            <dt>pending</dt>
            <dd>{l.pending}</dd>
          </div>
          <div>
            <dt>finished (kept)</dt>
            <dd>{l.finished}</dd>
          </div>
          <div>
            <dt>log limit</dt>
            <dd>{l.limit}</dd>
          </div>
        </dl>
      ) : (
        <Loading />
      )}
    </Card>
  );
}

export function OverviewView() {
  const tenants = useTenants();
  // When the first view shows its data: what the bench times (time to first render).
  useEffect(() => {
    if (tenants.data && performance.getEntriesByName(FIRST_RENDER).length === 0) performance.mark(FIRST_RENDER);
  }, [tenants.data]);
  const [confirming, setConfirming] = useState(false);
  return (
    <div class="page">
      <PageHead title="Overview">
        <div class="actions">
          <ChatAsCustomer />
          {confirming ? (
            <>
              <span>Every tenant goes back to its seed; created tenants are removed.</span>
              <ActionButton
                kind="danger"
                onClick={() => send('POST', '/_emulator/reset').then(() => setConfirming(false))}
              >
                Yes, reset
              </ActionButton>
              <button type="button" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </>
          ) : (
            <button type="button" class="danger" onClick={() => setConfirming(true)}>
              Reset all data…
            </button>
          )}
        </div>
      </PageHead>
      <LoadState resource={tenants} />
      <div class="grid">
        {tenants.data?.tenants.map((t) => (
          <Card
            key={t.id}
            class="tenant"
            title={<>Tenant {t.id}</>}
            actions={<a href={href('chats', { tenant: t.id })}>{t.counts.chats} chats →</a>}
          >
            <KeyValues
              inline={false}
              items={[
                [
                  'Partner id',
                  <>
                    <Code>{t.id}</Code> {t.builtIn && <span class="badge neutral">built-in</span>}
                  </>,
                ],
                ['Bearer token', <Code>{t.token}</Code>],
                [
                  'Webhook secret',
                  t.webhookSecret ? <Code>{t.webhookSecret}</Code> : <span class="muted">none (unsigned)</span>,
                ],
                t.gurusupApiKey && ['Gurusup x-api-key', <Code>{t.gurusupApiKey}</Code>],
              ]}
            />
            <ul class="counts" aria-label={`Chats of ${t.id} by status`}>
              {CHAT_STATUSES.map((s) => (
                <li key={s}>
                  <a href={href('chats', { tenant: t.id, status: s })}>
                    <StatusBadge status={s} /> <span class="count">{t.counts.chatsByStatus[s]}</span>
                  </a>
                </li>
              ))}
            </ul>
            <p class="muted small">
              {t.counts.experts} experts · {t.counts.personas} personas · {t.counts.submissions} submissions ·{' '}
              {t.counts.pages} pages · {t.counts.gurusupThreads} Gurusup threads
            </p>
          </Card>
        ))}
        <ClockCard />
        <WebhookCard />
        <Card title="Try it">
          <ul class="links">
            <li>
              <a href="/graphql" target="_blank" rel="noopener">
                GraphiQL
              </a>{' '}
              — the documented queries, with the demo token.
            </li>
            <li>
              <a href={href('scenarios')}>Run a scenario</a> — watch a chat being assigned, answered, closed and rated.
            </li>
            <li>
              <a href="/_emulator/health" target="_blank" rel="noopener">
                /_emulator/health
              </a>{' '}
              — the control API (JSON).
            </li>
          </ul>
        </Card>
      </div>
    </div>
  );
}
