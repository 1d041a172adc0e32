/** The in-memory store on its own: claims, leases, TTLs and the size bound, on an injected clock. */
import { describe, expect, it } from "vitest";
import { memoryDedupe } from "../../src/webhooks/index.js";

function clock(start = 1_000) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe("memoryDedupe", () => {
  it("claims a key once; a second claim is in progress until settled", async () => {
    const store = memoryDedupe();
    expect(await store.mark("a")).toBe("marked");
    expect(await store.mark("a")).toBe("in-progress");
    await store.settle("a", "processed");
    expect(await store.mark("a")).toBe("seen");
    expect(await store.mark("b")).toBe("marked");
  });

  it("forgets a failed key, so the next copy is processed", async () => {
    const store = memoryDedupe();
    await store.mark("a");
    await store.settle("a", "failed");
    expect(await store.mark("a")).toBe("marked");
  });

  it("gives a key back when its lease runs out (the process handling it died)", async () => {
    const time = clock();
    const store = memoryDedupe({ leaseMs: 1_000, now: time.now });
    await store.mark("a");
    time.advance(999);
    expect(await store.mark("a")).toBe("in-progress");
    time.advance(1);
    expect(await store.mark("a")).toBe("marked");
  });

  it("remembers a processed key for the TTL", async () => {
    const time = clock();
    const store = memoryDedupe({ ttlMs: 10_000, now: time.now });
    await store.mark("a");
    await store.settle("a", "processed");
    time.advance(9_999);
    expect(await store.mark("a")).toBe("seen");
    time.advance(1);
    expect(await store.mark("a")).toBe("marked");
  });

  it("defaults to a 72 h TTL and a 60 s lease", async () => {
    const time = clock();
    const store = memoryDedupe({ now: time.now });
    await store.mark("lease");
    time.advance(59_999);
    expect(await store.mark("lease")).toBe("in-progress");
    time.advance(1);
    expect(await store.mark("lease")).toBe("marked");
    await store.settle("lease", "processed");
    time.advance(72 * 3_600_000 - 1);
    expect(await store.mark("lease")).toBe("seen");
    time.advance(1);
    expect(await store.mark("lease")).toBe("marked");
  });

  it("keeps at most maxEntries keys, dropping the oldest", async () => {
    const store = memoryDedupe({ maxEntries: 3 });
    for (const key of ["a", "b", "c", "d"]) {
      await store.mark(key);
      await store.settle(key, "processed");
    }
    expect(await store.mark("d")).toBe("seen");
    expect(await store.mark("b")).toBe("seen");
    expect(await store.mark("a")).toBe("marked");
  });

  it("refuses nonsense times with a TypeError", () => {
    expect(() => memoryDedupe({ ttlMs: 0 })).toThrow(TypeError);
    expect(() => memoryDedupe({ leaseMs: -1 })).toThrow(TypeError);
    expect(() => memoryDedupe({ maxEntries: 1.5 })).toThrow(TypeError);
  });
});
