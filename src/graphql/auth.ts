import { GraphQLError } from 'graphql';
import type { Response } from 'express';
import { resolveTenant } from '../domain/tenants.js';
import type { DomainContext } from '../domain/context.js';
import { journalNotes } from '../journal/http-recorder.js';
import type { GraphQLContext } from './context.js';

const BEARER = /^\s*bearer\s+(\S+)\s*$/i;

/** The token of an `Authorization: Bearer …` header ("Bearer" in any case); undefined for any other form. */
export const bearerToken = (header: string | undefined): string | undefined =>
  header === undefined ? undefined : BEARER.exec(header)?.[1];

function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

/** Authorization header → tenant. "Bearer" in any case; a bare token works but earns a warning header. */
export function authenticate(domain: DomainContext, header: string | undefined, res: Response): GraphQLContext {
  if (!header || header.trim() === '') {
    throw unauthenticated(
      'Missing Authorization header: send "Authorization: Bearer <token>" (the built-in partner guuru-qa uses demo-token).',
    );
  }
  const match = BEARER.exec(header);
  const token = match?.[1] ?? header.trim();
  const warnings = (res.locals.graphqlWarnings as string[] | undefined) ?? [];
  if (!match) {
    res.setHeader(
      'X-Emulator-Warning',
      'Authorization header without the "Bearer " scheme: accepted here, the real API may refuse it',
    );
  }
  const tenant = resolveTenant(domain.store, { token });
  if (!tenant) {
    throw unauthenticated(
      'Unknown API token: no partner of this emulator has it. Use demo-token, or a token from POST /_emulator/tenants.',
    );
  }
  const journal = journalNotes(res);
  journal.tenantId = tenant.id;
  return { tenant, domain, warnings, journal };
}
