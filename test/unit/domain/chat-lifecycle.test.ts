import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, silentLogger, type Emulator } from '../../../src/index.js';
import { SYSTEM, USER } from '../../../src/domain/actors.js';
import { CHAT_TRANSITIONS, type ChatAction } from '../../../src/domain/chat-lifecycle.js';
import {
  acceptChat,
  assignChat,
  closeChat,
  handoverChat,
  missChat,
  rateChat,
  reopenChat,
  transferChatToPersona,
} from '../../../src/domain/chats.js';
import { DomainError } from '../../../src/domain/errors.js';
import type { DomainEventName } from '../../../src/domain/events.js';
import type { ChatStatus } from '../../../src/store/model.js';
import { SEED_TIME } from '../../helpers/emulator.js';

const STATUSES: ChatStatus[] = ['created', 'assigned', 'open', 'closed', 'rated', 'handover', 'missed'];
const PERSONA = 'e393edb0-ad3d-432e-960d-35593485bfa6';

let emu: Emulator;
beforeAll(async () => {
  emu = await createEmulator({ logger: silentLogger, seedTime: SEED_TIME });
});
afterAll(() => emu.stop());

const guuru = () => emu.store.tenant('guuru-qa')!.data.experts.find((e) => e.kind === 'guuru' && e.isMember)!.id;

const perform: Record<ChatAction, (chatId: string) => void> = {
  assign: (id) => assignChat(emu.domain, emu.store.tenant('guuru-qa')!, id, ['api']),
  accept: (id) =>
    acceptChat(emu.domain, emu.store.tenant('guuru-qa')!, id, { expertId: guuru() }, { kind: 'expert', id: guuru() }),
  close: (id) => closeChat(emu.domain, emu.store.tenant('guuru-qa')!, id, SYSTEM),
  reopen: (id) => reopenChat(emu.domain, emu.store.tenant('guuru-qa')!, id, USER),
  handover: (id) => handoverChat(emu.domain, emu.store.tenant('guuru-qa')!, id, { reason: 'r' }),
  rate: (id) => rateChat(emu.domain, emu.store.tenant('guuru-qa')!, id, 'good'),
  miss: (id) => missChat(emu.domain, emu.store.tenant('guuru-qa')!, id),
  transferToPersona: (id) => transferChatToPersona(emu.domain, emu.store.tenant('guuru-qa')!, id, PERSONA, SYSTEM),
};

const TIMESTAMP_OF: Partial<Record<ChatAction, 'acceptedAt' | 'closedAt' | 'ratedAt'>> = {
  accept: 'acceptedAt',
  close: 'closedAt',
  rate: 'ratedAt',
};

describe('the chat state machine', () => {
  for (const action of Object.keys(CHAT_TRANSITIONS) as ChatAction[]) {
    const rule = CHAT_TRANSITIONS[action];
    for (const status of STATUSES) {
      const allowed = (rule.from as readonly ChatStatus[]).includes(status);
      it(`${action} from ${status}: ${allowed ? `→ ${rule.to}, one ${rule.event}` : 'refused, nothing changes'}`, () => {
        emu.store.reset();
        const tenant = emu.store.tenant('guuru-qa')!;
        const chat = tenant.data.chats.find((c) => c.status === status)!;
        expect(chat, `a seeded ${status} chat`).toBeDefined();
        const before = JSON.stringify(chat);
        const fired: DomainEventName[] = [];
        const names = Object.values(CHAT_TRANSITIONS).map((r) => r.event);
        const offs = [...new Set(names)].map((name) => emu.events.on(name, () => fired.push(name)));
        try {
          if (allowed) {
            const startedAt = emu.clock.now();
            perform[action](chat.id);
            expect(chat.status).toBe(rule.to);
            expect(fired).toEqual([rule.event]);
            const stamp = TIMESTAMP_OF[action];
            if (stamp) {
              expect(chat[stamp]).toBeGreaterThanOrEqual(startedAt);
              expect(chat[stamp]).toBeLessThanOrEqual(emu.clock.now());
            }
          } else {
            let error: unknown;
            try {
              perform[action](chat.id);
            } catch (e) {
              error = e;
            }
            expect(error).toBeInstanceOf(DomainError);
            const e = error as DomainError;
            expect(['INVALID_TRANSITION', 'ALREADY_ACCEPTED', 'CHAT_NOT_OPEN']).toContain(e.code);
            expect(e.message).toContain(`"${status}"`);
            expect(JSON.stringify(chat)).toBe(before);
            expect(fired).toEqual([]);
          }
        } finally {
          offs.forEach((off) => off());
        }
      });
    }
  }

  it('calls a second accept "already accepted" and a re-assignment makes the chat acceptable again', () => {
    emu.store.reset();
    const tenant = emu.store.tenant('guuru-qa')!;
    const chat = tenant.data.chats.find((c) => c.status === 'open')!;
    expect(() => perform.accept(chat.id)).toThrow(expect.objectContaining({ code: 'ALREADY_ACCEPTED' }));
    perform.assign(chat.id);
    expect(chat).toMatchObject({ status: 'assigned', requestedExperts: ['api'] });
    expect(chat.expertId).toBeUndefined();
    perform.accept(chat.id);
    expect(chat.status).toBe('open');
  });
});
