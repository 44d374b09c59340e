import { describeCalls } from '../integrator-calls.js';
import { answerOf, is2xx, type ProbeKit } from './kit.js';

/** receiver.signature-raw-body: a correctly signed body laid out differently (indented, non-ASCII) must be accepted and acted on like the compact one. */
export async function probeRawBody(kit: ProbeKit): Promise<void> {
  const chat = kit.newChat('Grüezi! Passt mir die Jacke «Bergwelt» in Grösse 42? Danke 🙏', 'de');
  const d = await kit.deliver({
    check: 'receiver.signature-raw-body',
    label: 'chat-assigned, indented JSON with non-ASCII text, correctly signed',
    event: 'chat-assigned',
    subject: { chat },
    chatId: chat.id,
    indented: true,
  });
  if (is2xx(d) && kit.acceptsAssigned) await kit.waitForAccept(chat);
  kit.later(() => {
    const calls = kit.x.calls.on(chat.id);
    const sent = `chat-assigned (chat ${chat.id}) laid out with indentation and non-ASCII text, correctly signed over its ${Buffer.byteLength(kit.bodyOf(d) ?? '')} bytes ${answerOf(d)}`;
    if (!is2xx(d)) {
      kit.x.settle(
        'receiver.signature-raw-body',
        'failed',
        `${sent}, while the same event laid out compactly was accepted: the HMAC is computed over re-serialised or re-decoded JSON instead of the raw body bytes`,
        [d, ...calls],
      );
    } else if (kit.acceptsAssigned && !calls.some((c) => c.operation === 'acceptChat')) {
      kit.x.settle(
        'receiver.signature-raw-body',
        'failed',
        `${sent}, but the chat was not accepted ${kit.waitedForAccept()}, while the compactly laid out one was: the delivery was dropped after acknowledging (signature checked over re-serialised JSON?)`,
        [d, ...calls],
      );
    } else {
      kit.x.settle('receiver.signature-raw-body', 'passed', `${sent}; then ${describeCalls(calls)}`, [d, ...calls]);
    }
  });
}
