/**
 * About how many bytes a value takes as JSON (strings by their length, numbers as 8, keys and
 * punctuation counted): what the byte budgets of the store count. A walk, not JSON.stringify, so
 * measuring a large tenant never builds a string longer than V8 allows.
 */
export function sizeOf(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return value.length + 2;
    case 'number':
      return 8;
    case 'boolean':
      return 5;
    case 'object': {
      if (value === null) return 4;
      if (Array.isArray(value)) {
        let total = 2;
        for (const item of value) total += sizeOf(item) + 1;
        return total;
      }
      let total = 2;
      for (const [key, item] of Object.entries(value)) if (item !== undefined) total += key.length + 4 + sizeOf(item);
      return total;
    }
    default:
      return 0;
  }
}

/** The bytes a new record of these texts adds: their lengths plus a fixed share for ids, dates and flags. */
export const RECORD_OVERHEAD = 256;

export function textBytes(...texts: (string | undefined | null)[]): number {
  let total = RECORD_OVERHEAD;
  for (const text of texts) total += text?.length ?? 0;
  return total;
}

export const MIB = 2 ** 20;
