/** The Redis send log's claim, replayed as ioredis replays a script whose answer a dropped connection lost. */
import { Redis } from "ioredis";
import { afterAll, expect, test } from "vitest";
import { createRedisStore } from "../../src/redis-store.js";
import { queueName, redisUrl } from "./helpers.js";

const redis = new Redis(redisUrl());
afterAll(() => redis.quit());

test("a replayed claim holds; a claim with another token is refused; the attempt counts once", async () => {
  const store = createRedisStore(redis, queueName("store"));
  await store.create([{ clientRef: "a", state: "queued", message: "{}", now: 0 }]);
  const claim = (token: string) => ({
    clientRef: "a",
    from: ["queued" as const, "scheduled" as const],
    to: "sending" as const,
    attempt: true,
    now: 1,
    set: { token },
  });
  expect(await store.transition([claim("w1:x")])).toEqual([{ ok: true, state: "sending" }]);
  expect(await store.transition([claim("w1:x")])).toEqual([{ ok: true, state: "sending" }]);
  expect(await store.transition([claim("w2:y")])).toEqual([{ ok: false, state: "sending" }]);
  expect((await store.get("a"))?.attempts).toBe(1);
  expect((await store.counts()).sending).toBe(1);
});
