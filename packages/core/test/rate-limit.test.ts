import { describe, expect, it } from "vitest";
import { createRateLimiter, createRedactor, createTransport } from "../src/index.js";

/** A clock that only moves when someone sleeps, so waits are counted, not timed. */
function fakeClock() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted) throw signal.reason;
      sleeps.push(ms);
      now += ms;
    },
  };
}

describe("createRateLimiter", () => {
  it("lets a burst up to the limit through at once, then spaces requests evenly", async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ limit: 6, intervalMs: 60_000 }, clock);
    for (let i = 0; i < 6; i++) await limiter.acquire();
    expect(clock.sleeps).toEqual([]);
    await limiter.acquire();
    await limiter.acquire();
    expect(clock.sleeps).toEqual([10_000, 10_000]);
    expect(clock.now()).toBe(20_000);
  });

  it("serves waiting requests in the order they asked", async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ limit: 1, intervalMs: 1000 }, clock);
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((n) => limiter.acquire().then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3]);
    expect(clock.now()).toBe(2000);
  });

  it("gives up when the caller aborts, without blocking those behind", async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ limit: 1, intervalMs: 1000 }, clock);
    await limiter.acquire();
    const controller = new AbortController();
    controller.abort(new Error("cancelled"));
    await expect(limiter.acquire(controller.signal)).rejects.toThrow("cancelled");
    await expect(limiter.acquire()).resolves.toBeUndefined();
  });

  it("refuses a rate that makes no sense", () => {
    expect(() => createRateLimiter({ limit: 0, intervalMs: 1000 })).toThrow(TypeError);
    expect(() => createRateLimiter({ limit: 1.5, intervalMs: 1000 })).toThrow(TypeError);
    expect(() => createRateLimiter({ limit: 1, intervalMs: 0 })).toThrow(TypeError);
  });

  it("holds every request of a transport, retries included, to the rate", async () => {
    const clock = fakeClock();
    let calls = 0;
    const transport = createTransport({
      provider: "test",
      redactor: createRedactor([]),
      rateLimit: createRateLimiter({ limit: 2, intervalMs: 1000 }, clock),
      sleep: async () => {},
      fetch: async () => {
        calls += 1;
        return new Response("{}", { status: calls === 1 ? 429 : 200 });
      },
    });
    await transport(new Request("https://gw.test/a", { method: "POST", body: "x" }));
    await transport(new Request("https://gw.test/b", { method: "POST", body: "x" }));
    expect(calls).toBe(3);
    expect(clock.sleeps).toEqual([500]); // the third request waited for a token
  });
});
