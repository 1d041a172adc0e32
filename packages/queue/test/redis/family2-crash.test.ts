/**
 * Family 2: kill -9 a worker with requests in flight, start another: nothing lost, nothing twice,
 * `unknown` only for what the killed worker had claimed; reconcile() then finds in Digify's SMS log
 * what did reach the gateway.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { STALLED_REASON } from "../../src/runner.js";
import { type FakeGateway, startFakeGateway } from "../fake-gateway.js";
import { startWorker, startWorkers, stopAll, type WorkerProcess } from "../workers.js";
import { enqueueAll, messages, producer, queueName, redisUrl } from "./helpers.js";

let gateway: FakeGateway;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  gateway = await startFakeGateway();
});

afterAll(async () => {
  await stopAll(workers);
  await gateway?.close();
});

test("kill -9 mid-run: 0 lost, 0 sent twice, unknown only for the killed worker's in-flight messages; reconcile resolves them", async () => {
  const name = queueName("family2");
  // Short lock so BullMQ's stall check notices the dead worker within seconds instead of a minute.
  const settings = {
    redisUrl: redisUrl(),
    queueName: name,
    gatewayUrl: gateway.url,
    lockDuration: 2_000,
    stalledInterval: 1_000,
    concurrency: 20,
    batchSize: 10,
  };
  workers.push(...(await startWorkers(3, settings)));
  const victim = workers[0] as WorkerProcess;
  const queue = producer(redisUrl(), name, {
    digify: { accessToken: "test-token-0123456789ab", baseUrl: gateway.url },
  });
  const list = messages(1_500, "f2");
  // The gateway takes the victim's requests from now on but never answers them: in flight when it dies.
  gateway.holdFrom(victim.name);
  await enqueueAll(queue, list);
  await gateway.until(() => gateway.arrivals.some((arrival) => arrival.worker === victim.name));
  await victim.kill();
  workers.push(await startWorker(settings));

  const counts = await queue.waitUntilDrained({ timeoutMs: 120_000 });
  expect(counts.queued + counts.scheduled + counts.sending).toBe(0);
  expect(counts.sent + counts.failed + counts.unknown).toBe(1_500);
  expect(counts.failed).toBe(0);
  expect([...gateway.received].filter(([, count]) => count > 1)).toEqual([]);

  const unknown: string[] = [];
  for (const message of list) {
    const outcome = await queue.outcome(message.clientRef as string);
    if (outcome?.state === "unknown") unknown.push(message.clientRef as string);
    if (outcome?.state === "sent") expect(gateway.accepted.get(message.clientRef as string)).toBe(1);
  }
  expect(unknown.length).toBeGreaterThan(0);
  for (const clientRef of unknown) {
    // Either the victim's request carried it (held at the gateway), or the victim claimed it and died first.
    const by = gateway.acceptedBy.get(clientRef);
    if (by !== undefined) expect(by).toBe(victim.name);
    expect((await queue.outcome(clientRef))?.reason).toBe(STALLED_REASON);
  }
  const reachedGateway = unknown.filter((clientRef) => gateway.accepted.has(clientRef));
  expect(reachedGateway.length).toBeGreaterThan(0);

  const result = await queue.reconcile();
  expect(result).toMatchObject({ checked: unknown.length, sent: reachedGateway.length });
  for (const clientRef of unknown) {
    const outcome = await queue.outcome(clientRef);
    if (gateway.accepted.has(clientRef)) {
      expect(outcome).toMatchObject({ state: "sent", provider: "digify" });
      const entry = gateway.log.find((logged) => String(logged.messageId) === outcome?.providerMessageId);
      expect(entry?.msg).toBe(list.find((message) => message.clientRef === clientRef)?.text);
    } else {
      expect(outcome?.state).toBe("unknown");
    }
  }
  // Reconciling again finds nothing new and never moves a message twice.
  expect(await queue.reconcile()).toMatchObject({ sent: 0, unknown: unknown.length - reachedGateway.length });
  await queue.close();
});
