import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { packagePath } from '../kernel/paths.js';

// The store layer must not import the webhooks adapter; the ids are repeated and a test keeps them equal.
export const GUURU_EVENT_IDS = [
  'chat-assigned',
  'chat-opened',
  'message-created',
  'chat-closed',
  'chat-reopened',
  'chat-transferred',
  'chat-rated',
] as const;

const languageWeights = z.record(z.enum(['en', 'de', 'fr', 'it']), z.number().nonnegative());

const tenantFixture = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a lower-case slug such as guuru-qa'),
  name: z.string().min(1),
  tokens: z.array(z.string().min(1)).min(1),
  webhookSecret: z.string(),
  chatAvailable: z.boolean().default(true),
  currency: z.string().regex(/^[A-Z]{3}$/),
  chats: z.number().int().min(0),
  guurus: z.number().int().min(0),
  applicants: z.object({ pending: z.number().int().min(0), rejected: z.number().int().min(0) }),
  pages: z.number().int().min(0),
  firstPageId: z.number().int().min(1).default(1),
  languages: languageWeights,
  categories: z.array(z.object({ id: z.string(), name: z.string() })).min(1),
  agents: z.array(z.object({ name: z.string(), email: z.string(), summary: z.string().optional() })),
  /** The tenant's Gurusup organisation. */
  gurusup: z
    .object({
      name: z.string().min(1).optional(),
      apiKeys: z.array(z.string().min(8, 'at least 8 characters')).min(1),
      language: z.string().min(2).default('en'),
      autoReply: z.boolean().default(true),
      threads: z.number().int().min(0).default(0),
      languages: z.record(z.string(), z.number().nonnegative()).default({ en: 1 }),
    })
    .strict()
    .optional(),
  /** Webhook subscriptions of this partner (the Partner Portal's Developer page). */
  webhooks: z
    .object({
      url: z.string().optional(),
      events: z
        .partialRecord(
          z.enum(GUURU_EVENT_IDS),
          z.object({ url: z.string().optional(), active: z.boolean().optional() }),
        )
        .optional(),
      requestedExperts: z.enum(['ids', 'objects']).optional(),
      eventNames: z.enum(['current', 'legacy']).optional(),
    })
    .strict()
    .optional(),
  documented: z
    .object({
      chat: z.object({ id: z.string(), userId: z.string(), messageId: z.string(), text: z.string() }).optional(),
      submissionId: z.string().optional(),
      personas: z
        .array(
          z.object({
            id: z.string(),
            providerId: z.string(),
            name: z.string(),
            email: z.string().optional(),
            photoUrl: z.string().optional(),
          }),
        )
        .default([]),
    })
    .default({ personas: [] }),
});

const perLanguage = z.object({ en: z.array(z.string()).min(1) }).catchall(z.array(z.string()));
const perLanguageText = z.object({ en: z.string() }).catchall(z.string());

const topicLines = z
  .object({
    question: z.string(),
    details: z.string(),
    followUps: z.array(z.string()).min(1),
    answers: z.array(z.string()).min(2),
  })
  .strict();
/** One subject of conversation: the customer's question, what it adds, its follow-ups, and the answers in that order. */
const topicFixture = z.object({ id: z.string(), category: z.string().optional(), en: topicLines }).catchall(topicLines);
const conversationLines = z.object({
  thanks: z.array(z.string()).min(1),
  closings: z.array(z.string()).min(1),
  nudges: z.array(z.string()).min(1),
  comeBack: z.array(z.string()).min(1),
  welcomeBack: z.array(z.string()).min(1),
  anythingElse: z.array(z.string()).min(1),
  notHelpful: z.array(z.string()).min(1),
});

const contentFixture = z.object({
  questions: perLanguage,
  answers: perLanguage,
  followUps: perLanguage,
  closings: perLanguage,
  bot: z.object({ searching: perLanguageText, missed: perLanguageText, internalNote: z.string() }),
  transferReasons: z.array(z.string()).min(1),
  feedbackComments: z.array(z.string()).min(1),
  bios: z.array(z.string()).min(1),
  pages: z.array(z.record(z.string(), z.tuple([z.string(), z.string()]))).min(1),
  /** Dialogue by topic (question → answer → thanks) of seeded and scenario chats; without it they use the flat lists above. */
  topics: z.array(topicFixture).min(1).optional(),
  /** Topic-free lines of a chat, per language (thanks, closings, nudges…). */
  conversation: z.object({ en: conversationLines }).catchall(conversationLines).optional(),
  /** Gurusup threads: customer messages, automatic replies, agent answers, subjects (per language). */
  gurusup: z
    .object({ customer: perLanguage, replies: perLanguage, agentReplies: perLanguage, subjects: perLanguage })
    .optional(),
});

export type TenantFixture = z.infer<typeof tenantFixture>;
export type ContentFixture = z.infer<typeof contentFixture>;
export type TopicLines = z.infer<typeof topicLines>;
export type ConversationLines = z.infer<typeof conversationLines>;
export interface Fixtures {
  dir: string;
  tenants: TenantFixture[];
  content: ContentFixture;
}

export class FixturesError extends Error {}

export const defaultFixturesDir = (): string => packagePath('fixtures');

/** Reads and validates `tenants.json` and `content.json` from a fixtures folder. */
export function loadFixtures(dir: string = defaultFixturesDir()): Fixtures {
  const tenants = readJson(dir, 'tenants.json', z.object({ tenants: z.array(tenantFixture).min(1) }));
  const ids = new Set<string>();
  const tokens = new Set<string>();
  const keys = new Set<string>();
  for (const t of tenants.tenants) {
    if (ids.has(t.id)) throw new FixturesError(`${join(dir, 'tenants.json')}: tenant id "${t.id}" appears twice`);
    ids.add(t.id);
    for (const token of t.tokens) {
      if (tokens.has(token))
        throw new FixturesError(`${join(dir, 'tenants.json')}: token "${token}" is used by two tenants`);
      tokens.add(token);
    }
    for (const key of t.gurusup?.apiKeys ?? []) {
      if (keys.has(key))
        throw new FixturesError(`${join(dir, 'tenants.json')}: Gurusup API key "${key}" is used by two tenants`);
      keys.add(key);
    }
  }
  const content = readJson(dir, 'content.json', contentFixture);
  return { dir, tenants: tenants.tenants, content };
}

function readJson<T>(dir: string, name: string, schema: z.ZodType<T>): T {
  const file = join(dir, name);
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (error) {
    throw new FixturesError(`cannot read fixture ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new FixturesError(`fixture ${file} is not valid JSON: ${(error as Error).message}`);
  }
  // Parsed once per process: jitless, zod's compiled parser would cost more than it saves (a tenth of a first start).
  const parsed = schema.safeParse(json, { jitless: true });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new FixturesError(`fixture ${file} is invalid: ${issues}`);
  }
  return parsed.data;
}
