import { useEffect, useState } from 'preact/hooks';
import { enc, query, send } from '../api';
import {
  Card,
  Code,
  DefaultTenantField,
  DeliveryBadge,
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
} from '../components';
import { type Column, DataTable } from '../data-table';
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

export const RunBadge = ({ status }: { status: RunSummary['status'] }) => (
  <span class={`badge run-${status}`}>{status}</span>
);

function RunForm({ scenario, onStarted }: { scenario: ScenarioSummary; onStarted: (run: RunSummary) => void }) {
  const [values, setValues] = useState<Record<string, string | boolean>>({});
  const [target, setTarget] = useState('');
  const [speed, setSpeed] = useState('60');
  const [seed, setSeed] = useState('');
  const [tenant, setTenant] = useState('');
  const { busy, error, run } = useSubmit();
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
    run(() => send<RunSummary>('POST', `/_emulator/scenarios/${enc(scenario.name)}/runs`, body), onStarted);
  };
  const params = Object.entries(scenario.params).filter(([name]) => name !== 'tenant');
  return (
    <form class="run-form" onSubmit={start} aria-label={`Run ${scenario.name}`}>
      <div class="form-grid">
        {params.map(([name, spec]) => (
          <label key={name} class="field" title={spec.description}>
            <span>{name}</span>
            {spec.enum ? (
              <select
                name={name}
                value={String(values[name] ?? spec.default)}
                onChange={(e) => setValues({ ...values, [name]: (e.target as HTMLSelectElement).value })}
              >
                {spec.enum.map((o) => (
                  <option key={String(o)}>{String(o)}</option>
                ))}
              </select>
            ) : typeof spec.default === 'boolean' ? (
              <input
                type="checkbox"
                name={name}
                checked={Boolean(values[name] ?? spec.default)}
                onChange={(e) => setValues({ ...values, [name]: (e.target as HTMLInputElement).checked })}
              />
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
        <TextField
          label="Speed"
          name="speed"
          type="number"
          min="0"
          step="any"
          value={speed}
          onInput={setSpeed}
          hint="× real time; 0 runs without waiting"
        />
        <SeedField value={seed} onChange={setSeed} />
        <TextField
          label="Target (optional)"
          class="wide"
          name="target"
          type="url"
          placeholder="http://127.0.0.1:3000/webhooks — this run's webhooks go there"
          value={target}
          onInput={setTarget}
        />
      </div>
      <SubmitButton busy={busy} error={error}>
        Start {scenario.name}
      </SubmitButton>
    </form>
  );
}

export function ScenariosView({ selected }: { selected?: string }) {
  const list = useResource<{ scenarios: ScenarioSummary[]; errors: string[] }>('/_emulator/scenarios');
  const scenarios = list.data?.scenarios ?? [];
  const name = selected ?? (scenarios.find((s) => s.name === 'happy-path') ?? scenarios[0])?.name;
  const current = scenarios.find((s) => s.name === name);
  const runs = useResource<{ runs: RunSummary[] }>(
    name ? `/_emulator/scenarios/${enc(name)}/runs` : undefined,
    (e) => e.type === 'chat',
    500,
  );
  usePoll(runs.data?.runs.some((r) => r.status === 'running') ?? false, runs.reload);
  return (
    <div class="page">
      <PageHead title="Scenarios" />
      <LoadState resource={list} />
      {list.data?.errors.map((e) => (
        <ErrorBox key={e} message={`Skipped scenario file: ${e}`} />
      ))}
      <div class="split narrow-left">
        <nav class="side-list" aria-label="Scenarios">
          {scenarios.map((s) => (
            <a
              key={s.name}
              href={href('scenarios', s.name)}
              aria-current={s.name === name ? 'page' : undefined}
              class={s.name === name ? 'active' : ''}
            >
              <strong>{s.name}</strong>
              <span class="muted small">
                {s.steps} steps{s.builtIn ? '' : ' · from --scenarios'}
              </span>
            </a>
          ))}
        </nav>
        <div>
          {current && (
            <Card title={current.name}>
              <p>{current.description}</p>
              <RunForm
                scenario={current}
                onStarted={(run) => navigate(href('scenarios', run.scenario, 'runs', run.id))}
              />
            </Card>
          )}
          {current && (
            <Card title="Runs">
              {runs.data && runs.data.runs.length === 0 ? (
                <Empty title={`No run of ${current.name} yet.`}>
                  Start one with the form above, or <code>guuru-emulator scenario run {current.name}</code>.
                </Empty>
              ) : (
                <DataTable
                  label="Runs"
                  columns={RUN_COLUMNS}
                  rows={[...(runs.data?.runs ?? [])].reverse()}
                  rowKey={(r) => r.id}
                  rowProps={(r) => ({ 'data-run-id': r.id })}
                />
              )}
            </Card>
          )}
        </div>
      </div>
    </div>
  );
}

const RUN_COLUMNS: Column<RunSummary>[] = [
  { head: 'Run', cell: (r) => <a href={href('scenarios', r.scenario, 'runs', r.id)}>{r.id}</a> },
  { head: 'Status', cell: (r) => <RunBadge status={r.status} /> },
  { head: 'Tenant', cell: (r) => r.tenant },
  { head: 'Chats', cell: (r) => r.chats.length + r.threads.length },
  { head: 'Started', cell: (r) => <Time at={r.startedAt} /> },
];

type Step = Run['timeline'][number];

/** The time line's columns: when, what, and the webhooks the step sent with their delivery status. */
const timelineColumns = (r: Run, status: Map<string, string>): Column<Step>[] => [
  { head: 'At', cell: (t) => <Time at={t.at} short /> },
  { head: 'What happened', class: 'wide', cell: (t) => timelineText(t, r.chats) },
  {
    head: 'Webhooks',
    cell: (t) =>
      t.webhooks.map((w) => (
        <div key={w.deliveryId}>
          <a href={href('deliveries', w.deliveryId)}>{w.event}</a>{' '}
          {status.has(w.deliveryId) && <DeliveryBadge status={status.get(w.deliveryId) as string} />}
        </div>
      )),
  },
];

/** The chats and Gurusup threads a run made, each a link to its page. */
function RunChats({ run: r }: { run: Run }) {
  return (
    <>
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
    </>
  );
}

export function RunPage({ scenario, runId }: { scenario: string; runId: string }) {
  const run = useResource<Run>(
    `/_emulator/scenarios/${enc(scenario)}/runs/${enc(runId)}`,
    (e) => e.type === 'chat' || e.type === 'gurusup',
    1_000,
  );
  const r = run.data;
  usePoll(r?.status === 'running', run.reload, 2_000);
  const deliveries = useResource<SummaryList>(
    r ? `/_emulator/deliveries${query({ tenant: r.tenant, limit: 2000, summary: 'true' })}` : undefined,
    (e) => e.type === 'delivery',
    1_000,
  );
  if (run.error) return <ErrorBox message={run.error} />;
  if (!r) return <Loading />;
  const status = new Map((deliveries.data?.deliveries ?? []).map((d) => [d.id, d.status]));
  return (
    <div class="page">
      <PageHead
        title={
          <>
            {scenario} {r.id} <RunBadge status={r.status} />
          </>
        }
        back={[href('scenarios', scenario), `Scenarios / ${scenario}`]}
        here={r.id}
      >
        {r.status === 'running' && (
          <button
            type="button"
            class="danger"
            onClick={() =>
              void send('DELETE', `/_emulator/scenarios/${enc(scenario)}/runs/${enc(r.id)}`).then(run.reload)
            }
          >
            Cancel run
          </button>
        )}
      </PageHead>
      {r.error && <ErrorBox message={r.error} />}
      <KeyValues
        items={[
          ['Tenant', r.tenant],
          ['Seed', r.seed],
          ['Speed', `${r.speed}×`],
          ['Params', <Code>{JSON.stringify(r.params)}</Code>],
          r.target && ['Target', <Code>{r.target}</Code>],
          ['Chats', <RunChats run={r} />],
        ]}
      />
      <Verdicts run={r} />
      <Card title={`Time line (${r.timeline.length} steps)`}>
        {r.timeline.length === 0 ? (
          <Empty title="No step yet." />
        ) : (
          <DataTable
            label="Run time line"
            class="timeline-table"
            columns={timelineColumns(r, status)}
            rows={r.timeline}
            rowKey={(_, i) => i}
            rowProps={(t) => ({ class: t.by === 'integrator' ? 'integrator' : '' })}
          />
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
    <Card
      title={
        <>
          Verdict{' '}
          <span class={`badge ${v.passed ? 'delivery-ok' : 'delivery-bad'}`}>{v.passed ? 'passed' : 'failed'}</span>
        </>
      }
    >
      <p class="muted small">
        {v.counts.passed} passed · {v.counts.failed} failed · {v.counts.notApplicable} not applicable
      </p>
      <ul class="verdicts" aria-label="Expectations">
        {v.expectations.map((x) => (
          <li key={x.id} class={x.status}>
            <span
              class={`badge ${x.status === 'passed' ? 'delivery-ok' : x.status === 'failed' ? 'delivery-bad' : 'neutral'}`}
            >
              {x.status}
            </span>{' '}
            <strong>{x.title}</strong>
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
