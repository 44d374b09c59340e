import type { DomainContext } from '../domain/context.js';
import type { JournalNotes } from '../journal/http-recorder.js';
import type { Tenant } from '../store/tenant.js';

export interface GraphQLContext {
  /** The partner the bearer token belongs to. */
  tenant: Tenant;
  /** Store, events, clock and ids for mutations. */
  domain: DomainContext;
  /** Notes about leniencies applied to this request (answered in `extensions.warnings`). */
  warnings: string[];
  /** What the request journal records about this request (filled as the request is answered). */
  journal: JournalNotes;
}
