/**
 * Runs long synchronous jobs one per turn of the event loop, in the order they came. A request that
 * generates a tenant's seed data holds the loop for tens of milliseconds; 200 of them read in one go
 * (200 CI jobs starting together) would otherwise run back to back, and every other client's request
 * would wait seconds behind them. Here each job starts from its own `setImmediate`, queued once the
 * previous job is done, so the loop reads and answers whatever came meanwhile between two jobs.
 */
export class TurnQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Resolves with what `job` returns (or rejects with what it throws) once its turn has come and gone. */
  run<T>(job: () => T): Promise<T> {
    const result = this.tail.then(
      () =>
        new Promise<T>((resolve, reject) =>
          setImmediate(() => {
            try {
              resolve(job());
            } catch (error) {
              reject(error as Error);
            }
          }),
        ),
    );
    // The next job waits for this one, whatever became of it.
    this.tail = result.catch(() => undefined);
    return result;
  }
}
