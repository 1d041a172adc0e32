/**
 * The claim that precedes every gateway request, when the send log misbehaves: a replayed claim
 * (ioredis resends a script whose answer a dropped connection lost) and a claim that cannot be
 * written at all. Either way a message is sent at most once and never stranded in `sending`.
 */
import type { SendOutcome, SmsProvider } from "@smskit/core";
import { expect, test } from "vitest";
import { createMemoryLimiter } from "../../src/limiter.js";
import { createRunner } from "../../src/runner.js";
import { createMemoryStore, type Store } from "../../src/store.js";

const claim = (clientRef: string, token: string) => ({
  clientRef,
  from: ["queued" as const, "scheduled" as const],
  to: "sending" as const,
  attempt: true,
  now: 1,
  set: { token },
});

test("a replayed claim holds; a claim with another token is refused", async () => {
  const store = createMemoryStore();
  await store.create([{ clientRef: "a", state: "queued", message: "{}", now: 0 }]);
  expect(await store.transition([claim("a", "w1:x")])).toEqual([{ ok: true, state: "sending" }]);
  expect(await store.transition([claim("a", "w1:x")])).toEqual([{ ok: true, state: "sending" }]);
  expect(await store.transition([claim("a", "w2:y")])).toEqual([{ ok: false, state: "sending" }]);
  expect((await store.get("a"))?.attempts).toBe(1);
});

function countingProvider() {
  const sent: string[] = [];
  const provider: SmsProvider = {
    name: "fake",
    capabilities: { email: false, maxRecipientsPerRequest: 10, distinctTextsPerRequest: true },
    send: async () => {
      throw new Error("unused");
    },
    async sendBatch(messages) {
      return messages.map((message): SendOutcome => {
        sent.push(message.clientRef as string);
        return {
          ok: true,
          result: {
            provider: "fake",
            to: message.to,
            status: "accepted",
            providerMessageId: `id-${message.clientRef}`,
            clientRef: message.clientRef,
            segments: 1,
            encoding: "GSM-7",
            raw: null,
          },
        };
      });
    },
  };
  return { provider, sent };
}

test("a claim the log cannot write sends nothing, is undone, and the job's retry sends once", async () => {
  const inner = createMemoryStore();
  let failClaims = 1;
  const store: Store = {
    ...inner,
    async transition(changes) {
      if (failClaims > 0 && changes.some((change) => change.to === "sending")) {
        failClaims -= 1;
        // The write landed but its answer was lost: the worst case for the worker.
        await inner.transition(changes);
        throw new Error("Connection is closed.");
      }
      return inner.transition(changes);
    },
  };
  const { provider, sent } = countingProvider();
  const runner = createRunner({
    store,
    limiter: createMemoryLimiter(),
    options: { providers: [provider], batch: { maxSize: 1, lingerMs: 0 } },
    workerId: "w1",
  });
  const message = { to: "+4712345678", text: "hi" };
  await inner.create([{ clientRef: "m1", state: "queued", message: JSON.stringify(message), now: 0 }]);
  const job = { clientRef: "m1", data: message, attemptsMade: 0, maxAttempts: 3 };

  const first = await runner.process(job);
  expect(first.kind).toBe("retry");
  expect(sent).toEqual([]);
  expect((await inner.get("m1"))?.state).toBe("queued");

  expect(await runner.process({ ...job, attemptsMade: 1 })).toEqual({ kind: "done" });
  expect(sent).toEqual(["m1"]);
  expect((await inner.get("m1"))?.state).toBe("sent");
});
