import type { ChatRecord } from '../../store/model.js';
import { describeCalls } from '../integrator-calls.js';
import type { DeliveryEvidence, Evidence } from '../report.js';
import { answerOf, is2xx, type ProbeKit, type Signature } from './kit.js';

/** Last: a receiver written like the docs' example throws on a missing header. */
export async function probeBadSignatures(kit: ProbeKit): Promise<void> {
  const kinds: { signature: Signature; label: string; question: string }[] = [
    {
      signature: 'body changed after signing',
      label: 'chat-assigned, body changed after signing',
      question: 'Where is my refund?',
    },
    {
      signature: 'other secret',
      label: 'chat-assigned, signed with another secret',
      question: 'Can I pay by invoice?',
    },
    {
      signature: 'absent',
      label: 'chat-assigned, no X-Guuru-Hmac-Sha256 header',
      question: 'Do you have this in blue?',
    },
  ];
  const probes: { chat: ChatRecord; d: DeliveryEvidence }[] = [];
  for (const kind of kinds) {
    const chat = kit.newChat(kind.question);
    probes.push({
      chat,
      d: await kit.deliver({
        check: 'receiver.bad-signature-refused',
        label: kind.label,
        event: 'chat-assigned',
        subject: { chat },
        chatId: chat.id,
        signature: kind.signature,
      }),
    });
  }
  // A last, correctly signed delivery: the integration still answers (it did not crash on the
  // missing header after answering), and once it has acted on this one it has had its chance
  // to act on the forged ones before.
  const sentinel = kit.newChat('Thanks, that is all for today.');
  const last = await kit.deliver({
    check: 'receiver.bad-signature-refused',
    label: 'chat-assigned, correctly signed (after the forged ones)',
    event: 'chat-assigned',
    subject: { chat: sentinel },
    chatId: sentinel.id,
  });
  if (is2xx(last) && kit.acceptsAssigned) await kit.waitForAccept(sentinel);
  kit.later(() => {
    const problems: string[] = [];
    const details: Evidence[] = [];
    for (const { chat, d } of probes) {
      const calls = kit.x.calls.on(chat.id);
      details.push(d, ...calls);
      if (d.statusCode === undefined)
        problems.push(
          `${d.label} (chat ${chat.id}) ${answerOf(d)}: the receiver must answer it (400), not fail; did it crash?`,
        );
      else if (is2xx(d))
        problems.push(
          `${d.label} (chat ${chat.id}) ${answerOf(d)}${calls.length > 0 ? `; then ${describeCalls(calls)}: it acted on a forged delivery` : ': it was accepted'}`,
        );
      else if (calls.length > 0)
        problems.push(
          `${d.label} (chat ${chat.id}) ${answerOf(d)}, but then ${describeCalls(calls)}: it acted on a forged delivery`,
        );
    }
    if (problems.length > 0) kit.x.settle('receiver.bad-signature-refused', 'failed', problems.join('; '), details);
    else
      kit.x.settle(
        'receiver.bad-signature-refused',
        'passed',
        probes
          .map(({ d }) => `${d.signature === 'absent' ? 'no signature header' : d.signature} ${answerOf(d)}`)
          .join(', ') + '; none acted on',
        details,
      );
  });
}
