/**
 * `guuru-emulator trigger EVENT`: one realistic webhook of any documented type, fired from a shell
 * through the control API of the emulator at --url (one is started in this process when none
 * answers, and stops once the deliveries had their first attempt).
 */
import { TRIGGER_EVENTS, type TriggerResult } from '../control/trigger.js';
import { parseParams } from './flags.js';
import { messageOf, reachOrStart, UsageError, type Remote } from './remote.js';

export interface TriggerFlags {
  url: string;
  target?: string;
  tenant?: string;
  param: string[];
  only?: boolean;
  adminToken?: string;
  timeout?: number;
}

const ALIASES = ['chatTransferred', 'chatRated'];

function print(result: TriggerResult): void {
  const where = result.target ?? 'the tenant’s subscriptions';
  console.log(
    `${result.event} on tenant ${result.tenant}${result.chatId ? `, chat ${result.chatId}` : ''}${result.thread ? `, thread ${result.thread.fid}` : ''} → ${where}${result.only ? ' (--only)' : ''}`,
  );
  for (const step of result.steps) {
    const note = step.event
      ? `${step.event}${step.sent ? '' : result.only ? ' (not sent: --only)' : ' (not sent: not subscribed)'}`
      : '';
    console.log(`  ${step.action.padEnd(58)} ${note}`);
  }
  if (result.deliveries.length === 0) console.log('  no delivery was made');
  for (const d of result.deliveries) {
    const outcome = d.lastStatusCode !== undefined ? `HTTP ${d.lastStatusCode}` : (d.lastError ?? 'no answer yet');
    console.log(`  delivery ${d.id}  ${d.event.padEnd(16)} ${d.status.padEnd(9)} ${outcome}  ${d.url}`);
  }
  console.log(
    result.delivered
      ? `${result.event} delivered.`
      : `${result.event} was not delivered (see the deliveries above, or GET /_emulator/deliveries).`,
  );
  const assignedSent = result.steps.some((step) => step.event === 'chat-assigned' && step.sent);
  if (
    assignedSent &&
    result.event !== 'chat-assigned' &&
    result.steps.some((step) => step.action.startsWith('accepted'))
  ) {
    console.log(
      `note: the trigger accepted this chat itself right after chat-assigned; if your integration accepts on chat-assigned, its acceptChat gets CHAT_ALREADY_ACCEPTED: add --only to send just ${result.event}.`,
    );
  }
}

export async function runTrigger(event: string, flags: TriggerFlags): Promise<number> {
  if (!(TRIGGER_EVENTS as readonly string[]).includes(event) && !ALIASES.includes(event)) {
    console.error(`guuru-emulator trigger: unknown event "${event}". Events: ${TRIGGER_EVENTS.join(', ')}.`);
    return 2;
  }
  let params: Record<string, string | number | boolean>;
  try {
    params = parseParams(flags.param);
  } catch (error) {
    console.error(`guuru-emulator trigger: ${(error as Error).message}`);
    return 2;
  }
  let remote: Remote;
  try {
    remote = await reachOrStart({
      url: flags.url,
      command: 'trigger',
      adminToken: flags.adminToken,
      tenant: flags.tenant,
      lifetime: ' (it stops after this event)',
      beforeStart: () => {
        if (!flags.target)
          throw new UsageError(
            `No emulator answers at ${flags.url}, and one started here would have no subscriber: pass --target URL (your receiver), or start the emulator first.`,
          );
      },
    });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(error.message);
    return 2;
  }
  try {
    const result = await remote.control.trigger(event, {
      ...(flags.target ? { target: flags.target } : {}),
      params,
      ...(flags.only ? { only: true } : {}),
      ...(flags.timeout !== undefined ? { timeoutMs: flags.timeout } : {}),
    });
    print(result);
    return result.delivered ? 0 : 1;
  } catch (error) {
    // The emulator refused the request (a bad param, no receiver, an unknown tenant): a usage error.
    console.error(`guuru-emulator trigger: ${messageOf(error)}`);
    return 2;
  } finally {
    await remote.stop();
  }
}
