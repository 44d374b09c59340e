import type { ChatRecord } from '../../store/model.js';
import { describeCalls } from '../integrator-calls.js';
import { answerOf, is2xx, type ProbeKit } from './kit.js';

/** c1: a correctly signed chat-assigned; then, as calibration, how the integration accepts and answers one message in order. */
export async function probeSigned(kit: ProbeKit): Promise<ChatRecord | undefined> {
  const chat = kit.newChat('Which size should I take for the Trail Runner 3?');
  const d = await kit.deliver({
    check: 'receiver.signed-accepted',
    label: 'chat-assigned, correctly signed',
    event: 'chat-assigned',
    subject: { chat },
    chatId: chat.id,
  });
  if (!is2xx(d)) {
    const code = d.statusCode ?? 0;
    const hint =
      code === 404 || code === 405
        ? `nothing takes a POST at ${kit.x.target}: check the path of --target`
        : code >= 500
          ? 'your code failed on a delivery GUURU would send: its answer above says where'
          : code >= 300 && code < 400
            ? 'GUURU does not follow redirects: give the final URL as --target'
            : "GUURU's own deliveries are refused; check the secret (GET /_emulator/webhooks shows it) and that the signature is the hex HMAC-SHA256 of the raw body";
    kit.x.settle(
      'receiver.signed-accepted',
      'failed',
      `chat-assigned (chat ${chat.id}) signed with the tenant's secret ${answerOf(d)}: ${d.statusCode === undefined ? 'no answer' : hint}`,
      [d],
    );
    return undefined;
  }
  kit.acceptsAssigned = await kit.waitForAccept(chat);
  kit.x.settle(
    'receiver.signed-accepted',
    'passed',
    `chat-assigned (chat ${chat.id}) correctly signed ${answerOf(d)}${kit.late ? ` after ${Math.round(d.durationMs ?? 0)} ms (late: see receiver.ack-within-timeout)` : ''}; then ${describeCalls(kit.x.calls.on(chat.id))}`,
    [d, ...kit.x.calls.on(chat.id)],
  );
  if (kit.acceptsAssigned && chat.status === 'open' && !kit.late) {
    // Counted from chat-opened on, as on the out-of-order chat (where it comes after the message).
    await kit.quietOn(chat.id);
    const mark = kit.x.calls.mark();
    await kit.deliver({
      check: 'receiver.out-of-order',
      label: 'chat-opened',
      event: 'chat-opened',
      subject: { chat },
      chatId: chat.id,
    });
    await kit.customerWrites(
      chat,
      'receiver.out-of-order',
      'message-created (the customer writes)',
      'Do they run small? I usually wear 42.',
    );
    if (await kit.firstAnswer(chat.id, mark)) kit.inOrder = { chat, seen: kit.answered(chat.id, mark) };
  }
  return chat;
}
