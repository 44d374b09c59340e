/**
 * Who made each step of a chat held by hand: the integration (a successful Admin API call about
 * the chat in the request journal caused it) or a person (the dashboard, the control API). Pure
 * and import-free: the dashboard labels its time line with it, and from-session.ts builds a
 * scenario from it.
 */

/** One step of the chat's recorded activity (control/chat-activity.ts's ActivityStep, read-only). */
export interface SessionStep {
  at: number;
  kind: 'created' | 'status' | 'message';
  event: string;
  to: string;
  actor: 'api' | 'user' | 'expert' | 'system';
  messageId?: string;
}

/** One Admin API call about the chat (from the request journal): its time and top-level fields. */
export interface SessionCall {
  at: number;
  fields?: { name: string; chatId?: string; errorCode?: string }[];
}

/** The Admin API mutation that causes each step, when the integration made it. */
const CAUSED_BY: Record<string, string> = {
  'chat.accepted': 'acceptChat',
  'message.created': 'sendChatMessage',
  'chat.closed': 'closeChat',
  'chat.reopened': 'openChat',
  'chat.persona-transferred': 'transferToPersona',
};

/**
 * Which `api` steps the integration made: each successful journaled call is matched to the first
 * not yet matched step it causes at or after its arrival; the other `api` steps were made by hand.
 */
export function integrationSteps(chatId: string, steps: SessionStep[], calls: SessionCall[]): Set<SessionStep> {
  const mine = new Set<SessionStep>();
  const ordered = [...calls].sort((a, b) => a.at - b.at);
  for (const call of ordered) {
    for (const field of call.fields ?? []) {
      if (field.chatId !== chatId || field.errorCode !== undefined) continue;
      const step = steps.find(
        (s) => s.actor === 'api' && !mine.has(s) && CAUSED_BY[s.event] === field.name && s.at >= call.at,
      );
      if (step) mine.add(step);
    }
  }
  return mine;
}
