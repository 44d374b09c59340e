import type { RequestRecord } from './request-journal.js';

/**
 * "An integrator's call on a chat": one top-level field of an Admin API request that names a chat,
 * with its outcome. Built here, once, from the request journal; a scenario run keeps them as facts
 * for its verdict, a verification watches them on its chats, and both cite them as evidence
 * (`ApiCallEvidence` below) in the same words.
 */
export interface IntegratorCall {
  /** GET /_emulator/requests/:requestId */
  requestId: string;
  chatId: string;
  /** The mutation or query field, e.g. acceptChat. */
  operation: string;
  /** The GraphQL operation name sent, if any. */
  operationName?: string;
  /** Emulator clock time the request arrived. */
  at: number;
  iso: string;
  /** HTTP status of the answer. */
  status: number;
  /** Neither the field nor the request was refused. */
  ok: boolean;
  /** The API's error code when the call was refused (extensions.code). */
  errorCode?: string;
  errorMessage?: string;
  /** Wall-clock time to answer. */
  durationMs: number;
}

/** Which requests count: the journal also holds the Gurusup API and queries. */
export interface IntegratorCallFilter {
  /** Only mutations (a verification reads what the integration did, not what it looked at). */
  mutationsOnly?: boolean;
}

/** The calls on chats one journal entry holds: one per top-level GraphQL field naming a chat, in order. */
export function integratorCallsOf(record: RequestRecord, filter: IntegratorCallFilter = {}): IntegratorCall[] {
  if (record.api !== 'graphql' || record.tenantId === undefined) return [];
  if (filter.mutationsOnly && record.operationType !== 'mutation') return [];
  const calls: IntegratorCall[] = [];
  for (const field of record.fields ?? []) {
    if (field.chatId === undefined) continue;
    calls.push({
      requestId: record.id,
      chatId: field.chatId,
      operation: field.name,
      ...(record.operationName ? { operationName: record.operationName } : {}),
      at: record.at,
      iso: record.iso,
      status: record.status,
      ok: field.errorCode === undefined && record.status < 400,
      ...(field.errorCode !== undefined ? { errorCode: field.errorCode } : {}),
      ...(field.errorMessage !== undefined ? { errorMessage: field.errorMessage } : {}),
      durationMs: record.durationMs,
    });
  }
  return calls;
}

/**
 * A call on a chat cited as evidence, by a verification's check as by a scenario run's verdict:
 * what was called, on which chat, whether the API refused it and why.
 */
export interface ApiCallEvidence {
  kind: 'api-call';
  /** GET /_emulator/requests/:requestId */
  requestId: string;
  operation: string;
  chatId: string;
  ok: boolean;
  /** The API's error code when the call was refused (extensions.code). */
  errorCode?: string;
  errorMessage?: string;
}

/**
 * The same evidence placed on the emulator's clock, as a scenario verdict cites it (its time line
 * is in emulator time; a verification's report keeps only run-to-run timings). `message` repeats
 * `errorMessage` under the name the verdict's JSON has always used.
 */
export interface TimedApiCallEvidence extends ApiCallEvidence {
  at: number;
  iso: string;
  /** HTTP status of the answer. */
  status: number;
  message?: string;
}

/** A call as evidence. */
export function apiCallEvidence(call: Omit<IntegratorCall, 'at' | 'iso' | 'status' | 'durationMs'>): ApiCallEvidence {
  return {
    kind: 'api-call',
    requestId: call.requestId,
    operation: call.operation,
    chatId: call.chatId,
    ok: call.ok,
    ...(call.errorCode !== undefined ? { errorCode: call.errorCode } : {}),
    ...(call.errorMessage !== undefined ? { errorMessage: call.errorMessage } : {}),
  };
}

/** A call as evidence placed on the emulator's clock (a scenario verdict's). */
export function timedApiCallEvidence(call: IntegratorCall): TimedApiCallEvidence {
  return {
    ...apiCallEvidence(call),
    at: call.at,
    iso: call.iso,
    status: call.status,
    ...(call.errorMessage !== undefined ? { message: call.errorMessage } : {}),
  };
}
