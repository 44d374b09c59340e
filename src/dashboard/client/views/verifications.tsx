import { useState } from 'preact/hooks';
import type { SuiteName } from '../../../verify/checks';
import type { CheckResult, VerificationReport } from '../../../verify/report';
import { enc, send } from '../api';
import {
  Card,
  Code,
  DefaultTenantField,
  Empty,
  ErrorBox,
  KeyValues,
  Loading,
  LoadState,
  PageHead,
  SeedField,
  SubmitButton,
  TextField,
  Time,
  useSubmit,
  useTenants,
} from '../components';
import { type Column, DataTable } from '../data-table';
import { EvidenceItem } from '../evidence';
import { usePoll, useResource } from '../resource';
import { href, navigate } from '../router';

type ListedVerification = Omit<VerificationReport, 'checks'>;

/** A verification's state: passed green, failed and error red, running amber, cancelled grey. */
export function VerificationBadge({ status }: { status: VerificationReport['status'] }) {
  const group =
    status === 'passed'
      ? 'delivery-ok'
      : status === 'running'
        ? 'delivery-wait'
        : status === 'cancelled'
          ? 'run-cancelled'
          : 'delivery-bad';
  return <span class={`badge ${group}`}>{status}</span>;
}

/** A check's state; a recommended check that failed is a warning, not a failure of the verification. */
function CheckBadge({ check }: { check: CheckResult }) {
  if (check.status === 'failed' && check.level === 'recommended')
    return <span class="badge delivery-wait">warning</span>;
  const group =
    check.status === 'passed'
      ? 'delivery-ok'
      : check.status === 'failed'
        ? 'delivery-bad'
        : check.status === 'pending'
          ? 'delivery-wait'
          : 'neutral';
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
  const { busy, error, run } = useSubmit();
  const [explore, setExplore] = useState(false);
  const [runs, setRuns] = useState('');
  const selected = chosen ?? suites;
  const current = tenants.data?.tenants.find((t) => t.id === tenant) ?? tenants.data?.tenants[0];
  const start = (e: Event) => {
    e.preventDefault();
    const body: Record<string, unknown> = { target: target.trim(), suites: selected };
    if (tenant) body.tenant = tenant;
    if (seed) body.seed = Number(seed);
    if (timeout) body.timeoutMs = Number(timeout);
    if (explore) body.explore = runs ? { runs: Number(runs) } : {};
    run(
      () => send<{ id: string }>('POST', '/_emulator/verifications', body),
      (started) => navigate(href('verifications', started.id)),
    );
  };
  return (
    <form onSubmit={start} aria-label="Verify an integration">
      {current && (
        <p class="small">
          Your integration must call <Code>{current.graphqlUrl ?? `${location.origin}/graphql`}</Code> with{' '}
          <Code>Authorization: Bearer {current.token}</Code> and check webhook signatures with the secret{' '}
          <Code>{current.webhookSecret}</Code> (tenant {current.id}).
        </p>
      )}
      <div class="form-grid">
        <TextField
          label="Target: your webhook receiver"
          class="wide"
          name="target"
          type="url"
          required
          placeholder="http://127.0.0.1:8000/webhooks"
          value={target}
          onInput={setTarget}
        />
        <fieldset class="field suites">
          <legend>Suites</legend>
          {suites.map((s) => (
            <label key={s} class="field inline">
              <input
                type="checkbox"
                name="suite"
                value={s}
                checked={selected.includes(s)}
                onChange={(e) =>
                  setChosen(
                    (e.target as HTMLInputElement).checked
                      ? suites.filter((x) => x === s || selected.includes(x))
                      : selected.filter((x) => x !== s),
                  )
                }
              />
              <span>{s}</span>
            </label>
          ))}
        </fieldset>
        <DefaultTenantField value={tenant} onChange={setTenant} />
        <SeedField value={seed} onChange={setSeed} />
        <TextField
          label="Timeout (ms)"
          name="timeoutMs"
          type="number"
          min="1"
          placeholder="the delivery timeout"
          value={timeout}
          onInput={setTimeoutMs}
          hint="to answer a delivery and act on it"
        />
        <label class="field inline">
          <input
            type="checkbox"
            name="explore"
            checked={explore}
            onChange={(e) => setExplore((e.target as HTMLInputElement).checked)}
          />
          <span>Explore: generated conversations after the checks, the first failing one shrunk to a minimal flow</span>
        </label>
        {explore && (
          <label class="field">
            <span>Flows</span>
            <input
              name="runs"
              type="number"
              min="1"
              placeholder="100"
              value={runs}
              onInput={(e) => setRuns((e.target as HTMLInputElement).value)}
            />
          </label>
        )}
      </div>
      <SubmitButton busy={busy} error={error} disabled={selected.length === 0 && !explore}>
        Verify
      </SubmitButton>
    </form>
  );
}

export function VerificationsView() {
  const list = useResource<{ verifications: ListedVerification[]; suites: SuiteName[] }>('/_emulator/verifications');
  const all = [...(list.data?.verifications ?? [])].reverse();
  usePoll(
    all.some((v) => v.status === 'running'),
    list.reload,
  );
  return (
    <div class="page">
      <PageHead title="Verify an integration" />
      <Card title="Start a verification">
        <p>
          The emulator plays GUURU against your running integration: it sends its webhook receiver deliveries (signed,
          forged, duplicated, retried, out of order, unknown), watches what it then does through the Admin API, and
          hands back a verdict per check. The same as <Code>guuru-emulator verify --target URL</Code>.
        </p>
        {list.data && <VerifyForm suites={list.data.suites} />}
      </Card>
      <Card title="Verifications">
        <LoadState resource={list} />
        {list.data && all.length === 0 ? (
          <Empty title="No verification yet.">
            Start one with the form above, or run <code>guuru-emulator verify --target URL</code>.
          </Empty>
        ) : (
          <DataTable
            label="Verifications"
            class="verifications"
            columns={LIST_COLUMNS}
            rows={all}
            rowKey={(v) => v.id}
            rowProps={(v) => ({ 'data-verification-id': v.id })}
          />
        )}
      </Card>
    </div>
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

const LIST_COLUMNS: Column<ListedVerification>[] = [
  { head: 'Verification', cell: (v) => <a href={href('verifications', v.id)}>{v.id}</a> },
  { head: 'Status', cell: (v) => <VerificationBadge status={v.status} /> },
  { head: 'Target', class: 'url', title: (v) => v.target, cell: (v) => v.target },
  { head: 'Checks', class: 'counts', cell: (v) => counts(v.summary) },
  { head: 'Started', cell: (v) => <Time at={Date.parse(v.timings.startedAt)} /> },
];

/** A check's evidence: the one line, the rule when it failed, and the pieces behind it folded away. */
function CheckEvidence({ check: c, tenant }: { check: CheckResult; tenant: string }) {
  return (
    <>
      {c.status === 'pending' ? <span class="muted">examining…</span> : <span class="evidence-line">{c.evidence}</span>}
      {c.status === 'failed' && <p class="rule small">The rule: {c.rule}</p>}
      {c.details.length > 0 && (
        <details>
          <summary class="small">
            {c.details.length} piece{c.details.length === 1 ? '' : 's'} of evidence
          </summary>
          <ul class="evidence small">
            {c.details.map((e, i) => (
              <EvidenceItem key={i} e={e} tenant={tenant} />
            ))}
          </ul>
        </details>
      )}
    </>
  );
}

const checklistColumns = (tenant: string): Column<CheckResult>[] => [
  { head: 'Status', cell: (c) => <CheckBadge check={c} /> },
  {
    head: 'Check',
    cell: (c) => (
      <>
        <strong>{c.title}</strong>
        <div class="muted small">
          <code>{c.id}</code>
        </div>
      </>
    ),
  },
  { head: 'Level', class: 'small', cell: (c) => c.level },
  { head: 'Evidence', class: 'wide evidence-cell', cell: (c) => <CheckEvidence check={c} tenant={tenant} /> },
  { head: 'Documented in', class: 'small', cell: (c) => <DocLink doc={c.doc} /> },
];

export function VerificationPage({ id }: { id: string }) {
  const report = useResource<VerificationReport>(`/_emulator/verifications/${enc(id)}`);
  const r = report.data;
  usePoll(r?.status === 'running', report.reload);
  if (report.error) return <ErrorBox message={report.error} />;
  if (!r) return <Loading />;
  const ack = r.timings.acknowledgement;
  return (
    <div class="page">
      <PageHead
        title={
          <>
            Verification {r.id} <VerificationBadge status={r.status} />
          </>
        }
        back={[href('verifications'), 'Verify']}
        here={r.id}
      >
        <div class="actions">
          <a href={`/_emulator/verifications/${enc(r.id)}/junit`} download={`${r.id}.xml`}>
            JUnit XML
          </a>
          <a href={`/_emulator/verifications/${enc(r.id)}`} target="_blank" rel="noopener">
            JSON
          </a>
          {r.status === 'running' && (
            <button
              type="button"
              class="danger"
              onClick={() => void send('DELETE', `/_emulator/verifications/${enc(r.id)}`).then(report.reload)}
            >
              Cancel
            </button>
          )}
        </div>
      </PageHead>
      {r.error && <ErrorBox message={r.status === 'error' ? `Could not run: ${r.error}` : `Stopped: ${r.error}`} />}
      <KeyValues
        items={[
          ['Target', <Code>{r.target}</Code>],
          ['Tenant', r.tenant],
          ['Suites', r.suites.join(', ')],
          ['Seed', r.seed],
          ['Timeout', `${r.timeoutMs} ms`],
          [
            'Acknowledgement',
            ack ? (
              `p50 ${ack.p50Ms} ms · p99 ${ack.p99Ms} ms · max ${ack.maxMs} ms over ${ack.samples} answers`
            ) : (
              <span class="muted">—</span>
            ),
            'ack',
          ],
          r.timings.durationMs !== undefined && ['Took', `${(r.timings.durationMs / 1000).toFixed(1)} s`],
        ]}
      />
      {r.explore && <ExploreCard r={r} />}
      <Card
        title={
          <>
            Checklist <span class="muted small summary">{counts(r.summary)}</span>
          </>
        }
      >
        <DataTable
          label="Checklist"
          class="checklist"
          columns={checklistColumns(r.tenant)}
          rows={r.checks}
          rowKey={(c) => c.id}
          rowProps={(c) => ({ 'data-check-id': c.id, class: `check-${c.status}` })}
        />
      </Card>
    </div>
  );
}

/** The explore part: how many flows were played, and the minimal failing flow with its replay file. */
function ExploreCard({ r }: { r: VerificationReport }) {
  const x = r.explore;
  if (!x) return null;
  const failure = x.failure;
  const file = failure
    ? `data:application/json,${encodeURIComponent(JSON.stringify(failure.file, null, 2))}`
    : undefined;
  return (
    <Card title={x.mode === 'replay' ? 'Replay' : 'Explore'}>
      <p class="small" aria-label="Explore summary">
        {x.mode === 'replay'
          ? 'one recorded flow played again'
          : `${x.flows} generated flow${x.flows === 1 ? '' : 's'}${x.shrinkRuns ? `, ${x.shrinkRuns} played while shrinking` : ''}${x.outOfTime ? ' (the time budget ended the search)' : ''}`}
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
