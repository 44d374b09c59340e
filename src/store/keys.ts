import { createHash } from 'node:crypto';

/**
 * How records are keyed, shared by the seed and the domain: a payout period is the first instant
 * of its UTC month; a Gurusup thread is found by the MD5 of its thread_fid (the API's lookup key).
 */
export const monthStart = (ms: number): number => {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
};

export const nextMonth = (period: number): number => {
  const d = new Date(period);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
};

export const threadHash = (fid: string): string => createHash('md5').update(fid, 'utf8').digest('hex');
