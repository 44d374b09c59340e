import type { JournalNotes } from './http-recorder.js';
import { QUERY_CHARS } from './request-journal.js';

// Here, not in graphql/ beside the Apollo plugin (journal-plugin.ts): the front door uses it at start,
// before graphql-js is loaded.

/** What the client sent, for the request journal (before any leniency rewrites the document). */
export function documentNotes(sent: Record<string, unknown> | undefined): JournalNotes {
  const notes: JournalNotes = {};
  if (!sent || typeof sent !== 'object') return notes;
  const { query, variables, operationName } = sent;
  if (typeof query === 'string')
    notes.query = query.length > QUERY_CHARS ? `${query.slice(0, QUERY_CHARS)}… (${query.length} characters)` : query;
  if (typeof operationName === 'string' && operationName !== '') notes.operationName = operationName;
  let vars: unknown = variables;
  if (typeof vars === 'string') {
    try {
      vars = JSON.parse(vars);
    } catch {
      vars = undefined;
    }
  }
  if (vars && typeof vars === 'object' && !Array.isArray(vars)) notes.variables = vars as Record<string, unknown>;
  return notes;
}
