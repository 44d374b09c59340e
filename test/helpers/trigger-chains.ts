/** Each event `trigger` fires, with the webhooks its prerequisites fire first (guuru-webhooks.md §3.3 ordering). */
export const TRIGGER_CHAINS = {
  'chat-assigned': ['chat-assigned'],
  'chat-opened': ['chat-assigned', 'chat-opened'],
  'message-created': ['chat-assigned', 'chat-opened', 'message-created'],
  'chat-closed': ['chat-assigned', 'chat-opened', 'chat-closed'],
  'chat-reopened': ['chat-assigned', 'chat-opened', 'chat-closed', 'chat-reopened'],
  'chat-transferred': ['chat-assigned', 'chat-opened', 'chat-transferred'],
  'chat-rated': ['chat-assigned', 'chat-opened', 'chat-closed', 'chat-rated'],
} as const;
