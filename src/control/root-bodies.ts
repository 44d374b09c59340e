import { seedField } from './body.js';
import { z } from 'zod';

/** The bodies of the routes router.ts serves itself (tenants, the clock); the OpenAPI document reads them too. */
export const createTenantBody = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a lower-case slug such as team-a')
      .optional(),
    token: z.string().min(8, 'at least 8 characters').max(200).optional(),
    gurusupKey: z.string().min(8, 'at least 8 characters').max(200).optional(),
    webhookSecret: z.string().min(8, 'at least 8 characters').max(200).optional(),
    seed: seedField.optional(),
    template: z.string().optional(),
  })
  .strict();

export const advanceBody = z.object({ ms: z.number().int().nonnegative() }).strict();
