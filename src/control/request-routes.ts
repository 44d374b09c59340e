import { Router } from 'express';
import { z } from 'zod';
import { DomainError } from '../domain/errors.js';
import type { RequestJournal } from '../journal/request-journal.js';
import { parseBody } from './body.js';

export const requestsQuery = z
  .object({
    tenant: z.string().optional(),
    api: z.enum(['graphql', 'gurusup']).optional(),
    operation: z.string().optional(),
    chatId: z.string().optional(),
    failed: z.enum(['true', 'false']).optional(),
    limit: z.coerce.number().int().min(1).max(10_000).optional(),
  })
  .strict();

/** The request journal: GET /requests (newest first, filtered), GET /requests/:id, DELETE /requests. */
export function createRequestRoutes(journal: RequestJournal): Router {
  const router = Router();
  router.get('/requests', (req, res) => {
    const q = parseBody(requestsQuery, req, 'query');
    const all = journal.list({
      tenantId: q.tenant,
      api: q.api,
      operationName: q.operation,
      chatId: q.chatId,
      failed: q.failed === undefined ? undefined : q.failed === 'true',
    });
    const newestFirst = all.reverse();
    res.json({
      requests: q.limit === undefined ? newestFirst : newestFirst.slice(0, q.limit),
      total: all.length,
      journal: journal.counts(),
    });
  });
  router.get('/requests/:id', (req, res) => {
    const record = journal.get(req.params.id);
    if (!record)
      throw new DomainError(
        'NOT_FOUND',
        `No request ${req.params.id} in the journal (it may have been evicted; it keeps the last ${journal.counts().limit} requests).`,
      );
    res.json(record);
  });
  router.delete('/requests', (_req, res) => {
    res.json({ removed: journal.clear() });
  });
  return router;
}
