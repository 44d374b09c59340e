import { USER } from '../../domain/actors.js';
import { postMessage } from '../../domain/chats.js';
import type { ChatRecord } from '../../store/model.js';
import { answersOf, describeCalls, operationsOf, type Observed } from '../integrator-calls.js';
import type { DeliveryEvidence, Evidence } from '../report.js';
import { answerOf, is2xx, type ProbeKit } from './kit.js';

/** The same chat-assigned twice, and (on an accepted chat) the same message-created twice. */
export async function probeDuplicates(kit: ProbeKit): Promise<void> {
  const chat = kit.newChat('Can I still change the delivery address of order 10472?');
  const first = kit.prepare({
    check: 'receiver.idempotent',
    label: 'chat-assigned (first copy)',
    event: 'chat-assigned',
    subject: { chat },
    chatId: chat.id,
  });
  const d1 = await kit.send(first);
  const d2 = await kit.send({
    ...first,
    craft: { ...first.craft, label: 'chat-assigned (second copy: same Idempotency-Key, same body)' },
  });
  // Both copies counted over one quiet window, once the first acceptChat came (read while the next probes run).
  const assigned = kit.track(
    kit.x.calls.observe(chat.id, 0, kit.rule, {
      ready: (calls) => !kit.acceptsAssigned || calls.some((c) => c.operation === 'acceptChat'),
      signal: kit.x.signal,
    }),
  );

  const message = kit.inOrder ? await duplicateMessage(kit) : undefined;

  const inOrder = kit.inOrder;
  kit.later(async () => {
    const problems: string[] = [];
    const findings: string[] = [];
    const details: Evidence[] = [d1, d2];
    const accepts = (await assigned).calls.filter((c) => c.operation === 'acceptChat');
    details.push(...accepts);
    if (!is2xx(d1) || !is2xx(d2)) {
      problems.push(
        `chat-assigned (chat ${chat.id}) sent twice with Idempotency-Key ${first.key} ${answerOf(d1)}, then ${answerOf(d2)}: both copies must be acknowledged with a 2xx (a non-2xx makes GUURU send it again)`,
      );
    } else if (kit.acceptsAssigned && accepts.length === 1) {
      findings.push(
        `chat-assigned (chat ${chat.id}) sent twice with Idempotency-Key ${first.key} → ${d1.statusCode}, ${d2.statusCode}; acceptChat ×1`,
      );
    } else if (accepts.length > 1) {
      problems.push(
        `chat-assigned (chat ${chat.id}) sent twice with Idempotency-Key ${first.key} → ${d1.statusCode}, ${d2.statusCode}; then ${describeCalls(accepts)}: the second copy was acted on; de-duplicate on Idempotency-Key`,
      );
    }
    if (message && inOrder) await judgeMessage(kit, message, inOrder, { problems, findings, details });
    if (problems.length > 0) kit.x.settle('receiver.idempotent', 'failed', problems.join('; '), details);
    else if (findings.length > 0) kit.x.settle('receiver.idempotent', 'passed', findings.join('; '), details);
    else
      kit.x.settle(
        'receiver.idempotent',
        'skipped',
        'not observable: the integration did not act on these chat-assigned and message-created deliveries, so acting twice cannot be told from acting once',
        details,
      );
  });
}

/** A duplicated message probe: its chat, what the integration did on it, and the two copies. */
interface DuplicatedMessage {
  chat: ChatRecord;
  seen: Promise<Observed>;
  copies: DeliveryEvidence[];
}

/** On an accepted chat, the same message-created twice (undefined when the chat was not accepted). */
async function duplicateMessage(kit: ProbeKit): Promise<DuplicatedMessage | undefined> {
  const other = kit.newChat('Is the rain cover included with the backpack?');
  await kit.deliver({
    check: 'receiver.idempotent',
    label: 'chat-assigned',
    event: 'chat-assigned',
    subject: { chat: other },
    chatId: other.id,
  });
  if ((await kit.waitForAccept(other)) && other.status === 'open') {
    await kit.quietOn(other.id);
    const mark = kit.x.calls.mark();
    await kit.deliver({
      check: 'receiver.idempotent',
      label: 'chat-opened',
      event: 'chat-opened',
      subject: { chat: other },
      chatId: other.id,
    });
    const posted = postMessage(
      kit.x.domain,
      kit.x.tenant,
      other.id,
      { type: 'text', text: 'And does it fit a 15-inch laptop?' },
      USER,
    );
    const prepared = kit.prepare({
      check: 'receiver.idempotent',
      label: 'message-created (first copy)',
      event: 'message-created',
      subject: { message: posted },
      chatId: other.id,
    });
    const copies = [
      await kit.send(prepared),
      await kit.send({
        ...prepared,
        craft: { ...prepared.craft, label: 'message-created (second copy: same Idempotency-Key, same body)' },
      }),
    ];
    return { chat: other, seen: kit.answered(other.id, mark), copies };
  }
  return undefined;
}

/** The duplicated message answered as a single one is (the in-order chat), over the same quiet rule. */
async function judgeMessage(
  kit: ProbeKit,
  message: DuplicatedMessage,
  inOrder: NonNullable<ProbeKit['inOrder']>,
  out: { problems: string[]; findings: string[]; details: Evidence[] },
): Promise<void> {
  const { problems, findings, details } = out;
  const [m1, m2] = message.copies as [DeliveryEvidence, DeliveryEvidence];
  const [seen, single] = [await message.seen, await inOrder.seen];
  const twice = answersOf(seen.calls);
  const once = answersOf(single.calls);
  const judged = kit.judged([
    { label: `the duplicated message (chat ${message.chat.id})`, observed: seen },
    { label: `the single message (chat ${inOrder.chat.id})`, observed: single },
  ]);
  details.push(m1, m2, ...seen.calls);
  const sent = `message-created (chat ${message.chat.id}) sent twice with Idempotency-Key ${m1.idempotencyKey} → ${m1.statusCode}, ${m2.statusCode}`;
  if (!is2xx(m1) || !is2xx(m2)) {
    problems.push(
      `message-created (chat ${message.chat.id}) sent twice with Idempotency-Key ${m1.idempotencyKey} ${answerOf(m1)}, then ${answerOf(m2)}: both copies must be acknowledged with a 2xx`,
    );
  } else if (operationsOf(twice) === operationsOf(once)) {
    findings.push(
      `message-created (chat ${message.chat.id}) sent twice → ${m1.statusCode}, ${m2.statusCode}; answered with ${describeCalls(twice)}, as a single one is (chat ${inOrder.chat.id}), ${judged}`,
    );
  } else if (twice.length > once.length) {
    problems.push(
      `${sent}; answered with ${describeCalls(twice)}, where a single message-created (chat ${inOrder.chat.id}) was answered with ${describeCalls(once)}, ${judged}: the second copy was acted on`,
    );
  } else {
    problems.push(
      `${sent}; answered with ${describeCalls(twice)}, where a single message-created (chat ${inOrder.chat.id}) was answered with ${describeCalls(once)}, ${judged}: a duplicated message must be answered once, as a single one is`,
    );
  }
}
