import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { DomainError, type DomainErrorCode } from '../domain/errors.js';
import { shortenMessage } from '../domain/field-limits.js';
import type { Logger } from '../kernel/logger.js';
import { limitError, type GraphQLLimits } from './limits.js';

const TOKEN_LIMIT = /Document contains more that \d+ tokens/;

/** Domain error codes → the stable `extensions.code` clients see (listed in docs/graphql-api.md). */
export const GRAPHQL_CODES: Record<DomainErrorCode, string> = {
  INVALID_ARGUMENT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  FORBIDDEN: 'FORBIDDEN',
  INVALID_TRANSITION: 'INVALID_STATE_TRANSITION',
  ALREADY_ACCEPTED: 'CHAT_ALREADY_ACCEPTED',
  CHAT_NOT_OPEN: 'CHAT_NOT_OPEN',
  CONFLICT: 'CONFLICT',
  LIMIT_REACHED: 'LIMIT_REACHED',
};

/** Codes that are safe to show as they are (GraphQL's and Apollo's own, and ours). */
const PASS_THROUGH = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
]);

/**
 * Apollo `formatError`: domain errors get their stable code and details, known GraphQL errors pass
 * through without stack traces, anything else is masked (and logged) as INTERNAL_SERVER_ERROR.
 */
export function createFormatError(logger: Logger, limits: GraphQLLimits) {
  const format = formatWith(logger, limits);
  // Never echo a long input back: graphql-js's coercion errors quote the whole variable.
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const answer = format(formatted, error);
    return answer.message.length > 200 ? { ...answer, message: shortenMessage(answer.message) } : answer;
  };
}

function formatWith(logger: Logger, limits: GraphQLLimits) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    // graphql-js's own token limit (checked while parsing), told like the other limits.
    const tokens = TOKEN_LIMIT.exec(formatted.message);
    if (tokens && formatted.extensions?.code === 'GRAPHQL_PARSE_FAILED') {
      const { message, extensions } = limitError('tokens', limits.tokens, undefined, 'Token');
      const { http: _http, ...rest } = extensions;
      return { message, extensions: rest };
    }
    if (original instanceof DomainError) {
      return {
        message: original.message,
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { ...original.details, code: GRAPHQL_CODES[original.code] },
      };
    }
    const code = formatted.extensions?.code;
    if (code === 'GRAPHQL_PARSE_FAILED' && /Maximum call stack size exceeded/.test(formatted.message)) {
      return {
        message:
          'The document nests too deeply to be read (selections, lists or input objects within one another thousands of levels deep). Flatten it.',
        extensions: { code, reason: 'MAX_DEPTH' },
      };
    }
    if (typeof code === 'string' && PASS_THROUGH.has(code)) {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    if (original instanceof GraphQLError && code === undefined) {
      // graphql-js execution errors such as a non-null field that resolved to null.
      return {
        message: formatted.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      };
    }
    logger.error('unexpected error while answering a GraphQL request', original);
    return {
      message:
        'Internal server error in the emulator (details are in its log). Please report it with the request that caused it.',
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
