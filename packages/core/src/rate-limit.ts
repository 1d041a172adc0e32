/**
 * Client-side throttling, so a burst of sends waits its turn here instead of being refused by the
 * gateway (Digify allows 6 SMS a minute in development). A token bucket: `limit` requests per
 * `intervalMs`, refilled continuously, bursts up to `limit`.
 */

export interface RateLimit {
  /** Requests allowed per interval. */
  limit: number;
  intervalMs: number;
}

export interface RateLimiter {
  /** Resolves when the request may go; rejects with the signal's reason when it aborts first. */
  acquire(signal?: AbortSignal): Promise<void>;
}

export interface RateLimiterClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

const realClock: RateLimiterClock = {
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

export function createRateLimiter(rate: RateLimit, clock: RateLimiterClock = realClock): RateLimiter {
  if (!(Number.isInteger(rate.limit) && rate.limit > 0) || !(rate.intervalMs > 0)) {
    throw new TypeError(`rateLimit needs a positive whole limit and interval, got ${JSON.stringify(rate)}`);
  }
  const msPerToken = rate.intervalMs / rate.limit;
  let tokens = rate.limit;
  let updatedAt = clock.now();
  // Waiters queue in order, so a later request never overtakes an earlier one.
  let queue: Promise<void> = Promise.resolve();

  const refill = () => {
    const now = clock.now();
    tokens = Math.min(rate.limit, tokens + (now - updatedAt) / msPerToken);
    updatedAt = now;
  };

  const take = async (signal?: AbortSignal): Promise<void> => {
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      refill();
      if (tokens >= 1) {
        tokens -= 1;
        return;
      }
      await clock.sleep(Math.ceil((1 - tokens) * msPerToken), signal);
    }
  };

  return {
    acquire(signal) {
      const turn = queue.then(() => take(signal));
      queue = turn.catch(() => undefined);
      return turn;
    },
  };
}
