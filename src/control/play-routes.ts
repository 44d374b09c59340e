import { Router } from 'express';
import { z } from 'zod';
import { findChatOrThrow } from '../domain/chats.js';
import type { DomainContext } from '../domain/context.js';
import { DomainError } from '../domain/errors.js';
import { savePersona } from '../domain/personas.js';
import { findTenant } from '../domain/tenants.js';
import type { RequestJournal } from '../journal/request-journal.js';
import type { ScenarioEngine } from '../scenarios/engine.js';
import { sessionScenario } from '../scenarios/from-session.js';
import type { Dispatcher } from '../webhooks/dispatcher.js';
import { parseBody } from './body.js';
import type { ChatSteps } from './chat-steps.js';
import { authorsOf } from './summaries.js';
import { deliveryView } from './webhook-routes.js';

/**
 * What the dashboard's "play" views need beyond the chat actions: the personas an agent accepts
 * as, a chat held by hand saved as a scenario file, and a session exported to one file and
 * imported (read-only) into another emulator.
 */

export const personaBody = z
  .object({
    name: z.string().min(1),
    /** The agent's id in your system; default: made from the name. */
    providerId: z.string().min(1).optional(),
    email: z.string().optional(),
    photoUrl: z.string().optional(),
  })
  .strict();

export const saveScenarioBody = z
  .object({
    /** The scenario's name (kebab-case); default session-<chat id>. */
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, 'a kebab-case name such as my-demo')
      .max(100)
      .optional(),
    /** kept: the shopper's own lines; generated: the emulator's generated texts instead. */
    text: z.enum(['kept', 'generated']).default('kept'),
    /** Real time the replay gives the integration for each of its moves (a duration such as 30s). */
    timeout: z
      .string()
      .regex(/^\d+(ms|s|m)$/, 'a duration such as 30s')
      .optional(),
  })
  .strict();

export const SESSION_FORMAT = 'guuru-emulator-session';

const looseObject = z.object({}).passthrough();
/** An exported session: only what the read-only view needs is checked, the rest is kept as sent. */
export const sessionBody = z
  .object({
    format: z.literal(SESSION_FORMAT),
    version: z.literal(1),
    exportedAt: z.string().optional(),
    emulatorVersion: z.string().optional(),
    tenant: z.string(),
    chat: z
      .object({
        id: z.string().min(1).max(200),
        question: z.string(),
        status: z.string(),
        language: z.string(),
        createdAt: z.number(),
        requestedExperts: z.array(z.string()),
        user: looseObject,
        messages: z.array(
          z
            .object({ id: z.string(), author: z.object({ kind: z.string() }).passthrough(), createdAt: z.number() })
            .passthrough(),
        ),
      })
      .passthrough(),
    authors: z.record(
      z.string(),
      z.object({ kind: z.enum(['expert', 'persona']), name: z.string(), photoUrl: z.string().optional() }).strict(),
    ),
    bot: z.object({ name: z.string() }).strict(),
    steps: z.array(
      z
        .object({
          at: z.number(),
          kind: z.enum(['created', 'status', 'message']),
          event: z.string(),
          to: z.string(),
          actor: z.string(),
          deliveries: z.array(z.string()),
        })
        .passthrough(),
    ),
    deliveries: z.array(
      z
        .object({ id: z.string(), event: z.string(), createdAt: z.number(), attempts: z.array(looseObject) })
        .passthrough(),
    ),
    requests: z.array(z.object({ id: z.string(), at: z.number() }).passthrough()),
  })
  .strict();

export type SessionFile = z.infer<typeof sessionBody>;

/** Imported sessions kept (in memory, oldest forgotten first). */
const MAX_IMPORTED = 50;

export interface PlayRouteDeps {
  domain: DomainContext;
  chatSteps: ChatSteps;
  journal: RequestJournal;
  dispatcher: Dispatcher;
  scenarios: ScenarioEngine;
  version: string;
}

export function createPlayRoutes(deps: PlayRouteDeps): Router {
  return Router().use(personaRoutes(deps), chatSessionRoutes(deps), importedSessionRoutes(deps));
}

/** The personas the agent console picks from or creates. */
function personaRoutes(deps: PlayRouteDeps): Router {
  const { domain } = deps;
  const router = Router();
  router.get('/tenants/:id/personas', (req, res) => {
    const tenant = findTenant(domain.store, req.params.id);
    res.json({ tenant: tenant.id, personas: tenant.data.personas });
  });
  router.post('/tenants/:id/personas', (req, res) => {
    const tenant = findTenant(domain.store, req.params.id);
    const body = parseBody(personaBody, req);
    const providerId =
      body.providerId ??
      `dashboard-${body.name
        .trim()
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')}`;
    const { persona, created } = savePersona(domain, tenant, { ...body, providerId });
    res.status(created ? 201 : 200).json(persona);
  });
  return router;
}

/** A chat exported as one session file, or saved as a scenario. */
function chatSessionRoutes(deps: PlayRouteDeps): Router {
  const { domain } = deps;
  const router = Router();
  const callsOf = (tenantId: string, chatId: string) => deps.journal.list({ tenantId, chatId, api: 'graphql' });

  /** The chat as one file: its data, its steps, its webhooks (signed bodies and headers) and the integration's calls. */
  router.get('/tenants/:id/chats/:chatId/session', (req, res) => {
    const tenant = findTenant(domain.store, req.params.id);
    const chat = findChatOrThrow(tenant, req.params.chatId, 'chatId');
    const session: SessionFile = {
      format: SESSION_FORMAT,
      version: 1,
      exportedAt: new Date(domain.clock.now()).toISOString(),
      emulatorVersion: deps.version,
      tenant: tenant.id,
      chat: chat as unknown as SessionFile['chat'],
      authors: authorsOf(tenant, chat),
      bot: { name: tenant.data.bot.name },
      steps: deps.chatSteps.of(tenant.id, chat.id) as unknown as SessionFile['steps'],
      deliveries: deps.dispatcher.log
        .list({ tenantId: tenant.id, chatId: chat.id })
        .map(deliveryView) as unknown as SessionFile['deliveries'],
      requests: callsOf(tenant.id, chat.id) as unknown as SessionFile['requests'],
    };
    res.set('Content-Disposition', `attachment; filename="session-${chat.id}.json"`).json(session);
  });

  /** The chat held by hand as a scenario file, added to the scenarios (replace by saving again). */
  router.post('/tenants/:id/chats/:chatId/scenario', (req, res) => {
    const tenant = findTenant(domain.store, req.params.id);
    const chat = findChatOrThrow(tenant, req.params.chatId, 'chatId');
    const body = parseBody(saveScenarioBody, req);
    const steps = deps.chatSteps.of(tenant.id, chat.id);
    if (steps.length === 0)
      throw new DomainError(
        'CONFLICT',
        `Chat ${chat.id} has no recorded steps since the emulator started (a seeded chat): only a chat held since then can be saved as a scenario.`,
      );
    const name = body.name ?? `session-${chat.id.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
    const yaml = sessionScenario(chat, steps, callsOf(tenant.id, chat.id), {
      name,
      text: body.text,
      timeout: body.timeout,
    });
    const file = `${name}.yaml`;
    const result = deps.scenarios.addFiles([{ file, yaml }]);
    if (result.scenarios.length === 0)
      throw new DomainError('CONFLICT', `The scenario could not be added: ${result.errors.join('; ')}`);
    res.status(201).location(`/_emulator/scenarios/${name}`).json({ name, file, yaml });
  });
  return router;
}

/** Sessions imported from another emulator, shown read-only (the last MAX_IMPORTED, in memory). */
function importedSessionRoutes(deps: PlayRouteDeps): Router {
  const { domain } = deps;
  const router = Router();
  const imported = new Map<string, SessionFile & { id: string; importedAt: number }>();
  let importSeq = 0;

  router.post('/sessions', (req, res) => {
    const session = parseBody(sessionBody, req);
    importSeq += 1;
    const id = `session-${importSeq}`;
    imported.set(id, { ...session, id, importedAt: domain.clock.now() });
    if (imported.size > MAX_IMPORTED) imported.delete(imported.keys().next().value as string);
    res.status(201).location(`/_emulator/sessions/${id}`).json({
      id,
      tenant: session.tenant,
      chatId: session.chat.id,
      question: session.chat.question,
      status: session.chat.status,
    });
  });
  router.get('/sessions', (_req, res) => {
    res.json({
      sessions: [...imported.values()].reverse().map((s) => ({
        id: s.id,
        tenant: s.tenant,
        chatId: s.chat.id,
        question: s.chat.question,
        status: s.chat.status,
        importedAt: s.importedAt,
      })),
    });
  });
  router.get('/sessions/:sessionId', (req, res) => {
    const session = imported.get(req.params.sessionId);
    if (!session)
      throw new DomainError(
        'NOT_FOUND',
        `No imported session ${req.params.sessionId}; GET /_emulator/sessions lists them (they are kept in memory, the last ${MAX_IMPORTED}).`,
      );
    res.json(session);
  });

  return router;
}
