/**
 * The one error type of the domain. Adapters map `code` to a GraphQL `extensions.code` or an HTTP
 * status; `message` is written for the developer who will read it: what failed and what to do.
 */
export type DomainErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'INVALID_TRANSITION'
  | 'ALREADY_ACCEPTED'
  | 'CHAT_NOT_OPEN'
  | 'CONFLICT'
  /** A bound on what the emulator keeps (tenants, chats, messages, runs): the message names it and its flag. */
  | 'LIMIT_REACHED';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** Extra facts for the client (argument name, current status...). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const invalidArgument = (argumentName: string, message: string): DomainError =>
  new DomainError('INVALID_ARGUMENT', message, { argumentName });

/** Longest id quoted back in a NOT_FOUND message and its details. */
const ID_CHARS = 80;

export const notFound = (what: string, id: string, argumentName: string, hint: string): DomainError => {
  // An id is quoted back only when short: a 900 KiB "id" must not come back as a 900 KiB error.
  const shown = id.length <= ID_CHARS ? `"${id}"` : `"${id.slice(0, ID_CHARS)}…" (${id.length} characters)`;
  return new DomainError('NOT_FOUND', `No ${what} ${shown} in this partner. ${hint}`, {
    argumentName,
    id: id.length <= ID_CHARS ? id : `${id.slice(0, ID_CHARS)}…`,
  });
};
