import type { Evidence as VerdictEvidence } from '../../scenarios/verdict';
import type { Evidence as CheckEvidence } from '../../verify/report';
import { Code } from './components';
import { href } from './router';

/** A piece of evidence of a scenario verdict or of a verification's check: one item, one wording. */
export type AnyEvidence = VerdictEvidence | CheckEvidence;

const ChatLink = ({ tenant, chatId }: { tenant: string; chatId: string }) => (
  <a href={href('chats', tenant, chatId)}>{chatId}</a>
);

/** One line of a list of evidence (`ul.evidence`). */
export function EvidenceItem({ e, tenant }: { e: AnyEvidence; tenant: string }) {
  switch (e.kind) {
    case 'note':
      return <li>{e.text}</li>;
    case 'api-call':
      return (
        <li>
          API call <a href={href('requests', { tenant })}>{e.operation}</a> on{' '}
          <ChatLink tenant={tenant} chatId={e.chatId} />: {e.ok ? 'ok' : `refused ${e.errorCode ?? ''}`}
          {'status' in e ? ` (HTTP ${e.status})` : ''}
          {e.errorMessage ? ` (${e.errorMessage})` : ''}
        </li>
      );
    case 'webhook':
      return (
        <li>
          webhook <a href={href('deliveries', e.deliveryId)}>{e.event}</a> for{' '}
          <ChatLink tenant={tenant} chatId={e.chatId} />: {e.status}
          {e.statusCode !== undefined ? ` (HTTP ${e.statusCode})` : ''}
        </li>
      );
    case 'timeout':
      return (
        <li>
          waited for {e.expected} on <ChatLink tenant={tenant} chatId={e.chatId} />: {e.cause}
        </li>
      );
    case 'delivery':
      return <DeliveryItem e={e} tenant={tenant} />;
  }
}

/** A delivery a verification crafted, and the receiver's answer. */
function DeliveryItem({ e, tenant }: { e: Extract<CheckEvidence, { kind: 'delivery' }>; tenant: string }) {
  const answer = e.statusCode !== undefined ? `HTTP ${e.statusCode}` : (e.error ?? 'no answer');
  return (
    <li>
      sent <strong>{e.label}</strong> (attempt {e.attempt}, Idempotency-Key <Code>{e.idempotencyKey}</Code>
      {e.chatId && (
        <>
          , chat <ChatLink tenant={tenant} chatId={e.chatId} />
        </>
      )}
      ) → {answer}
      {e.response ? (
        <>
          {' '}
          <Code>{e.response}</Code>
        </>
      ) : null}
      {e.durationMs !== undefined ? <span class="muted"> in {e.durationMs} ms</span> : null}
    </li>
  );
}
