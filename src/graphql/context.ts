import type { Tenant } from '../store/tenant.js';

export interface GraphQLContext {
  /** The partner the bearer token belongs to. */
  tenant: Tenant;
}
