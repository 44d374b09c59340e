/**
 * `guuru-emulator/testing`: what a contract test needs, in one import. An emulator per test file
 * (`startEmulator`), a receiver that checks signatures and waits for events (`webhookSink`), the
 * signature helpers for unit-testing a receiver without any server, a typed control-API client,
 * and the types of every webhook body.
 */
export { startEmulator, type StartEmulatorOptions, type TestEmulator, type GraphQLResponse } from './start.js';
export {
  webhookSink,
  type WebhookSink,
  type WebhookSinkOptions,
  type ReceivedWebhook,
  type AnyReceivedWebhook,
  type WaitForOptions,
  type WebhookEvent,
  type Responder,
} from './sink.js';
export { signWebhook, verifyWebhook, type SignWebhookOptions, type HeaderSource } from './signing.js';
export {
  ControlClient,
  ControlApiError,
  type ControlClientOptions,
  type TenantInfo,
  type DeliveryInfo,
  type DeliveryQuery,
  type SubscribeOptions,
} from './control-client.js';
export type { SnapshotInfo } from '../domain/snapshots.js';
export { TRIGGER_EVENTS, type TriggerEvent, type TriggerRequest, type TriggerResult } from '../control/trigger.js';
export type { VerificationReport, CheckResult, Evidence as VerificationEvidence } from '../verify/report.js';
export type { SuiteName } from '../verify/checks.js';
export type { FlowFile } from '../verify/explore/flow-file.js';
export { GUURU_EVENTS, type GuuruEvent } from '../webhooks/payloads.js';
export type { ChatWebhookPayload, MessageWebhookPayload, GurusupWebhookPayload, WebhookPayloads } from './payloads.js';
export { VirtualClock, SystemClock, type Clock } from '../kernel/clock.js';
export type { EmulatorOptions } from '../app/emulator.js';
export type { Emulator } from '../app/emulator.js';
