import { integrationSteps } from '../../../scenarios/session-origin';
import { Empty, Json, StatusBadge, Time } from '../components';
import { href } from '../router';
import type { ActivityStep, ChatRecord, Delivery, JournalRequest } from '../types';
import { WebhookBlock, groupRepeats } from '../webhook-parts';

/** Seeded chats have no recorded steps: their timestamps tell the story. */
function stepsFromRecord(chat: ChatRecord): ActivityStep[] {
  const step = (at: number | undefined, to: ActivityStep['to'], event: string): ActivityStep[] =>
    at === undefined
      ? []
      : [
          {
            at,
            kind: at === chat.createdAt && to === 'created' ? 'created' : 'status',
            event,
            to,
            actor: 'system',
            actorLabel: 'from the seed',
            deliveries: [],
          },
        ];
  return [
    ...step(chat.createdAt, 'created', 'chat.created'),
    ...step(chat.acceptedAt, 'open', 'chat.accepted'),
    ...step(chat.transfer?.createdAt, 'handover', 'chat.handed-over'),
    ...step(chat.closedAt, 'closed', 'chat.closed'),
    ...step(chat.ratedAt, 'rated', 'chat.rated'),
  ].sort((a, b) => a.at - b.at);
}

type Entry = { kind: 'step'; at: number; step: ActivityStep } | { kind: 'call'; at: number; call: JournalRequest };

/** Who made a step, in a presenter's words. */
function whoLabel(step: ActivityStep, byIntegration: Set<unknown>): string {
  if (step.actor === 'api') return byIntegration.has(step) ? 'your integration (Admin API)' : 'the agent, by hand';
  if (step.actor === 'user') return 'the customer';
  return step.actorLabel;
}

function CallEntry({ call, chatId, readOnly }: { call: JournalRequest; chatId: string; readOnly?: boolean }) {
  const fields = (call.fields ?? []).filter((f) => f.chatId === undefined || f.chatId === chatId);
  const codes = fields
    .flatMap((f) => (f.errorCode ? [f.errorCode] : []))
    .concat((call.errors ?? []).map((e) => e.code));
  const refused = codes.length > 0 || call.status >= 400;
  return (
    <li
      class={`step call ${refused ? 'refused' : ''}`}
      data-call={fields.map((f) => f.name).join(',') || call.operationName}
    >
      <div class="step-head">
        <span class="dot-line" aria-hidden="true" />
        <span class="badge neutral">API call</span>
        <span class="step-title">
          {readOnly ? (
            <code>{fields.map((f) => f.name).join(', ') || call.operationName || call.route}</code>
          ) : (
            <a href={href('requests', { request: call.id })}>
              {fields.map((f) => f.name).join(', ') || call.operationName || call.route}
            </a>
          )}
        </span>
        <span class="muted small">
          {refused ? (
            <span class="inline-error">{[...new Set(codes)].join(', ') || `HTTP ${call.status}`}</span>
          ) : (
            `answered ${call.status}`
          )}{' '}
          · your integration · <Time at={call.at} short />
        </span>
      </div>
      {call.variables && Object.keys(call.variables).length > 0 && (
        <details class="call-body">
          <summary>Variables and answer</summary>
          <Json
            value={{
              variables: call.variables,
              status: call.status,
              ...(call.errors?.length ? { errors: call.errors } : {}),
            }}
            label={`Request ${call.id}`}
          />
        </details>
      )}
    </li>
  );
}

/**
 * One live time line of a chat: its steps (who acted), the webhooks each caused (attempts, status,
 * Idempotency-Key, the signed body) and the Admin API calls the integration made about it, in the
 * order they happened. A call sorts before a step of the same millisecond: it caused it.
 */
export function Timeline({
  chat,
  steps: recordedSteps,
  deliveries,
  calls,
  readOnly,
}: {
  chat: ChatRecord;
  steps: ActivityStep[];
  deliveries: Delivery[];
  calls: JournalRequest[];
  readOnly?: boolean;
}) {
  const { originals, repeatsOf } = groupRepeats(deliveries);
  const byId = new Map(originals.map((d) => [d.id, d]));
  const recorded = recordedSteps.length > 0;
  const steps = recorded ? recordedSteps : stepsFromRecord(chat);
  const byIntegration = integrationSteps(chat.id, steps, calls) as Set<unknown>;
  const placed = new Set(steps.flatMap((s) => s.deliveries));
  const unplaced = originals.filter((d) => !placed.has(d.id));
  const entries: Entry[] = [
    ...calls.map((call): Entry => ({ kind: 'call', at: call.at, call })),
    ...steps.map((step): Entry => ({ kind: 'step', at: step.at, step })),
  ];
  // Stable: calls were listed first, so at equal times a call stays before the step it caused.
  entries.sort((a, b) => a.at - b.at);
  return (
    <>
      {!recorded && (
        <p class="muted small">
          Nothing has happened to this chat since the emulator started: these steps come from its seeded timestamps.
        </p>
      )}
      <ol class="timeline" aria-label="Status changes and webhooks">
        {entries.map((entry, i) => {
          if (entry.kind === 'call')
            return <CallEntry key={`c${entry.call.id}`} call={entry.call} chatId={chat.id} readOnly={readOnly} />;
          const s = entry.step;
          const hooks = s.deliveries.map((id) => byId.get(id)).filter((d) => d !== undefined);
          return (
            <li key={i} class={`step ${s.kind}`} data-step={s.event}>
              <div class="step-head">
                <span class="dot-line" aria-hidden="true" />
                {s.kind === 'message' ? <span class="badge neutral">message</span> : <StatusBadge status={s.to} />}
                <span class="step-title">
                  {s.kind === 'message' ? (
                    <a
                      href={`#msg-${s.messageId}`}
                      onClick={(e) => (
                        e.preventDefault(),
                        document.getElementById(`msg-${s.messageId}`)?.scrollIntoView({ block: 'center' })
                      )}
                    >
                      message by {whoLabel(s, byIntegration)}
                    </a>
                  ) : s.from ? (
                    `${s.from} → ${s.to}`
                  ) : (
                    s.to
                  )}
                </span>
                <span class="muted small">
                  {s.event} · {whoLabel(s, byIntegration)} · <Time at={s.at} short />
                </span>
              </div>
              {hooks.length > 0 ? (
                hooks.map((d) => (
                  <WebhookBlock key={d.id} delivery={d} repeats={repeatsOf.get(d.id) ?? []} readOnly={readOnly} />
                ))
              ) : recorded && s.kind !== 'created' ? (
                <p class="muted small no-webhook">
                  No webhook (nothing subscribed to {s.event === 'message.created' ? 'message-created' : 'this event'},
                  or it has no webhook).
                </p>
              ) : null}
            </li>
          );
        })}
      </ol>
      {unplaced.length > 0 && (
        <>
          <h3>Other webhooks of this chat</h3>
          {unplaced.map((d) => (
            <WebhookBlock key={d.id} delivery={d} repeats={repeatsOf.get(d.id) ?? []} readOnly={readOnly} />
          ))}
        </>
      )}
      {recorded && deliveries.length === 0 && !readOnly && (
        <Empty title="No webhooks went out for this chat.">
          Subscribe a URL on the <a href={href('deliveries')}>Deliveries</a> view or with <code>--webhook-url</code>, or
          run a scenario with a target.
        </Empty>
      )}
    </>
  );
}
