import { createRequire } from 'node:module';
import type { Logger as Pino } from 'pino';

/**
 * Pino and pino-pretty are loaded with the first entry (require, from node_modules): the emulator
 * logs only warnings and errors, most runs none, and loading them was a thirtieth of a CLI start.
 */
const requireLogging = createRequire(import.meta.url);

/** The logging seam: a test passes a silent or recording logger; the CLI makes one with createLogger. */
export interface Logger {
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

/** `pretty`: one readable line per entry (colours on a terminal); `json`: one JSON object per line (log shippers). */
export const LOG_FORMATS = ['pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  /** Default pretty. */
  format?: LogFormat;
  /** Default info. */
  level?: LogLevel;
  /** Where entries go. Default: standard error (standard output carries the CLI's own answers). */
  destination?: NodeJS.WritableStream;
  /** Pretty format only. Default: when the destination is a terminal. */
  colorize?: boolean;
}

/**
 * A structured logger (pino): entries carry a level, a time and the details as fields, not as text.
 * Pino and its stream are made on the first entry: most starts log nothing, and making them was a
 * tenth of building an emulator.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  let log: Logger | undefined;
  const made = (): Logger => (log ??= fromPino(makePino(options)));
  return {
    info: (message, ...details) => made().info(message, ...details),
    warn: (message, ...details) => made().warn(message, ...details),
    error: (message, ...details) => made().error(message, ...details),
  };
}

function makePino(options: LoggerOptions): Pino {
  const { pino } = requireLogging('pino') as typeof import('pino');
  const pretty = requireLogging('pino-pretty') as typeof import('pino-pretty');
  const level = options.level ?? 'info';
  const destination = options.destination ?? process.stderr;
  return options.format === 'json'
    ? pino({ level, base: { name: 'guuru-emulator' }, timestamp: pino.stdTimeFunctions.isoTime }, destination)
    : pino(
        { level },
        // A stream in this thread, not a transport worker: a thread of its own to start, for a few warnings.
        pretty({
          destination,
          sync: true,
          colorize: options.colorize ?? Boolean((destination as { isTTY?: boolean }).isTTY),
          ignore: 'pid,hostname',
          translateTime: 'SYS:HH:MM:ss.l',
        }),
      );
}

/** Our three methods over pino: an Error among the details becomes `err` (with its stack), the rest `details`. */
function fromPino(log: Pino): Logger {
  const at =
    (method: 'info' | 'warn' | 'error') =>
    (message: string, ...details: unknown[]) => {
      const err = details.find((d): d is Error => d instanceof Error);
      const rest = details.filter((d) => d !== err);
      log[method](
        { ...(err ? { err } : {}), ...(rest.length > 0 ? { details: rest.length === 1 ? rest[0] : rest } : {}) },
        message,
      );
    };
  return { info: at('info'), warn: at('warn'), error: at('error') };
}

let defaultLogger: Logger | undefined;

/** The pretty logger on standard error, made on first use. */
export const consoleLogger: Logger = {
  info: (message, ...details) => (defaultLogger ??= createLogger()).info(message, ...details),
  warn: (message, ...details) => (defaultLogger ??= createLogger()).warn(message, ...details),
  error: (message, ...details) => (defaultLogger ??= createLogger()).error(message, ...details),
};

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
