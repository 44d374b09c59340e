export { createEmulator, type Emulator, type EmulatorOptions } from './emulator.js';
export type { ConfigOptions, ResolvedConfig } from './config.js';
export { SystemClock, VirtualClock, type Clock, type TimerHandle } from './clock.js';
export { silentLogger, consoleLogger, type Logger } from './logger.js';
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './domain/pagination.js';
export { DEFAULT_GRAPHQL_LIMITS, MAX_QUERY_DEPTH, type GraphQLLimits } from './graphql/limits.js';
