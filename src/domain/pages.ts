import type { PageRecord } from '../store/model.js';
import type { Tenant } from '../store/tenant.js';
import type { DomainContext } from './context.js';
import { notFound } from './errors.js';
import { assertLength, quote } from './field-limits.js';
import { reserveBytes } from './limits.js';
import { sizeOf } from '../store/size.js';

/** Page language codes, in the documented order (Mutations page). */
export const PAGE_LANGUAGES = [
  'en',
  'de',
  'fr',
  'it',
  'es',
  'th',
  'ko',
  'ja',
  'nl',
  'pl',
  'da',
  'no',
  'sv',
  'fi',
  'pt',
  'zh',
  'ar',
  'ro',
  'uk',
  'bg',
  'cs',
  'sl',
] as const;

export interface PageUpdateInput {
  id: string;
  title?: unknown;
  content?: unknown;
  isVisible?: boolean | null;
  isBotKnowledge?: boolean | null;
}

/** A problem with the input that the API reports in `PageUpdate.userErrors`. */
export interface PageInputProblem {
  field: string[];
  message: string;
}

export type PageUpdateResult =
  { page: PageRecord; problem?: undefined } | { page?: undefined; problem: PageInputProblem };

type LanguageMap = Record<string, string | null>;

function languageMap(value: unknown, field: 'title' | 'content'): LanguageMap | PageInputProblem {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      field: ['input', field],
      message: `${field} must be an object keyed by language code, e.g. {"en": "…", "fr": "…"}.`,
    };
  }
  for (const [lang, text] of Object.entries(value)) {
    if (!(PAGE_LANGUAGES as readonly string[]).includes(lang)) {
      return {
        field: ['input', field, lang],
        message: `${quote(lang, 20)} is not a supported language code; use one of ${PAGE_LANGUAGES.join(', ')}.`,
      };
    }
    if (text !== null && typeof text !== 'string') {
      return {
        field: ['input', field, lang],
        message: `${field}.${lang} must be a string or null, got ${Array.isArray(text) ? 'a list' : typeof text}.`,
      };
    }
    if (typeof text === 'string')
      assertLength(field === 'title' ? 'page.title' : 'page.content', `input.${field}.${lang}`, text);
  }
  return value as LanguageMap;
}

const isProblem = (v: LanguageMap | PageInputProblem): v is PageInputProblem =>
  Array.isArray((v as PageInputProblem).field) && typeof (v as PageInputProblem).message === 'string';

/**
 * `updatePage`: an unknown page is an error; an input the API can parse but not accept (a language
 * map with an unknown code or a non-string value) is a user error and changes nothing. A given
 * language map replaces the stored one (the documented example returns exactly what it sent).
 */
export function updatePage(ctx: DomainContext, tenant: Tenant, input: PageUpdateInput): PageUpdateResult {
  const page = tenant.pagesById.get(input.id);
  if (!page)
    throw notFound(
      'page',
      input.id,
      'input.id',
      'Page ids are decimal strings such as "1993"; list them with partner { pages { edges { node { id } } } }.',
    );
  const title = input.title === undefined || input.title === null ? undefined : languageMap(input.title, 'title');
  if (title && isProblem(title)) return { problem: title };
  const content =
    input.content === undefined || input.content === null ? undefined : languageMap(input.content, 'content');
  if (content && isProblem(content)) return { problem: content };
  reserveBytes(
    ctx,
    tenant,
    (title ? sizeOf(title) - sizeOf(page.title) : 0) + (content ? sizeOf(content) - sizeOf(page.content) : 0),
  );
  if (title) page.title = { ...title };
  if (content) page.content = { ...content };
  if (input.isVisible != null) page.isVisible = input.isVisible;
  if (input.isBotKnowledge != null) page.isBotKnowledge = input.isBotKnowledge;
  page.updatedAt = Math.max(ctx.clock.now(), page.updatedAt);
  ctx.store.changed({ kind: 'page', tenant, page });
  ctx.events.emit('page.updated', { tenantId: tenant.id, page });
  return { page };
}
