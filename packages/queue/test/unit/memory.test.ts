/** The embedded (in-memory) queue: the same semantics as on Redis, for one process. */
import {
  RateLimitError,
  type SendOutcome,
  type SmsProvider,
  UnknownOutcomeError,
  ValidationError,
} from "@smskit/core";
import fc from "fast-check";
import { afterEach, expect, test } from "vitest";
import { parseLimit } from "../../src/cli.js";
import {
  clientRefOf,
  createSmsQueue,
  createSmsWorker,
  jobIdFor,
  resetMemoryQueue,
  type SmsWorker,
} from "../../src/index.js";

const workers: SmsWorker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.close()));
  resetMemoryQueue();
});

function fakeProvider(
  answer: (clientRef: string, call: number) => "ok" | Error = () => "ok",
  capabilities = { email: false, maxRecipientsPerRequest: 10, distinctTextsPerRequest: true },
) {
  const requests: Array<Array<{ clientRef: string; text: string }>> = [];
  const calls = new Map<string, number>();
  const provider: SmsProvider = {
    name: "fake",
    capabilities,
    send: async () => {
      throw new Error("unused");
    },
    async sendBatch(messages) {
      requests.push(
        messages.map((message) => ({ clientRef: message.clientRef as string, text: message.text })),
      );
      return messages.map((message): SendOutcome => {
        const clientRef = message.clientRef as string;
        const call = (calls.get(clientRef) ?? 0) + 1;
        calls.set(clientRef, call);
        const result = answer(clientRef, call);
        if (result instanceof Error) throw result;
        return {
          ok: true,
          result: {
            provider: "fake",
            to: message.to,
            status: "accepted",
            providerMessageId: `id-${clientRef}`,
            clientRef,
            segments: 1,
            encoding: "GSM-7",
            raw: null,
          },
        };
      });
    },
  };
  return { provider, requests, calls };
}

function start(provider: SmsProvider, extra = {}) {
  const worker = createSmsWorker({ providers: [provider], batch: { lingerMs: 1 }, ...extra });
  workers.push(worker);
  return worker;
}

test("job ids: every clientRef maps to an id BullMQ accepts (no ':' , never an integer) and back", () => {
  fc.assert(
    fc.property(fc.string({ minLength: 1, maxLength: 128 }), (clientRef) => {
      const id = jobIdFor(clientRef);
      expect(id.includes(":")).toBe(false);
      expect(`${Number.parseInt(id, 10)}`).not.toBe(id);
      expect(clientRefOf(id)).toBe(clientRef);
    }),
  );
  expect(jobIdFor("42")).toBe("sms-42");
});

test("enqueue validates as messenger.send does: an invalid message is a typed error and never queued", async () => {
  const queue = createSmsQueue();
  await expect(queue.enqueue({ to: "12345", text: "x", clientRef: "bad-1" })).rejects.toMatchObject({
    kind: "invalid_recipient",
  });
  await expect(queue.enqueue({ to: "+4712345678", text: "" })).rejects.toBeInstanceOf(ValidationError);
  await expect(queue.enqueue({ to: "+4712345678", text: "x", sendAt: "yesterday" })).rejects.toMatchObject({
    code: "INVALID_SEND_AT",
  });
  await expect(
    queue.enqueue({ to: "+4712345678", text: "x", sendAt: new Date(Date.now() - 60_000) }),
  ).rejects.toMatchObject({ code: "SEND_AT_IN_PAST" });
  expect(await queue.outcome("bad-1")).toBeUndefined();
  expect(await queue.counts()).toMatchObject({ queued: 0, scheduled: 0 });
  const many = await queue.enqueueMany([
    { to: "+4712345678", text: "ok", clientRef: "m1" },
    { to: "nope", text: "x" },
  ]);
  expect(many.map((outcome) => outcome.ok)).toEqual([true, false]);
});

test("sent once per clientRef; batched up to the per-request limit; one text per request where the gateway needs it", async () => {
  const { provider, requests, calls } = fakeProvider(() => "ok", {
    email: false,
    maxRecipientsPerRequest: 4,
    distinctTextsPerRequest: false,
  });
  const queue = createSmsQueue();
  const list = Array.from({ length: 30 }, (_, index) => ({
    to: "+4712345678",
    text: index % 2 ? "odd" : "even",
    clientRef: `b${index}`,
  }));
  await queue.enqueueMany([...list, ...list]);
  start(provider);
  await queue.waitUntilDrained({ timeoutMs: 10_000, pollMs: 5 });
  expect([...calls.values()].every((count) => count === 1)).toBe(true);
  expect(calls.size).toBe(30);
  for (const request of requests) {
    expect(request.length).toBeLessThanOrEqual(4);
    expect(new Set(request.map((message) => message.text)).size).toBe(1);
  }
});

test("a retryable refusal is retried (it proved nothing was taken); a permanent one fails typed; an unknown outcome is never resent", async () => {
  const { provider, calls } = fakeProvider(
    (clientRef, call) => {
      if (clientRef === "throttled" && call === 1)
        return new RateLimitError({ provider: "fake", message: "429", retryAfterMs: 5 });
      if (clientRef === "refused")
        return new ValidationError({ provider: "fake", code: "BAD", message: "[fake] refused" });
      if (clientRef === "lost")
        return new UnknownOutcomeError({ provider: "fake", message: "[fake] no answer" });
      return "ok";
    },
    { email: false, maxRecipientsPerRequest: 1, distinctTextsPerRequest: true },
  );
  const queue = createSmsQueue({ backoffMs: 1 });
  for (const clientRef of ["throttled", "refused", "lost"])
    await queue.enqueue({ to: "+4712345678", text: clientRef, clientRef });
  start(provider);
  await queue.waitUntilDrained({ timeoutMs: 10_000, pollMs: 5 });
  expect(await queue.outcome("throttled")).toMatchObject({ state: "sent", attempts: 2 });
  const refused = await queue.outcome("refused");
  expect(refused?.state).toBe("failed");
  expect(refused?.error).toBeInstanceOf(ValidationError);
  expect(refused?.error?.code).toBe("BAD");
  const lost = await queue.outcome("lost");
  expect(lost?.state).toBe("unknown");
  expect(lost?.error).toBeInstanceOf(UnknownOutcomeError);
  expect(calls.get("lost")).toBe(1);
  expect(calls.get("refused")).toBe(1);
  // A delivery report resolves the unknown; resendUnknown is the explicit way to send again.
  expect(await queue.recordDeliveryReport({ provider: "fake", clientRef: "lost", status: "delivered" })).toBe(
    true,
  );
  expect(await queue.outcome("lost")).toMatchObject({ state: "sent", delivery: "delivered" });
  await expect(queue.resendUnknown("lost")).rejects.toMatchObject({ code: "NOT_UNKNOWN" });
});

test("resendUnknown sends an unknown message again, only when asked", async () => {
  const { provider, calls } = fakeProvider((_clientRef, call) =>
    call === 1 ? new UnknownOutcomeError({ provider: "fake", message: "[fake] no answer" }) : "ok",
  );
  const queue = createSmsQueue();
  await queue.enqueue({ to: "+4712345678", text: "again", clientRef: "again" });
  start(provider);
  await queue.waitUntilDrained({ timeoutMs: 10_000, pollMs: 5 });
  expect((await queue.reconcile()).unknown).toBe(1);
  expect(calls.get("again")).toBe(1);
  await queue.resendUnknown("again");
  await queue.waitUntilDrained({ timeoutMs: 10_000, pollMs: 5 });
  expect(calls.get("again")).toBe(2);
  expect((await queue.outcome("again"))?.state).toBe("sent");
});

test("sendAt: scheduled until then, then sent", async () => {
  const { provider } = fakeProvider();
  const queue = createSmsQueue();
  const result = await queue.enqueue({
    to: "+4712345678",
    text: "later",
    clientRef: "later",
    sendAt: new Date(Date.now() + 50),
  });
  expect(result.state).toBe("scheduled");
  expect((await queue.outcome("later"))?.sendAt).toBeInstanceOf(Date);
  start(provider);
  await queue.waitUntilDrained({ timeoutMs: 10_000, pollMs: 5 });
  expect((await queue.outcome("later"))?.state).toBe("sent");
});

test("close() finishes what is in flight; nothing is left sending", async () => {
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const { provider } = fakeProvider();
  const slow: SmsProvider = {
    ...provider,
    sendBatch: async (messages) => {
      await gate;
      return provider.sendBatch(messages);
    },
  };
  const queue = createSmsQueue();
  await queue.enqueue({ to: "+4712345678", text: "in flight", clientRef: "inflight" });
  const worker = start(slow);
  while ((await queue.counts()).sending === 0) await new Promise((resolve) => setTimeout(resolve, 2));
  const closed = worker.close();
  release();
  await closed;
  expect((await queue.outcome("inflight"))?.state).toBe("sent");
});

test("options are checked: bad limits and missing providers are TypeErrors; --limit parses", () => {
  expect(() => createSmsWorker({})).toThrow(TypeError);
  const { provider } = fakeProvider();
  expect(() =>
    createSmsWorker({ providers: [provider], limits: { fake: { limit: 0, intervalMs: 1000 } } }),
  ).toThrow(TypeError);
  expect(parseLimit("digify=60/60000")).toEqual(["digify", { limit: 60, intervalMs: 60_000 }]);
  expect(() => parseLimit("digify=60")).toThrow(/expected/);
});
