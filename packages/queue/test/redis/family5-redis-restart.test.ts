/** Family 5: Redis (AOF on, as in production) is killed and restarted mid-run: workers reconnect, 0 lost, 0 twice. */
import { afterAll, beforeAll, expect, test } from "vitest";
import { type RunningRedis, startRedis } from "../../../../tools/redis/redis.js";
import { type FakeGateway, startFakeGateway } from "../fake-gateway.js";
import { startWorkers, stopAll, type WorkerProcess } from "../workers.js";
import { enqueueAll, messages, producer, queueName } from "./helpers.js";

let gateway: FakeGateway;
let redis: RunningRedis;
let workers: WorkerProcess[] = [];

beforeAll(async () => {
  gateway = await startFakeGateway();
  redis = await startRedis({ appendOnly: true });
});

afterAll(async () => {
  await stopAll(workers);
  await gateway?.close();
  await redis?.stop();
});

test("Redis restarted mid-run: workers reconnect; 0 lost, 0 sent twice", async () => {
  const name = queueName("family5");
  workers = await startWorkers(3, {
    redisUrl: redis.url,
    queueName: name,
    gatewayUrl: gateway.url,
    // Slow enough that the restart lands in the middle of the run.
    limits: { digify: { limit: 20, intervalMs: 1_000 } },
    batchSize: 5,
    concurrency: 10,
  });
  const queue = producer(redis.url, name);
  const list = messages(600, "f5");
  await enqueueAll(queue, list);
  await gateway.until(() => gateway.arrivals.length >= 20);
  await redis.kill();
  await redis.restart();
  const counts = await queue.waitUntilDrained({ timeoutMs: 150_000 });

  expect(counts).toEqual({ queued: 0, scheduled: 0, sending: 0, sent: 600, failed: 0, unknown: 0 });
  expect([...gateway.received].filter(([, count]) => count !== 1)).toEqual([]);
  for (const message of list) expect(gateway.accepted.get(message.clientRef as string)).toBe(1);
  await queue.close();
});
