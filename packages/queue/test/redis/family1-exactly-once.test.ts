/** Family 1: three worker processes and a producer, 5,000 messages: each reaches the gateway exactly once. */
import { afterAll, beforeAll, expect, test } from "vitest";
import { type FakeGateway, startFakeGateway } from "../fake-gateway.js";
import { startWorkers, stopAll, type WorkerProcess } from "../workers.js";
import { enqueueAll, messages, producer, queueName, redisUrl } from "./helpers.js";

let gateway: FakeGateway;
let workers: WorkerProcess[] = [];

beforeAll(async () => {
  gateway = await startFakeGateway();
});

afterAll(async () => {
  await stopAll(workers);
  await gateway?.close();
});

test("3 workers + a producer, 5,000 messages: each reaches the gateway exactly once, all sent", async () => {
  const name = queueName("family1");
  workers = await startWorkers(3, { redisUrl: redisUrl(), queueName: name, gatewayUrl: gateway.url });
  const queue = producer(redisUrl(), name);
  const list = messages(5_000, "f1");
  await enqueueAll(queue, list);
  const counts = await queue.waitUntilDrained({ timeoutMs: 150_000 });

  expect(counts).toEqual({ queued: 0, scheduled: 0, sending: 0, sent: 5_000, failed: 0, unknown: 0 });
  expect(gateway.accepted.size).toBe(5_000);
  const twice = [...gateway.received].filter(([, count]) => count !== 1);
  expect(twice).toEqual([]);
  for (const message of list) expect(gateway.accepted.get(message.clientRef as string)).toBe(1);
  // Batches: never more than Digify's per-request maximum, and far fewer requests than messages.
  expect(Math.max(...gateway.arrivals.map((arrival) => arrival.clientRefs.length))).toBeLessThanOrEqual(100);
  expect(gateway.arrivals.length).toBeLessThan(5_000);
  const sample = await queue.outcome("f1-4321");
  expect(sample).toMatchObject({ state: "sent", provider: "digify", attempts: 1 });
  expect(sample?.providerMessageId).toMatch(/^\d+$/);
  await queue.close();
});
