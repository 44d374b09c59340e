import type { ContentFixture } from '../store/fixtures.js';
import type { Random } from '../kernel/random.js';
import type { Conversation } from '../store/conversation.js';
import type { Flow } from './flow.js';
import { StepFailed } from './run.js';
import { parseDuration } from './schema.js';

type ParamValue = string | number | boolean;

/** The templates a chat's dialogue answers: each the {@link Conversation} line of that name. */
const DIALOGUE_LINES = [
  'question',
  'answer',
  'followUp',
  'closing',
  'details',
  'thanks',
  'nudge',
  'comeBack',
  'welcomeBack',
  'notHelpful',
] as const;
type DialogueLine = (typeof DIALOGUE_LINES)[number] & keyof Conversation;
const isDialogueLine = (name: string): name is DialogueLine => (DIALOGUE_LINES as readonly string[]).includes(name);

/**
 * The `{{name}}` templates of a run's step arguments: the run's parameters, else a generated text
 * (the chat's dialogue when the flow has one, else the tenant content's lists), in the flow's
 * language; and whole numbers and durations, resolved the same way.
 */
export class Templates {
  constructor(
    private readonly params: Readonly<Record<string, ParamValue>>,
    private readonly scenarioName: string,
    private readonly content: ContentFixture,
    private readonly random: Random,
  ) {}

  text(raw: string, flow?: Flow): string {
    return String(this.resolve(raw, flow));
  }

  int(raw: unknown, name: string): number {
    const value = Number(this.resolve(raw));
    if (!Number.isInteger(value) || value < 0)
      throw new StepFailed(`${name}: expected a whole number, got ${String(this.resolve(raw))}`);
    return value;
  }

  duration(raw: unknown, name: string): number {
    if (typeof raw === 'object' && raw !== null && 'min' in raw) {
      const range = raw as { min: unknown; max: unknown };
      const min = this.duration(range.min, name);
      const max = this.duration(range.max, name);
      return this.random.int(Math.min(min, max), Math.max(min, max));
    }
    const ms = parseDuration(this.resolve(raw));
    if (ms === undefined)
      throw new StepFailed(`${name}: "${String(this.resolve(raw))}" is not a duration such as 30s or 2m`);
    return ms;
  }

  private resolve(raw: unknown, flow?: Flow): unknown {
    if (typeof raw !== 'string') return raw;
    const whole = /^\{\{\s*([A-Za-z][\w-]*)\s*\}\}$/.exec(raw);
    if (whole) return this.value(whole[1] as string, flow);
    return raw.replace(/\{\{\s*([A-Za-z][\w-]*)\s*\}\}/g, (_m, key: string) => String(this.value(key, flow)));
  }

  private value(name: string, flow?: Flow): ParamValue {
    if (Object.hasOwn(this.params, name)) return this.params[name] as ParamValue;
    const generated = this.dialogue(name, flow) ?? this.generated(name, flow);
    if (generated === undefined)
      throw new StepFailed(
        `unknown template {{${name}}}: not a parameter of ${this.scenarioName} nor a generated text`,
      );
    return generated;
  }

  /** A line of the chat's dialogue, when the flow has one (one topic, no line twice). */
  private dialogue(name: string, flow?: Flow): string | undefined {
    const talk = flow?.talk;
    if (!talk) return undefined;
    // A reactive customer's last answer is its thanks.
    if (name === 'followUp' && flow?.customer?.lastExchange) return talk.thanks();
    return isDialogueLine(name) ? talk[name]() : undefined;
  }

  /** A text of the content's lists (no dialogue in the flow, or a template the dialogue has none of). */
  private generated(name: string, flow?: Flow): string | undefined {
    const lang = flow?.language ?? String(this.params.language ?? 'en');
    const c = this.content;
    const from = (list: Record<string, string[]> | undefined): string =>
      this.random.pick(list?.[lang] ?? list?.en ?? ['…']);
    const lists: Record<string, () => string> = {
      question: () => from(c.questions),
      answer: () => from(c.answers),
      followUp: () => from(c.followUps),
      closing: () => from(c.closings),
      details: () => from(c.followUps),
      thanks: () => from(c.followUps),
      nudge: () => 'Hello? Is anyone there?',
      comeBack: () => from(c.followUps),
      welcomeBack: () => from(c.followUps),
      notHelpful: () => 'That does not answer my question.',
      botNote: () => c.bot.searching[lang] ?? c.bot.searching.en,
      botMissed: () => c.bot.missed[lang] ?? c.bot.missed.en,
      transferReason: () => this.random.pick(c.transferReasons),
      customerMessage: () => from(c.gurusup?.customer ?? c.questions),
      gurusupReply: () => from(c.gurusup?.replies ?? c.answers),
      gurusupAgentReply: () => from(c.gurusup?.agentReplies ?? c.answers),
    };
    return Object.hasOwn(lists, name) ? lists[name]?.() : undefined;
  }
}
