import { parseValue, valueFromAST, type ValueNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { JSONScalar, SubmissionFilterScalar, TimestampScalar } from '../../../src/graphql/scalars.js';

const literal = (scalar: typeof TimestampScalar, text: string, variables?: Record<string, unknown>) =>
  scalar.parseLiteral(parseValue(text) as ValueNode, variables);

describe('Timestamp', () => {
  it('takes 13-digit literals and numbers beyond 32-bit Int', () => {
    expect(literal(TimestampScalar, '1546300800000')).toBe(1546300800000);
    expect(TimestampScalar.parseValue(1546300800000)).toBe(1546300800000);
    expect(TimestampScalar.parseValue('1546300800000')).toBe(1546300800000);
    expect(TimestampScalar.serialize(1550534056605)).toBe(1550534056605);
  });

  it('refuses floats, negatives, words and booleans', () => {
    for (const bad of [1.5, -1, 'yesterday', true, 2 ** 53])
      expect(() => TimestampScalar.parseValue(bad), String(bad)).toThrow(/non-negative integer/);
    expect(() => literal(TimestampScalar, '1.5')).toThrow();
  });
});

describe('JSON', () => {
  it('reads inline objects with variables inside, and enum-like words as strings', () => {
    const value = literal(
      JSONScalar as never,
      '{ type: "text", text: $t, n: 3, ok: true, list: [1, null], word: attachment }',
      { t: 'Hi' },
    );
    expect(value).toEqual({ type: 'text', text: 'Hi', n: 3, ok: true, list: [1, null], word: 'attachment' });
  });
});

describe('SubmissionFilterType', () => {
  it('accepts a status name, a string, or {status}', () => {
    expect(literal(SubmissionFilterScalar as never, 'pending')).toEqual({ status: ['pending'] });
    expect(literal(SubmissionFilterScalar as never, '"approved"')).toEqual({ status: ['approved'] });
    expect(literal(SubmissionFilterScalar as never, '{status: [pending, rejected]}')).toEqual({
      status: ['pending', 'rejected'],
    });
    expect(SubmissionFilterScalar.parseValue({ status: 'rejected' })).toEqual({ status: ['rejected'] });
  });

  it('names what is wrong', () => {
    expect(() => SubmissionFilterScalar.parseValue('archived')).toThrow(/pending, approved, rejected/);
    expect(() => SubmissionFilterScalar.parseValue({ colour: 'red' })).toThrow(/colour/);
    expect(valueFromAST(parseValue('42'), SubmissionFilterScalar)).toBeUndefined();
  });
});
