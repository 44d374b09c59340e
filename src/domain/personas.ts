import type { PersonaRecord } from '../store/model.js';
import type { Tenant } from '../store/tenant.js';
import type { DomainContext } from './context.js';
import { assertRoomForChat, reserveBytes } from './limits.js';
import { textBytes } from '../store/size.js';
import { invalidArgument } from './errors.js';
import { assertLength, quote } from './field-limits.js';

export interface PersonaInput {
  providerId: string;
  name: string;
  email?: string | null;
  photoUrl?: string | null;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

function check(input: PersonaInput): { providerId: string; name: string; email?: string; photoUrl?: string } {
  const providerId = input.providerId.trim();
  if (providerId === '')
    throw invalidArgument('input.providerId', "input.providerId must be the agent's non-empty id in your system.");
  assertLength('persona.providerId', 'input.providerId', providerId);
  const name = input.name.trim();
  if (name === '')
    throw invalidArgument(
      'input.name',
      "input.name must not be empty: end users see it as the author of the persona's messages.",
    );
  assertLength('persona.name', 'input.name', name);
  const email = input.email ?? undefined;
  assertLength('persona.email', 'input.email', email);
  if (email !== undefined && !EMAIL.test(email))
    throw invalidArgument('input.email', `input.email ${quote(email)} is not an e-mail address.`);
  const photoUrl = input.photoUrl ?? undefined;
  assertLength('persona.photoUrl', 'input.photoUrl', photoUrl);
  if (photoUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(photoUrl);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      throw invalidArgument('input.photoUrl', `input.photoUrl ${quote(photoUrl)} is not an absolute http(s) URL.`);
    }
  }
  return {
    providerId,
    name,
    ...(email !== undefined ? { email } : {}),
    ...(photoUrl !== undefined ? { photoUrl } : {}),
  };
}

/**
 * `createPersona`: an upsert keyed by `providerId` within the partner. The same providerId always
 * gives the same persona id; a changed name, email or photoUrl is applied (fields left out or
 * null keep their value).
 */
export function savePersona(
  ctx: DomainContext,
  tenant: Tenant,
  input: PersonaInput,
): { persona: PersonaRecord; created: boolean } {
  const fields = check(input);
  const now = ctx.clock.now();
  const existing = tenant.personasByProviderId.get(fields.providerId);
  if (existing) {
    const changed =
      existing.name !== fields.name ||
      (fields.email !== undefined && existing.email !== fields.email) ||
      (fields.photoUrl !== undefined && existing.photoUrl !== fields.photoUrl);
    if (changed) {
      // Only growth counts: a rename to a shorter name frees nothing until a reset re-measures.
      const grown =
        fields.name.length -
        existing.name.length +
        ((fields.email?.length ?? 0) - (existing.email?.length ?? 0)) +
        ((fields.photoUrl?.length ?? 0) - (existing.photoUrl?.length ?? 0));
      reserveBytes(ctx, tenant, grown);
      Object.assign(existing, fields, { updatedAt: now });
      ctx.store.changed({ kind: 'persona', tenant, persona: existing });
      ctx.events.emit('persona.saved', { tenantId: tenant.id, persona: existing, created: false });
    }
    return { persona: existing, created: false };
  }
  assertRoomForChat(ctx, tenant, tenant.data.personas.length, 'personas');
  reserveBytes(ctx, tenant, textBytes(fields.providerId, fields.name, fields.email, fields.photoUrl));
  const persona: PersonaRecord = { id: ctx.random.uuid(), ...fields, createdAt: now, updatedAt: now };
  tenant.data.personas.push(persona);
  tenant.indexPersona(persona);
  ctx.store.changed({ kind: 'persona', tenant, persona });
  ctx.events.emit('persona.saved', { tenantId: tenant.id, persona, created: true });
  return { persona, created: true };
}
