import type { Clock } from '../kernel/clock.js';
import type { ConfigOptions } from '../config/config.js';
import type { Logger } from '../kernel/logger.js';
import type { Transport } from '../webhooks/transport.js';

/** Options of createEmulator(): the plain settings plus the side effects a test may replace. */
export interface EmulatorOptions extends ConfigOptions {
  /** Time source. Default: the system clock. */
  clock?: Clock;
  /** How webhook requests are sent. Default: node's http/https with keep-alive. */
  transport?: Transport;
  /** Where messages go. Default: a structured logger on standard error in `logFormat` at `logLevel`. */
  logger?: Logger;
  /**
   * Records every control-API answer, refusals included, as files in this folder (the test suite's
   * contract check against /_emulator/openapi.json; see control/answer-recorder.ts). Default: none.
   */
  recordControlTo?: string;
}
