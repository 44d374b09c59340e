import v8 from 'node:v8';

/**
 * How far V8 lets the old generation grow past what the last full collection kept alive, for the
 * `start` command's process (the library leaves its host's heap alone).
 *
 * Under a load of ~11,000 requests a second about 0.7 MB of short-lived objects per young-generation
 * collection (journal entries, requests in flight) outlives two of them and is promoted, then dies
 * soon after. V8's own factor (up to 4× for a small heap that it collects quickly) let that garbage
 * pile up from ~20 MB live to ~80 MB of old space before a full collection, which was most of the
 * peak RSS under load. At 1.5× the old space tops out near 30 MB: a full collection (~5 ms) about
 * once a second instead of every few, the peak ~50 MB lower (bench/README.md, throughput).
 */
export const HEAP_GROWING_PERCENT = 50;

/** The V8 flag to set, or undefined when the process was started with its own (flags or NODE_OPTIONS). */
export function heapGrowthFlag(execArgv: readonly string[], nodeOptions: string | undefined): string | undefined {
  const given = /--heap[-_]growing[-_]percent\b/;
  if (execArgv.some((arg) => given.test(arg)) || given.test(nodeOptions ?? '')) return undefined;
  return `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;
}

/**
 * Sets the factor in this process. V8 reads it each time it recomputes the old generation's limit
 * (after every full collection), so setting it once the emulator runs takes effect at the next one;
 * data loaded before (--data, --bulk-chats) is collected as V8 would have.
 */
export function limitHeapGrowth(): void {
  const flag = heapGrowthFlag(process.execArgv, process.env.NODE_OPTIONS);
  if (flag) v8.setFlagsFromString(flag);
}
