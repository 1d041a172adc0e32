/**
 * Family 4: a 429 with `Retry-After: 2` pauses that provider for every worker. With a limit that
 * allows one request in flight at a time (1 per 50 ms), the 429-ed request is the only one out when
 * its answer arrives, and its slot and the pause are recorded in one atomic step: so no request may
 * arrive at the gateway until two seconds after the 429, from any worker.
 */
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

test("429 + Retry-After: 2 pauses the provider for every worker; nothing reaches it during the pause; nothing lost", async () => {
  const name = queueName("family4");
  workers = await startWorkers(3, {
    redisUrl: redisUrl(),
    queueName: name,
    gatewayUrl: gateway.url,
    limits: { digify: { limit: 1, intervalMs: 50 } },
    batchSize: 5,
    concurrency: 10,
  });
  const queue = producer(redisUrl(), name);
  const list = messages(150, "f4");
  await enqueueAll(queue, list);
  await gateway.until(() => gateway.arrivals.length >= 10);
  gateway.throttleNext(2);
  await gateway.until(() => gateway.arrivals.some((arrival) => arrival.status === 429));
  const counts = await queue.waitUntilDrained({ timeoutMs: 120_000 });

  expect(counts).toMatchObject({ sent: list.length, failed: 0, unknown: 0 });
  for (const message of list) expect(gateway.accepted.get(message.clientRef as string)).toBe(1);
  const throttled = gateway.arrivals.find((arrival) => arrival.status === 429);
  const after = gateway.arrivals.filter((arrival) => arrival.at > (throttled?.at ?? 0));
  expect(after.length).toBeGreaterThan(0);
  // Retry-After is whole seconds; 2 ms of slack for clock granularity between Redis and this process.
  const during = after.filter((arrival) => arrival.at < (throttled?.at ?? 0) + 2_000 - 2);
  expect(during).toEqual([]);
  // The throttled messages were retried and accepted once.
  for (const clientRef of throttled?.clientRefs ?? []) expect(gateway.accepted.get(clientRef)).toBe(1);
  await queue.close();
});
