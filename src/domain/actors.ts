import type { Tenant } from '../store/tenant.js';

/**
 * Who performs a domain command. The Admin API acts for the partner's third-party tool (its
 * personas and the Public API service account `api`); the control API and scenarios also act as
 * the chat's end user, as a named community expert, or as GUURU's own routing.
 */
export type Actor = { kind: 'api' } | { kind: 'user' } | { kind: 'expert'; id: string } | { kind: 'system' };

export const API: Actor = { kind: 'api' };
export const USER: Actor = { kind: 'user' };
export const SYSTEM: Actor = { kind: 'system' };

/** The expert id of the Public API service account (Third Party Messaging page). */
export const SERVICE_ACCOUNT_ID = 'api';

export const describeActor = (actor: Actor): string =>
  actor.kind === 'expert'
    ? `expert ${actor.id}`
    : actor.kind === 'api'
      ? 'the Admin API'
      : actor.kind === 'user'
        ? 'the end user'
        : 'GUURU routing';

/**
 * The words people use for who acts, in the control API (`by`, `from`) and scenario files: one
 * vocabulary, with the synonyms both have always accepted (`customer` = `user`, `bot` = `system`).
 */
export const PARTIES = ['user', 'customer', 'expert', 'api', 'system', 'bot'] as const;
export type Party = (typeof PARTIES)[number];
export const isParty = (word: string): word is Party => (PARTIES as readonly string[]).includes(word);

/**
 * The actor a party word means in one chat. `expert` is whoever holds the chat: the Admin API when
 * one of the partner's personas or the service account `api` does, else that community expert
 * (`expertId` names another one explicitly).
 */
export function actorOf(party: Party, tenant: Tenant, chat: { expertId?: string }, expertId?: string): Actor {
  switch (party) {
    case 'user':
    case 'customer':
      return USER;
    case 'system':
    case 'bot':
      return SYSTEM;
    case 'api':
      return API;
    case 'expert': {
      const id = expertId ?? chat.expertId;
      if (id === undefined || id === SERVICE_ACCOUNT_ID || tenant.personasById.has(id)) return API;
      return { kind: 'expert', id };
    }
  }
}
