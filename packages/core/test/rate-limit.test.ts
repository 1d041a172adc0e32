import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Clock, ConfigurationError, createRateLimiter } from "../src/index.js";

/** A clock whose sleeps are served in order of their end time, advancing time to it. */
function virtualClock() {
  let time = 0;
  const sleepers: Array<{ until: number; resolve: () => void; seq: number }> = [];
  let seq = 0;
  const clock: Clock = {
    now: () => time,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        sleepers.push({ until: time + ms, resolve, seq: seq++ });
        signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
      }),
  };
  /** Runs until nothing is waiting: wake the earliest sleeper, let the microtasks settle, repeat. */
  const run = async () => {
    for (;;) {
      for (let i = 0; i < 50; i++) await Promise.resolve();
      if (sleepers.length === 0) return;
      sleepers.sort((a, b) => a.until - b.until || a.seq - b.seq);
      const next = sleepers.shift() as (typeof sleepers)[number];
      time = Math.max(time, next.until);
      next.resolve();
    }
  };
  return { clock, run, advance: (ms: number) => (time += ms) };
}

describe("createRateLimiter", () => {
  it("lets at most `limit` requests start in any window of intervalMs, whatever the arrivals", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 120 }),
        async (limit, intervalMs, gaps) => {
          const virtual = virtualClock();
          const limiter = createRateLimiter({ limit, intervalMs }, virtual.clock);
          const starts: number[] = [];
          const all: Promise<void>[] = [];
          for (const gap of gaps) {
            virtual.advance(gap);
            all.push(limiter.acquire().then(() => void starts.push(virtual.clock.now())));
            await virtual.run();
          }
          await virtual.run();
          await Promise.all(all);
          if (starts.length !== gaps.length) return false;
          // Any window [t, t + intervalMs) holds at most `limit` starts: check it from every start.
          for (let i = 0; i < starts.length; i++) {
            const inWindow = starts.filter(
              (start) => start >= (starts[i] as number) && start < (starts[i] as number) + intervalMs,
            );
            if (inWindow.length > limit) return false;
          }
          return true;
        },
      ),
      { numRuns: 300 },
    );
  });

  it("lets a burst up to the limit through at once and no more (a token bucket let twice through)", async () => {
    const virtual = virtualClock();
    const limiter = createRateLimiter({ limit: 6, intervalMs: 60_000 }, virtual.clock);
    const starts: number[] = [];
    const all = Array.from({ length: 13 }, () =>
      limiter.acquire().then(() => void starts.push(virtual.clock.now())),
    );
    await virtual.run();
    await Promise.all(all);
    expect(starts).toEqual([0, 0, 0, 0, 0, 0, 60_000, 60_000, 60_000, 60_000, 60_000, 60_000, 120_000]);
  });

  it("serves waiting requests in the order they asked", async () => {
    const virtual = virtualClock();
    const limiter = createRateLimiter({ limit: 1, intervalMs: 10 }, virtual.clock);
    const order: number[] = [];
    const all = [1, 2, 3].map((n) => limiter.acquire().then(() => void order.push(n)));
    await virtual.run();
    await Promise.all(all);
    expect(order).toEqual([1, 2, 3]);
  });

  it("gives up when the caller aborts, without blocking those behind", async () => {
    const virtual = virtualClock();
    const limiter = createRateLimiter({ limit: 1, intervalMs: 1000 }, virtual.clock);
    await limiter.acquire();
    const controller = new AbortController();
    const aborted = limiter.acquire(controller.signal);
    const behind = limiter.acquire();
    controller.abort(new Error("stop"));
    await expect(aborted).rejects.toThrow("stop");
    await virtual.run();
    await behind;
    expect(virtual.clock.now()).toBe(1000);
  });

  it("refuses a rate that makes no sense", () => {
    for (const rate of [
      { limit: 0, intervalMs: 1 },
      { limit: 1.5, intervalMs: 1 },
      { limit: 1, intervalMs: 0 },
      { limit: 1, intervalMs: Number.NaN },
    ]) {
      expect(() => createRateLimiter(rate)).toThrow(ConfigurationError);
    }
  });
});
