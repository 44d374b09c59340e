import type { ErrorRequestHandler, Response } from 'express';
import { DomainError, type DomainErrorCode } from '../domain/errors.js';
import { shortenMessage } from '../domain/field-limits.js';
import type { Logger } from '../kernel/logger.js';

const STATUS: Record<DomainErrorCode, number> = {
  INVALID_ARGUMENT: 400,
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  INVALID_TRANSITION: 409,
  ALREADY_ACCEPTED: 409,
  CHAT_NOT_OPEN: 409,
  CONFLICT: 409,
  LIMIT_REACHED: 409,
};

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
};

/** The REST error body of the control API (and the Gurusup API): status, reason, message. */
export function sendError(
  res: Response,
  statusCode: number,
  message: string,
  extra: Record<string, unknown> = {},
): void {
  // Never echo a long input back (a 900 KiB id or value would make a 900 KiB error).
  message = shortenMessage(message);
  res.locals.errorMessage = message;
  res.status(statusCode).json({ statusCode, error: REASONS[statusCode] ?? 'Error', message, ...extra });
}

declare module 'express-serve-static-core' {
  interface Locals {
    /** The message of an error answer (the request journal shows it). */
    errorMessage?: string;
  }
}

interface BodyParserError {
  type?: string;
  status?: number;
  message?: string;
  limit?: number;
  expose?: boolean;
}

const compressed = (encoding: string | undefined): boolean =>
  encoding !== undefined && encoding.trim() !== '' && encoding.trim().toLowerCase() !== 'identity';

/**
 * The last middleware: domain errors get their status, body-parser errors a clear 400/413/415,
 * anything else a masked 500 (logged). GraphQL paths answer in GraphQL's error shape.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    let status = 500;
    let message = 'Internal server error in the emulator (details are in its log).';
    let code: string = 'INTERNAL_SERVER_ERROR';
    if (error instanceof DomainError) {
      status = STATUS[error.code];
      message = error.message;
      code = error.code;
    } else {
      const e = error as BodyParserError;
      if (e.type === 'entity.too.large') {
        status = 413;
        message = `Request body is larger than the limit of ${e.limit ?? '?'} bytes (set --body-limit to change it).`;
        code = 'PAYLOAD_TOO_LARGE';
      } else if (e.type === 'entity.parse.failed') {
        status = 400;
        message = `Request body is not valid JSON: ${e.message ?? ''}`.trim();
        code = 'BAD_REQUEST';
      } else if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') {
        status = 415;
        message = `${e.message ?? 'Unsupported body encoding'}: send the body uncompressed, or with Content-Encoding gzip, deflate or br.`;
        code = 'BAD_REQUEST';
      } else if (e.type === undefined && e.status === 400 && compressed(req.headers['content-encoding'])) {
        // The body says Content-Encoding gzip/deflate/br but is not (or is cut short).
        status = 400;
        message = `Request body is not what its Content-Encoding (${String(req.headers['content-encoding'])}) says: ${(e.message ?? 'it does not decompress').replace(/\.$/, '')}. Send it uncompressed without the header, or compressed as the header says.`;
        code = 'BAD_REQUEST';
      } else if (error instanceof URIError) {
        // Express could not decode a path parameter (a broken %-escape such as %E0%A4%A).
        status = 400;
        message = `The path ${req.originalUrl.slice(0, 200)} has a malformed %-escape: encode each path segment with encodeURIComponent.`;
        code = 'BAD_REQUEST';
      } else if (e.expose === true && typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
        // Any other mistake body-parser found in the request (aborted, wrong length, …).
        status = e.status;
        message = `Bad request body: ${e.message ?? 'unreadable'}.`;
        code = 'BAD_REQUEST';
      } else {
        logger.error(`unexpected error on ${req.method} ${req.path}`, error);
      }
    }
    if (res.headersSent) return;
    if (req.path.startsWith('/graphql')) {
      res.status(status).json({ errors: [{ message: shortenMessage(message), extensions: { code } }] });
      return;
    }
    sendError(res, status, message, error instanceof DomainError ? { code: error.code, ...error.details } : {});
  };
}
