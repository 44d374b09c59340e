import { SERVICE_ACCOUNT_ID } from '../domain/actors.js';
import type { ChatRecord } from '../store/model.js';
import { CUSTOMER_DEFAULTS, GiveUp, ReactiveCustomer, type CustomerSettings } from './customer.js';
import type { Flow } from './flow.js';
import { Interrupt, Interrupted } from './interrupt.js';
import { RunCancelled, StepFailed } from './run.js';
import type { Step, StepKind } from './schema.js';
import type { StepHandler } from './step-context.js';
import type { WaitFact } from './verdict.js';

/** Branches one `parallel` step may start (each a chat flow with its own timers). */
export const MAX_PARALLEL = 10_000;

/** The steps that steer a flow (wait, repeat, branch) or hand it to someone else (a customer, the integrator). */
export type FlowKind = Extract<
  StepKind,
  'wait' | 'wait-until' | 'customer' | 'give-up' | 'repeat' | 'choose' | 'parallel' | 'in-chat' | 'fault' | 'quiet'
>;

const wait: StepHandler<'wait'> = async (s, step, flow, name) => {
  await s.sleep(s.templates.duration(step.args, name), flow.interrupt);
  return true;
};

const giveUp: StepHandler<'give-up'> = (s, step, flow, name) => {
  s.run.note(
    flow,
    name,
    'give-up',
    step.args.reason ? s.templates.text(step.args.reason, flow) : 'the customer leaves',
  );
  throw new GiveUp(step.args.reason ? s.templates.text(step.args.reason, flow) : 'the customer left');
};

const repeat: StepHandler<'repeat'> = async (s, step, flow, name) => {
  const times = s.templates.int(step.args.times, name);
  for (let i = 0; i < times; i++) {
    const goOn = await s.steps(step.steps ?? [], { ...flow, suffix: `${flow.suffix}#${i + 1}` });
    if (!goOn) return false;
  }
  return true;
};

const choose: StepHandler<'choose'> = (s, step, flow) => {
  const branch = s.random.weighted((step.branches ?? []).map((b) => ({ value: b, weight: b.weight })));
  return s.steps(branch.steps, flow);
};

const parallel: StepHandler<'parallel'> = async (s, step, flow, name) => {
  const count = s.templates.int(step.args.count, name);
  // Every branch is set up at once: a huge count would hold the process (and its memory) for good.
  if (count > MAX_PARALLEL)
    throw new StepFailed(
      `${name}: parallel count ${count} is more than the ${MAX_PARALLEL} branches a run may have at once`,
    );
  let offset = 0;
  const branches: Promise<boolean>[] = [];
  for (let i = 0; i < count; i++) {
    if (i > 0 && step.args.stagger !== undefined) offset += s.templates.duration(step.args.stagger, name);
    const start = offset;
    const branch: Flow = {
      language: flow.language,
      suffix: `${flow.suffix}/${i + 1}`,
      ...(flow.interrupt ? { interrupt: flow.interrupt } : {}),
    };
    branches.push(
      (async () => {
        if (start > 0) await s.sleep(start, flow.interrupt);
        return s.steps(step.steps ?? [], branch);
      })(),
    );
  }
  await Promise.all(branches);
  return true;
};

/** Hands the chat to a reactive customer until it rates, is missed or gives up; false when the chat was missed. */
const customer: StepHandler<'customer'> = async (s, step, flow, name) => {
  const chat = s.chat(flow, name);
  const args = step.args;
  const ms = (value: unknown, fallback: number) => (value === undefined ? fallback : s.templates.duration(value, name));
  const settings: CustomerSettings = {
    exchanges: args.exchanges === undefined ? CUSTOMER_DEFAULTS.exchanges : s.templates.int(args.exchanges, name),
    patience: {
      accept: ms(args.patience?.accept, CUSTOMER_DEFAULTS.patience.accept),
      reply: ms(args.patience?.reply, CUSTOMER_DEFAULTS.patience.reply),
      close: ms(args.patience?.close, CUSTOMER_DEFAULTS.patience.close),
    },
    grace: ms(args.grace, CUSTOMER_DEFAULTS.grace),
    handlers: step.handlers ?? {},
  };
  const own: Flow & { chatId: string } = { ...flow, chatId: chat.id };
  const player = new ReactiveCustomer(s.customerHost, own, settings, step.path);
  own.customer = player;
  s.run.customerStarted(chat.id, player);
  const removeCancel = s.run.onStop(() => player.cancel(new RunCancelled()));
  try {
    const outcome = await player.play();
    s.run.note(
      flow,
      name,
      'customer',
      outcome === 'rated'
        ? 'the customer rated the chat'
        : outcome === 'missed'
          ? 'nobody accepted: the chat was missed'
          : `the customer ${outcome}`,
    );
    // The integrator's last reactions (a message after the close, say) still belong to the run.
    await s.quiet(chat.id, settings.grace);
    return outcome !== 'missed';
  } finally {
    removeCancel();
    s.run.customerEnded(chat.id);
  }
};

const REACHED: Record<
  Extract<Step, { kind: 'wait-until' }>['args']['event'],
  (chat: ChatRecord, since: number) => boolean
> = {
  accepted: (chat) => chat.acceptedAt !== undefined && chat.status !== 'assigned',
  closed: (chat) => chat.status === 'closed' || chat.status === 'rated',
  rated: (chat) => chat.status === 'rated',
  'integrator-message': (chat, since) =>
    chat.messages
      .slice(since)
      .some((m) => m.author.kind === 'persona' || (m.author.kind === 'expert' && m.author.id === SERVICE_ACCOUNT_ID)),
};

/** What the verdict counts a wait-until as (a wait for the chat to be rated is not the integrator's). */
const AWAITING = { accepted: 'accept', 'integrator-message': 'reply', closed: 'close' } as const;

/** Waits for the integrator (or the chat) to reach a state, with a real-time timeout. */
const waitUntil: StepHandler<'wait-until'> = async (s, step, flow, name) => {
  const chat = s.chat(flow, name);
  const { event, onTimeout } = step.args;
  const timeout = s.templates.duration(step.args.timeout, name);
  const since = chat.messages.length;
  const expected = step.args.expect ?? `chat ${event}`;
  const at = s.ctx.clock.now();
  const awaiting = AWAITING[event as keyof typeof AWAITING] as WaitFact['awaiting'] | undefined;
  const fact: WaitFact | undefined = awaiting
    ? { chatId: chat.id, awaiting, since: at, iso: new Date(at).toISOString(), outcome: 'done', waitedMs: 0 }
    : undefined;
  const handle = s.run.openWait(
    flow,
    name,
    'wait-until',
    fact,
    `waiting up to ${timeout} ms for: ${expected}`,
    expected,
  );
  const started = performance.now();
  const done = await s.waitFor(() => REACHED[event](chat, since), timeout);
  s.run.endWait(handle, done ? 'done' : 'timeout', Math.round(performance.now() - started));
  if (done || onTimeout === 'continue') return true;
  if (onTimeout === 'miss') {
    if (chat.status === 'assigned') s.act({ kind: 'miss', args: {}, path: step.path } as Step, flow, name);
    if (step.args.expect)
      throw new StepFailed(
        `${name}: the integrator did not ${step.args.expect} within ${timeout} ms; the chat was missed.`,
      );
    return false;
  }
  throw new StepFailed(`${name}: timed out after ${timeout} ms waiting for: ${expected}.`);
};

/** Makes a chat opened `as` that name in this flow the flow's chat again (several chats, interleaved). */
const inChat: StepHandler<'in-chat'> = (_s, step, flow, name) => {
  const named = flow.named?.get(step.args);
  if (!named)
    throw new StepFailed(
      `${name}: no chat named "${step.args}" in this flow; open it first with open: {as: ${step.args}}.`,
    );
  flow.chatId = named.chatId;
  flow.language = named.language;
  if (named.talk) flow.talk = named.talk;
  else delete flow.talk;
  return true;
};

/** Switches a delivery fault on for the next webhooks of the flow's chat (a fault rule of the webhooks, scoped to the chat). */
const fault: StepHandler<'fault'> = (s, step, flow, name) => {
  const chat = s.chat(flow, name);
  const { kind, event } = step.args;
  const times = step.args.times === undefined ? 1 : s.templates.int(step.args.times, name);
  const delayMs = step.args.delay === undefined ? undefined : s.templates.duration(step.args.delay, name);
  s.addFault({
    kind,
    chatId: chat.id,
    times,
    ...(event !== undefined ? { event: s.templates.text(event) } : {}),
    ...(delayMs !== undefined ? { delayMs } : {}),
  });
  s.run.note(
    flow,
    name,
    'fault',
    `delivery fault ${kind}${delayMs !== undefined ? ` (${delayMs} ms)` : ''} on the next ${times === 1 ? '' : `${times} `}${event ?? 'webhook'}${times === 1 ? '' : 's'} of chat ${chat.id}`,
  );
  return true;
};

/** The grace and the bound of a `quiet` step without them. */
const QUIET_DEFAULTS = { graceMs: 300, timeoutMs: 30_000 } as const;

/**
 * Waits until every chat of the flow (its chat, and those it named with `open: {as}`) is quiet: no
 * webhook of it on its way and nothing from the integrator for `grace` of real time (the reactive
 * customer's rule, and verify's); at most `timeout` of real time, then the flow goes on.
 */
const quiet: StepHandler<'quiet'> = async (s, step, flow, name) => {
  const ms = (value: unknown, fallback: number) => (value === undefined ? fallback : s.templates.duration(value, name));
  const grace = ms(step.args.grace, QUIET_DEFAULTS.graceMs);
  const timeout = ms(step.args.timeout, QUIET_DEFAULTS.timeoutMs);
  const chats = new Set([s.chat(flow, name).id, ...[...(flow.named?.values() ?? [])].map((c) => c.chatId)]);
  const bound = new Interrupt();
  const removeOuter = flow.interrupt?.add(() => bound.fire());
  const timer = setTimeout(() => bound.fire(), timeout);
  try {
    await Promise.all([...chats].map((id) => s.quiet(id, grace, bound)));
  } catch (error) {
    // The bound ended it: go on. A newer event, or the run cancelled, ends the flow as any wait does.
    if (!(error instanceof Interrupted) || flow.interrupt?.interrupted) throw error;
    s.run.note(flow, name, 'quiet', `not quiet within ${timeout} ms: went on`);
  } finally {
    clearTimeout(timer);
    removeOuter?.();
  }
  return true;
};

/** Each flow step by kind. */
export const FLOW_STEPS: { [K in FlowKind]: StepHandler<K> } = {
  wait,
  'wait-until': waitUntil,
  customer,
  'give-up': giveUp,
  repeat,
  choose,
  parallel,
  'in-chat': inChat,
  fault,
  quiet,
};
