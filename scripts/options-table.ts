// Writes the option table of docs/configuration.md from the one option table (src/config/options.ts):
// `npm run docs:options`. test/unit/config/option-table.test.ts fails when the doc and the table differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { optionsMarkdownTable } from '../src/config/options.js';

export const DOC = 'docs/configuration.md';
export const START = '<!-- options: generated from src/config/options.ts by `npm run docs:options` -->';
export const END = '<!-- /options -->';

/** The doc with its option table replaced by the generated one. */
export function withGeneratedTable(doc: string): string {
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) throw new Error(`${DOC}: the markers ${START} … ${END} are missing`);
  return `${doc.slice(0, a + START.length)}\n${optionsMarkdownTable()}\n${doc.slice(b)}`;
}

if (process.argv[1]?.endsWith('options-table.ts')) {
  writeFileSync(DOC, withGeneratedTable(readFileSync(DOC, 'utf8')));
  console.log(`${DOC}: option table written`);
}
