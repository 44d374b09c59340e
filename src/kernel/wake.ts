/**
 * Resolves at the next call of one of `waiters` (the owner wakes them all), or when `signal` aborts.
 * The waiter removes itself either way: nothing stays behind for a client that went away.
 */
export function nextWake(waiters: Set<() => void>, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      waiters.delete(done);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    waiters.add(done);
    signal?.addEventListener('abort', done);
  });
}
