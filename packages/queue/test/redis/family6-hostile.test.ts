/**
 * Family 6: the same clientRef twice is one send; Redis down at enqueue is a typed error with nothing
 * half-written; a malformed job written into Redis by hand ends `failed` with a reason and the
 * worker goes on. Workers run in this process here: these are about what is in Redis, not crashes.
 */
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { digify } from "smskit";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type RunningRedis, startRedis } from "../../../../tools/redis/redis.js";
import { createSmsWorker, jobIdFor, QueueUnavailableError, type SmsWorker } from "../../src/index.js";
import { type FakeGateway, startFakeGateway } from "../fake-gateway.js";
import { producer, queueName, redisUrl } from "./helpers.js";

let gateway: FakeGateway;
const workers: SmsWorker[] = [];

beforeAll(async () => {
  gateway = await startFakeGateway();
});

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.close()));
  await gateway?.close();
});

function worker(name: string, url = redisUrl()): SmsWorker {
  const created = createSmsWorker({
    connection: url,
    name,
    providers: [digify({ accessToken: "test-token-0123456789ab", baseUrl: gateway.url, retry: false })],
  });
  workers.push(created);
  return created;
}

test("the same clientRef enqueued twice (also concurrently, also after it was sent) is sent once", async () => {
  const name = queueName("family6-dup");
  const queue = producer(redisUrl(), name);
  const message = { to: "+4712345678", text: "once", clientRef: "dup:42" };
  const first = await queue.enqueue(message);
  const [second, third] = await Promise.all([
    queue.enqueue(message),
    queue.enqueue({ ...message, text: "changed" }),
  ]);
  expect(first).toMatchObject({ duplicate: false, state: "queued" });
  expect(second?.duplicate).toBe(true);
  expect(third?.duplicate).toBe(true);
  worker(name);
  await queue.waitUntilDrained({ timeoutMs: 30_000 });
  expect(await queue.enqueue(message)).toMatchObject({ duplicate: true, state: "sent" });
  await queue.waitUntilDrained({ timeoutMs: 30_000 });
  expect(gateway.accepted.get("dup:42")).toBe(1);
  expect(gateway.log.filter((entry) => entry.msg === "changed")).toEqual([]);
  expect(await queue.outcome("dup:42")).toMatchObject({ state: "sent", attempts: 1 });
  await queue.close();
});

test("clientRefs BullMQ would refuse as job ids (integers, ':') are queued and sent under a reversible id", async () => {
  const name = queueName("family6-ids");
  const queue = producer(redisUrl(), name);
  const refs = ["42", "a:b:c", "100%:", "%3A"];
  for (const clientRef of refs)
    await queue.enqueue({ to: "+4712345678", text: `id ${clientRef}`, clientRef });
  worker(name);
  await queue.waitUntilDrained({ timeoutMs: 30_000 });
  for (const clientRef of refs) {
    expect(gateway.accepted.get(clientRef)).toBe(1);
    expect((await queue.outcome(clientRef))?.state).toBe("sent");
  }
  await queue.close();
});

test("Redis down at enqueue: a typed, retryable error naming no credential, and nothing half-written", async () => {
  const own: RunningRedis = await startRedis();
  try {
    const name = queueName("family6-down");
    const withPassword = own.url.replace("redis://", "redis://user:s3cret-pass@");
    const queue = producer(own.url, name);
    await queue.counts();
    await own.kill();
    const error = await queue
      .enqueue({ to: "+4712345678", text: "lost?", clientRef: "down-1" })
      .catch((e) => e);
    expect(error).toBeInstanceOf(QueueUnavailableError);
    expect(error.retryable).toBe(true);
    expect(error.provider).toBe("redis");
    await own.restart();
    const probe = new Redis(own.url);
    expect(await probe.keys("*down-1*")).toEqual([]);
    const jobs = new Queue(name, { connection: probe });
    expect(await jobs.getJob(jobIdFor("down-1"))).toBeUndefined();
    await jobs.close();
    probe.disconnect();
    // And the same enqueue, retried, works once.
    const again = producer(own.url, name);
    expect(await again.enqueue({ to: "+4712345678", text: "lost?", clientRef: "down-1" })).toMatchObject({
      duplicate: false,
    });
    const secretQueue = producer(withPassword, name);
    await own.kill();
    const secretError = await secretQueue.counts().catch((e) => e);
    expect(String(secretError.message)).not.toContain("s3cret-pass");
    expect(JSON.stringify(secretError)).not.toContain("s3cret-pass");
    await Promise.all([queue.close(), again.close(), secretQueue.close()]);
  } finally {
    await own.stop();
  }
});

test("a malformed job written into Redis by hand ends failed with a reason; the worker goes on", async () => {
  const name = queueName("family6-malformed");
  const queue = producer(redisUrl(), name);
  const connection = new Redis(redisUrl());
  const raw = new Queue(name, { connection });
  await raw.add("sms", "not a message", { jobId: "by-hand-1" });
  await raw.add("sms", { to: "not a number", text: "x" }, { jobId: "by-hand-2" });
  await raw.add("sms", { to: "+4712345678", text: "" }, { jobId: "by-hand-3" });
  worker(name);
  await queue.enqueue({ to: "+4712345678", text: "after the garbage", clientRef: "good-1" });
  await queue.waitUntilDrained({ timeoutMs: 30_000 });
  for (const clientRef of ["by-hand-1", "by-hand-2", "by-hand-3"]) {
    const outcome = await queue.outcome(clientRef);
    expect(outcome?.state).toBe("failed");
    expect(outcome?.reason).toMatch(/^malformed job: /);
    expect(gateway.received.has(clientRef)).toBe(false);
  }
  expect((await queue.outcome("by-hand-2"))?.error?.kind).toBe("invalid_recipient");
  expect(await queue.outcome("good-1")).toMatchObject({ state: "sent" });
  expect((await raw.getJob("by-hand-1"))?.failedReason).toMatch(/malformed job/);
  await raw.close();
  connection.disconnect();
  await queue.close();
});
