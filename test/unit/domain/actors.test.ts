import { describe, expect, it } from 'vitest';
import { API, PARTIES, SYSTEM, USER, actorOf, describeActor } from '../../../src/domain/actors.js';
import type { TenantData } from '../../../src/store/model.js';
import { Tenant } from '../../../src/store/tenant.js';

const PERSONA = 'persona-1';
const tenant = new Tenant({
  id: 't',
  personas: [{ id: PERSONA, providerId: 'agent-7', name: 'Ada' }],
  chats: [],
  experts: [],
  submissions: [],
  pages: [],
  categories: [],
  communityExperts: [],
  payouts: [],
} as unknown as TenantData);

describe('who acts: one vocabulary for the control API and scenario files', () => {
  it('maps the customer and bot synonyms to the end user and GUURU', () => {
    expect(actorOf('user', tenant, {})).toEqual(USER);
    expect(actorOf('customer', tenant, {})).toEqual(USER);
    expect(actorOf('system', tenant, {})).toEqual(SYSTEM);
    expect(actorOf('bot', tenant, {})).toEqual(SYSTEM);
    expect(actorOf('api', tenant, { expertId: 'guuru-9' })).toEqual(API);
  });

  it('reads "expert" as whoever holds the chat: the Admin API for a persona or the service account', () => {
    expect(actorOf('expert', tenant, { expertId: PERSONA })).toEqual(API);
    expect(actorOf('expert', tenant, { expertId: 'api' })).toEqual(API);
    expect(actorOf('expert', tenant, {})).toEqual(API);
    expect(actorOf('expert', tenant, { expertId: 'guuru-9' })).toEqual({ kind: 'expert', id: 'guuru-9' });
    // An explicit expert id wins over the holder.
    expect(actorOf('expert', tenant, { expertId: PERSONA }, 'guuru-3')).toEqual({ kind: 'expert', id: 'guuru-3' });
  });

  it('names every actor for messages', () => {
    expect(PARTIES.map((p) => describeActor(actorOf(p, tenant, { expertId: 'guuru-9' })))).toEqual([
      'the end user',
      'the end user',
      'expert guuru-9',
      'the Admin API',
      'GUURU routing',
      'GUURU routing',
    ]);
  });
});
