/** Thrown into a customer's handler that a newer event superseded (the chat closed while it was typing). */
export class Interrupted extends Error {
  constructor() {
    super('interrupted by a newer event');
  }
}

/**
 * Stops one running handler: its pending waits reject with `Interrupted` and its next step does
 * not start. A handler checks `interrupted` between steps; waits register their abort with `add`.
 */
export class Interrupt {
  interrupted = false;
  private readonly aborts = new Set<() => void>();

  /** Registers an abort; returns its removal (call it when the wait ends normally). */
  add(abort: () => void): () => void {
    if (this.interrupted) {
      abort();
      return () => {};
    }
    this.aborts.add(abort);
    return () => this.aborts.delete(abort);
  }

  fire(): void {
    if (this.interrupted) return;
    this.interrupted = true;
    for (const abort of [...this.aborts]) abort();
    this.aborts.clear();
  }
}
