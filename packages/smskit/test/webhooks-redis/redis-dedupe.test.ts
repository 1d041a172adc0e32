/**
 * redisDedupe against a real redis-server (tools/redis), and two handler instances on two loopback
 * servers sharing it, as two replicas of a webhook service would.
 */
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import { freePort } from "../../../../tools/redis/redis.js";
import {
  createWebhookHandler,
  type DedupeStore,
  redisDedupe,
  type SmsEvent,
  toNodeListener,
} from "../../src/webhooks/index.js";
import { deliveredReport, gate, jsonBody, TOKEN } from "../webhooks/fixtures.js";

const clients: Redis[] = [];
function client(): Redis {
  const redis = new Redis(inject("redisUrl"), { maxRetriesPerRequest: 1 });
  clients.push(redis);
  return redis;
}

let prefixes = 0;
const uniquePrefix = () => `test:${process.pid}:${++prefixes}:`;

afterAll(async () => {
  await Promise.all(clients.map((redis) => redis.quit().catch(() => redis.disconnect())));
});

describe("redisDedupe", () => {
  it("claims once, reports in-progress, remembers processed keys and forgets failed ones", async () => {
    const prefix = uniquePrefix();
    const store = redisDedupe(client(), { prefix, leaseMs: 30_000, ttlMs: 600_000 });
    const redis = client();
    expect(await store.mark("a")).toBe("marked");
    expect(await store.mark("a")).toBe("in-progress");
    const lease = await redis.pttl(`${prefix}a`);
    expect(lease).toBeGreaterThan(0);
    expect(lease).toBeLessThanOrEqual(30_000);
    await store.settle("a", "processed");
    expect(await store.mark("a")).toBe("seen");
    const ttl = await redis.pttl(`${prefix}a`);
    expect(ttl).toBeGreaterThan(30_000);
    expect(ttl).toBeLessThanOrEqual(600_000);
    expect(await store.mark("b")).toBe("marked");
    await store.settle("b", "failed");
    expect(await redis.exists(`${prefix}b`)).toBe(0);
    expect(await store.mark("b")).toBe("marked");
  });

  it("is atomic across connections: of 200 concurrent claims exactly one wins", async () => {
    const prefix = uniquePrefix();
    const stores = [redisDedupe(client(), { prefix }), redisDedupe(client(), { prefix })];
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, index) => (stores[index % 2] as DedupeStore).mark("same")),
    );
    expect(results.filter((result) => result === "marked")).toHaveLength(1);
    expect(results.filter((result) => result === "in-progress")).toHaveLength(199);
  });

  it("refuses a value that is not a client, and nonsense times, with a TypeError", () => {
    expect(() => redisDedupe(undefined as never)).toThrow(TypeError);
    expect(() => redisDedupe({} as never)).toThrow(TypeError);
    expect(() => redisDedupe(client(), { ttlMs: 0 })).toThrow(TypeError);
  });
});

describe("two handler instances sharing one Redis", () => {
  interface Pair {
    urls: string[];
    servers: Server[];
    prefix: string;
    events: Array<{ instance: number; event: SmsEvent }>;
    /** What onEvent does after recording the event, per instance. */
    behaviour: (instance: number) => Promise<void>;
  }
  const pairs: Pair[] = [];

  async function startPair(leaseMs: number): Promise<Pair> {
    const pair: Pair = {
      urls: [],
      servers: [],
      prefix: uniquePrefix(),
      events: [],
      behaviour: async () => {},
    };
    for (const instance of [0, 1]) {
      const handler = createWebhookHandler({
        providers: ["websms"],
        authenticate: { token: TOKEN },
        dedupe: redisDedupe(client(), { prefix: pair.prefix, leaseMs }),
        onEvent: async (event) => {
          pair.events.push({ instance, event });
          await pair.behaviour(instance);
        },
      });
      const server = createServer(toNodeListener(handler)).listen(0, "127.0.0.1");
      await once(server, "listening");
      pair.servers.push(server);
      pair.urls.push(
        `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/websms?token=${TOKEN}`,
      );
    }
    pairs.push(pair);
    return pair;
  }

  afterAll(() => {
    for (const server of pairs.flatMap((pair) => pair.servers)) {
      server.closeAllConnections();
      server.close();
    }
  });

  const post = (pair: Pair, instance: number, body: string, signal?: AbortSignal) =>
    fetch(pair.urls[instance] as string, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      ...(signal ? { signal } : {}),
    });

  const reportFor = (transferId: string) => jsonBody({ ...deliveredReport, transferId });

  async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
    while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  it("100 concurrent copies across both instances call onEvent exactly once", async () => {
    const pair = await startPair(60_000);
    const hold = gate();
    pair.behaviour = () => hold.opened;
    const report = reportFor("redis-concurrent");
    const first = post(pair, 0, report);
    await until(() => pair.events.length === 1);
    const copies = await Promise.all(Array.from({ length: 99 }, (_, index) => post(pair, index % 2, report)));
    expect(copies.map((response) => response.status)).toEqual(Array(99).fill(503));
    hold.open();
    expect((await first).status).toBe(200);
    expect((await post(pair, 1, report)).status).toBe(200);
    expect((await post(pair, 0, report)).status).toBe(200);
    expect(pair.events).toHaveLength(1);
  });

  it("100 concurrent copies without holding onEvent: still exactly once", async () => {
    const pair = await startPair(60_000);
    const report = reportFor("redis-concurrent-fast");
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, index) => post(pair, index % 2, report)),
    );
    expect(pair.events).toHaveLength(1);
    for (const response of responses) expect([200, 503]).toContain(response.status);
  });

  it("a failure on one instance lets the redelivery through on the other", async () => {
    const pair = await startPair(60_000);
    pair.behaviour = async (instance) => {
      if (instance === 0) throw new Error("instance 0 lost its database");
    };
    const report = reportFor("redis-failover");
    expect((await post(pair, 0, report)).status).toBe(500);
    expect((await post(pair, 1, report)).status).toBe(200);
    expect((await post(pair, 0, report)).status).toBe(200);
    expect(pair.events.map((entry) => entry.instance)).toEqual([0, 1]);
  });

  it("an instance that dies inside onEvent does not lose the event: after the lease the redelivery runs", async () => {
    // A short lease, so the test need not wait a minute; it waits on Redis, not on a clock.
    const pair = await startPair(300);
    const never = gate();
    pair.behaviour = (instance) => (instance === 0 ? never.opened : Promise.resolve());
    const report = reportFor("redis-crash");
    const aborted = new AbortController();
    const dying = post(pair, 0, report, aborted.signal).catch(() => "aborted");
    await until(() => pair.events.length === 1);
    aborted.abort();
    expect(await dying).toBe("aborted");
    // Wait on Redis for the dead instance's lease to lapse (however long the machine took to get
    // here), then the redelivery must be processed on the other instance.
    const redis = client();
    await until(async () => (await redis.keys(`${pair.prefix}*`)).length === 0);
    expect((await post(pair, 1, report)).status).toBe(200);
    expect(pair.events.map((entry) => entry.instance)).toEqual([0, 1]);
    never.open();
  });
});

describe("Redis unavailable", () => {
  it("answers 500 and does not call onEvent", async () => {
    const dead = new Redis(`redis://127.0.0.1:${await freePort()}`, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      lazyConnect: true,
    });
    let called = 0;
    const failures: string[] = [];
    const handler = createWebhookHandler({
      providers: ["websms"],
      authenticate: { token: TOKEN },
      dedupe: redisDedupe(dead),
      onEvent: () => {
        called++;
      },
      onError: (_, failure) => failures.push(failure.stage),
    });
    const response = await handler(
      new Request(`http://hooks.example/websms?token=${TOKEN}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: jsonBody(deliveredReport),
      }),
    );
    expect(response.status).toBe(500);
    expect(called).toBe(0);
    expect(failures).toEqual(["dedupe"]);
    dead.disconnect();
  });
});
