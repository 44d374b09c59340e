import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { DomainContext } from '../domain/context.js';
import { resolveTenant } from '../domain/tenants.js';
import { findGurusupMessage, findThread, listThreads, postThreadMessage } from '../domain/threads.js';
import { sendError } from '../http/errors.js';
import { journalNotes } from '../journal/http-recorder.js';
import type { Tenant } from '../store/tenant.js';
import { openApiDocument } from './openapi.js';
import type { GurusupSettings } from './settings.js';
import { messageJson, threadJson, threadWithMessagesJson } from './views.js';

export interface GurusupDeps {
  domain: DomainContext;
  settings: GurusupSettings;
  bodyLimit: string;
}

const text = (name: string) => z.string({ error: (i) => message(name, 'string', i.input) });
const flag = (name: string) => z.boolean({ error: (i) => message(name, 'boolean', i.input) });

function message(name: string, kind: string, input: unknown): string {
  if (input === undefined) return `${name} is required (a ${kind})`;
  const got = input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input;
  return `${name} must be a ${kind}, got ${got}`;
}

/** The documented PartialMessage. Unknown keys are ignored, so a message object from a webhook can be posted back. */
const partialMessage = z.object({
  body: text('body'),
  thread_fid: text('thread_fid'),
  user_fid: text('user_fid').optional(),
  lang: text('lang').optional(),
  subject: text('subject').nullable().optional(),
  is_customer_support_agent: flag('is_customer_support_agent').optional(),
});

const OBJECT_ID = /^[0-9a-f]{24}$/i;
const MD5 = /^[0-9a-f]{32}$/i;

declare module 'express-serve-static-core' {
  interface Locals {
    gurusupTenant?: Tenant;
  }
}

/**
 * The emulated Gurusup public API (mounted at /gurusup and /gurusup/api/v1): x-api-key auth, the
 * four documented endpoints, JSON errors {statusCode, error, message}, 405 on a wrong method.
 */
export function createGurusupRouter(deps: GurusupDeps): Router {
  const { domain } = deps;
  const router = Router();

  router.get('/openapi.json', (req, res) => {
    res.json(openApiDocument(`${req.protocol}://${req.get('host') ?? 'localhost'}${req.baseUrl}`));
  });

  router.use(apiKeyAuth(domain));

  const tenantOf = (res: Response): Tenant => res.locals.gurusupTenant as Tenant;

  router.get('/threads', (_req, res) => {
    res.json(threadsJson(tenantOf(res)));
  });

  router.get('/threads/:threadFidHash', (req, res) => {
    const hash = req.params.threadFidHash;
    if (!MD5.test(hash)) {
      sendError(
        res,
        404,
        `No thread "${hash}": the path takes md5(thread_fid) as 32 hex characters, not the thread_fid itself.`,
      );
      return;
    }
    const thread = findThread(tenantOf(res), hash);
    if (!thread) {
      sendError(res, 404, `No thread with hash ${hash.toLowerCase()} in this organisation (GET /threads lists them).`);
      return;
    }
    res.json(threadWithMessagesJson(thread));
  });

  router.post('/messages', express.json({ limit: deps.bodyLimit }), postMessage(deps));

  router.get('/messages/:messageId', (req, res) => {
    const id = req.params.messageId;
    if (!OBJECT_ID.test(id)) {
      sendError(
        res,
        400,
        `"${id}" is not a message id: ids are 24-hex MongoDB ObjectIds such as 665f1c2e9b1e8a0012a3b4c5.`,
      );
      return;
    }
    const found = findGurusupMessage(tenantOf(res), id);
    if (!found) {
      sendError(res, 404, `No message ${id.toLowerCase()} in this organisation.`);
      return;
    }
    res.json(messageJson(found));
  });

  const allow = (methods: string) => (req: Request, res: Response) => {
    res.set('Allow', methods);
    sendError(res, 405, `${req.method} is not allowed on ${req.baseUrl}${req.path}; use ${methods}.`);
  };
  router.all('/threads', allow('GET'));
  router.all('/threads/:threadFidHash', allow('GET'));
  router.all('/messages', allow('POST'));
  router.all('/messages/:messageId', allow('GET'));

  router.use((req, res) => {
    sendError(
      res,
      404,
      `No Gurusup route ${req.method} ${req.baseUrl}${req.path}. The API has GET /threads, GET /threads/:threadFidHash, POST /messages, GET /messages/:id.`,
    );
  });
  return router;
}

/** GET /threads: the organisation's threads as the API lists them (the front door answers it too). */
export const threadsJson = (tenant: Tenant) => listThreads(tenant).map(threadJson);

/** The organisation an x-api-key names (surrounding spaces ignored), if any. */
export const gurusupTenant = (domain: DomainContext, key: string | undefined): Tenant | undefined =>
  key === undefined || key.trim() === '' ? undefined : resolveTenant(domain.store, { apiKey: key.trim() });

// Header names are case-insensitive, so x-api-key, x-API-KEY and X-API-KEY are one header; the
// auth page's X-API-USERNAME is accepted and not checked.
function apiKeyAuth(domain: GurusupDeps['domain']) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const key = req.get('x-api-key');
    if (key === undefined || key.trim() === '') {
      sendError(
        res,
        401,
        'Missing API key: send it in the x-api-key header (the built-in organisation uses demo-api-key).',
      );
      return;
    }
    const tenant = gurusupTenant(domain, key);
    if (!tenant) {
      sendError(
        res,
        401,
        'Unknown API key: no organisation of this emulator has it. Use demo-api-key, or the gurusupApiKey of POST /_emulator/tenants.',
      );
      return;
    }
    res.locals.gurusupTenant = tenant;
    journalNotes(res).tenantId = tenant.id;
    next();
  };
}

/** POST /messages: a PartialMessage posted to its thread; the automatic reply when there is one. */
function postMessage(deps: GurusupDeps) {
  const { domain, settings } = deps;
  return (req: Request, res: Response): void => {
    const tenant = res.locals.gurusupTenant as Tenant;
    if (req.body === undefined) {
      sendError(res, 415, 'POST /messages needs "Content-Type: application/json" and a JSON body (a PartialMessage).');
      return;
    }
    if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) {
      sendError(
        res,
        400,
        'The body must be a JSON object (a PartialMessage: body, thread_fid, user_fid, lang, subject, is_customer_support_agent).',
      );
      return;
    }
    const parsed = partialMessage.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const name = issue?.path.join('.') ?? 'body';
      sendError(res, 400, `Invalid message: ${issue?.message ?? 'invalid'}.`, { field: name });
      return;
    }
    const { subject, ...rest } = parsed.data;
    const result = postThreadMessage(domain, tenant, { ...rest, ...(subject != null ? { subject } : {}) });
    const answer = result.reply ?? result.posted;
    res
      .status(settings.get(tenant.id).postStatus)
      .location(`${req.baseUrl}/messages/${answer.id}`)
      .set('X-Emulator-Reply', result.reply ? 'automatic-reply' : 'posted-message')
      .json(messageJson(answer));
  };
}
