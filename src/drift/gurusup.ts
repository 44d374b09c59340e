import { createHash } from 'node:crypto';
import type { DriftChange, DriftLevel, GurusupProbe } from './report.js';
import { request } from './http.js';

/** The part of the emulator's Gurusup OpenAPI document drift reads: the response schemas. */
export interface GurusupDocument {
  components: {
    schemas: Record<string, { required?: string[]; properties?: Record<string, Record<string, unknown>> }>;
  };
}

interface Field {
  required: boolean;
  /** Marked "emulator" in the document: the vendor's docs do not show it. */
  emulatorOnly: boolean;
}

function fieldsOf(document: GurusupDocument, name: string): Map<string, Field> {
  const schema = document.components.schemas[name];
  if (!schema?.properties) throw new Error(`the Gurusup document has no schema ${name}`);
  const required = new Set(schema.required ?? []);
  return new Map(
    Object.entries(schema.properties).map(([field, p]) => [
      field,
      {
        required: required.has(field),
        emulatorOnly: /^emulator\b/.test(typeof p.description === 'string' ? p.description : ''),
      },
    ]),
  );
}

/** The field names of live objects against the documented ones: each difference once. */
function compareFields(where: string, objects: unknown[], fields: Map<string, Field>, what: string): DriftChange[] {
  const changes = new Map<string, DriftChange>();
  const add = (key: string, change: Omit<DriftChange, 'api'>) => changes.set(key, { api: 'gurusup', ...change });
  for (const value of objects) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      add('shape', {
        level: 'breaking',
        type: 'SHAPE_CHANGED',
        path: where,
        message: `${where} answers ${Array.isArray(value) ? 'an array' : typeof value} where the emulator answers ${what} object`,
      });
      continue;
    }
    for (const [name, field] of fields) {
      if (!field.required || name in value) continue;
      const level: DriftLevel = field.emulatorOnly ? 'dangerous' : 'breaking';
      const note = field.emulatorOnly ? ' (a field the emulator adds; the vendor docs do not show it)' : '';
      add(`missing ${name}`, {
        level,
        type: 'FIELD_MISSING',
        path: `${where}: ${name}`,
        message: `${what} has no field "${name}" live, which the emulator always sends${note}`,
      });
    }
    for (const name of Object.keys(value)) {
      if (!fields.has(name))
        add(`added ${name}`, {
          level: 'safe',
          type: 'FIELD_ADDED',
          path: `${where}: ${name}`,
          message: `${what} has a field "${name}" live that the emulator does not send`,
        });
    }
  }
  return [...changes.values()];
}

interface Plan {
  label: string;
  path: string;
  expectedStatus: number;
  withKey?: boolean;
  /** Compares the answer's fields; returns what to probe next from it. */
  fields?: (json: unknown, where: string) => DriftChange[];
}

/**
 * Read-only requests to the live Gurusup API (GETs only: it never posts a message), each compared
 * with what the emulator answers: the status, and the field names of threads and messages.
 */
export async function probeGurusup(
  baseUrl: string,
  apiKey: string,
  document: GurusupDocument,
  timeoutMs: number,
): Promise<GurusupProbe[]> {
  const base = baseUrl.replace(/\/+$/, '');
  const thread = fieldsOf(document, 'Thread');
  const message = fieldsOf(document, 'Message');
  const threadWithMessages = new Map([...thread, ['messages', { required: true, emulatorOnly: false }]]);
  let firstThread: string | undefined;
  let firstMessage: string | undefined;

  const plans: (() => Plan | string)[] = [
    () => ({ label: 'the threads, without the key', path: '/threads', expectedStatus: 401, withKey: false }),
    () => ({
      label: 'the threads',
      path: '/threads',
      expectedStatus: 200,
      fields: (json, where) => {
        if (!Array.isArray(json)) return compareFields(where, [json], new Map(), 'the thread list as an array, not an');
        const first = json[0] as { thread?: unknown; thread_fid?: unknown } | undefined;
        firstThread =
          typeof first?.thread === 'string'
            ? first.thread
            : typeof first?.thread_fid === 'string'
              ? createHash('md5').update(first.thread_fid).digest('hex')
              : undefined;
        return compareFields(where, json.slice(0, 50), thread, 'a thread');
      },
    }),
    () =>
      firstThread === undefined
        ? 'no thread listed: the fields of a thread and its messages were not compared'
        : {
            label: 'one thread with its messages',
            path: `/threads/${encodeURIComponent(firstThread)}`,
            expectedStatus: 200,
            fields: (json, where) => {
              const messages = (json as { messages?: unknown }).messages;
              const list = Array.isArray(messages) ? messages : [];
              const id = (list[0] as { _id?: unknown } | undefined)?._id;
              firstMessage = typeof id === 'string' ? id : undefined;
              return [
                ...compareFields(where, [json], threadWithMessages, 'a thread with its messages'),
                ...compareFields(`${where} messages`, list.slice(0, 50), message, 'a message'),
              ];
            },
          },
    () =>
      firstMessage === undefined
        ? 'no message to read: the fields of GET /messages/{id} were not compared'
        : {
            label: 'one message',
            path: `/messages/${encodeURIComponent(firstMessage)}`,
            expectedStatus: 200,
            fields: (json, where) => compareFields(where, [json], message, 'a message'),
          },
    () => ({ label: 'an unknown thread', path: `/threads/${'0'.repeat(32)}`, expectedStatus: 404 }),
    () => ({ label: 'a message id that is not an ObjectId', path: '/messages/not-an-object-id', expectedStatus: 400 }),
  ];

  const probes: GurusupProbe[] = [];
  for (const next of plans) {
    const plan = next();
    if (typeof plan === 'string') {
      probes[probes.length - 1]!.note = plan;
      continue;
    }
    const where = `GET ${plan.path.replace(/^\/threads\/[^/]+$/, '/threads/{hash}').replace(/^\/messages\/[0-9a-f]{24}$/, '/messages/{id}')}`;
    const probe: GurusupProbe = {
      method: 'GET',
      path: plan.path,
      label: plan.label,
      expectedStatus: plan.expectedStatus,
      changes: [],
    };
    probes.push(probe);
    await fetchAndCompare(probe, plan, where, base, apiKey, timeoutMs);
  }
  return probes;
}

/** One GET of the live API, its status and (for a list or a record) its field names against the emulator's. */
async function fetchAndCompare(
  probe: GurusupProbe,
  plan: Plan,
  where: string,
  base: string,
  apiKey: string,
  timeoutMs: number,
): Promise<void> {
  const answer = await request(
    `${base}${plan.path}`,
    { method: 'GET', headers: plan.withKey === false ? {} : { 'x-api-key': apiKey } },
    timeoutMs,
  );
  probe.status = answer.status;
  if (answer.status !== plan.expectedStatus) {
    // A success that is not one breaks an integration; a different error status may.
    const level: DriftLevel = plan.expectedStatus < 400 ? 'breaking' : 'dangerous';
    probe.changes.push({
      api: 'gurusup',
      level,
      type: 'STATUS_CHANGED',
      path: where,
      message: `${plan.label}: HTTP ${answer.status} live, ${plan.expectedStatus} from the emulator`,
    });
    return;
  }
  if (plan.fields) {
    if (answer.json === undefined)
      probe.changes.push({
        api: 'gurusup',
        level: 'breaking',
        type: 'NOT_JSON',
        path: where,
        message: `${plan.label}: the live answer is not JSON`,
      });
    else probe.changes.push(...plan.fields(answer.json, where));
  }
}
