import { VERSION } from '../kernel/version.js';

/**
 * OpenAPI 3.1 description of the emulated Gurusup public API, served at /gurusup/openapi.json.
 * A test validates real responses against these schemas, so the document cannot drift from the
 * code. Fields the vendor's docs do not show (ids, timestamps, thread metadata) are marked as the
 * emulator's.
 */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object, description: string) => ({ description, content: { 'application/json': { schema } } });
const error = (description: string) => json(ref('Error'), description);

export function openApiDocument(serverUrl: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Gurusup public API (guuru-emulator)',
      version: VERSION,
      description:
        'The Gurusup public API as documented at gurusup.com/documentation, emulated. Served under /gurusup and /gurusup/api/v1 (the auth page\'s base path). Fields marked "emulator" are not shown by the vendor\'s docs.',
    },
    servers: [{ url: serverUrl }],
    security: [{ apiKey: [] }],
    paths: paths(),
    webhooks: webhooks(),
    components: {
      securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } },
      schemas: schemas(),
    },
  };
}

/** The documented endpoints, under /gurusup and /gurusup/api/v1. */
function paths() {
  return {
    '/threads': {
      get: {
        operationId: 'listThreads',
        summary: "The organisation's threads with their metadata, in creation order (no paging).",
        responses: {
          '200': json({ type: 'array', items: ref('Thread') }, 'Every thread of the organisation'),
          '401': error('Missing or unknown x-api-key'),
        },
      },
    },
    '/threads/{threadFidHash}': {
      get: {
        operationId: 'getThread',
        summary: 'One thread with all its messages, by md5(thread_fid).',
        parameters: [
          {
            name: 'threadFidHash',
            in: 'path',
            required: true,
            description: 'md5 of thread_fid, 32 hex characters',
            schema: { type: 'string' },
          },
        ],
        responses: {
          '200': json(ref('ThreadWithMessages'), 'The thread'),
          '401': error('Missing or unknown x-api-key'),
          '404': error('No thread with that hash (or not an md5)'),
        },
      },
    },
    '/messages': {
      post: {
        operationId: 'postMessage',
        summary:
          "Stores a message (creating the thread on first use) and returns the system's automatic reply; without one (agent messages, auto-reply off) the stored message.",
        requestBody: { required: true, content: { 'application/json': { schema: ref('PartialMessage') } } },
        responses: {
          '201': json(
            ref('Message'),
            'The automatic reply, or the posted message when there is none (200 when the organisation is configured so)',
          ),
          '400': error('Malformed JSON, a missing or mistyped field'),
          '401': error('Missing or unknown x-api-key'),
          '413': error('Body over the size limit'),
          '415': error('Not application/json'),
        },
      },
    },
    '/messages/{messageId}': {
      get: {
        operationId: 'getMessage',
        summary: 'One message by its ObjectId.',
        parameters: [{ name: 'messageId', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': json(ref('Message'), 'The message'),
          '400': error('Not a 24-hex ObjectId'),
          '401': error('Missing or unknown x-api-key'),
          '404': error('No such message'),
        },
      },
    },
  };
}

/** The send-message event, as the organisation's webhook URL receives it. */
function webhooks() {
  return {
    sendMessage: {
      post: {
        summary:
          "Send message event: every message the system sends (automatic replies, messages Gurusup sends itself), POSTed to the organisation's webhook URL with the header x-api-key = the organisation's key. Envelope: the emulator's choice.",
        requestBody: { content: { 'application/json': { schema: ref('SendMessageEvent') } } },
        responses: { '200': { description: 'Any 2xx acknowledges the event' } },
      },
    },
  };
}

/** The bodies of the endpoints and the event. */
function schemas() {
  return { ...schemasPart1(), ...schemasPart2() };
}

function schemasPart1() {
  return {
    PartialMessage: {
      type: 'object',
      required: ['body', 'thread_fid'],
      properties: {
        body: { type: 'string', minLength: 1, description: 'Text of the message' },
        thread_fid: { type: 'string', minLength: 1, description: 'Your id of the thread' },
        user_fid: { type: 'string', description: 'Your id of the sender (emulator default: anonymous)' },
        lang: { type: 'string', description: "Language code such as en or es (default: the organisation's)" },
        subject: { type: ['string', 'null'] },
        is_customer_support_agent: {
          type: 'boolean',
          default: false,
          description: 'true: sent by an agent; stored without an automatic reply',
        },
      },
    },
    Message: {
      type: 'object',
      additionalProperties: false,
      required: [
        '_id',
        'id',
        'thread',
        'thread_fid',
        'body',
        'user_fid',
        'lang',
        'is_customer_support_agent',
        'created_at',
        'updated_at',
      ],
      properties: {
        _id: { type: 'string', pattern: '^[0-9a-f]{24}$', description: 'MongoDB ObjectId' },
        id: { type: 'string', pattern: '^[0-9a-f]{24}$', description: 'emulator: the same as _id' },
        thread: { type: 'string', pattern: '^[0-9a-f]{32}$', description: 'md5(thread_fid)' },
        thread_fid: { type: 'string' },
        body: { type: 'string' },
        user_fid: { type: 'string' },
        lang: { type: 'string' },
        subject: { type: 'string' },
        is_customer_support_agent: { type: 'boolean' },
        created_at: { type: 'string', format: 'date-time', description: 'emulator' },
        updated_at: { type: 'string', format: 'date-time', description: 'emulator' },
      },
    },
    Thread: {
      type: 'object',
      additionalProperties: false,
      required: ['thread', 'thread_fid', 'user_fid', 'lang', 'message_count', 'created_at', 'updated_at'],
      properties: {
        thread: { type: 'string', pattern: '^[0-9a-f]{32}$', description: 'md5(thread_fid)' },
        thread_fid: { type: 'string' },
        user_fid: { type: 'string', description: 'emulator: the customer of the thread' },
        lang: { type: 'string', description: "emulator: the customer's language" },
        subject: { type: 'string', description: 'emulator: the first subject given' },
        message_count: { type: 'integer', minimum: 0, description: 'emulator' },
        created_at: { type: 'string', format: 'date-time', description: 'emulator' },
        updated_at: { type: 'string', format: 'date-time', description: 'emulator' },
      },
    },
  };
}

function schemasPart2() {
  return {
    ThreadWithMessages: {
      allOf: [{ $ref: '#/components/schemas/ThreadFields' }],
      type: 'object',
      required: ['thread', 'thread_fid', 'messages'],
      properties: { messages: { type: 'array', items: ref('Message') } },
    },
    ThreadFields: {
      type: 'object',
      required: ['thread', 'thread_fid', 'user_fid', 'lang', 'message_count', 'created_at', 'updated_at'],
      properties: {
        thread: { type: 'string', pattern: '^[0-9a-f]{32}$' },
        thread_fid: { type: 'string' },
        user_fid: { type: 'string' },
        lang: { type: 'string' },
        subject: { type: 'string' },
        message_count: { type: 'integer', minimum: 0 },
        created_at: { type: 'string', format: 'date-time' },
        updated_at: { type: 'string', format: 'date-time' },
      },
    },
    SendMessageEvent: {
      type: 'object',
      additionalProperties: false,
      required: ['event', 'data'],
      properties: { event: { type: 'string', const: 'send_message' }, data: ref('Message') },
    },
    Error: {
      type: 'object',
      required: ['statusCode', 'error', 'message'],
      properties: {
        statusCode: { type: 'integer' },
        error: { type: 'string' },
        message: { type: 'string' },
        field: { type: 'string' },
      },
    },
  };
}
