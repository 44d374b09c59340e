import { GraphQLError, GraphQLScalarType, Kind, valueFromASTUntyped, type ValueNode } from 'graphql';
import type { SubmissionFilter } from '../domain/partner-reads.js';
import type { SubmissionStatus } from '../store/model.js';

const invalid = (message: string) => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });

function toTimestamp(value: unknown): number {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw invalid(
      `Timestamp must be a non-negative integer of milliseconds since the Unix epoch (e.g. 1546300800000), got ${JSON.stringify(value)}.`,
    );
  }
  return n;
}

/** Milliseconds since the epoch. 13-digit values exceed GraphQL Int, so literals are parsed here. */
export const TimestampScalar = new GraphQLScalarType({
  name: 'Timestamp',
  description: 'Milliseconds since the Unix epoch.',
  serialize: (value) => toTimestamp(value),
  parseValue: (value) => toTimestamp(value),
  parseLiteral: (ast) => {
    if (ast.kind === Kind.INT || ast.kind === Kind.STRING) return toTimestamp(ast.value);
    throw invalid(`Timestamp must be an integer literal such as 1546300800000, got a ${ast.kind} literal.`);
  },
});

/** Any JSON value, as an inline literal (variables inside it included) or a variable. */
export const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast: ValueNode, variables) => valueFromASTUntyped(ast, variables),
});

export const CurrencyScalar = new GraphQLScalarType({
  name: 'Currency',
  serialize: (value) => {
    if (typeof value !== 'string') throw new TypeError(`Currency must be a string, got ${typeof value}`);
    return value;
  },
  parseValue: (value) => {
    if (typeof value !== 'string' || !/^[A-Z]{3}$/.test(value))
      throw invalid(`Currency must be an ISO 4217 code such as "EUR", got ${JSON.stringify(value)}.`);
    return value;
  },
  parseLiteral: (ast) => {
    if ((ast.kind === Kind.STRING || ast.kind === Kind.ENUM) && /^[A-Z]{3}$/.test(ast.value)) return ast.value;
    throw invalid('Currency must be an ISO 4217 code such as "EUR".');
  },
});

const STATUSES: readonly SubmissionStatus[] = ['pending', 'approved', 'rejected'];

function toStatus(value: unknown): SubmissionStatus {
  if (typeof value === 'string' && (STATUSES as readonly string[]).includes(value)) return value as SubmissionStatus;
  throw invalid(`Submission filter status must be one of ${STATUSES.join(', ')}, got ${JSON.stringify(value)}.`);
}

function toFilter(value: unknown): SubmissionFilter {
  if (typeof value === 'string') return { status: [toStatus(value)] };
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const { status, ...rest } = value as Record<string, unknown>;
    const unknownKeys = Object.keys(rest);
    if (unknownKeys.length > 0)
      throw invalid(
        `Submission filter has unknown field(s) ${unknownKeys.join(', ')}; the emulator filters by "status" only.`,
      );
    if (status === undefined) throw invalid('Submission filter object needs a "status", e.g. {status: pending}.');
    return { status: Array.isArray(status) ? status.map(toStatus) : [toStatus(status)] };
  }
  throw invalid(
    `Submission filter must be a status name (pending, approved, rejected) or {status: ...}, got ${JSON.stringify(value)}.`,
  );
}

/** Undefined by the vendor: a status name or {status: name | [names]}. */
export const SubmissionFilterScalar = new GraphQLScalarType({
  name: 'SubmissionFilterType',
  serialize: (value) => value,
  parseValue: toFilter,
  parseLiteral: (ast, variables) => toFilter(ast.kind === Kind.ENUM ? ast.value : valueFromASTUntyped(ast, variables)),
});
