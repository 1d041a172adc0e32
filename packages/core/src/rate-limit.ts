/**
 * Client-side throttling, so a burst of sends waits its turn here instead of being refused by the
 * gateway (Digify allows 6 SMS a minute in development).
 *
 * The guarantee: in any window of `intervalMs`, at most `limit` requests start. A token bucket
 * does not give that (it starts full and refills during the window, letting about twice the limit
 * through at the start), so this keeps the start times of the last `limit` requests and lets a
 * request start only once the oldest of them is a whole interval old. Memory is `limit` numbers.
 */

import { type Clock, realClock } from "./clock.js";
import { ConfigurationError } from "./errors.js";

export interface RateLimit {
  /** Requests allowed per interval. */
  limit: number;
  intervalMs: number;
}

export interface RateLimiter {
  /** Resolves when the request may start; rejects with the signal's reason when it aborts first. */
  acquire(signal?: AbortSignal): Promise<void>;
}

export type RateLimiterClock = Clock;

export function createRateLimiter(rate: RateLimit, clock: Clock = realClock): RateLimiter {
  const { limit, intervalMs } = (rate ?? {}) as Partial<RateLimit>;
  if (
    typeof limit !== "number" ||
    !Number.isSafeInteger(limit) ||
    limit <= 0 ||
    typeof intervalMs !== "number" ||
    !Number.isFinite(intervalMs) ||
    intervalMs <= 0
  ) {
    throw new ConfigurationError({
      provider: "smskit",
      code: "INVALID_RATE_LIMIT",
      details: { option: "rateLimit" },
      message: `[smskit] rateLimit needs a positive whole limit and a positive finite intervalMs, got ${JSON.stringify(rate)}`,
    });
  }
  // Start times of the last `limit` requests, oldest first, as a ring.
  const starts = new Array<number>(limit).fill(Number.NEGATIVE_INFINITY);
  let oldest = 0;
  // Waiters queue in order, so a later request never overtakes an earlier one.
  let queue: Promise<void> = Promise.resolve();

  const take = async (signal?: AbortSignal): Promise<void> => {
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      const now = clock.now();
      const freeAt = (starts[oldest] as number) + intervalMs;
      if (freeAt <= now) {
        starts[oldest] = now;
        oldest = (oldest + 1) % limit;
        return;
      }
      await clock.sleep(freeAt - now, signal);
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
