import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (file: string) => readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8');

/** The members of `union Author` in the schema: what message-created's author.__typename can be. */
const authorTypes = (schema: string): string[] =>
  (/^union Author = (.+)$/m.exec(schema)?.[1] ?? '')
    .split('|')
    .map((s) => s.trim())
    .filter(Boolean);

describe('docs/webhooks.md', () => {
  it("names every author.__typename a message-created can carry, with that type's fields", () => {
    const schema = read('schema.graphql');
    const types = authorTypes(schema);
    expect(types.sort()).toEqual(['BotAuthor', 'ExpertAuthor', 'UserAuthor']);
    const paragraph =
      /`author\.__typename` says who wrote it[^]*?Bodies\s+describe/.exec(read('docs/webhooks.md'))?.[0] ?? '';
    for (const type of types) {
      const documented = new RegExp(`\`${type}\` \\(([^)]*)\\)`).exec(paragraph)?.[1];
      expect(documented, type).toBeDefined();
      // Each field it lists is a field of that type in the schema.
      const fields = /\{([^}]*)\}/.exec(schema.slice(schema.indexOf(`type ${type} {`)))?.[1] ?? '';
      for (const field of documented!.match(/`(\w+)`/g) ?? [])
        expect(fields, `${type}.${field}`).toMatch(new RegExp(`^\\s*${field.slice(1, -1)}\\b`, 'm'));
    }
  });
});
