import { Router, type Request } from 'express';
import { z } from 'zod';
import { findTenant } from '../domain/tenants.js';
import { listThreads, orgOf, sendSystemMessage, updateOrg } from '../domain/threads.js';
import type { DomainContext } from '../domain/context.js';
import type { GurusupSettings } from '../gurusup/settings.js';
import { messageJson, threadWithMessagesJson } from '../gurusup/views.js';
import type { Tenant } from '../store/tenant.js';
import { httpUrl, parseBody, tenantOfRequest } from './body.js';

export const settingsBody = z
  .object({
    tenant: z.string().optional(),
    webhookUrl: z.union([httpUrl(), z.literal(''), z.null()]).optional(),
    eventName: z.string().min(1).max(100).optional(),
    postStatus: z.union([z.literal(200), z.literal(201)]).optional(),
    autoReply: z.boolean().optional(),
    language: z.string().min(2).max(10).optional(),
  })
  .strict();

export const systemMessageBody = z
  .object({
    thread_fid: z.string().min(1),
    body: z.string().min(1),
    lang: z.string().optional(),
    subject: z.string().optional(),
    user_fid: z.string().optional(),
  })
  .strict();

/** A tenant's Gurusup organisation as GET /_emulator/tenants/:id/gurusup shows it. */
export function orgView(tenant: Tenant, settings: GurusupSettings) {
  const org = orgOf(tenant);
  const s = settings.get(tenant.id);
  return {
    tenant: tenant.id,
    name: org.name,
    apiKey: org.apiKeys[0],
    apiKeys: org.apiKeys,
    autoReply: org.autoReply,
    language: org.language,
    webhookUrl: s.webhookUrl,
    eventName: s.eventName,
    postStatus: s.postStatus,
    threads: org.threads.length,
  };
}
export type GurusupOrgView = ReturnType<typeof orgView>;

/** The Gurusup organisation of each tenant: its key, webhook, automatic reply, and system messages. */
export function createGurusupControlRoutes(domain: DomainContext, settings: GurusupSettings): Router {
  const router = Router();

  const view = (tenant: Tenant) => orgView(tenant, settings);
  const put = (tenant: Tenant, req: Request) => {
    const { tenant: _t, autoReply, language, webhookUrl, ...rest } = parseBody(settingsBody, req);
    orgOf(tenant);
    if (autoReply !== undefined || language !== undefined) updateOrg(domain, tenant, { autoReply, language });
    settings.update(tenant.id, { ...rest, ...(webhookUrl !== undefined ? { webhookUrl: webhookUrl ?? '' } : {}) });
    return view(tenant);
  };

  router.get('/gurusup', (req, res) => {
    res.json(view(tenantOfRequest(domain.store, req)));
  });
  router.put('/gurusup', (req, res) => {
    res.json(put(tenantOfRequest(domain.store, req), req));
  });
  router.get('/tenants/:id/gurusup', (req, res) => {
    res.json(view(findTenant(domain.store, req.params.id)));
  });
  router.put('/tenants/:id/gurusup', (req, res) => {
    res.json(put(findTenant(domain.store, req.params.id), req));
  });
  /** The organisation's threads with their messages, most recently active first. */
  router.get('/tenants/:id/gurusup/threads', (req, res) => {
    const tenant = findTenant(domain.store, req.params.id);
    const threads = [...listThreads(tenant)].sort((a, b) => b.updatedAt - a.updatedAt || b.seq - a.seq);
    res.json({ tenant: tenant.id, threads: threads.map(threadWithMessagesJson) });
  });
  /** Gurusup sends a message itself (it goes to the organisation's webhook as a send-message event). */
  router.post('/tenants/:id/gurusup/messages', (req, res) => {
    const tenant = findTenant(domain.store, req.params.id);
    const message = sendSystemMessage(domain, tenant, parseBody(systemMessageBody, req));
    res.status(201).json(messageJson(message));
  });
  return router;
}
