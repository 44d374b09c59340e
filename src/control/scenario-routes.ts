import { Router } from 'express';
import { z } from 'zod';
import type { ScenarioEngine } from '../scenarios/engine.js';
import { runOptionsSchema } from '../scenarios/run-options.js';
import type { Scenario } from '../scenarios/schema.js';
import { parseBody } from './body.js';

/** The body of POST …/runs: the run options, declared once in scenarios/run-options.ts. */
export const runBody = runOptionsSchema;

export const filesBody = z
  // A scenario file is a few KB; 256 KiB is far more than any needs, and bounds what an upload keeps.
  .object({
    files: z.array(z.object({ file: z.string().min(1).max(500), yaml: z.string().max(262_144) }).strict()).max(200),
  })
  .strict();

const summary = (s: Scenario) => ({
  name: s.name,
  description: s.description,
  params: s.params,
  builtIn: s.builtIn,
  file: s.file,
  steps: s.steps.length,
});
/** A scenario as GET /_emulator/scenarios lists it. */
export type ScenarioSummary = ReturnType<typeof summary>;

/** Scenario list, runs (start, status with timeline, cancel). */
export function createScenarioRoutes(engine: ScenarioEngine): Router {
  const router = Router();
  router.get('/scenarios', (_req, res) => {
    res.json({ scenarios: engine.list().map(summary), errors: engine.loadErrors });
  });
  // Scenario files sent as text (the CLI's --scenarios DIR against a running emulator, a test suite's own customers).
  router.post('/scenarios', (req, res) => {
    const { files } = parseBody(filesBody, req);
    const result = engine.addFiles(files);
    res.status(result.scenarios.length > 0 || files.length === 0 ? 200 : 400).json({
      ...result,
      ...(result.scenarios.length === 0 && files.length > 0
        ? { message: 'No file could be used; errors says why, by file, step and field.' }
        : {}),
    });
  });
  router.get('/scenarios/:name', (req, res) => {
    res.json({ ...summary(engine.find(req.params.name)), runs: engine.runsOf(req.params.name) });
  });
  router.post('/scenarios/:name/runs', (req, res) => {
    engine.find(req.params.name);
    const run = engine.start(req.params.name, parseBody(runBody, req));
    res.status(202).location(`/_emulator/scenarios/${run.scenario}/runs/${run.id}`).json({
      id: run.id,
      scenario: run.scenario,
      status: run.status,
      tenant: run.tenant,
      params: run.params,
      seed: run.seed,
      speed: run.speed,
    });
  });
  router.get('/scenarios/:name/runs', (req, res) => {
    engine.find(req.params.name);
    res.json({ runs: engine.runsOf(req.params.name) });
  });
  router.get('/scenarios/:name/runs/:id', async (req, res) => {
    // ?wait=1 answers once the run is over (long poll for CI).
    if (req.query.wait !== undefined) {
      engine.get(req.params.name, req.params.id);
      // A client that hangs up stops waiting: nothing stays registered for a closed socket.
      const gone = new AbortController();
      res.once('close', () => gone.abort());
      await engine.settled(req.params.id, gone.signal);
      if (gone.signal.aborted) return;
    }
    res.json(engine.get(req.params.name, req.params.id));
  });
  router.delete('/scenarios/:name/runs/:id', (req, res) => {
    res.json(engine.cancel(req.params.name, req.params.id));
  });
  return router;
}
