import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { RecordedAnswer } from '../../src/control/answer-recorder.js';

type Doc = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>
  >;
};

const pointer = (...parts: string[]) => parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

/** The answers recorded in `dir` (one JSON line each, see src/control/answer-recorder.ts). */
export function readAnswers(dir: string): RecordedAnswer[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) =>
      readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as RecordedAnswer),
    );
}

/**
 * What in `answers` the control API's OpenAPI document does not allow: an answer to a route it
 * does not describe (other than an error), a status or content type it does not list, a JSON body
 * its schema refuses. Each violation once, with how often it was seen.
 */
export function contractViolations(document: object, answers: RecordedAnswer[]): string[] {
  const doc = document as Doc;
  const ajv = new Ajv2020.default({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ ...document, $id: 'control' });
  const validators = new Map<string, ReturnType<typeof ajv.compile>>();
  const validate = (ref: string, value: unknown): string | undefined => {
    let check = validators.get(ref);
    if (!check) validators.set(ref, (check = ajv.compile({ $ref: `control#/${ref}` })));
    return check(value) ? undefined : ajv.errorsText(check.errors, { dataVar: 'body' });
  };
  // Templates with more literal segments first: /snapshots/{name}/restore before /snapshots/{name}.
  const templates = Object.keys(doc.paths)
    .map((path) => ({
      path,
      regex: new RegExp(`^/_emulator${path.replace(/[.]/g, '\\.').replace(/\{\w+\}/g, '[^/]+')}/?$`),
      literal: path.split('/').filter((s) => s !== '' && !s.startsWith('{')).length,
    }))
    .sort((a, b) => b.literal - a.literal);

  const found = new Map<string, number>();
  const violation = (answer: RecordedAnswer, what: string) => {
    const key = `${answer.method} ${answer.path} → ${answer.status}: ${what}`;
    found.set(key, (found.get(key) ?? 0) + 1);
  };
  const isError = (answer: RecordedAnswer): string | undefined => {
    if (answer.json === undefined) return 'an error without a JSON body';
    return validate(pointer('components', 'schemas', 'Error'), JSON.parse(answer.json));
  };

  for (const answer of answers) {
    const method = answer.method === 'HEAD' ? 'get' : answer.method.toLowerCase();
    const template = templates.find((t) => t.regex.test(answer.path) && doc.paths[t.path]?.[method]);
    if (!template) {
      // A route (or method) the document does not have may only be refused, with an error body.
      if (answer.status < 400 && method !== 'options')
        violation(answer, 'answered with success, but the document has no such operation');
      else if (answer.status >= 500) violation(answer, 'a server error');
      else if (answer.status >= 400) {
        const problem = isError(answer);
        if (problem) violation(answer, `error body: ${problem}`);
      }
      continue;
    }
    const responses = doc.paths[template.path]![method]!.responses;
    const response = responses[String(answer.status)];
    if (!response) {
      violation(
        answer,
        `status not documented for ${method.toUpperCase()} ${template.path} (documented: ${Object.keys(responses).join(', ')})`,
      );
      continue;
    }
    if (!response.content) {
      if (answer.json !== undefined) violation(answer, 'a body where the document has none');
      continue;
    }
    const type = (answer.contentType ?? '').split(';')[0]!.trim().toLowerCase();
    if (!(type in response.content)) {
      violation(
        answer,
        `content type "${answer.contentType ?? ''}" not documented (documented: ${Object.keys(response.content).join(', ')})`,
      );
      continue;
    }
    if (type !== 'application/json') continue;
    if (answer.json === undefined) {
      violation(answer, 'a JSON answer the recorder did not see');
      continue;
    }
    const problem = validate(
      pointer(
        'paths',
        template.path,
        method,
        'responses',
        String(answer.status),
        'content',
        'application/json',
        'schema',
      ),
      JSON.parse(answer.json),
    );
    if (problem) violation(answer, problem);
  }
  return [...found].map(([what, n]) => (n > 1 ? `${what} (×${n})` : what));
}
