import { z } from 'zod';
import { openApiDocument as gurusupDocument } from '../gurusup/openapi.js';
import { FAULT_KINDS } from '../webhooks/faults.js';
import { GUURU_EVENTS } from '../webhooks/payloads.js';
import { VERSION } from '../kernel/version.js';
import { ACTIONS, CHAT_STATUSES, createChatBody, listQuery } from './chat-routes.js';
import { settingsBody, systemMessageBody } from './gurusup-routes.js';
import { requestsQuery } from './request-routes.js';
import { advanceBody, createTenantBody } from './root-bodies.js';
import { personaBody, saveScenarioBody, sessionBody } from './play-routes.js';
import { filesBody, runBody } from './scenario-routes.js';
import { restoreBody, takeBody } from './snapshot-routes.js';
import { TRIGGER_EVENTS } from './trigger.js';
import { triggerBody } from './trigger-routes.js';
import { startBody } from './verification-routes.js';
import {
  DELIVERY_STATUSES,
  deliveriesQuery,
  faultBody,
  flushBody,
  policyBody,
  redeliverBody,
  webhooksBody,
} from './webhook-routes.js';

/**
 * OpenAPI 3.1 description of the /_emulator control API, served at /_emulator/openapi.json.
 * Request bodies and query parameters are the routes' own zod schemas (z.toJSONSchema), so they
 * cannot drift; responses are described here, and the test suite checks every control response it
 * sees against them (test/helpers/control-contract.ts).
 */
type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const fromZod = (schema: z.ZodType): Schema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-2020-12',
  }) as Schema;
  return rest;
};
const object = (
  properties: Record<string, Schema>,
  required: string[] = Object.keys(properties),
  extra: Schema = {},
): Schema => ({
  type: 'object',
  required,
  properties,
  additionalProperties: false,
  ...extra,
});
const str: Schema = { type: 'string' };
const int: Schema = { type: 'integer' };
const num: Schema = { type: 'number' };
const bool: Schema = { type: 'boolean' };
const ms: Schema = { type: 'integer', description: 'Emulator clock time, ms since 1970' };
const array = (items: Schema): Schema => ({ type: 'array', items });
const record = (values: Schema): Schema => ({ type: 'object', additionalProperties: values });
const nullable = (schema: Schema): Schema => ({ anyOf: [schema, { type: 'null' }] });

interface Answer {
  description: string;
  /** JSON schema of an application/json answer; omitted: no body (204) or `content`. */
  schema?: Schema;
  content?: Record<string, Schema>;
}
interface Operation {
  summary: string;
  body?: z.ZodType;
  /** A request body that is not one of the routes' zod schemas (the MCP endpoint's JSON-RPC). */
  bodySchema?: Schema;
  query?: z.ZodObject;
  responses: Record<string, Answer>;
  /** Needs no admin token (health, this document, the dashboard's files). */
  open?: boolean;
}

const WRITE = new Set(['post', 'put', 'patch', 'delete']);

/** An operation with its parameters and the answers every route can give (guard, body, lookups). */
function operation(method: string, path: string, op: Operation): Schema {
  const pathParams = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
  const errors: Record<string, string> = {
    '403': 'Refused by the guard: a foreign Origin (FORBIDDEN_ORIGIN) or an unknown Host (FORBIDDEN_HOST)',
  };
  if (!op.open) errors['401'] = 'The admin token is required and missing or wrong (ADMIN_TOKEN_REQUIRED)';
  if (WRITE.has(method)) {
    errors['400'] = 'The body is not JSON or does not fit the schema; the message names the field';
    errors['413'] = 'The body is over --body-limit';
    errors['415'] = 'A body that is not application/json (JSON_REQUIRED)';
  }
  if (op.query) errors['400'] = 'A query parameter does not fit; the message names it';
  if (pathParams.length > 0) errors['404'] = 'No such tenant, chat or other named item; the message says which';
  const responses: Record<string, Schema> = {};
  for (const [status, description] of Object.entries(errors))
    responses[status] = { description, content: { 'application/json': { schema: ref('Error') } } };
  for (const [status, answer] of Object.entries(op.responses)) {
    let content = answer.content ?? (answer.schema ? { 'application/json': answer.schema } : undefined);
    let description = answer.description;
    const generic = errors[status];
    // A route's own answer for a status every route can give (a 400 of its own): either may come.
    if (
      generic !== undefined &&
      content !== undefined &&
      JSON.stringify(content['application/json']) !== JSON.stringify(ref('Error'))
    ) {
      content = { ...content, 'application/json': { anyOf: [ref('Error'), content['application/json'] ?? {}] } };
      description = `${answer.description}; or: ${generic}`;
    }
    responses[status] = {
      description,
      ...(content
        ? { content: Object.fromEntries(Object.entries(content).map(([type, schema]) => [type, { schema }])) }
        : {}),
    };
  }
  return {
    summary: op.summary,
    operationId: `${method}${path.replace(/\{(\w+)\}/g, 'By-$1').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
    ...(op.open ? { security: [] } : {}),
    parameters: [
      ...pathParams.map((name) => ({ name, in: 'path', required: true, schema: str })),
      ...Object.entries(op.query?.shape ?? {}).map(([name, field]) => ({
        name,
        in: 'query',
        required: false,
        schema: fromZod(field as z.ZodType),
      })),
    ],
    ...(op.body
      ? { requestBody: { required: false, content: { 'application/json': { schema: fromZod(op.body) } } } }
      : {}),
    ...(op.bodySchema
      ? { requestBody: { required: true, content: { 'application/json': { schema: op.bodySchema } } } }
      : {}),
    responses,
  };
}

const error = (description: string): Answer => ({ description, schema: ref('Error') });
const ok = (description: string, schema: Schema): Answer => ({ description, schema });

/** Every route of the control API, by path and method. */
function routes(): Record<string, Record<string, Operation>> {
  return { ...stateRoutes(), ...runRoutes(), ...scenarioRoutes(), ...webhookRoutes() };
}

/** Health, reset, tenants, their chats and the live stream. */
function stateRoutes(): Record<string, Record<string, Operation>> {
  return { ...stateRoutesPart1(), ...stateRoutesPart2(), ...stateRoutesPart3() };
}

function stateRoutesPart1(): Record<string, Record<string, Operation>> {
  const tenantsAnswer = ok('The tenants', object({ tenants: array(ref('Tenant')) }));
  return {
    '/health': {
      get: {
        summary: 'Liveness (needs no admin token: the Docker HEALTHCHECK)',
        open: true,
        responses: { '200': ok('Running', ref('Health')) },
      },
    },
    '/openapi.json': {
      get: {
        summary: 'This document',
        open: true,
        responses: { '200': ok('The OpenAPI 3.1 document', { type: 'object', required: ['openapi', 'paths'] }) },
      },
    },
    '/reset': {
      post: {
        summary: 'Every built-in tenant back to its seed (a deleted one too); created tenants removed',
        responses: { '200': ok('Reset', object({ status: { const: 'reset' }, tenants: array(ref('Tenant')) })) },
      },
    },
    '/tenants': {
      get: { summary: 'The tenants with their credentials and counts', responses: { '200': tenantsAnswer } },
      post: {
        summary: 'A new tenant (isolated data, its own token, secret and Gurusup key)',
        body: createTenantBody,
        responses: {
          '201': ok('Created', ref('Tenant')),
          '409': error('The id is taken or the tenant limit is reached'),
        },
      },
    },
    '/tenants/{id}': {
      get: { summary: 'One tenant', responses: { '200': ok('The tenant', ref('Tenant')) } },
      delete: {
        summary: 'Removes a tenant (a built-in one comes back on POST /reset)',
        responses: { '204': { description: 'Removed' } },
      },
    },
    '/tenants/{id}/reset': {
      post: { summary: 'One tenant back to its seed', responses: { '200': ok('Reset', ref('Tenant')) } },
    },
    '/tenants/{id}/chats': {
      get: {
        summary: "A tenant's chats, newest first, without messages",
        query: listQuery,
        responses: {
          '200': ok(
            'A page of chats',
            object({ tenant: str, chats: array(ref('ChatSummary')), total: int, languages: array(str) }),
          ),
        },
      },
      post: {
        summary: 'A new chat (asked by an end user); with requestedExperts also assigned',
        body: createChatBody,
        responses: { '201': ok('The chat', ref('Chat')), '409': error('The chat limit is reached') },
      },
    },
  };
}

function stateRoutesPart2(): Record<string, Record<string, Operation>> {
  const chatActions = Object.fromEntries(
    Object.entries(ACTIONS).map(([action, body]) => [
      `/tenants/{id}/chats/{chatId}/${action}`,
      {
        post: {
          summary: `The chat action "${action}", through the same domain command as the Admin API (so the same webhooks fire)`,
          body,
          responses:
            action === 'messages'
              ? {
                  '201': ok('The message posted', ref('ChatMessage')),
                  '409': error('The chat does not allow it now (CHAT_NOT_OPEN, INVALID_TRANSITION, LIMIT_REACHED)'),
                }
              : {
                  '200': ok('The chat after the action', ref('Chat')),
                  '409': error('The chat does not allow it now (INVALID_TRANSITION, ALREADY_ACCEPTED, …)'),
                },
        },
      },
    ]),
  );
  return {
    '/tenants/{id}/chats/{chatId}': {
      get: { summary: 'One chat with its messages', responses: { '200': ok('The chat', ref('Chat')) } },
    },
    '/tenants/{id}/chats/{chatId}/activity': {
      get: {
        summary: 'The chat, the names of its authors, and its steps with the webhooks each caused',
        responses: {
          '200': ok(
            'The activity',
            object({
              tenant: str,
              chat: ref('Chat'),
              authors: ref('Authors'),
              bot: object({ name: str }),
              steps: array(ref('ActivityStep')),
            }),
          ),
        },
      },
    },
    ...chatActions,
    '/tenants/{id}/chats/{chatId}/session': {
      get: {
        summary:
          'The chat as one file: its data, steps, webhooks (signed bodies and headers) and the Admin API calls about it (the dashboard\'s "Export session")',
        responses: { '200': ok('The session', ref('Session')) },
      },
    },
    '/tenants/{id}/chats/{chatId}/scenario': {
      post: {
        summary:
          "The chat held by hand as a scenario file (the integration's moves as wait-until steps), added to the scenarios",
        body: saveScenarioBody,
        responses: {
          '201': ok('The scenario file', object({ name: str, file: str, yaml: str })),
          '409': error('The chat has no recorded steps (a seeded chat), or the file could not be added'),
        },
      },
    },
    '/tenants/{id}/personas': {
      get: {
        summary: "The tenant's personas (who an agent accepts as)",
        responses: { '200': ok('The personas', object({ tenant: str, personas: array(ref('Persona')) })) },
      },
      post: {
        summary: 'Creates a persona (or updates the one with this providerId), as createPersona does',
        body: personaBody,
        responses: {
          '201': ok('Created', ref('Persona')),
          '200': ok('Updated', ref('Persona')),
          '409': error('A limit is reached'),
        },
      },
    },
  };
}

function stateRoutesPart3(): Record<string, Record<string, Operation>> {
  return {
    '/sessions': {
      get: {
        summary: 'The sessions imported (in memory, newest first)',
        responses: {
          '200': ok(
            'The sessions',
            object({
              sessions: array(
                object({ id: str, tenant: str, chatId: str, question: str, status: str, importedAt: ms }),
              ),
            }),
          ),
        },
      },
      post: {
        summary: 'Imports an exported session, to be shown read-only',
        body: sessionBody,
        responses: { '201': ok('Imported', object({ id: str, tenant: str, chatId: str, question: str, status: str })) },
      },
    },
    '/sessions/{sessionId}': {
      get: { summary: 'One imported session', responses: { '200': ok('The session', ref('Session')) } },
    },
    '/events': {
      get: {
        summary: 'Changes as Server-Sent Events (chats, deliveries, requests, tenants): what the dashboard watches',
        responses: { '200': { description: 'An event stream that stays open', content: { 'text/event-stream': str } } },
      },
    },
  };
}

/** Snapshots, triggers and Gurusup. */
function runRoutes(): Record<string, Record<string, Operation>> {
  return { ...runRoutesPart1(), ...runRoutesPart2() };
}

function runRoutesPart1(): Record<string, Record<string, Operation>> {
  return {
    '/snapshots': {
      get: {
        summary: 'The snapshots taken',
        responses: { '200': ok('The snapshots', object({ snapshots: array(ref('Snapshot')) })) },
      },
      post: {
        summary: 'Takes a named snapshot of one tenant or of everything, in memory',
        body: takeBody,
        responses: {
          '201': ok('Taken', ref('Snapshot')),
          '404': error('No such tenant'),
          '409': error('A snapshot of that name exists, or too many are kept'),
        },
      },
    },
    '/snapshots/{name}': {
      get: { summary: 'One snapshot', responses: { '200': ok('The snapshot', ref('Snapshot')) } },
      delete: { summary: 'Forgets a snapshot', responses: { '204': { description: 'Deleted' } } },
    },
    '/snapshots/{name}/restore': {
      post: {
        summary: 'Back to the snapshot; ids and idempotency keys made later stay unique',
        body: restoreBody,
        responses: {
          '200': ok(
            'Restored',
            object({ restored: ref('Snapshot'), removed: array(str), tenants: array(ref('Tenant')) }),
          ),
          '409': error('The restore would break a limit'),
        },
      },
    },
    '/trigger': {
      post: {
        summary: 'Fires one realistic event by making the state change that causes it, with its prerequisites',
        body: triggerBody,
        responses: {
          '201': ok('What it did and the delivery result', ref('TriggerResult')),
          '404': error('No such tenant'),
          '409': error('The tenant does not allow it (a limit)'),
        },
      },
    },
    '/gurusup': {
      get: {
        summary: 'The Gurusup organisation of a tenant (?tenant=, default the first)',
        responses: { '200': ok('The organisation', ref('GurusupOrganisation')), '404': error('No such tenant') },
      },
      put: {
        summary: "Changes the organisation's webhook, event name, POST status, automatic reply or language",
        body: settingsBody,
        responses: { '200': ok('The organisation', ref('GurusupOrganisation')), '404': error('No such tenant') },
      },
    },
  };
}

function runRoutesPart2(): Record<string, Record<string, Operation>> {
  return {
    '/tenants/{id}/gurusup': {
      get: {
        summary: "A tenant's Gurusup organisation",
        responses: { '200': ok('The organisation', ref('GurusupOrganisation')) },
      },
      put: {
        summary: "Changes a tenant's Gurusup organisation",
        body: settingsBody,
        responses: { '200': ok('The organisation', ref('GurusupOrganisation')) },
      },
    },
    '/tenants/{id}/gurusup/threads': {
      get: {
        summary: "The organisation's threads with their messages, most recently active first",
        responses: {
          '200': ok('The threads', object({ tenant: str, threads: array(ref('GurusupThreadWithMessages')) })),
        },
      },
    },
    '/tenants/{id}/gurusup/messages': {
      post: {
        summary: 'Gurusup sends a message itself (a send-message webhook)',
        body: systemMessageBody,
        responses: { '201': ok('The message', ref('GurusupMessage')), '409': error('A limit is reached') },
      },
    },
  };
}

/** Scenarios, the request journal and verifications. */
function scenarioRoutes(): Record<string, Record<string, Operation>> {
  return { ...scenarioRoutesPart1(), ...scenarioRoutesPart2(), ...scenarioRoutesPart3() };
}

function scenarioRoutesPart1(): Record<string, Record<string, Operation>> {
  return {
    '/scenarios': {
      get: {
        summary: 'The scenarios with their parameters, and files that could not be read',
        responses: {
          '200': ok('The scenarios', object({ scenarios: array(ref('ScenarioSummary')), errors: array(str) })),
        },
      },
      post: {
        summary: 'Adds scenario files sent as text',
        body: filesBody,
        responses: {
          '200': ok(
            'Loaded (errors lists the files that were not)',
            object({ scenarios: array(str), errors: array(str) }),
          ),
          '400': ok('No file could be used', object({ scenarios: array(str), errors: array(str), message: str })),
        },
      },
    },
    '/scenarios/{name}': {
      get: {
        summary: 'One scenario with its runs',
        responses: {
          '200': ok('The scenario', {
            allOf: [ref('ScenarioSummary')],
            type: 'object',
            required: ['runs'],
            properties: { runs: array(ref('ScenarioRun')) },
          }),
        },
      },
    },
    '/scenarios/{name}/runs': {
      get: {
        summary: "The scenario's runs (without timelines)",
        responses: { '200': ok('The runs', object({ runs: array(ref('ScenarioRun')) })) },
      },
      post: {
        summary: 'Starts a run',
        body: runBody,
        responses: {
          '202': ok(
            'Started',
            object({
              id: str,
              scenario: str,
              status: ref('RunStatus'),
              tenant: str,
              params: ref('Params'),
              seed: int,
              speed: num,
            }),
          ),
          '409': error('A limit is reached'),
        },
      },
    },
  };
}

function scenarioRoutesPart2(): Record<string, Record<string, Operation>> {
  return {
    '/scenarios/{name}/runs/{id}': {
      get: {
        summary: 'A run with its timeline and verdict (?wait=1: once it is over)',
        query: z.object({ wait: z.string().optional() }),
        responses: { '200': ok('The run', ref('ScenarioRun')) },
      },
      delete: { summary: 'Cancels a run', responses: { '200': ok('The run', ref('ScenarioRun')) } },
    },
    '/requests': {
      get: {
        summary: 'The request journal: the GraphQL and Gurusup requests answered, newest first',
        query: requestsQuery,
        responses: {
          '200': ok(
            'The requests',
            object({ requests: array(ref('JournalRequest')), total: int, journal: ref('JournalCounts') }),
          ),
        },
      },
      delete: {
        summary: 'Empties the journal',
        responses: { '200': ok('How many were removed', object({ removed: int })) },
      },
    },
    '/requests/{id}': {
      get: { summary: 'One journaled request', responses: { '200': ok('The request', ref('JournalRequest')) } },
    },
    '/verifications': {
      get: {
        summary: 'The verifications (without their checks)',
        responses: {
          '200': ok(
            'The verifications',
            object({ verifications: array(ref('VerificationListed')), suites: array(str) }),
          ),
        },
      },
      post: {
        summary: 'Starts a verification of an integration (its webhook receiver, the third-party protocol)',
        body: startBody,
        responses: {
          '202': ok(
            'Started',
            object(
              {
                id: str,
                status: ref('VerificationStatus'),
                target: str,
                tenant: str,
                suites: array(str),
                seed: int,
                timeoutMs: int,
                explore: { type: 'object' },
                links: ref('VerificationLinks'),
              },
              ['id', 'status', 'target', 'tenant', 'suites', 'seed', 'timeoutMs', 'links'],
            ),
          ),
          '404': error('No such tenant'),
          '409': error('The tenant cannot be verified as asked (e.g. no webhook secret)'),
        },
      },
    },
  };
}

function scenarioRoutesPart3(): Record<string, Record<string, Operation>> {
  return {
    '/verifications/{id}': {
      get: {
        summary: 'The report (?wait=1: once it is over)',
        query: z.object({ wait: z.string().optional() }),
        responses: { '200': ok('The report', ref('VerificationReport')) },
      },
      delete: { summary: 'Cancels a verification', responses: { '200': ok('The report', ref('VerificationReport')) } },
    },
    '/verifications/{id}/junit': {
      get: {
        summary: 'The report as JUnit XML (?wait=1: once it is over)',
        query: z.object({ wait: z.string().optional() }),
        responses: { '200': { description: 'One testcase per check', content: { 'application/xml': str } } },
      },
    },
  };
}

/** Webhook settings, deliveries, faults, the clock, MCP, the dashboard files. */
function webhookRoutes(): Record<string, Record<string, Operation>> {
  return { ...webhookRoutesPart1(), ...webhookRoutesPart2(), ...webhookRoutesPart3() };
}

function webhookRoutesPart1(): Record<string, Record<string, Operation>> {
  return {
    '/webhooks': {
      get: {
        summary: "A tenant's webhook subscriptions (?tenant=, default the first), the events and the retry policy",
        responses: {
          '200': ok('The settings', {
            allOf: [ref('WebhookSettings')],
            type: 'object',
            required: ['events_available', 'policy'],
            properties: { events_available: array({ enum: [...GUURU_EVENTS] }), policy: ref('RetryPolicy') },
          }),
          '404': error('No such tenant'),
        },
      },
      put: {
        summary: "Changes a tenant's subscriptions, secret and payload options",
        body: webhooksBody,
        responses: { '200': ok('The settings', ref('WebhookSettings')), '404': error('No such tenant') },
      },
    },
    '/tenants/{id}/webhooks': {
      get: {
        summary: "A tenant's webhook subscriptions",
        responses: { '200': ok('The settings', ref('WebhookSettings')) },
      },
      put: {
        summary: "Changes a tenant's subscriptions",
        body: webhooksBody,
        responses: { '200': ok('The settings', ref('WebhookSettings')) },
      },
    },
    '/webhooks/policy': {
      get: { summary: 'The retry policy', responses: { '200': ok('The policy', ref('RetryPolicy')) } },
      put: {
        summary: 'Changes the retry policy',
        body: policyBody,
        responses: { '200': ok('The policy', ref('RetryPolicy')) },
      },
    },
    '/deliveries': {
      get: {
        summary: 'The delivery log, oldest first (?summary=true: without headers and bodies)',
        query: deliveriesQuery,
        responses: {
          '200': ok(
            'The deliveries',
            object({
              deliveries: array({ anyOf: [ref('Delivery'), ref('DeliverySummary')] }),
              total: int,
              log: ref('DeliveryCounts'),
            }),
          ),
          '404': error('No such tenant'),
        },
      },
      delete: {
        summary: 'Forgets the finished deliveries',
        responses: { '200': ok('How many were removed', object({ removed: int })) },
      },
    },
  };
}

function webhookRoutesPart2(): Record<string, Record<string, Operation>> {
  return {
    '/deliveries/flush': {
      post: {
        summary: 'Waits (up to timeoutMs of real time) until no delivery is queued, sending or retrying',
        body: flushBody,
        responses: {
          '200': ok('Idle', object({ idle: { const: true }, log: ref('DeliveryCounts') })),
          '504': ok('Still busy after timeoutMs', object({ idle: { const: false }, log: ref('DeliveryCounts') })),
        },
      },
    },
    '/deliveries/{id}': {
      get: { summary: 'One delivery with its attempts', responses: { '200': ok('The delivery', ref('Delivery')) } },
    },
    '/deliveries/{id}/redeliver': {
      post: {
        summary: 'Sends the delivery again (to its URL or another)',
        body: redeliverBody,
        responses: { '202': ok('The new delivery', ref('Delivery')) },
      },
    },
    '/faults': {
      get: {
        summary: 'The delivery fault rules',
        responses: {
          '200': ok('The rules', object({ faults: array(ref('FaultRule')), kinds: array({ enum: [...FAULT_KINDS] }) })),
        },
      },
      post: {
        summary: 'Adds a fault rule (duplicate, delay, reorder, drop the first attempt)',
        body: faultBody,
        responses: {
          '201': ok('The rule', ref('FaultRule')),
          '404': error('No such tenant'),
          '409': error('LIMIT_REACHED: 1,000 rules are kept; remove some (DELETE /faults)'),
        },
      },
      delete: {
        summary: 'Removes every fault rule',
        responses: { '200': ok('How many were removed', object({ removed: int })) },
      },
    },
    '/faults/{id}': { delete: { summary: 'Removes one fault rule', responses: { '204': { description: 'Removed' } } } },
    '/clock': { get: { summary: 'The emulator clock', responses: { '200': ok('The clock', ref('Clock')) } } },
    '/clock/advance': {
      post: {
        summary: 'Moves a virtual clock forward (timers due fire)',
        body: advanceBody,
        responses: {
          '200': ok('The clock', ref('Clock')),
          '409': error('The clock is not virtual (start with --virtual-clock)'),
        },
      },
    },
  };
}

function webhookRoutesPart3(): Record<string, Record<string, Operation>> {
  return {
    '/mcp': {
      post: {
        summary:
          'The MCP server over Streamable HTTP, stateless: POST each JSON-RPC message (initialize, tools/list, tools/call, resources/read…); see docs/mcp.md',
        bodySchema: { anyOf: [ref('JsonRpcMessage'), array(ref('JsonRpcMessage'))] },
        responses: {
          '200': ok("The JSON-RPC answer (a tool error is an answer: result.isError with the API's code and message)", {
            anyOf: [ref('JsonRpcMessage'), array(ref('JsonRpcMessage'))],
          }),
          '202': { description: 'A notification or response was accepted (nothing to answer)' },
          '400': ok('The body is not JSON (Error) or not a JSON-RPC message (a JSON-RPC error)', {
            anyOf: [ref('Error'), ref('JsonRpcMessage')],
          }),
          '406': ok(
            'The client does not accept both application/json and text/event-stream (a JSON-RPC error)',
            ref('JsonRpcMessage'),
          ),
          '503': error('The emulator is not listening yet (its tools call it over HTTP)'),
        },
      },
      get: {
        summary: 'Refused: the endpoint keeps no stream (stateless)',
        responses: { '405': error('POST only (METHOD_NOT_ALLOWED)') },
      },
      delete: {
        summary: 'Refused: the endpoint keeps no session (stateless)',
        responses: { '405': error('POST only (METHOD_NOT_ALLOWED)') },
      },
    },
    '/ui/{file}': {
      get: {
        summary: "The dashboard's and GraphiQL's files (content-hashed, cached for a year)",
        open: true,
        responses: {
          '200': {
            description: 'The file',
            content: Object.fromEntries(
              [
                'text/javascript',
                'text/css',
                'application/json',
                'text/plain',
                'font/woff2',
                'font/woff',
                'font/ttf',
                'image/svg+xml',
                'application/octet-stream',
              ].map((t) => [t, {}]),
            ),
          },
        },
      },
    },
  };
}

function schemas(): Record<string, Schema> {
  return {
    ...playSchemas(),
    ...baseSchemas(),
    ...chatSchemas(),
    ...activitySchemas(),
    ...runSchemas(),
    ...journalSchemas(),
    ...webhookSchemas(),
  };
}

/** Errors, health, the clock and tenants. */
function baseSchemas(): Record<string, Schema> {
  return {
    JsonRpcMessage: {
      type: 'object',
      required: ['jsonrpc'],
      properties: {
        jsonrpc: { const: '2.0' },
        id: { anyOf: [str, num, { type: 'null' }] },
        method: str,
        params: { type: 'object' },
        result: { type: 'object' },
        error: object({ code: int, message: str, data: {} }, ['code', 'message']),
      },
    },
    Error: {
      type: 'object',
      required: ['statusCode', 'error', 'message'],
      properties: {
        statusCode: int,
        error: str,
        message: str,
        code: { type: 'string', description: 'Stable code, e.g. NOT_FOUND, INVALID_ARGUMENT, FORBIDDEN_ORIGIN' },
        field: { type: 'string', description: 'The field at fault' },
        argumentName: { type: 'string', description: 'The field or argument at fault (INVALID_ARGUMENT, NOT_FOUND)' },
      },
    },
    Health: object({
      status: { const: 'ok' },
      name: { const: 'guuru-emulator' },
      version: str,
      uptimeMs: int,
      now: ms,
      clock: { enum: ['system', 'virtual'] },
      tenants: int,
      memory: object({ rssMiB: num, heapUsedMiB: num, heapTotalMiB: num, storedMiB: num, storedLimitMiB: num }),
      fastLane: object({ enabled: bool, compiled: int, answered: int }),
    }),
    Clock: object({ kind: { enum: ['system', 'virtual'] }, now: ms, iso: { type: 'string', format: 'date-time' } }),
    Tenant: object(
      {
        id: str,
        name: str,
        token: str,
        tokens: array(str),
        gurusupApiKey: str,
        builtIn: bool,
        seed: int,
        counts: object({
          chats: int,
          chatsByStatus: object(Object.fromEntries(CHAT_STATUSES.map((s) => [s, int]))),
          experts: int,
          personas: int,
          submissions: int,
          pages: int,
          gurusupThreads: int,
        }),
        webhookSecret: str,
        graphqlUrl: { type: 'string', format: 'uri' },
        gurusupUrl: { type: 'string', format: 'uri' },
      },
      ['id', 'name', 'token', 'tokens', 'builtIn', 'seed', 'counts', 'webhookSecret'],
    ),
  };
}

/** Chats and their messages. */
function chatSchemas(): Record<string, Schema> {
  return { ...chatSchemasPart1(), ...chatSchemasPart2() };
}

function chatSchemasPart1(): Record<string, Schema> {
  const chatStatus: Schema = { enum: [...CHAT_STATUSES] };
  return {
    ChatStatus: chatStatus,
    ChatMessage: object(
      {
        id: str,
        chatId: str,
        seq: int,
        type: { enum: ['text', 'attachment'] },
        text: str,
        attachment: object({ id: str, filename: str, mimetype: str, url: str }, ['id', 'url']),
        createdAt: ms,
        hideForUser: bool,
        hideForExpert: bool,
        author: {
          type: 'object',
          required: ['kind'],
          properties: { kind: { enum: ['user', 'expert', 'persona', 'bot'] }, id: str },
          additionalProperties: false,
        },
      },
      ['id', 'chatId', 'seq', 'type', 'createdAt', 'hideForUser', 'hideForExpert', 'author'],
    ),
    Chat: object(
      {
        id: str,
        seq: int,
        createdAt: ms,
        acceptedAt: ms,
        closedAt: ms,
        ratedAt: ms,
        isAssignedToAgent: bool,
        question: str,
        rating: { enum: ['good', 'average', 'bad'] },
        ratingComment: str,
        status: chatStatus,
        language: str,
        expertId: str,
        requestedExperts: array(str),
        user: object({ id: str, name: str, email: str, phone: str, ipAddress: str, locale: str, isLead: bool }, ['id']),
        transfer: object(
          { id: str, createdAt: ms, notificationSentAt: ms, confirmedAt: ms, reason: str, receiver: str, type: str },
          ['id', 'createdAt'],
        ),
        categoryId: str,
        messages: array(ref('ChatMessage')),
      },
      [
        'id',
        'seq',
        'createdAt',
        'isAssignedToAgent',
        'question',
        'status',
        'language',
        'requestedExperts',
        'user',
        'messages',
      ],
    ),
  };
}

function chatSchemasPart2(): Record<string, Schema> {
  const chatStatus: Schema = { enum: [...CHAT_STATUSES] };
  return {
    ChatSummary: object(
      {
        id: str,
        seq: int,
        status: chatStatus,
        language: str,
        question: str,
        createdAt: ms,
        acceptedAt: ms,
        closedAt: ms,
        ratedAt: ms,
        rating: { enum: ['good', 'average', 'bad'] },
        expertId: str,
        requestedExperts: array(str),
        userName: str,
        messages: { type: 'integer', description: 'How many' },
      },
      ['id', 'seq', 'status', 'language', 'question', 'createdAt', 'requestedExperts', 'messages'],
    ),
  };
}

/** A chat's activity, snapshots, triggers and Gurusup organisations. */
function activitySchemas(): Record<string, Schema> {
  const gurusup = gurusupDocument('').components.schemas as Record<string, Schema>;
  // The Gurusup API's own shapes, their references renamed into this document.
  const renamed = (schema: Schema): Schema =>
    JSON.parse(
      JSON.stringify(schema).replace(/#\/components\/schemas\/(\w+)/g, '#/components/schemas/Gurusup$1'),
    ) as Schema;
  const chatStatus: Schema = { enum: [...CHAT_STATUSES] };
  return {
    ActivityStep: object(
      {
        at: ms,
        kind: { enum: ['created', 'status', 'message'] },
        event: str,
        from: chatStatus,
        to: chatStatus,
        actor: str,
        actorLabel: str,
        messageId: str,
        deliveries: array(str),
      },
      ['at', 'kind', 'event', 'to', 'actor', 'actorLabel', 'deliveries'],
    ),
    Snapshot: object({
      name: str,
      tenant: nullable(str),
      createdAt: ms,
      tenants: array(object({ id: str, chats: int })),
    }),
    TriggerResult: object(
      {
        event: { enum: [...TRIGGER_EVENTS] },
        tenant: str,
        chatId: str,
        thread: object({ fid: str, hash: str }),
        target: nullable(str),
        only: bool,
        steps: array(object({ action: str, event: str, sent: bool }, ['action', 'sent'])),
        deliveries: array(ref('DeliverySummary')),
        delivered: bool,
      },
      ['event', 'tenant', 'target', 'only', 'steps', 'deliveries', 'delivered'],
    ),
    GurusupOrganisation: object({
      tenant: str,
      name: str,
      apiKey: str,
      apiKeys: array(str),
      autoReply: bool,
      language: str,
      webhookUrl: str,
      eventName: str,
      postStatus: { enum: [200, 201] },
      threads: int,
    }),
    ...Object.fromEntries(Object.entries(gurusup).map(([name, schema]) => [`Gurusup${name}`, renamed(schema)])),
  };
}

/** Scenarios and their runs. */
function runSchemas(): Record<string, Schema> {
  return { ...runSchemasPart1(), ...runSchemasPart2() };
}

function runSchemasPart1(): Record<string, Schema> {
  return {
    ScenarioSummary: {
      type: 'object',
      required: ['name', 'description', 'params', 'builtIn', 'file', 'steps'],
      properties: {
        name: str,
        description: str,
        params: { type: 'object' },
        builtIn: bool,
        file: str,
        steps: { type: 'integer', description: 'How many' },
      },
    },
    RunStatus: { enum: ['running', 'completed', 'failed', 'cancelled'] },
    Params: record({ type: ['string', 'number', 'boolean'] }),
  };
}

function runSchemasPart2(): Record<string, Schema> {
  return {
    ScenarioRun: {
      type: 'object',
      description: 'A run; lists leave out the timeline',
      required: [
        'id',
        'scenario',
        'status',
        'tenant',
        'params',
        'seed',
        'speed',
        'startedAt',
        'chats',
        'threads',
        'integratorFacing',
        'deliveries',
        'calls',
      ],
      properties: {
        id: str,
        scenario: str,
        status: ref('RunStatus'),
        tenant: str,
        params: ref('Params'),
        seed: int,
        speed: num,
        target: str,
        startedAt: ms,
        finishedAt: ms,
        error: str,
        chats: array(str),
        threads: array(str),
        timeline: array({
          type: 'object',
          required: ['at', 'iso', 'step', 'action', 'by', 'webhooks'],
          properties: {
            at: ms,
            iso: str,
            step: str,
            action: str,
            by: { enum: ['scenario', 'integrator'] },
            chatId: str,
            thread: str,
            detail: str,
            expected: str,
            outcome: { enum: ['done', 'timeout'] },
            webhooks: array(
              object({ deliveryId: str, event: str, status: { enum: ['pending', 'delivered', 'failed'] } }),
            ),
          },
          additionalProperties: false,
        }),
        integratorFacing: bool,
        deliveries: {
          type: 'object',
          required: ['sent', 'delivered', 'failed', 'pending', 'undelivered'],
          properties: { sent: int, delivered: int, failed: int, pending: int, undelivered: array({ type: 'object' }) },
        },
        calls: array({ type: 'object' }),
        verdict: { type: 'object' },
      },
      additionalProperties: false,
    },
  };
}

/** The request journal and verifications. */
function journalSchemas(): Record<string, Schema> {
  return { ...journalSchemasPart1(), ...journalSchemasPart2() };
}

function journalSchemasPart1(): Record<string, Schema> {
  return {
    JournalRequest: {
      type: 'object',
      required: ['id', 'api', 'at', 'iso', 'method', 'path', 'route', 'status', 'durationMs', 'chatIds'],
      properties: {
        id: str,
        api: { enum: ['graphql', 'gurusup'] },
        at: ms,
        iso: str,
        method: str,
        path: str,
        route: str,
        status: int,
        durationMs: num,
        tenantId: str,
        operationName: str,
        operationType: { enum: ['query', 'mutation', 'subscription'] },
        query: str,
        variables: { type: 'object' },
        fields: array({ type: 'object' }),
        errors: array({ type: 'object' }),
        chatIds: array(str),
      },
    },
    JournalCounts: object({ kept: int, evicted: int, limit: int }),
    VerificationStatus: { enum: ['running', 'passed', 'failed', 'error', 'cancelled'] },
    VerificationLinks: object({ self: str, junit: str }),
  };
}

function journalSchemasPart2(): Record<string, Schema> {
  return {
    VerificationReport: {
      type: 'object',
      required: [
        'kind',
        'version',
        'id',
        'status',
        'target',
        'tenant',
        'suites',
        'seed',
        'timeoutMs',
        'summary',
        'checks',
        'deliveries',
        'timings',
      ],
      properties: {
        kind: str,
        version: { type: ['string', 'integer'] },
        id: str,
        status: ref('VerificationStatus'),
        target: str,
        tenant: str,
        suites: array(str),
        seed: int,
        timeoutMs: int,
        error: str,
        summary: object({
          total: int,
          passed: int,
          failed: int,
          skipped: int,
          pending: int,
          requiredFailed: int,
          recommendedFailed: int,
        }),
        checks: array({
          type: 'object',
          required: ['id', 'suite', 'title', 'level', 'rule', 'doc', 'status', 'evidence', 'details'],
        }),
        deliveries: array({ type: 'object', required: ['kind', 'deliveryId', 'event'] }),
        explore: { type: 'object', required: ['mode', 'flows', 'shrinkRuns', 'outOfTime', 'graceMs'] },
        timings: {
          type: 'object',
          required: ['startedAt'],
          properties: { startedAt: str, finishedAt: str, durationMs: num, acknowledgement: { type: 'object' } },
        },
        links: ref('VerificationLinks'),
      },
    },
    VerificationListed: {
      description: 'A verification without its checks',
      type: 'object',
      required: ['id', 'status', 'target', 'tenant', 'suites', 'summary', 'links'],
      properties: { id: str, status: ref('VerificationStatus'), checks: false, links: ref('VerificationLinks') },
    },
  };
}

/** Webhook settings, deliveries and faults. */
/** What a delivery and its summary both start with: which delivery, whose, of what, to where. */
const deliveryHead: Record<string, Schema> = {
  id: str,
  source: { enum: ['guuru', 'gurusup'] },
  tenantId: str,
  event: str,
  chatId: str,
  url: str,
};

function webhookSchemas(): Record<string, Schema> {
  return { ...webhookSchemasPart1(), ...webhookSchemasPart2() };
}

function webhookSchemasPart1(): Record<string, Schema> {
  return {
    WebhookTarget: object({ url: str, active: bool }, []),
    WebhookSettings: object(
      {
        tenant: str,
        secret: str,
        signed: bool,
        requestedExperts: { enum: ['ids', 'objects'] },
        eventNames: { enum: ['current', 'legacy'] },
        events: {
          type: 'object',
          propertyNames: { enum: [...GUURU_EVENTS] },
          additionalProperties: { type: 'object' },
        },
      },
      undefined,
      { additionalProperties: true },
    ),
    RetryPolicy: object({ maxAttempts: int, baseDelayMs: int, maxDelayMs: int, timeoutMs: int }),
    DeliveryStatus: { enum: [...DELIVERY_STATUSES] },
    Delivery: object(
      {
        ...deliveryHead,
        idempotencyKey: str,
        headers: record(str),
        body: { description: 'The body parsed back (as sent when it is not JSON)' },
        rawBody: { type: 'string', description: 'The body exactly as sent (the signature is over these bytes)' },
        status: ref('DeliveryStatus'),
        createdAt: ms,
        attempts: array(
          object({ attempt: int, at: ms, durationMs: num, statusCode: int, error: str, response: str, fault: str }, [
            'attempt',
            'at',
            'durationMs',
          ]),
        ),
        nextAttemptAt: ms,
        redeliveryOf: str,
        duplicateOf: str,
        faults: array(str),
      },
      [
        'id',
        'source',
        'tenantId',
        'event',
        'url',
        'headers',
        'body',
        'rawBody',
        'status',
        'createdAt',
        'attempts',
        'faults',
      ],
    ),
  };
}

function webhookSchemasPart2(): Record<string, Schema> {
  return {
    DeliverySummary: object(
      {
        ...deliveryHead,
        status: ref('DeliveryStatus'),
        createdAt: ms,
        attempts: { type: 'integer', description: 'How many' },
        lastStatusCode: int,
        lastError: str,
        redeliveryOf: str,
        duplicateOf: str,
      },
      ['id', 'source', 'tenantId', 'event', 'url', 'status', 'createdAt', 'attempts'],
    ),
    DeliveryCounts: object({ pending: int, finished: int, evicted: int, limit: int }),
    FaultRule: object(
      {
        id: str,
        kind: { enum: [...FAULT_KINDS] },
        event: str,
        chatId: str,
        tenantId: str,
        remaining: nullable(int),
        delayMs: int,
        applied: int,
        createdAt: ms,
      },
      ['id', 'kind', 'remaining', 'delayMs', 'applied', 'createdAt'],
    ),
  };
}

/** The document, with `serverUrl` (…/_emulator) as its server. */
export function controlOpenApiDocument(serverUrl: string) {
  const paths: Record<string, Schema> = {};
  for (const [path, methods] of Object.entries(routes())) {
    paths[path] = Object.fromEntries(
      Object.entries(methods).map(([method, op]) => [method, operation(method, path, op)]),
    );
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'guuru-emulator control API',
      version: VERSION,
      description:
        'Reset, tenants, chat actions, snapshots, trigger, webhooks and deliveries, faults, scenarios, verifications, the request journal, the clock. JSON in, JSON out; errors are {statusCode, error, message, code?, field?}. Guarded: a foreign Origin or an unknown Host is refused (403); with an admin token every route but health, this document and the dashboard files needs it. See docs/control-api.md.',
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }, { adminTokenHeader: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'The admin token (--admin-token, ADMIN_TOKEN, or the one printed at start); only when one is set',
        },
        adminTokenHeader: { type: 'apiKey', in: 'header', name: 'X-Admin-Token' },
      },
      schemas: schemas(),
    },
  };
}

/** What the dashboard's play views exchange: authors, personas, a session exported or imported. */
function playSchemas(): Record<string, Schema> {
  return {
    Authors: record(object({ kind: { enum: ['expert', 'persona'] }, name: str, photoUrl: str }, ['kind', 'name'])),
    Persona: object({ id: str, providerId: str, name: str, email: str, photoUrl: str, createdAt: ms, updatedAt: ms }, [
      'id',
      'providerId',
      'name',
      'createdAt',
      'updatedAt',
    ]),
    Session: {
      type: 'object',
      required: ['format', 'version', 'tenant', 'chat', 'authors', 'bot', 'steps', 'deliveries', 'requests'],
      properties: {
        format: { const: 'guuru-emulator-session' },
        version: { const: 1 },
        exportedAt: str,
        emulatorVersion: str,
        tenant: str,
        chat: ref('Chat'),
        authors: ref('Authors'),
        bot: object({ name: str }),
        steps: array(ref('ActivityStep')),
        deliveries: array(ref('Delivery')),
        requests: array(ref('JournalRequest')),
        id: str,
        importedAt: ms,
      },
      additionalProperties: false,
    },
  };
}
