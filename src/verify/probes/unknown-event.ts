import { answerOf, is2xx, type ProbeKit } from './kit.js';

/** An event name no integration can know. */
const UNKNOWN_EVENT = 'chat-escalated';

/** receiver.unknown-event: a delivery with an event name the integration cannot know is acknowledged with a 2xx. */
export async function probeUnknownEvent(kit: ProbeKit): Promise<void> {
  const chat = kit.newChat('Is there a student discount?', 'en', null);
  const d = await kit.deliver({
    check: 'receiver.unknown-event',
    label: `X-Guuru-Event: ${UNKNOWN_EVENT} (an event name the integration cannot know)`,
    event: 'chat-opened',
    headerEvent: UNKNOWN_EVENT,
    subject: { chat },
    chatId: chat.id,
  });
  const sent = `a delivery with X-Guuru-Event: ${UNKNOWN_EVENT} (chat ${chat.id}) ${answerOf(d)}`;
  if (is2xx(d)) kit.x.settle('receiver.unknown-event', 'passed', sent, [d]);
  else
    kit.x.settle(
      'receiver.unknown-event',
      'failed',
      `${sent}: answer 2xx to events you do not handle, or GUURU retries them`,
      [d],
    );
}
