import { invalidArgument } from './errors.js';
import { FIELD_LIMITS, assertLength, quote } from './field-limits.js';

/**
 * `ChatMessageInput.posting` as the Mutations page documents it: `type` ("text" | "attachment"),
 * `text`, `mimetype`, `address` (the attachment URL) and `filename`. Validated here so that a bad
 * posting is refused before anything is stored.
 */
export type Posting =
  { type: 'text'; text: string } | { type: 'attachment'; url: string; mimetype?: string; filename?: string };

const KEYS = ['type', 'text', 'mimetype', 'address', 'filename'] as const;
const TYPES = ['text', 'attachment'] as const;
export const MAX_TEXT_LENGTH = FIELD_LIMITS['message.text'];
const MIMETYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i;

const EXAMPLES =
  'Send {"type": "text", "text": "How can I help you ?"} or {"type": "attachment", "address": "https://…/shuttle.png", "mimetype": "image/png", "filename": "rocket.png"}.';

export function parsePosting(posting: unknown, arg = 'input.posting'): Posting {
  if (posting === null || posting === undefined) throw invalidArgument(arg, `${arg} is required. ${EXAMPLES}`);
  if (typeof posting !== 'object' || Array.isArray(posting)) {
    throw invalidArgument(
      arg,
      `${arg} must be an object, got ${Array.isArray(posting) ? 'a list' : typeof posting}. ${EXAMPLES}`,
    );
  }
  const fields = posting as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((k) => !(KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    const first = unknown[0] as string;
    throw invalidArgument(
      `${arg}.${first.length <= 40 ? first : `${first.slice(0, 40)}…`}`,
      `${arg} has unknown field(s) ${unknown
        .slice(0, 5)
        .map((k) => quote(k, 40))
        .join(
          ', ',
        )}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''}; a posting has only ${KEYS.join(', ')}.`,
    );
  }
  for (const key of KEYS) {
    const value = fields[key];
    if (value !== undefined && value !== null && typeof value !== 'string') {
      throw invalidArgument(`${arg}.${key}`, `${arg}.${key} must be a string, got ${typeof value}.`);
    }
  }
  const str = (key: (typeof KEYS)[number]): string | undefined =>
    typeof fields[key] === 'string' ? (fields[key] as string) : undefined;
  const type = str('type');
  if (type === undefined)
    throw invalidArgument(`${arg}.type`, `${arg}.type is required: "text" or "attachment". ${EXAMPLES}`);
  if (!(TYPES as readonly string[]).includes(type)) {
    throw invalidArgument(`${arg}.type`, `Unknown posting type ${quote(type, 40)}: use "text" or "attachment".`);
  }
  if (type === 'text') {
    const text = str('text');
    if (text === undefined || text.trim() === '')
      throw invalidArgument(`${arg}.text`, `A "text" posting needs a non-empty ${arg}.text.`);
    if (text.length > MAX_TEXT_LENGTH)
      throw invalidArgument(
        `${arg}.text`,
        `${arg}.text is ${text.length} characters long; the limit is ${MAX_TEXT_LENGTH}.`,
      );
    return { type: 'text', text };
  }
  const address = str('address');
  if (address === undefined || address.trim() === '') {
    throw invalidArgument(
      `${arg}.address`,
      `An "attachment" posting needs ${arg}.address, the https URL of the file (the read side returns it as attachment.url).`,
    );
  }
  assertLength('attachment.address', `${arg}.address`, address);
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw invalidArgument(
      `${arg}.address`,
      `${arg}.address ${quote(address)} is not an absolute URL; send the file's https URL.`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalidArgument(`${arg}.address`, `${arg}.address must be an http(s) URL, got the ${url.protocol} scheme.`);
  }
  const mimetype = str('mimetype');
  assertLength('attachment.mimetype', `${arg}.mimetype`, mimetype);
  assertLength('attachment.filename', `${arg}.filename`, str('filename'));
  if (mimetype !== undefined && !MIMETYPE.test(mimetype)) {
    throw invalidArgument(
      `${arg}.mimetype`,
      `${arg}.mimetype ${quote(mimetype)} is not a media type such as image/png.`,
    );
  }
  const filename = str('filename') ?? fileNameOf(url);
  return { type: 'attachment', url: url.href, ...(mimetype ? { mimetype } : {}), ...(filename ? { filename } : {}) };
}

function fileNameOf(url: URL): string | undefined {
  const last = url.pathname.split('/').filter(Boolean).pop();
  if (!last) return undefined;
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}
