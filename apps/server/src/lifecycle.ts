/**
 * Tracks commands and requests in flight so that a graceful shutdown can refuse new work and wait
 * for what was accepted: an acked message is always a stored one.
 */
export type Lifecycle = ReturnType<typeof createLifecycle>;

export function createLifecycle() {
  let draining = false;
  let inflight = 0;
  let onIdle: (() => void) | null = null;
  return {
    isDraining: () => draining,
    async track<T>(work: () => Promise<T>): Promise<T> {
      inflight += 1;
      try {
        return await work();
      } finally {
        inflight -= 1;
        if (inflight === 0) onIdle?.();
      }
    },
    /** Stops accepting work and resolves when everything in flight is done (or the timeout passes). */
    drain(timeoutMs: number): Promise<void> {
      draining = true;
      if (inflight === 0) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        onIdle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    },
  };
}
