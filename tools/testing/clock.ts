/** Time for unit tests: it passes only when the code under test sleeps, so waits cost nothing and can be asserted. */
/** The shape of @smskit/core's Clock (not imported, so core's own tests can use this file). */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  timer?(ms: number, onTimeout: () => void): () => void;
}

export function fakeClock(start = 0): { clock: Clock; sleeps: number[]; now(): number } {
  let now = start;
  const sleeps: number[] = [];
  return {
    clock: {
      now: () => now,
      sleep: async (ms, signal) => {
        if (signal?.aborted) throw signal.reason;
        sleeps.push(ms);
        now += ms;
      },
    },
    sleeps,
    now: () => now,
  };
}

/**
 * Attempt timers that fire only when the test says so: with `clock: { ...realClock, timer }`, a
 * client's timeout happens exactly when the test calls `fire()` (e.g. once the gateway has the
 * request), however fast or slow the machine is.
 */
export function manualTimers() {
  const pending = new Set<() => void>();
  return {
    timer(_ms: number, onTimeout: () => void): () => void {
      pending.add(onTimeout);
      return () => pending.delete(onTimeout);
    },
    /** Fires every timer that is running now. */
    fire(): number {
      const due = [...pending];
      pending.clear();
      for (const onTimeout of due) onTimeout();
      return due.length;
    },
    get running(): number {
      return pending.size;
    },
  };
}
