import type { ContentFixture, TopicLines } from '../../src/store/fixtures.js';

/** A chat's transcript as a reader sees it: who said what, in order. */
export interface Transcript {
  id: string;
  language: string;
  question: string;
  lines: { who: 'customer' | 'expert' | 'bot'; text: string }[];
}

/**
 * What makes a transcript incoherent, as readable problems (none for a sensible chat): a line not
 * of the chat's language, the customer opening with anything but its topic's question, lines of two
 * topics in one chat (a delivery question answered with a tent), an answer to another question of
 * the topic than the one asked, a line said twice. `opening` is a line allowed before the question
 * (the documented chat's "Hello").
 */
export function dialogueProblems(chat: Transcript, content: ContentFixture, opening?: string): string[] {
  const problems: string[] = [];
  const lang = chat.language;
  const general = content.conversation?.[lang];
  const topics = (content.topics ?? []).map((t) => ({ id: t.id, lines: t[lang] as TopicLines | undefined }));
  const topicOf = (text: string, kind: 'customer' | 'expert') =>
    topics.find(
      ({ lines }) =>
        lines &&
        (kind === 'customer' ? [lines.question, lines.details, ...lines.followUps] : lines.answers).includes(text),
    )?.id;
  const said = new Set<string>();
  const seen = new Set<string>();
  let first = true;
  let answers = 0;
  chat.lines.forEach(({ who, text }, i) => {
    const where = `${chat.id} line ${i + 1} (${who}) "${text}"`;
    if (said.has(text)) problems.push(`${where}: said twice`);
    said.add(text);
    if (who === 'bot') {
      // The routing note is for experts only, in the partner's working language.
      const known = [content.bot.searching[lang], content.bot.missed[lang], content.bot.internalNote];
      if (!known.includes(text)) problems.push(`${where}: not a line of the bot in ${lang}`);
      return;
    }
    if (who === 'customer' && first && opening !== undefined && i === 0 && text === opening) return;
    const topic = topicOf(text, who);
    if (who === 'customer' && first) {
      first = false;
      const isQuestion = topics.some(({ lines }) => lines?.question === text);
      if (!isQuestion)
        problems.push(
          `${where}: the customer opens with something other than its question${(general?.thanks ?? []).includes(text) ? ' (thanks)' : ''}`,
        );
      if (text !== chat.question)
        problems.push(`${where}: the first line is not the chat's question "${chat.question}"`);
    }
    const topicFree =
      who === 'customer' ? [...(general?.thanks ?? []), ...(general?.anythingElse ?? [])] : (general?.closings ?? []);
    if (topic && who === 'expert') {
      // The topic's answers are aligned with its question and follow-ups: each answers what was asked.
      const index = topics.find((t) => t.id === topic)?.lines?.answers.indexOf(text);
      if (index !== answers)
        problems.push(
          `${where}: answers question ${(index ?? 0) + 1} of the topic where question ${answers + 1} was asked`,
        );
      answers += 1;
    }
    if (topic) seen.add(topic);
    else if (!topicFree.includes(text)) problems.push(`${where}: not a line of the ${who} in ${lang}`);
  });
  if (seen.size > 1) problems.push(`${chat.id}: lines of ${seen.size} topics in one chat (${[...seen].join(', ')})`);
  return problems;
}
