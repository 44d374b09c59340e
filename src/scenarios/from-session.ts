import { yaml } from '../kernel/yaml.js';
import type { ChatRecord } from '../store/model.js';
import { integrationSteps, type SessionCall, type SessionStep } from './session-origin.js';

/**
 * A chat held by hand (the dashboard's shopper window and agent console, or anyone's control-API
 * calls) as a scenario file: the person's actions become steps, and what the integration did
 * (its Admin API calls, found in the request journal) becomes `wait-until` steps, so that
 * `scenario run` plays the same conversation against the same integration and judges it.
 */

export interface SessionScenarioOptions {
  name: string;
  description?: string;
  /** 'kept' (default): the shopper's own lines; 'generated': the emulator's generated texts instead. */
  text?: 'kept' | 'generated';
  /** Real time the replay gives the integration for each of its moves (default 30s). */
  timeout?: string;
}

type YamlStep = Record<string, unknown>;

/** The scenario file (YAML text) of one chat's session. */
export function sessionScenario(
  chat: ChatRecord,
  steps: SessionStep[],
  calls: SessionCall[],
  options: SessionScenarioOptions,
): string {
  const generated = options.text === 'generated';
  const timeout = options.timeout ?? '30s';
  const byIntegration = integrationSteps(chat.id, steps, calls);
  const messages = new Map(chat.messages.map((m) => [m.id, m]));
  const out: YamlStep[] = [];
  /** The integration's moves since the person's last action, folded into one wait. */
  let pending: 'accepted' | 'integrator-message' | 'closed' | undefined;
  const RANK = { accepted: 0, 'integrator-message': 1, closed: 2 } as const;
  const flush = () => {
    if (pending) out.push({ 'wait-until': { event: pending, timeout } });
    pending = undefined;
  };
  const awaitIntegration = (event: keyof typeof RANK) => {
    // Accept, answer and close in one reaction are one wait for the furthest of them.
    if (pending === undefined || RANK[event] > RANK[pending]) pending = event;
  };

  for (const step of steps) {
    if (byIntegration.has(step)) {
      if (step.event === 'chat.accepted') awaitIntegration('accepted');
      else if (step.event === 'message.created') awaitIntegration('integrator-message');
      else if (step.event === 'chat.closed') awaitIntegration('closed');
      // A reopen or transfer by the integration is not waited for: the next wait covers it.
      continue;
    }
    flush();
    const yamlStep = stepOf(step, chat, messages, generated);
    if (yamlStep) out.push(yamlStep);
  }
  flush();
  const description =
    options.description ??
    `Saved from chat ${chat.id} held in the dashboard: "${chat.question.slice(0, 80)}". ${byIntegration.size > 0 ? "The integration's moves are waited for (wait-until), so a run against it gets a verdict." : 'Every move was made by hand.'}`;
  return yaml().stringify(
    {
      name: options.name,
      description,
      params: { tenant: { default: '', description: 'Tenant to run in (default the first one)' } },
      steps: out,
    },
    { lineWidth: 0 },
  );
}

/** The scenario step of one of the person's moves (undefined where a move has no step of its own). */
function stepOf(
  step: SessionStep,
  chat: ChatRecord,
  messages: Map<string, ChatRecord['messages'][number]>,
  generated: boolean,
): YamlStep | undefined {
  const byCustomer = step.actor === 'user';
  switch (step.event) {
    case 'chat.created':
      return {
        open: {
          ...(generated ? {} : { question: chat.question }),
          language: chat.language,
          ...(chat.user.name || chat.user.email
            ? {
                user: {
                  ...(chat.user.name ? { name: chat.user.name } : {}),
                  ...(chat.user.email ? { email: chat.user.email } : {}),
                },
              }
            : {}),
        },
      };
    case 'chat.assigned':
      return { assign: { experts: [...chat.requestedExperts] } };
    case 'chat.accepted':
      return {
        accept:
          chat.expertId && chat.expertId !== 'api' && step.actor === 'api'
            ? { by: 'persona', persona: chat.expertId }
            : step.actor === 'api'
              ? { by: 'api' }
              : { by: 'guuru' },
      };
    case 'message.created': {
      const m = step.messageId ? messages.get(step.messageId) : undefined;
      const from = byCustomer ? 'customer' : step.actor === 'system' ? 'bot' : 'expert';
      if (m?.type === 'attachment' && m.attachment) {
        return {
          message: {
            from,
            attachment: {
              url: m.attachment.url,
              ...(m.attachment.mimetype ? { mimetype: m.attachment.mimetype } : {}),
              ...(m.attachment.filename ? { filename: m.attachment.filename } : {}),
            },
          },
        };
      }
      return { message: { from, ...(generated || m?.text == null ? {} : { text: m.text }) } };
    }
    case 'chat.closed':
      return { close: { by: byCustomer ? 'customer' : 'expert' } };
    case 'chat.reopened':
      return { reopen: { by: byCustomer ? 'customer' : 'expert' } };
    case 'chat.rated':
      return chat.rating ? { rate: { rating: chat.rating } } : undefined;
    case 'chat.handed-over':
      return {
        handover: {
          ...(chat.transfer?.reason ? { reason: chat.transfer.reason } : {}),
          ...(chat.transfer?.receiver ? { receiver: chat.transfer.receiver } : {}),
        },
      };
    case 'chat.missed':
      return { miss: {} };
    case 'chat.persona-transferred':
      return chat.expertId ? { 'transfer-to-persona': { persona: chat.expertId } } : undefined;
  }
  return undefined;
}
