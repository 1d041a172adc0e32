/** The one notion of time in smskit's runtime, so tests can replace it. */

/** Time, for the transport and the rate limiter; tests inject a fake one. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Calls `onTimeout` after `ms` unless cancelled first; the attempt timeout runs on it. Tests give
   * one they fire by hand, so "the answer came too late" needs no waiting. Default: an unref'd setTimeout.
   */
  timer?(ms: number, onTimeout: () => void): () => void;
}

export function realTimer(ms: number, onTimeout: () => void): () => void {
  const timer = setTimeout(onTimeout, ms);
  // Never keeps a finished process alive.
  (timer as { unref?: () => void }).unref?.();
  return () => clearTimeout(timer);
}

export const realClock: Clock = {
  timer: realTimer,
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};
