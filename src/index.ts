export { createEmulator, type Emulator, type EmulatorOptions } from './app/emulator.js';
export type { ConfigOptions, ResolvedConfig } from './config/config.js';
export { SystemClock, VirtualClock, type Clock, type TimerHandle } from './kernel/clock.js';
export { silentLogger, consoleLogger, type Logger } from './kernel/logger.js';
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './domain/pagination.js';
export { DEFAULT_GRAPHQL_LIMITS, MAX_QUERY_DEPTH, type GraphQLLimits } from './graphql/limits.js';
