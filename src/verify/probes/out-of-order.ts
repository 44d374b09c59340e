import { answersOf, describeCalls, operationsOf } from '../integrator-calls.js';
import { QUIET_GRACE_MS } from '../quiescence.js';
import { answerOf, is2xx, type ProbeKit } from './kit.js';

/** receiver.out-of-order: a customer message delivered before its chat's chat-opened gets the answers one in order got (the calibration chat). */
export async function probeOutOfOrder(kit: ProbeKit): Promise<void> {
  if (!kit.inOrder) {
    kit.x.settle(
      'receiver.out-of-order',
      'skipped',
      kit.acceptsAssigned
        ? `not observable: the integration did not answer a customer message delivered in order (chat ${kit.probeOneId}) within ${(kit.rule.boundMs / 1000).toFixed(1)} s (--timeout ${kit.x.timeoutMs} ms + ${QUIET_GRACE_MS / 1000} s)`
        : 'not observable: the integration accepted no chat requested to api during the verification',
    );
    return;
  }
  const chat = kit.newChat('Can I return shoes I wore outside once?');
  await kit.deliver({
    check: 'receiver.out-of-order',
    label: 'chat-assigned',
    event: 'chat-assigned',
    subject: { chat },
    chatId: chat.id,
  });
  if (!(await kit.waitForAccept(chat)) || chat.status !== 'open') {
    kit.x.settle(
      'receiver.out-of-order',
      'skipped',
      `not observable: the integration did not accept chat ${chat.id} (requested to api) within ${kit.x.timeoutMs} ms`,
      kit.x.calls.on(chat.id),
    );
    return;
  }
  await kit.quietOn(chat.id);
  const mark = kit.x.calls.mark();
  const message = await kit.customerWrites(
    chat,
    'receiver.out-of-order',
    'message-created, before chat-opened',
    'They are in the original box, is that enough?',
  );
  const opened = await kit.deliver({
    check: 'receiver.out-of-order',
    label: 'chat-opened, after the message',
    event: 'chat-opened',
    subject: { chat },
    chatId: chat.id,
  });
  const observed = kit.answered(chat.id, mark);
  const inOrder = kit.inOrder;
  kit.later(async () => {
    const [seen, single] = [await observed, await inOrder.seen];
    const answers = answersOf(seen.calls);
    const once = answersOf(single.calls);
    const sent = `message-created delivered before chat-opened (chat ${chat.id}) ${answerOf(message)}, chat-opened ${answerOf(opened)}`;
    const details = [message, opened, ...seen.calls];
    const judged = kit.judged([
      { label: `the out-of-order chat (${chat.id})`, observed: seen },
      { label: `the in-order chat (${inOrder.chat.id})`, observed: single },
    ]);
    if (!is2xx(message) || !is2xx(opened))
      kit.x.settle(
        'receiver.out-of-order',
        'failed',
        `${sent}: both must be acknowledged with a 2xx, whatever their order`,
        details,
      );
    else if (operationsOf(answers) === operationsOf(once))
      kit.x.settle(
        'receiver.out-of-order',
        'passed',
        `${sent}; answered with ${describeCalls(answers)}, as in order (chat ${inOrder.chat.id}), ${judged}`,
        details,
      );
    else {
      kit.x.settle(
        'receiver.out-of-order',
        'failed',
        `${sent}; message answered ×${once.length} in order (chat ${inOrder.chat.id}: ${describeCalls(once)}), ×${answers.length} out of order (${describeCalls(answers)}); ${judged}: a message delivered before its chat's chat-opened must be answered as one in order`,
        details,
      );
    }
  });
}
