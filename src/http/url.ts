import { z } from 'zod';
import { MAX_URL_LENGTH } from '../domain/field-limits.js';

/** An absolute http(s) URL (webhook targets), at most MAX_URL_LENGTH characters (it is sent with every delivery). */
export const httpUrl = (example = 'an http(s) URL') =>
  z.url({ protocol: /^https?$/, error: example }).max(MAX_URL_LENGTH, {
    error: (issue) =>
      `${String((issue.input as string | undefined)?.length ?? '?')} characters long; the limit is ${MAX_URL_LENGTH}`,
  });
