/**
 * Milliseconds on the machine's monotonic clock (CLOCK_MONOTONIC, which `process.hrtime` reads),
 * the same in every process. `performance.now()` counts from its own process's start, so a message
 * sent in one process and received in another cannot be timed with it.
 */
export const clock = (): number => Number(process.hrtime.bigint()) / 1e6;
