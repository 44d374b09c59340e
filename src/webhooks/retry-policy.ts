/**
 * When to try a failed delivery again: a pure function of the attempt count, so the dispatcher
 * can schedule retries on the emulator's clock (virtual in tests) instead of real timers, which
 * is why this is not a retry library.
 */
export interface RetryPolicy {
  /** Attempts in all, the first one included. Default 5. */
  maxAttempts: number;
  /** Delay before the second attempt; doubles each time. Default 1000 ms. */
  baseDelayMs: number;
  /** Ceiling of one delay. Default 60 000 ms. */
  maxDelayMs: number;
  /** An attempt without a response after this long (wall-clock time) counts as failed. Default 10 000 ms. */
  timeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  timeoutMs: 10_000,
};

/**
 * Milliseconds to wait after `attemptsMade` failed attempts, or undefined when they are used up.
 * Exponential backoff with "equal jitter": between half and all of base × 2^(n-1), so retries of
 * many events spread out but a retry never comes much earlier than the schedule promises.
 */
export function retryDelay(policy: RetryPolicy, attemptsMade: number, fraction: () => number): number | undefined {
  if (attemptsMade >= policy.maxAttempts) return undefined;
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(step / 2 + (fraction() * step) / 2);
}

/** The longest total wait the policy can produce (what a test advances a virtual clock by). */
export function worstCaseRetryWindow(policy: RetryPolicy): number {
  let total = 0;
  for (let n = 1; n < policy.maxAttempts; n++) total += Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1));
  return total;
}
