import { Router } from 'express';
import { z } from 'zod';
import { httpUrl, parseBody } from './body.js';
import { trigger, type TriggerDeps } from './trigger.js';

export const triggerBody = z
  .object({
    event: z.string().min(1),
    tenant: z.string().optional(),
    target: httpUrl('an http(s) URL such as http://localhost:8000/webhooks').optional(),
    params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    only: z.boolean().optional(),
    timeoutMs: z.number().int().min(0).max(600_000).optional(),
  })
  .strict();

/** POST /trigger: one realistic event of any documented type, by making the state change that causes it. */
export function createTriggerRoutes(deps: TriggerDeps): Router {
  const router = Router();
  router.post('/trigger', async (req, res) => {
    const result = await trigger(deps, parseBody(triggerBody, req));
    res.status(201).json(result);
  });
  return router;
}
