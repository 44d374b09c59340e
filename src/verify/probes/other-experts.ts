import { describeCalls } from '../integrator-calls.js';
import { answerOf, is2xx, type ProbeKit } from './kit.js';

/** receiver.ignores-other-experts: a chat requested to a community expert (not "api") is acknowledged and left alone. */
export async function probeOtherExperts(kit: ProbeKit): Promise<void> {
  const expert = kit.x.tenant.data.experts.filter((e) => e.isMember).sort((a, b) => a.id.localeCompare(b.id))[0];
  if (!expert) {
    kit.x.settle(
      'receiver.ignores-other-experts',
      'skipped',
      `not examined: tenant ${kit.x.tenant.id} has no community expert to request instead of api`,
    );
    return;
  }
  const chat = kit.newChat('How do I reset the watch to factory settings?', 'en', [expert.id]);
  const d = await kit.deliver({
    check: 'receiver.ignores-other-experts',
    label: `chat-assigned, requestedExperts ["${expert.id}"] (no api)`,
    event: 'chat-assigned',
    subject: { chat },
    chatId: chat.id,
  });
  kit.later(() => {
    const calls = kit.x.calls.on(chat.id);
    const sent = `chat-assigned (chat ${chat.id}) with requestedExperts ["${expert.id}"] (no "api") ${answerOf(d)}`;
    if (!is2xx(d))
      kit.x.settle(
        'receiver.ignores-other-experts',
        'failed',
        `${sent}: a chat for other experts must still be acknowledged with a 2xx`,
        [d],
      );
    else if (calls.length > 0)
      kit.x.settle(
        'receiver.ignores-other-experts',
        'failed',
        `${sent}; then ${describeCalls(calls)}: handle only chats whose requestedExperts contain "api"`,
        [d, ...calls],
      );
    else kit.x.settle('receiver.ignores-other-experts', 'passed', `${sent}; no Admin API call on it`, [d]);
  });
}
