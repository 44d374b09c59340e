import type { Request } from 'express';
import type { z } from 'zod';
import { invalidArgument } from '../domain/errors.js';

/** Validates a JSON body (or query) with zod; the first problem becomes a 400 naming the field. */
export function parseBody<T>(schema: z.ZodType<T>, req: Request, source: 'body' | 'query' = 'body'): T {
  const parsed = schema.safeParse((source === 'body' ? req.body : req.query) ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || (issue?.code === 'unrecognized_keys' ? (issue.keys ?? []).join(', ') : source);
    throw invalidArgument(field, `Invalid request ${source}: ${field}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
