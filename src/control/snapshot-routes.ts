import { Router } from 'express';
import { z } from 'zod';
import type { Snapshots } from '../domain/snapshots.js';
import { parseBody } from './body.js';

export const takeBody = z.object({ name: z.string(), tenant: z.string().optional() }).strict();

export const restoreBody = z.object({}).strict();

/** Named snapshots of the data: take, list, restore, delete. */
export function createSnapshotRoutes(snapshots: Snapshots, tenantViews: (ids: string[]) => unknown[]): Router {
  const router = Router();
  router.get('/snapshots', (_req, res) => {
    res.json({ snapshots: snapshots.list() });
  });
  router.post('/snapshots', (req, res) => {
    const { name, tenant } = parseBody(takeBody, req);
    const info = snapshots.take(name, tenant);
    res
      .status(201)
      .location(`/_emulator/snapshots/${encodeURIComponent(info.name)}`)
      .json(info);
  });
  router.get('/snapshots/:name', (req, res) => {
    res.json(snapshots.get(req.params.name));
  });
  router.post('/snapshots/:name/restore', (req, res) => {
    parseBody(restoreBody, req);
    const { removed, ...snapshot } = snapshots.restore(req.params.name);
    res.json({ restored: snapshot, removed, tenants: tenantViews(snapshot.tenants.map((t) => t.id)) });
  });
  router.delete('/snapshots/:name', (req, res) => {
    snapshots.remove(req.params.name);
    res.status(204).end();
  });
  return router;
}
