/**
 * One chat of one tenant as a single string ("tenant/chat"): chat ids are unique within a tenant
 * only, so whatever indexes chats across tenants (runs, activity, delivery lanes) keys them so.
 */
export const chatKey = (tenantId: string, chatId: string): string => `${tenantId}/${chatId}`;
