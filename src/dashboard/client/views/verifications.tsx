import { useState } from 'preact/hooks';
import type { SuiteName } from '../../../verify/checks';
import type { CheckResult, Evidence, VerificationReport } from '../../../verify/report';
import { enc, send } from '../api';
import { Card, Code, DefaultTenantField, Empty, ErrorBox, Loading, SeedField, Time, useTenants } from '../components';
import { usePoll, useResource } from '../resource';
import { href, navigate } from '../router';

type ListedVerification = Omit<VerificationReport, 'checks'>;

/** A verification's state: passed green, failed and error red, running amber, cancelled grey. */
export function VerificationBadge({ status }: { status: VerificationReport['status'] }) {
  const group = status === 'passed' ? 'delivery-ok' : status === 'running' ? 'delivery-wait' : status === 'cancelled' ? 'run-cancelled' : 'delivery-bad';
  return <span class={`badge ${group}`}>{status}</span>;
}

/** A check's state; a recommended check that failed is a warning, not a failure of the verification. */
function CheckBadge({ check }: { check: CheckResult }) {
  if (check.status === 'failed' && check.level === 'recommended') return <span class="badge delivery-wait">warning</span>;
  const group = check.status === 'passed' ? 'delivery-ok' : check.status === 'failed' ? 'delivery-bad' : check.status === 'pending' ? 'delivery-wait' : 'neutral';
  return <span class={`badge ${group}`}>{check.status}</span>;
}

const counts = (s: VerificationReport['summary']) =>
  `${s.passed} passed · ${s.failed} failed${s.failed > 0 ? ` (${s.requiredFailed} required)` : ''} · ${s.skipped} skipped${s.pending > 0 ? ` · ${s.pending} to go` : ''}`;

function VerifyForm({ suites }: { suites: SuiteName[] }) {
  const tenants = useTenants();
  const [target, setTarget] = useState('');
  const [tenant, setTenant] = useState('');
  const [seed, setSeed] = useState('');
  const [timeout, setTimeoutMs] = useState('');
  const [chosen, setChosen] = useState<SuiteName[] | undefined>();
  const [explore, setExplore] = useState(false);
  const [runs, setRuns] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const selected = chosen ?? suites;
  const current = tenants.data?.tenants.find((t) => t.id === tenant) ?? tenants.data?.tenants[0];
  const start = (e: Event) => {
    e.preventDefault();
    const body: Record<string, unknown> = { target: target.trim(), suites: selected };
    if (tenant) body.tenant = tenant;
    if (seed) body.seed = Number(seed);
    if (timeout) body.timeoutMs = Number(timeout);
    if (explore) body.explore = runs ? { runs: Number(runs) } : {};
    setBusy(true);
    send<{ id: string }>('POST', '/_emulator/verifications', body)
      .then((started) => (setError(undefined), navigate(href('verifications', started.id))), (err: Error) => setError(err.message))
      .finally(() => setBusy(false));
  };
  return (
    <form onSubmit={start} aria-label="Verify an integration">
      {current && (
        <p class="small">
          Your integration must call <Code>{current.graphqlUrl ?? `${location.origin}/graphql`}</Code> with <Code>Authorization: Bearer {current.token}</Code> and check webhook signatures
          with the secret <Code>{current.webhookSecret}</Code> (tenant {current.id}).
        </p>
      )}
      <div class="form-grid">
        <label class="field wide">
          <span>Target: your webhook receiver</span>
          <input name="target" type="url" required placeholder="http://127.0.0.1:8000/webhooks" value={target} onInput={(e) => setTarget((e.target as HTMLInputElement).value)} />
        </label>
        <fieldset class="field suites">
          <legend>Suites</legend>
          {suites.map((s) => (
            <label key={s} class="field inline">
              <input
                type="checkbox"
                name="suite"
                value={s}
                checked={selected.includes(s)}
                onChange={(e) => setChosen((e.target as HTMLInputElement).checked ? suites.filter((x) => x === s || selected.includes(x)) : selected.filter((x) => x !== s))}
              />
              <span>{s}</span>
            </label>
          ))}
        </fieldset>
        <DefaultTenantField value={tenant} onChange={setTenant} />
        <SeedField value={seed} onChange={setSeed} />
        <label class="field">
          <span>Timeout (ms)</span>
          <input name="timeoutMs" type="number" min="1" placeholder="the delivery timeout" value={timeout} onInput={(e) => setTimeoutMs((e.target as HTMLInputElement).value)} />
          <small class="muted">to answer a delivery and act on it</small>
        </label>
        <label class="field inline">
          <input type="checkbox" name="explore" checked={explore} onChange={(e) => setExplore((e.target as HTMLInputElement).checked)} />
          <span>Explore: generated conversations after the checks, the first failing one shrunk to a minimal flow</span>
        </label>
        {explore && (
          <label class="field">
            <span>Flows</span>
            <input name="runs" type="number" min="1" placeholder="100" value={runs} onInput={(e) => setRuns((e.target as HTMLInputElement).value)} />
          </label>
        )}
      </div>
      <button type="submit" class="primary" disabled={busy || (selected.length === 0 && !explore)}>
        Verify
      </button>
      {error && <ErrorBox message={error} />}
    </form>
  );
}

export function VerificationsView() {
  const list = useResource<{ verifications: ListedVerification[]; suites: SuiteName[] }>('/_emulator/verifications');
  const all = [...(list.data?.verifications ?? [])].reverse();
  usePoll(all.some((v) => v.status === 'running'), list.reload);
  return (
    <div class="page">
      <div class="page-head">
        <h1>Verify an integration</h1>
      </div>
      <Card title="Start a verification">
        <p>
          The emulator plays GUURU against your running integration: it sends its webhook receiver deliveries (signed, forged, duplicated, retried, out of order, unknown), watches what
          it then does through the Admin API, and hands back a verdict per check. The same as <Code>guuru-emulator verify --target URL</Code>.
        </p>
        {list.data && <VerifyForm suites={list.data.suites} />}
      </Card>
      <Card title="Verifications">
        {list.error && <ErrorBox message={list.error} />}
        {!list.data && !list.error && <Loading />}
        {list.data && all.length === 0 ? (
          <Empty title="No verification yet.">Start one with the form above, or run <code>guuru-emulator verify --target URL</code>.</Empty>
        ) : (
          <table class="list verifications" aria-label="Verifications">
            <thead>
              <tr>
                <th>Verification</th>
                <th>Status</th>
                <th>Target</th>
                <th>Checks</th>
                <th>Started</th>
              </tr>
            </thead>
            <tbody>
              {all.map((v) => (
                <tr key={v.id} data-verification-id={v.id}>
                  <td>
                    <a href={href('verifications', v.id)}>{v.id}</a>
                  </td>
                  <td>
                    <VerificationBadge status={v.status} />
                  </td>
                  <td class="url" title={v.target}>
                    {v.target}
                  </td>
                  <td class="counts">{counts(v.summary)}</td>
                  <td>
                    <Time at={Date.parse(v.timings.startedAt)} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </div>
  );
}

function EvidenceItem({ e, tenant }: { e: Evidence; tenant: string }) {
  if (e.kind === 'note') return <li>{e.text}</li>;
  if (e.kind === 'api-call')
    return (
      <li>
        API call <a href={href('requests', { tenant })}>{e.operation}</a> on <a href={href('chats', tenant, e.chatId)}>{e.chatId}</a>: {e.ok ? 'ok' : `refused ${e.errorCode ?? ''}`}
        {e.errorMessage ? ` (${e.errorMessage})` : ''}
      </li>
    );
  const answer = e.statusCode !== undefined ? `HTTP ${e.statusCode}` : (e.error ?? 'no answer');
  return (
    <li>
      sent <strong>{e.label}</strong> (attempt {e.attempt}, Idempotency-Key <Code>{e.idempotencyKey}</Code>
      {e.chatId && (
        <>
          , chat <a href={href('chats', tenant, e.chatId)}>{e.chatId}</a>
        </>
      )}
      ) → {answer}
      {e.response ? <> <Code>{e.response}</Code></> : null}
      {e.durationMs !== undefined ? <span class="muted"> in {e.durationMs} ms</span> : null}
    </li>
  );
}

/** The page a check comes from: a link for the vendor's pages, the file's name for the emulator's own docs. */
function DocLink({ doc }: { doc: CheckResult['doc'] }) {
  if (/^https?:\/\//.test(doc.url))
    return (
      <a href={doc.url} target="_blank" rel="noopener">
        {doc.title} ↗
      </a>
    );
  return (
    <span>
      {doc.title} (<Code>{doc.url}</Code> in the package)
    </span>
  );
}

export function VerificationPage({ id }: { id: string }) {
  const report = useResource<VerificationReport>(`/_emulator/verifications/${enc(id)}`);
  const r = report.data;
  usePoll(r?.status === 'running', report.reload);
  if (report.error) return <ErrorBox message={report.error} />;
  if (!r) return <Loading />;
  const ack = r.timings.acknowledgement;
  return (
    <div class="page">
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={href('verifications')}>Verify</a> / <span>{r.id}</span>
      </nav>
      <div class="page-head">
        <h1>
          Verification {r.id} <VerificationBadge status={r.status} />
        </h1>
        <div class="actions">
          <a href={`/_emulator/verifications/${enc(r.id)}/junit`} download={`${r.id}.xml`}>
            JUnit XML
          </a>
          <a href={`/_emulator/verifications/${enc(r.id)}`} target="_blank" rel="noopener">
            JSON
          </a>
          {r.status === 'running' && (
            <button type="button" class="danger" onClick={() => void send('DELETE', `/_emulator/verifications/${enc(r.id)}`).then(report.reload)}>
              Cancel
            </button>
          )}
        </div>
      </div>
      {r.error && <ErrorBox message={r.status === 'error' ? `Could not run: ${r.error}` : `Stopped: ${r.error}`} />}
      <dl class="kv inline-kv">
        <dt>Target</dt>
        <dd>
          <Code>{r.target}</Code>
        </dd>
        <dt>Tenant</dt>
        <dd>{r.tenant}</dd>
        <dt>Suites</dt>
        <dd>{r.suites.join(', ')}</dd>
        <dt>Seed</dt>
        <dd>{r.seed}</dd>
        <dt>Timeout</dt>
        <dd>{r.timeoutMs} ms</dd>
        <dt>Acknowledgement</dt>
        <dd class="ack">{ack ? `p50 ${ack.p50Ms} ms · p99 ${ack.p99Ms} ms · max ${ack.maxMs} ms over ${ack.samples} answers` : <span class="muted">—</span>}</dd>
        {r.timings.durationMs !== undefined && (
          <>
            <dt>Took</dt>
            <dd>{(r.timings.durationMs / 1000).toFixed(1)} s</dd>
          </>
        )}
      </dl>
      {r.explore && <ExploreCard r={r} />}
      <Card title={<>Checklist <span class="muted small summary">{counts(r.summary)}</span></>}>
        <table class="list checklist" aria-label="Checklist">
          <thead>
            <tr>
              <th>Status</th>
              <th>Check</th>
              <th>Level</th>
              <th>Evidence</th>
              <th>Documented in</th>
            </tr>
          </thead>
          <tbody>
            {r.checks.map((c) => (
              <tr key={c.id} data-check-id={c.id} class={`check-${c.status}`}>
                <td>
                  <CheckBadge check={c} />
                </td>
                <td>
                  <strong>{c.title}</strong>
                  <div class="muted small">
                    <code>{c.id}</code>
                  </div>
                </td>
                <td class="small">{c.level}</td>
                <td class="wide evidence-cell">
                  {c.status === 'pending' ? <span class="muted">examining…</span> : <span class="evidence-line">{c.evidence}</span>}
                  {c.status === 'failed' && <p class="rule small">The rule: {c.rule}</p>}
                  {c.details.length > 0 && (
                    <details>
                      <summary class="small">{c.details.length} piece{c.details.length === 1 ? '' : 's'} of evidence</summary>
                      <ul class="evidence small">
                        {c.details.map((e, i) => (
                          <EvidenceItem key={i} e={e} tenant={r.tenant} />
                        ))}
                      </ul>
                    </details>
                  )}
                </td>
                <td class="small">
                  <DocLink doc={c.doc} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </div>
  );
}

/** The explore part: how many flows were played, and the minimal failing flow with its replay file. */
function ExploreCard({ r }: { r: VerificationReport }) {
  const x = r.explore;
  if (!x) return null;
  const failure = x.failure;
  const file = failure ? `data:application/json,${encodeURIComponent(JSON.stringify(failure.file, null, 2))}` : undefined;
  return (
    <Card title={x.mode === 'replay' ? 'Replay' : 'Explore'}>
      <p class="small" aria-label="Explore summary">
        {x.mode === 'replay' ? 'one recorded flow played again' : `${x.flows} generated flow${x.flows === 1 ? '' : 's'}${x.shrinkRuns ? `, ${x.shrinkRuns} played while shrinking` : ''}${x.outOfTime ? ' (the time budget ended the search)' : ''}`}
        {r.status === 'running' && <span class="muted"> · running…</span>}
      </p>
      {failure && (
        <>
          <p>
            The smallest flow that breaks <code>{failure.property}</code>
            {x.mode === 'explore' ? ` (shrunk from ${failure.originalSteps} steps)` : ''}:
          </p>
          <ol class="explore-flow" aria-label="Minimal flow">
            {failure.steps.map((s) => (
              <li key={s}>{s.replace(/^\d+\.\s*/, '')}</li>
            ))}
          </ol>
          <p class="small">→ {failure.text}</p>
          <p class="rule small">The rule: {failure.rule}</p>
          {x.mode === 'explore' && (
            <p class="small">
              <a href={file} download={`guuru-explore-${failure.property.replace(/^explore\./, '')}.json`}>
                Download the flow file
              </a>{' '}
              and play it again with <Code>{`guuru-emulator verify --target ${r.target} --replay FILE`}</Code>
            </p>
          )}
        </>
      )}
    </Card>
  );
}
