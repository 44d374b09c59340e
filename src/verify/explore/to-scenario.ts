import { Document, isMap, isSeq, visit } from 'yaml';
import { describeStep, TEXTS, type ChatLabel, type Fault, type Step } from './model.js';
import type { FlowFile } from './flow-file.js';

/**
 * A flow file of `verify --explore` as a scenario of scenarios/ (docs/scenarios.md): every chat of
 * the flow, named A, B, C (`open: {as}`) and interleaved as in the flow (`in-chat`), each step
 * preceded by the flow's words as a comment, and the delivery faults as the webhooks' fault rules
 * (`fault` steps) where they have a form there; where not, the comment says so and what is played
 * instead. The scenario engine plays GUURU's side as the emulator does: webhooks go through the
 * dispatcher to the run's target, the integration's actions cause their own.
 */

/** The event a step's fault is about (the reopen or chat-opened around it goes once, as in explore). */
const FAULTED_EVENT: Record<Step['do'], string> = {
  assign: 'chat-assigned',
  write: 'message-created',
  rate: 'chat-rated',
  'agent-write': 'message-created',
};

/** Each explore fault as a fault rule of a scenario, with a note where that is not the same thing. */
function faultRule(step: Step): { rule: Record<string, unknown>; note?: string } | undefined {
  const event = FAULTED_EVENT[step.do];
  const kinds: Record<Fault, () => { rule: Record<string, unknown>; note?: string }> = {
    duplicate: () => ({ rule: { kind: 'duplicate', event } }),
    concurrent: () => ({
      rule: { kind: 'duplicate', event },
      note: 'two copies sent at once have no scenario form: played as a duplicate, its copy sent once the first is answered',
    }),
    retry: () => ({
      rule: { kind: 'duplicate', event },
      note: 'a first attempt given up and retried 20 ms later has no scenario form: played as a duplicate (same Idempotency-Key), its copy sent once the first is answered',
    }),
    reordered: () => ({
      rule: { kind: 'reorder', event },
      note: 'reorder holds the webhook until the next webhook to the target, of whichever chat',
    }),
    delayed: () => ({
      // No event: the step's first webhook is held, the chat's later ones wait behind it.
      rule: { kind: 'delay', delay: `${step.delayMs ?? 0}ms` },
    }),
  };
  return step.fault ? kinds[step.fault]() : undefined;
}

/** What each step of the flow did when it was played, from the recorded deliveries (absent in a file without them). */
function playedSteps(file: FlowFile): { played: Set<number>; reopened: Set<number> } | undefined {
  if (!file.deliveries.some((d) => d.step !== undefined)) return undefined;
  const played = new Set<number>();
  const reopened = new Set<number>();
  for (const d of file.deliveries) {
    if (d.step === undefined) continue;
    played.add(d.step);
    if (d.event === 'chat-reopened') reopened.add(d.step);
  }
  return { played, reopened };
}

/** Builds the scenario's steps, each with the comment lines that go before it. */
class ScenarioSteps {
  readonly items: { step: Record<string, unknown>; comments: string[] }[] = [];
  private comments: string[] = [];
  private readonly opened = new Set<ChatLabel>();
  private current: ChatLabel | undefined;

  constructor(private readonly file: FlowFile) {}

  /** Waits for your close as the flow did: as long as the longest silence, and the grace. */
  private get closeWait(): Record<string, unknown> {
    const { graceMs, maxSilenceMs } = this.file;
    const waitMs = (maxSilenceMs ?? 3_000) + graceMs;
    return { 'wait-until': { event: 'closed', timeout: `${waitMs}ms`, onTimeout: 'continue' } };
  }

  /** Until every chat is quiet (the flow's observation rule): the grace, at most the timeout and the grace. */
  private get quiet(): Record<string, unknown> {
    const { timeoutMs, graceMs } = this.file;
    return { quiet: { grace: `${graceMs}ms`, timeout: `${timeoutMs + graceMs}ms` } };
  }

  /**
   * At the end, as the flow's verdict waited: until every chat is quiet, then for what each chat of
   * api is owed (its accept; its close when its customer said last it is helped). The waits give
   * the run its verdict.
   */
  end(api: ChatLabel[], helped: ChatLabel[]): void {
    this.comment('the end of the flow: what your integration owes is awaited, as the flow did');
    this.push(this.quiet);
    const { timeoutMs, graceMs } = this.file;
    for (const chat of api) {
      if (this.current !== chat) this.push({ 'in-chat': chat });
      this.current = chat;
      this.push({ 'wait-until': { event: 'accepted', timeout: `${timeoutMs + graceMs}ms`, onTimeout: 'continue' } });
      if (helped.includes(chat)) this.push(this.closeWait);
    }
  }

  comment(line: string): void {
    this.comments.push(line);
  }

  push(step: Record<string, unknown>): void {
    this.items.push({ step, comments: this.comments });
    this.comments = [];
  }

  /** Comments left after the last step. */
  get trailing(): string[] {
    return this.comments;
  }

  add(step: Step, index: number, reopens: boolean): void {
    const isNew = step.do === 'assign' && !this.opened.has(step.chat);
    if (!isNew && this.current !== step.chat) {
      this.push({ 'in-chat': step.chat });
      this.current = step.chat;
    }
    this.timing(step, isNew);
    if (isNew) {
      this.push({ open: { as: step.chat, question: TEXTS.text[index % TEXTS.text.length], user: { name: 'Alex' } } });
      this.opened.add(step.chat);
      this.current = step.chat;
    }
    // Rating, and the customer coming back, need the chat closed: wait for your close (at once when it is).
    if ((step.do === 'rate' || reopens) && !('afterClose' in step.at)) {
      if ('gapMs' in step.at) this.push(this.quiet);
      this.push(this.closeWait);
    }
    const fault = faultRule(step);
    if (fault?.note) this.comment(`fault: ${fault.note}`);
    if (fault) this.push({ fault: fault.rule });
    this.action(step, index, reopens);
  }

  private timing(step: Step, isNew: boolean): void {
    const { at } = step;
    if ('gapMs' in at) {
      if (at.gapMs > 0) this.push({ wait: `${at.gapMs}ms` });
      return;
    }
    // Once the chats are quiet; then the silence, or your close (there is none to wait for in a chat not opened yet).
    if (this.opened.size > 0) this.push(this.quiet);
    if ('silenceMs' in at && at.silenceMs > 0) this.push({ wait: `${at.silenceMs}ms` });
    if ('afterClose' in at && !isNew) this.push(this.closeWait);
  }

  private action(step: Step, index: number, reopens: boolean): void {
    switch (step.do) {
      case 'assign':
        this.push({ assign: { experts: [step.api ? 'api' : 'guuru'] } });
        if (!step.api) this.push({ accept: { by: 'guuru' } });
        return;
      case 'write':
        if (reopens) this.push({ reopen: { by: 'customer' } });
        this.push({
          message:
            step.kind === 'attachment'
              ? { from: 'customer', attachment: { ...TEXTS.attachment } }
              : {
                  from: 'customer',
                  text: step.kind === 'helped' ? TEXTS.helped : TEXTS.text[index % TEXTS.text.length],
                },
        });
        return;
      case 'rate':
        this.push({ rate: { rating: 'good' } });
        return;
      case 'agent-write':
        this.push({ message: { from: 'expert', text: TEXTS.agent } });
    }
  }
}

/** The scenario (YAML text) of a flow file: every chat, its steps interleaved as in the flow, its faults as fault rules. */
export function toScenarioYaml(file: FlowFile, name = 'explore-replay'): string {
  const known = playedSteps(file);
  const steps = new ScenarioSteps(file);
  /** Per chat: was its customer's last step the thanks? */
  const helped = new Map<ChatLabel, boolean>();
  file.flow.forEach((step, index) => {
    steps.comment(`${index + 1}. ${describeStep(step)}`);
    if (known && !known.played.has(index)) {
      steps.comment('   not played in the explored flow (its chat was not in a state for it): left out');
      return;
    }
    const reopens = step.do === 'write' && (known ? known.reopened.has(index) : 'afterClose' in step.at);
    steps.add(step, index, reopens);
    if (step.do === 'write' || step.do === 'rate') helped.set(step.chat, step.do === 'write' && step.kind === 'helped');
  });
  const api = [...new Set(file.flow.filter((s) => s.do === 'assign' && s.api).map((s) => s.chat))];
  steps.end(
    api,
    [...helped].filter(([, last]) => last).map(([chat]) => chat),
  );
  const chats = [...new Set(file.flow.map((s) => s.chat))];
  const doc = new Document({
    name,
    description: `The flow of verify --explore that broke ${file.property}: ${file.failure.slice(0, 200)} (${chats.length} chat${chats.length === 1 ? '' : 's'}: ${chats.join(', ')}; from guuru-emulator scenario from-flow).`,
    steps: steps.items.map((i) => i.step),
  });
  const seq = doc.get('steps', true);
  if (isSeq(seq))
    seq.items.forEach((item, i) => {
      const comments = steps.items[i]?.comments ?? [];
      if (comments.length > 0 && item && typeof item === 'object')
        (item as { commentBefore?: string }).commentBefore = comments.map((c) => ` ${c}`).join('\n');
    });
  if (steps.trailing.length > 0) doc.comment = steps.trailing.map((c) => ` ${c}`).join('\n');
  // Each step's argument on one line ("- fault: { kind: duplicate, event: message-created }").
  visit(doc, {
    Pair(_key, pair, path) {
      if (path.length >= 4 && isMap(pair.value)) pair.value.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0 });
}
