import type { Request } from 'express';
import { z } from 'zod';
import { invalidArgument } from '../domain/errors.js';
import { findTenant } from '../domain/tenants.js';
import type { Store } from '../store/store.js';
import type { Tenant } from '../store/tenant.js';

export { httpUrl } from '../http/url.js';

/**
 * The tenant a request without one in its path is about: `tenant` in the JSON body, else
 * `?tenant=`, else the default (first, built-in) tenant.
 */
/** A seed as every control body takes it: a whole number from 0 to 2^31 − 1. */
export const seedField = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1);

export function tenantOfRequest(store: Store, req: Request): Tenant {
  const fromBody = (req.body as { tenant?: unknown } | undefined)?.tenant;
  return findTenant(
    store,
    (typeof fromBody === 'string' ? fromBody : undefined) ??
      (typeof req.query.tenant === 'string' ? req.query.tenant : undefined),
  );
}

/** Validates a JSON body (or query) with zod; the first problem becomes a 400 naming the field. */
export function parseBody<T>(schema: z.ZodType<T>, req: Request, source: 'body' | 'query' = 'body'): T {
  const parsed = schema.safeParse((source === 'body' ? req.body : req.query) ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const named =
      issue?.path.join('.') || (issue?.code === 'unrecognized_keys' ? (issue.keys ?? []).join(', ') : source);
    // Field names come from the client: quoted back only as a short prefix.
    const field = named.length <= 200 ? named : `${named.slice(0, 200)}…`;
    throw invalidArgument(field, `Invalid request ${source}: ${field}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
