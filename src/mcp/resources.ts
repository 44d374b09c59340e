/**
 * The documents an agent needs to act, served as MCP resources from the package's docs/*.md (the
 * npm package ships them), so they say exactly what the reference says.
 */
import { readFile } from 'node:fs/promises';
import { packagePath } from '../kernel/paths.js';

export interface DocResource {
  name: string;
  uri: string;
  title: string;
  description: string;
  /** The Markdown, read when asked for. */
  read(): Promise<string>;
}

const doc = (file: string) => () => readFile(packagePath('docs', file), 'utf8');

/** The part of a Markdown text from the paragraph starting with `from` up to the one starting with `to`. */
export function section(text: string, from: string, to: string): string {
  const start = text.indexOf(from);
  if (start < 0) throw new Error(`the documentation has no "${from}" paragraph any more`);
  const end = text.indexOf(to, start + from.length);
  return text.slice(start, end < 0 ? undefined : end).trim();
}

export const RESOURCES: DocResource[] = [
  {
    name: 'webhooks',
    uri: 'guuru-emulator://docs/webhooks.md',
    title: 'The webhook contract',
    description:
      'Every GUURU webhook event, how to subscribe, the delivery headers, the payloads, ordering and retries, and trigger.',
    read: doc('webhooks.md'),
  },
  {
    name: 'signature',
    uri: 'guuru-emulator://docs/webhooks.md#signature',
    title: 'The signature rule',
    description:
      'How each delivery is signed (X-Guuru-Hmac-Sha256 over the exact body bytes with the partner secret) and which headers it carries.',
    read: async () => section(await doc('webhooks.md')(), '**Each delivery**', '**Payloads**'),
  },
  {
    name: 'scenarios',
    uri: 'guuru-emulator://docs/scenarios.md',
    title: 'The scenario format',
    description: 'The built-in scenarios, the YAML format of a scenario file, the reactive customer and the verdict.',
    read: doc('scenarios.md'),
  },
  {
    name: 'mcp',
    uri: 'guuru-emulator://docs/mcp.md',
    title: 'This MCP server',
    description: 'The tools, a whole chat driven through them, and how errors come back.',
    read: doc('mcp.md'),
  },
];
