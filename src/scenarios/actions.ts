import { API, SERVICE_ACCOUNT_ID, USER } from '../domain/actors.js';
import {
  acceptChat,
  assignChat,
  closeChat,
  createChat,
  handoverChat,
  missChat,
  postMessage,
  rateChat,
  reopenChat,
  transferChatToPersona,
} from '../domain/chats.js';
import { postThreadMessage, sendSystemMessage, threadHash } from '../domain/threads.js';
import { Conversation } from '../store/conversation.js';
import { StepFailed } from './run.js';
import type { ActionHandler, StepContext } from './step-context.js';
import type { StepKind } from './schema.js';

/** The steps that are one synchronous domain command each (the rest steer the flow: flow-steps.ts). */
export type ActionKind = Exclude<
  StepKind,
  'wait' | 'wait-until' | 'customer' | 'give-up' | 'repeat' | 'choose' | 'parallel' | 'in-chat' | 'fault' | 'quiet'
>;

const text = (s: StepContext, raw: string, flow?: Parameters<StepContext['steps']>[1]) => s.templates.text(raw, flow);

const open: ActionHandler<'open'> = (s, step, flow, name) => {
  const { ctx, tenant, random } = s;
  const as = step.args.as;
  if (as !== undefined && flow.named?.has(as))
    throw new StepFailed(`${name}: this flow has a chat named "${as}" already; give each chat its own name.`);
  const asked = step.args.language ? text(s, step.args.language) : flow.language;
  // "any": one of the chat window's languages, at random (busy-day).
  const language = asked === 'any' ? random.pick(['en', 'en', 'de', 'fr', 'it']) : asked;
  flow.language = language;
  flow.talk = new Conversation(ctx.content, random, language);
  const people = random.people(language === 'de' || language === 'fr' || language === 'it' ? language : 'en');
  const first = people.person.firstName();
  const last = people.person.lastName();
  // The category of the chat's topic when the tenant has one by that name.
  const category = step.args.category
    ? text(s, step.args.category)
    : (tenant.data.categories.find((c) => c.name === flow.talk?.topic.category) ?? random.pick(tenant.data.categories))
        .id;
  const chat = createChat(ctx, tenant, {
    question: text(s, step.args.question ?? '{{question}}', flow),
    language,
    categoryId: category,
    user: {
      name: step.args.user?.name ? text(s, step.args.user.name) : `${first} ${last}`,
      email: step.args.user?.email
        ? text(s, step.args.user.email)
        : people.internet.email({ firstName: first, lastName: last }).toLowerCase(),
    },
  });
  flow.chatId = chat.id;
  if (as !== undefined) (flow.named ??= new Map()).set(as, { chatId: chat.id, language, talk: flow.talk });
  s.adopt('chat', chat.id);
  return `customer opened chat ${chat.id}: "${chat.question}"`;
};

const assign: ActionHandler<'assign'> = (s, step, flow, name) => {
  const experts = (step.args.experts ?? [SERVICE_ACCOUNT_ID]).map((e) => {
    const ref = text(s, e);
    return ref === 'guuru' ? s.pickExpert('guuru', name).id : ref;
  });
  assignChat(s.ctx, s.tenant, s.chat(flow, name).id, experts);
  return `assigned to ${experts.join(', ')}`;
};

const accept: ActionHandler<'accept'> = (s, step, flow, name) => {
  const { ctx, tenant } = s;
  const chat = s.chat(flow, name);
  const by = step.args.by
    ? text(s, step.args.by)
    : chat.requestedExperts.includes(SERVICE_ACCOUNT_ID)
      ? 'persona'
      : 'guuru';
  if (by === 'persona') {
    const personaId = s.persona(step.args.persona, name);
    acceptChat(ctx, tenant, chat.id, { personaId }, API);
    return `accepted by persona ${personaId}`;
  }
  if (by === 'api') {
    acceptChat(ctx, tenant, chat.id, {}, API);
    return 'accepted by the Public API service account';
  }
  const requested = chat.requestedExperts.filter((id) => tenant.expertsById.get(id)?.kind === by);
  const expertId =
    requested.length > 0 ? s.random.pick(requested) : s.pickExpert(by === 'agent' ? 'agent' : 'guuru', name).id;
  acceptChat(ctx, tenant, chat.id, { expertId }, { kind: 'expert', id: expertId });
  return `accepted by ${by} ${expertId}`;
};

const message: ActionHandler<'message'> = (s, step, flow, name) => {
  const chat = s.chat(flow, name);
  const from = text(s, step.args.from);
  const actor = s.actor(from, chat, name);
  const fallback = from === 'customer' ? '{{followUp}}' : from === 'bot' ? '{{botNote}}' : '{{answer}}';
  const posting = step.args.attachment
    ? {
        type: 'attachment',
        address: text(s, step.args.attachment.url),
        mimetype: step.args.attachment.mimetype,
        filename: step.args.attachment.filename,
      }
    : { type: 'text', text: text(s, step.args.text ?? fallback, flow) };
  const posted = postMessage(s.ctx, s.tenant, chat.id, posting, actor, {
    hideForUser: step.args.hideForUser,
    hideForExpert: step.args.hideForExpert,
  });
  return `${from}: ${posted.type === 'text' ? `"${posted.text}"` : `attachment ${posted.attachment?.filename ?? posted.attachment?.url}`}`;
};

const close: ActionHandler<'close'> = (s, step, flow, name) => {
  const chat = s.chat(flow, name);
  const by = step.args.by ? text(s, step.args.by) : 'expert';
  closeChat(s.ctx, s.tenant, chat.id, s.actor(by, chat, name));
  return `closed by the ${by}`;
};

const reopen: ActionHandler<'reopen'> = (s, step, flow, name) => {
  const chat = s.chat(flow, name);
  const by = step.args.by ? text(s, step.args.by) : 'customer';
  reopenChat(s.ctx, s.tenant, chat.id, s.actor(by, chat, name));
  return `reopened by the ${by}`;
};

const handover: ActionHandler<'handover'> = (s, step, flow, name) => {
  const receiver = step.args.receiver
    ? text(s, step.args.receiver)
    : s.random.pick(
        s
          .members('agent')
          .map((a) => a.email)
          .concat(['support@example.com']),
      );
  handoverChat(s.ctx, s.tenant, s.chat(flow, name).id, {
    reason: text(s, step.args.reason ?? '{{transferReason}}', flow),
    receiver,
  });
  return `handed over to ${receiver}`;
};

const rate: ActionHandler<'rate'> = (s, step, flow, name) => {
  const rating = text(s, step.args.rating);
  rateChat(s.ctx, s.tenant, s.chat(flow, name).id, rating, USER);
  return `rated ${rating}`;
};

const miss: ActionHandler<'miss'> = (s, _step, flow, name) => {
  missChat(s.ctx, s.tenant, s.chat(flow, name).id);
  return 'nobody accepted: missed';
};

const transferToPersona: ActionHandler<'transfer-to-persona'> = (s, step, flow, name) => {
  const personaId = s.persona(step.args.persona, name);
  transferChatToPersona(s.ctx, s.tenant, s.chat(flow, name).id, personaId, API);
  return `transferred to persona ${personaId}`;
};

const gurusupMessage: ActionHandler<'gurusup-message'> = (s, step, flow) => {
  const { ctx, tenant } = s;
  flow.threadFid ??= step.args.thread ? text(s, step.args.thread) : `scenario-${s.run.id}-${s.random.slug(6)}`;
  const from = text(s, step.args.from);
  const lang = step.args.lang ? text(s, step.args.lang) : flow.language;
  s.adopt('thread', threadHash(flow.threadFid));
  if (from === 'system') {
    const sent = sendSystemMessage(ctx, tenant, {
      thread_fid: flow.threadFid,
      body: text(s, step.args.body ?? '{{gurusupReply}}', { ...flow, language: lang }),
      lang,
    });
    return `system: "${sent.body}"`;
  }
  const result = postThreadMessage(ctx, tenant, {
    thread_fid: flow.threadFid,
    body: text(s, step.args.body ?? (from === 'agent' ? '{{gurusupAgentReply}}' : '{{customerMessage}}'), {
      ...flow,
      language: lang,
    }),
    user_fid: from === 'agent' ? 'agent-scenario' : `customer-${s.run.id}`,
    lang,
    ...(step.args.subject ? { subject: text(s, step.args.subject) } : {}),
    is_customer_support_agent: from === 'agent',
  });
  return `${from}: "${result.posted.body}"${result.reply ? ` → automatic reply "${result.reply.body}"` : ''}`;
};

/** Each domain action by step kind. */
export const ACTIONS: { [K in ActionKind]: ActionHandler<K> } = {
  open,
  assign,
  accept,
  message,
  close,
  reopen,
  handover,
  rate,
  miss,
  'transfer-to-persona': transferToPersona,
  'gurusup-message': gurusupMessage,
};
