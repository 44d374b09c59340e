import type { TenantData } from '../../src/store/model.js';

/** A tenant's stored data with nothing in it (no chats, experts or pages): for tests of the store's own structures. */
export const emptyTenantData = (id: string, extra: Partial<TenantData> = {}): TenantData => ({
  id,
  name: id,
  tokens: [`tok-${id}`],
  webhookSecret: 'secret-1234',
  seed: 1,
  createdAt: 0,
  chatAvailable: true,
  bot: { id: 'bot', name: 'Bot', photoUrl: 'https://example.com/bot.png' },
  categories: [],
  experts: [],
  personas: [],
  chats: [],
  submissions: [],
  payouts: [],
  communityExperts: [],
  pages: [],
  ...extra,
});
