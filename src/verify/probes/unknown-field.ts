import { describeCalls } from '../integrator-calls.js';
import { answerOf, EXTRA_FIELD, is2xx, type ProbeKit } from './kit.js';

/** receiver.unknown-field: a chat-assigned with an extra top-level field is acknowledged and handled like any other. */
export async function probeUnknownField(kit: ProbeKit): Promise<void> {
  const chat = kit.newChat('Do you ship to Liechtenstein?');
  const d = await kit.deliver({
    check: 'receiver.unknown-field',
    label: `chat-assigned with an extra field "${EXTRA_FIELD}"`,
    event: 'chat-assigned',
    subject: { chat },
    chatId: chat.id,
    extraField: true,
  });
  if (is2xx(d) && kit.acceptsAssigned) await kit.waitForAccept(chat);
  kit.later(() => {
    const calls = kit.x.calls.on(chat.id);
    const sent = `chat-assigned (chat ${chat.id}) with an extra field "${EXTRA_FIELD}" ${answerOf(d)}`;
    if (!is2xx(d))
      kit.x.settle(
        'receiver.unknown-field',
        'failed',
        `${sent}: a field your code does not know must be ignored, not refused (GUURU may add fields)`,
        [d],
      );
    else if (kit.acceptsAssigned && !calls.some((c) => c.operation === 'acceptChat')) {
      kit.x.settle(
        'receiver.unknown-field',
        'failed',
        `${sent}, but the chat was not accepted ${kit.waitedForAccept()}, while the same event without the field was: the unknown field broke its handling`,
        [d, ...calls],
      );
    } else kit.x.settle('receiver.unknown-field', 'passed', `${sent}; then ${describeCalls(calls)}`, [d, ...calls]);
  });
}
