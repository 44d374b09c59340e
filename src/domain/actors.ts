/**
 * Who performs a domain command. The Admin API acts for the partner's third-party tool (its
 * personas and the Public API service account `api`); the control API and scenarios also act as
 * the chat's end user, as a named community expert, or as GUURU's own routing.
 */
export type Actor =
  | { kind: 'api' }
  | { kind: 'user' }
  | { kind: 'expert'; id: string }
  | { kind: 'system' };

export const API: Actor = { kind: 'api' };
export const USER: Actor = { kind: 'user' };
export const SYSTEM: Actor = { kind: 'system' };

/** The expert id of the Public API service account (Third Party Messaging page). */
export const SERVICE_ACCOUNT_ID = 'api';

export const describeActor = (actor: Actor): string =>
  actor.kind === 'expert' ? `expert ${actor.id}` : actor.kind === 'api' ? 'the Admin API' : actor.kind === 'user' ? 'the end user' : 'GUURU routing';
