import { describeCalls } from '../integrator-calls.js';
import { answerOf, is2xx, type ProbeKit } from './kit.js';

/** The first attempt is given up (as GUURU does when no answer comes in time) and retried at once. */
export async function probeRetry(kit: ProbeKit): Promise<void> {
  const chat = kit.newChat('My parcel shows "delivered" but it is not here. What now?');
  const attempt1 = kit.prepare({
    check: 'receiver.retry-after-timeout',
    label: 'chat-assigned, attempt 1 (given up as timed out)',
    event: 'chat-assigned',
    subject: { chat },
    chatId: chat.id,
    attempt: 1,
    unmeasured: true,
  });
  // A first attempt times out when the work behind it is slow: the integration's calls on this
  // chat are held (as a slow API would) until the retry has been answered, so it is still working
  // on the first attempt when the retry arrives, however fast it is.
  const release = kit.x.hold(chat.id, Math.min(kit.x.timeoutMs, 2_000));
  const first = kit.send(attempt1);
  // GUURU does not wait for the answer it gave up on: the retry goes out at once.
  const d2 = await kit.send({
    ...attempt1,
    craft: {
      ...attempt1.craft,
      label: 'chat-assigned, attempt 2 (retry: same Idempotency-Key, same body)',
      attempt: 2,
    },
  });
  release();
  const d1 = await first;
  if (kit.acceptsAssigned) await kit.waitForAccept(chat);
  kit.later(() => {
    const accepts = kit.x.calls.on(chat.id).filter((c) => c.operation === 'acceptChat');
    const details = [d1, d2, ...accepts];
    if (!kit.acceptsAssigned) {
      kit.x.settle(
        'receiver.retry-after-timeout',
        'skipped',
        'not observable: the integration accepted no chat requested to api during the verification',
        details,
      );
    } else if (kit.x.statusOf('receiver.idempotent') === 'failed') {
      kit.x.settle(
        'receiver.retry-after-timeout',
        'skipped',
        'not examined: a plain duplicate is already acted on twice (see receiver.idempotent); fix that first',
        details,
      );
    } else if (!is2xx(d2)) {
      kit.x.settle(
        'receiver.retry-after-timeout',
        'failed',
        `chat-assigned (chat ${chat.id}) attempt 1 given up as timed out, attempt 2 with the same Idempotency-Key ${answerOf(d2)}: a retry must be acknowledged with a 2xx`,
        details,
      );
    } else if (accepts.length === 0) {
      kit.x.settle(
        'receiver.retry-after-timeout',
        'failed',
        `chat-assigned (chat ${chat.id}) attempt 1 given up as timed out, attempt 2 (same Idempotency-Key ${attempt1.key}) ${answerOf(d2)}; then no acceptChat ${kit.waitedForAccept()}: neither attempt was acted on in that time`,
        details,
      );
    } else if (accepts.length === 1) {
      kit.x.settle(
        'receiver.retry-after-timeout',
        'passed',
        `chat-assigned (chat ${chat.id}) attempt 1 given up as timed out, attempt 2 (same Idempotency-Key ${attempt1.key}) sent at once ${answerOf(d2)}; acceptChat ×1`,
        details,
      );
    } else {
      kit.x.settle(
        'receiver.retry-after-timeout',
        'failed',
        `chat-assigned (chat ${chat.id}) attempt 1 given up as timed out, attempt 2 (same Idempotency-Key ${attempt1.key}) sent while the first was still being handled ${answerOf(d2)}; then ${describeCalls(accepts)}: record the Idempotency-Key when a delivery arrives, not when its work is done`,
        details,
      );
    }
  });
}
