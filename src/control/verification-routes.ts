import { Router } from 'express';
import { z } from 'zod';
import { SUITES, type SuiteName } from '../verify/checks.js';
import { toJUnit } from '../verify/junit.js';
import type { VerificationReport } from '../verify/report.js';
import { flowFileSchema } from '../verify/explore/flow-file.js';
import type { Verifications } from '../verify/verifications.js';
import { httpUrl, parseBody, seedField } from './body.js';

export const startBody = z
  .object({
    target: httpUrl('an http(s) URL of your webhook receiver, such as http://127.0.0.1:8000/webhooks'),
    suites: z.array(z.enum(SUITES as [SuiteName, ...SuiteName[]])).optional(),
    seed: seedField.optional(),
    timeoutMs: z.number().int().min(1).max(600_000).optional(),
    tenant: z.string().min(1).optional(),
    explore: z
      .object({
        runs: z.number().int().min(1).max(100_000).optional(),
        seed: seedField.optional(),
        timeMs: z.number().int().min(1).max(3_600_000).optional(),
        graceMs: z.number().int().min(0).max(60_000).optional(),
        maxSilenceMs: z.number().int().min(0).max(600_000).optional(),
      })
      .strict()
      .optional(),
    replay: flowFileSchema.optional(),
  })
  .strict()
  .refine((b) => b.suites === undefined || b.suites.length > 0 || b.explore !== undefined, {
    message: 'name at least one suite: receiver, third-party (an empty list only with explore)',
    path: ['suites'],
  })
  .refine((b) => b.replay === undefined || b.explore === undefined, {
    message: 'replay plays one recorded flow: send either explore or replay',
    path: ['replay'],
  });

const links = (report: VerificationReport) => ({
  self: `/_emulator/verifications/${report.id}`,
  junit: `/_emulator/verifications/${report.id}/junit`,
});

/**
 * Verifications of an integration: POST starts one (202 with its id; the report fills in as checks
 * finish), GET reads it (?wait=1: once it is over), /junit the same as JUnit XML, DELETE cancels.
 */
export function createVerificationRoutes(verifications: Verifications): Router {
  const router = Router();
  router.post('/verifications', (req, res) => {
    const report = verifications.start(parseBody(startBody, req));
    res
      .status(202)
      .location(links(report).self)
      .json({
        id: report.id,
        status: report.status,
        target: report.target,
        tenant: report.tenant,
        suites: report.suites,
        seed: report.seed,
        timeoutMs: report.timeoutMs,
        ...(report.explore ? { explore: report.explore } : {}),
        links: links(report),
      });
  });
  router.get('/verifications', (_req, res) => {
    res.json({
      verifications: verifications
        .list()
        .map(({ checks: _checks, ...rest }) => ({ ...rest, links: links(rest as VerificationReport) })),
      suites: verifications.suites,
    });
  });
  const settled = async (
    id: string,
    wait: boolean,
    res: import('express').Response,
  ): Promise<VerificationReport | undefined> => {
    if (!wait) return verifications.get(id);
    verifications.get(id);
    // A client that hangs up stops waiting: nothing stays registered for a closed socket.
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    const report = await verifications.settled(id, gone.signal);
    return gone.signal.aborted ? undefined : report;
  };
  router.get('/verifications/:id', async (req, res) => {
    const report = await settled(req.params.id, req.query.wait !== undefined && req.query.wait !== '0', res);
    if (report) res.json(report);
  });
  router.get('/verifications/:id/junit', async (req, res) => {
    const report = await settled(req.params.id, req.query.wait !== undefined && req.query.wait !== '0', res);
    if (report) res.type('application/xml').send(toJUnit(report));
  });
  router.delete('/verifications/:id', (req, res) => {
    res.json(verifications.cancel(req.params.id));
  });
  return router;
}
