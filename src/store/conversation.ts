import type { Random } from '../kernel/random.js';
import type { ContentFixture, ConversationLines, TopicLines } from './fixtures.js';

/** A topic in one language, with the category it belongs to (by name). */
interface Topic {
  id: string;
  category?: string;
  lines: TopicLines;
}

const FALLBACK_LINES: ConversationLines = {
  thanks: ['Thank you!'],
  closings: ["You're welcome!"],
  nudges: ['Hello? Is anyone there?'],
  comeBack: ['Sorry, one more thing:'],
  welcomeBack: ['Thanks for coming back to me!'],
  anythingElse: ['Could you tell me a bit more?'],
  notHelpful: ['That does not answer my question.'],
};

/**
 * The dialogue of one chat, seeded or played by a scenario: one topic from question to answer to
 * thanks, in the chat's language, with no line said twice (content from `fixtures/content.json`,
 * drawn with the caller's seeded random source). The customer asks the topic's question, adds its
 * details, asks its follow-ups in order; an expert answers what was last asked (answers are aligned
 * with the question and the follow-ups); thanks and closings come from the topic-free lines.
 */
export class Conversation {
  readonly topic: Topic;
  private readonly general: ConversationLines;
  private readonly used = new Set<string>();
  /** Questions the customer has asked (the opening question and each follow-up). */
  private asked = 0;
  /** Answers an expert has given to them. */
  private answered = 0;
  private nextFollowUp = 0;

  constructor(
    content: ContentFixture,
    private readonly random: Random,
    readonly language: string,
    /** The topic to talk about (by id); a random one when absent or unknown. */
    topicId?: string,
  ) {
    this.topic = pickTopic(content, random, language, topicId);
    this.general = content.conversation?.[language] ?? content.conversation?.en ?? fallbackLines(content, language);
  }

  /** The opening question (the chat's first message). */
  question(): string {
    this.asked = Math.max(this.asked, 1);
    return this.say(this.topic.lines.question);
  }

  /** What the customer adds once someone listens (the question in more detail). */
  details(): string {
    this.asked = Math.max(this.asked, 1);
    return this.say(this.topic.lines.details);
  }

  /** Whether the customer still has a follow-up question on the topic. */
  hasFollowUp(): boolean {
    return this.topic.lines.followUps.slice(this.nextFollowUp).some((line) => !this.used.has(line));
  }

  /** The next follow-up question on the topic; thanks once there is nothing left to ask. */
  followUp(): string {
    const followUps = this.topic.lines.followUps;
    while (this.nextFollowUp < followUps.length) {
      const line = followUps[this.nextFollowUp++] as string;
      if (this.used.has(line)) continue;
      this.asked += 1;
      return this.say(line);
    }
    return this.thanks();
  }

  thanks(): string {
    return this.fresh(this.general.thanks, this.general.anythingElse);
  }

  /** An expert's answer to what the customer asked last (then the topic's remaining answers, then a closing line). */
  answer(): string {
    const answers = this.topic.lines.answers;
    if (this.answered < this.asked && this.answered < answers.length) {
      const line = answers[this.answered++] as string;
      if (!this.used.has(line)) return this.say(line);
    }
    const left = answers.filter((line) => !this.used.has(line));
    if (left.length > 0) return this.say(left[0] as string);
    return this.closing();
  }

  closing(): string {
    return this.fresh(this.general.closings, this.general.thanks);
  }

  /** The impatient customer's "are you still there?". */
  nudge(): string {
    return this.fresh(this.general.nudges, this.general.anythingElse);
  }

  /** The customer coming back after the close: "one more thing:" and a question still open on the topic. */
  comeBack(): string {
    const prefix = this.fresh(this.general.comeBack, this.general.comeBack);
    const question = this.hasFollowUp()
      ? this.followUp()
      : this.fresh(this.general.anythingElse, this.general.anythingElse);
    return `${prefix} ${question}`;
  }

  /** The customer unhappy with an answer. */
  notHelpful(): string {
    return this.fresh(this.general.notHelpful, this.general.anythingElse);
  }

  /** The customer when the expert writes again after reopening the chat. */
  welcomeBack(): string {
    return this.fresh(this.general.welcomeBack, this.general.thanks);
  }

  private say(line: string): string {
    this.used.add(line);
    return line;
  }

  /** A line of `lines` not said yet in this chat, else one of `fallback`; a repeat only when both are spent. */
  private fresh(lines: string[], fallback: string[]): string {
    for (const list of [lines, fallback]) {
      const unused = list.filter((line) => !this.used.has(line));
      if (unused.length > 0) return this.say(this.random.pick(unused));
    }
    return this.random.pick(lines);
  }
}

function pickTopic(content: ContentFixture, random: Random, language: string, topicId: string | undefined): Topic {
  const topics = content.topics;
  if (topics && topics.length > 0) {
    const topic = topics.find((t) => t.id === topicId) ?? random.pick(topics);
    const lines = (topic[language] as TopicLines | undefined) ?? topic.en;
    return { id: topic.id, ...(topic.category ? { category: topic.category } : {}), lines };
  }
  // Content without topics (an older custom fixtures folder): one question with the flat lists.
  const list = (lists: Record<string, string[]>) => lists[language] ?? lists.en ?? [];
  return {
    id: 'general',
    lines: {
      question: random.pick(list(content.questions)),
      details: random.pick(list(content.followUps)),
      followUps: list(content.followUps),
      answers: list(content.answers),
    },
  };
}

function fallbackLines(content: ContentFixture, language: string): ConversationLines {
  const closings = content.closings[language] ?? content.closings.en;
  return { ...FALLBACK_LINES, closings };
}
