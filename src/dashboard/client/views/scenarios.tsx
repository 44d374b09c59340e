import { useEffect, useState } from 'preact/hooks';
import { enc, query, send } from '../api';
import { Card, Code, DefaultTenantField, DeliveryBadge, Empty, ErrorBox, Loading, SeedField, Time } from '../components';
import { EvidenceItem } from '../evidence';
import { usePoll, useResource } from '../resource';
import { href, navigate } from '../router';
import type { ScenarioSummary } from '../../../control/scenario-routes';
import type { RunRecord } from '../../../scenarios/run-types';
import { timelineText } from '../../../scenarios/timeline-text';
import type { SummaryList } from '../types';

/** A run as the list shows it (without its time line), and in full. */
type RunSummary = Omit<RunRecord, 'timeline'>;
type Run = RunRecord;

export const RunBadge = ({ status }: { status: RunSummary['status'] }) => <span class={`badge run-${status}`}>{status}</span>;

function RunForm({ scenario, onStarted }: { scenario: ScenarioSummary; onStarted: (run: RunSummary) => void }) {
  const [values, setValues] = useState<Record<string, string | boolean>>({});
  const [target, setTarget] = useState('');
  const [speed, setSpeed] = useState('60');
  const [seed, setSeed] = useState('');
  const [tenant, setTenant] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  useEffect(() => setValues({}), [scenario.name]);
  const start = (e: Event) => {
    e.preventDefault();
    const params: Record<string, string | number | boolean> = {};
    for (const [name, spec] of Object.entries(scenario.params)) {
      const v = values[name];
      if (v === undefined || v === '') continue;
      params[name] = typeof spec.default === 'number' ? Number(v) : v;
    }
    const body: Record<string, unknown> = { params, speed: Number(speed) };
    if (target) body.target = target;
    if (seed) body.seed = Number(seed);
    if (tenant) body.tenant = tenant;
    setBusy(true);
    send<RunSummary>('POST', `/_emulator/scenarios/${enc(scenario.name)}/runs`, body)
      .then((run) => (setError(undefined), onStarted(run)), (err: Error) => setError(err.message))
      .finally(() => setBusy(false));
  };
  const params = Object.entries(scenario.params).filter(([name]) => name !== 'tenant');
  return (
    <form class="run-form" onSubmit={start} aria-label={`Run ${scenario.name}`}>
      <div class="form-grid">
        {params.map(([name, spec]) => (
          <label key={name} class="field" title={spec.description}>
            <span>{name}</span>
            {spec.enum ? (
              <select name={name} value={String(values[name] ?? spec.default)} onChange={(e) => setValues({ ...values, [name]: (e.target as HTMLSelectElement).value })}>
                {spec.enum.map((o) => (
                  <option key={String(o)}>{String(o)}</option>
                ))}
              </select>
            ) : typeof spec.default === 'boolean' ? (
              <input type="checkbox" name={name} checked={Boolean(values[name] ?? spec.default)} onChange={(e) => setValues({ ...values, [name]: (e.target as HTMLInputElement).checked })} />
            ) : (
              <input
                name={name}
                type={typeof spec.default === 'number' ? 'number' : 'text'}
                placeholder={String(spec.default)}
                value={String(values[name] ?? '')}
                onInput={(e) => setValues({ ...values, [name]: (e.target as HTMLInputElement).value })}
              />
            )}
            {spec.description && <small class="muted">{spec.description}</small>}
          </label>
        ))}
        <DefaultTenantField value={tenant} onChange={setTenant} />
        <label class="field">
          <span>Speed</span>
          <input name="speed" type="number" min="0" step="any" value={speed} onInput={(e) => setSpeed((e.target as HTMLInputElement).value)} />
          <small class="muted">× real time; 0 runs without waiting</small>
        </label>
        <SeedField value={seed} onChange={setSeed} />
        <label class="field wide">
          <span>Target (optional)</span>
          <input name="target" type="url" placeholder="http://127.0.0.1:3000/webhooks — this run's webhooks go there" value={target} onInput={(e) => setTarget((e.target as HTMLInputElement).value)} />
        </label>
      </div>
      <button type="submit" class="primary" disabled={busy}>
        Start {scenario.name}
      </button>
      {error && <ErrorBox message={error} />}
    </form>
  );
}

export function ScenariosView({ selected }: { selected?: string }) {
  const list = useResource<{ scenarios: ScenarioSummary[]; errors: string[] }>('/_emulator/scenarios');
  const scenarios = list.data?.scenarios ?? [];
  const name = selected ?? (scenarios.find((s) => s.name === 'happy-path') ?? scenarios[0])?.name;
  const current = scenarios.find((s) => s.name === name);
  const runs = useResource<{ runs: RunSummary[] }>(name ? `/_emulator/scenarios/${enc(name)}/runs` : undefined, (e) => e.type === 'chat', 500);
  usePoll(runs.data?.runs.some((r) => r.status === 'running') ?? false, runs.reload);
  return (
    <div class="page">
      <div class="page-head">
        <h1>Scenarios</h1>
      </div>
      {list.error && <ErrorBox message={list.error} />}
      {list.data?.errors.map((e) => <ErrorBox key={e} message={`Skipped scenario file: ${e}`} />)}
      {!list.data && !list.error && <Loading />}
      <div class="split narrow-left">
        <nav class="side-list" aria-label="Scenarios">
          {scenarios.map((s) => (
            <a key={s.name} href={href('scenarios', s.name)} aria-current={s.name === name ? 'page' : undefined} class={s.name === name ? 'active' : ''}>
              <strong>{s.name}</strong>
              <span class="muted small">{s.steps} steps{s.builtIn ? '' : ' · from --scenarios'}</span>
            </a>
          ))}
        </nav>
        <div>
          {current && (
            <Card title={current.name}>
              <p>{current.description}</p>
              <RunForm scenario={current} onStarted={(run) => navigate(href('scenarios', run.scenario, 'runs', run.id))} />
            </Card>
          )}
          {current && (
            <Card title="Runs">
              {runs.data && runs.data.runs.length === 0 ? (
                <Empty title={`No run of ${current.name} yet.`}>Start one with the form above, or <code>guuru-emulator scenario run {current.name}</code>.</Empty>
              ) : (
                <table class="list" aria-label="Runs">
                  <thead>
                    <tr>
                      <th>Run</th>
                      <th>Status</th>
                      <th>Tenant</th>
                      <th>Chats</th>
                      <th>Started</th>
                    </tr>
                  </thead>
                  <tbody>
                    {[...(runs.data?.runs ?? [])].reverse().map((r) => (
                      <tr key={r.id} data-run-id={r.id}>
                        <td>
                          <a href={href('scenarios', r.scenario, 'runs', r.id)}>{r.id}</a>
                        </td>
                        <td>
                          <RunBadge status={r.status} />
                        </td>
                        <td>{r.tenant}</td>
                        <td>{r.chats.length + r.threads.length}</td>
                        <td>
                          <Time at={r.startedAt} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </Card>
          )}
        </div>
      </div>
    </div>
  );
}

export function RunPage({ scenario, runId }: { scenario: string; runId: string }) {
  const run = useResource<Run>(`/_emulator/scenarios/${enc(scenario)}/runs/${enc(runId)}`, (e) => e.type === 'chat' || e.type === 'gurusup', 1_000);
  const r = run.data;
  usePoll(r?.status === 'running', run.reload, 2_000);
  const deliveries = useResource<SummaryList>(r ? `/_emulator/deliveries${query({ tenant: r.tenant, limit: 2000, summary: 'true' })}` : undefined, (e) => e.type === 'delivery', 1_000);
  if (run.error) return <ErrorBox message={run.error} />;
  if (!r) return <Loading />;
  const status = new Map((deliveries.data?.deliveries ?? []).map((d) => [d.id, d.status]));
  return (
    <div class="page">
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={href('scenarios', scenario)}>Scenarios / {scenario}</a> / <span>{r.id}</span>
      </nav>
      <div class="page-head">
        <h1>
          {scenario} {r.id} <RunBadge status={r.status} />
        </h1>
        {r.status === 'running' && (
          <button type="button" class="danger" onClick={() => void send('DELETE', `/_emulator/scenarios/${enc(scenario)}/runs/${enc(r.id)}`).then(run.reload)}>
            Cancel run
          </button>
        )}
      </div>
      {r.error && <ErrorBox message={r.error} />}
      <dl class="kv inline-kv">
        <dt>Tenant</dt>
        <dd>{r.tenant}</dd>
        <dt>Seed</dt>
        <dd>{r.seed}</dd>
        <dt>Speed</dt>
        <dd>{r.speed}×</dd>
        <dt>Params</dt>
        <dd>
          <Code>{JSON.stringify(r.params)}</Code>
        </dd>
        {r.target && (
          <>
            <dt>Target</dt>
            <dd>
              <Code>{r.target}</Code>
            </dd>
          </>
        )}
        <dt>Chats</dt>
        <dd>
          {r.chats.length === 0 && r.threads.length === 0 && <span class="muted">none yet</span>}
          {r.chats.map((c) => (
            <a key={c} class="chat-link" href={href('chats', r.tenant, c)}>
              {c}{' '}
            </a>
          ))}
          {r.threads.map((t) => (
            <a key={t} href={href('gurusup', t, { tenant: r.tenant })}>
              thread {t}{' '}
            </a>
          ))}
        </dd>
      </dl>
      <Verdicts run={r} />
      <Card title={`Time line (${r.timeline.length} steps)`}>
        {r.timeline.length === 0 ? (
          <Empty title="No step yet." />
        ) : (
          <table class="list timeline-table" aria-label="Run time line">
            <thead>
              <tr>
                <th>At</th>
                <th>What happened</th>
                <th>Webhooks</th>
              </tr>
            </thead>
            <tbody>
              {r.timeline.map((t, i) => (
                <tr key={i} class={t.by === 'integrator' ? 'integrator' : ''}>
                  <td>
                    <Time at={t.at} short />
                  </td>
                  <td class="wide">
                    {timelineText(t, r.chats)}
                  </td>
                  <td>
                    {t.webhooks.map((w) => (
                      <div key={w.deliveryId}>
                        <a href={href('deliveries', w.deliveryId)}>{w.event}</a> {status.has(w.deliveryId) && <DeliveryBadge status={status.get(w.deliveryId) as string} />}
                      </div>
                    ))}
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


/** The run's verdict against the integration: each expectation, whether it held, and the evidence. */
function Verdicts({ run }: { run: Run }) {
  const v = run.verdict;
  if (!v) return null;
  return (
    <Card title={<>Verdict <span class={`badge ${v.passed ? 'delivery-ok' : 'delivery-bad'}`}>{v.passed ? 'passed' : 'failed'}</span></>}>
      <p class="muted small">
        {v.counts.passed} passed · {v.counts.failed} failed · {v.counts.notApplicable} not applicable
      </p>
      <ul class="verdicts" aria-label="Expectations">
        {v.expectations.map((x) => (
          <li key={x.id} class={x.status}>
            <span class={`badge ${x.status === 'passed' ? 'delivery-ok' : x.status === 'failed' ? 'delivery-bad' : 'neutral'}`}>{x.status}</span> <strong>{x.title}</strong>
            {!x.required && <span class="muted small"> (optional)</span>} — {x.reason}
            {x.evidence.length > 0 && (
              <ul class="evidence small">
                {x.evidence.map((e, i) => (
                  <EvidenceItem key={i} e={e} tenant={run.tenant} />
                ))}
                {x.more ? <li class="muted">and {x.more} more</li> : null}
              </ul>
            )}
          </li>
        ))}
      </ul>
    </Card>
  );
}
