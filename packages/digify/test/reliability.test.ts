/**
 * The retry rule over real sockets: a fault-injecting proxy in front of the Digify mock counts the
 * requests that reached the gateway, so each test can prove how often a message was sent.
 */
import { type Clock, NetworkError, RateLimitError, realClock, UnknownOutcomeError } from "@smskit/core";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { type FaultProxy, startFaultProxy } from "../../../tools/fault-proxy/proxy.js";
import { manualTimers } from "../../../tools/testing/clock.js";
import { createDigifyClient } from "../src/index.js";

const sms = { messages: [{ type: "sms" as const, destAddr: "4712345678", msg: "hi" }] };
let proxy: FaultProxy;

beforeAll(async () => {
  proxy = await startFaultProxy(inject("mockUrls").digify as string);
});
afterAll(() => proxy.close());

let before = 0;
beforeEach(() => {
  before = proxy.forwarded;
});
const reachedGateway = () => proxy.forwarded - before;

function client(options: { timeoutMs?: number; clock?: Clock } = {}) {
  // Backoff is shortened so the suite stays quick; Retry-After values are honoured as sent.
  return createDigifyClient({
    accessToken: "tok_0123456789abcdefghij",
    baseUrl: proxy.url,
    retry: { initialDelayMs: 5, maxDelayMs: 20 },
    ...options,
  });
}

describe("a send over a faulty network", () => {
  it("is repeated after 429 + Retry-After and reaches the gateway exactly once", async () => {
    proxy.enqueue({ kind: "status", status: 429, headers: { "retry-after": "0" } });
    const result = await client().send(sms);
    expect(result.status).toBe("success");
    expect(reachedGateway()).toBe(1);
  });

  it("is repeated after a 503 that came before the gateway, and reaches it once", async () => {
    proxy.enqueue({ kind: "status", status: 503 });
    await client().send(sms);
    expect(reachedGateway()).toBe(1);
  });

  it("gives up with RateLimitError when throttling outlasts the retries, having sent nothing", async () => {
    const throttled = { kind: "status" as const, status: 429, headers: { "retry-after": "0" } };
    proxy.enqueue(throttled, throttled, throttled);
    await expect(client().send(sms)).rejects.toBeInstanceOf(RateLimitError);
    expect(reachedGateway()).toBe(0);
  });

  it("is NOT repeated when the connection drops after the gateway accepted it", async () => {
    proxy.enqueue({ kind: "reset-after" });
    const error = await client()
      .send(sms)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(reachedGateway()).toBe(1);
  });

  it("is NOT repeated when the connection drops before an answer, because we cannot know which side of the gateway it dropped", async () => {
    proxy.enqueue({ kind: "reset-before" });
    const error = await client()
      .send(sms)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect((error as UnknownOutcomeError).cause).toBeInstanceOf(NetworkError);
    expect(reachedGateway()).toBe(0);
  });

  it("is NOT repeated when the answer is held past the timeout", async () => {
    proxy.enqueue({ kind: "hold" });
    const timers = manualTimers();
    const sending = client({ clock: { ...realClock, timer: timers.timer } })
      .send(sms)
      .catch((e: unknown) => e);
    // The timeout fires once the gateway has the request: no race with the machine's speed.
    await proxy.forwardedAtLeast(before + 1);
    expect(timers.fire()).toBe(1);
    expect(await sending).toBeInstanceOf(UnknownOutcomeError);
    expect(reachedGateway()).toBe(1);
  });

  it("is repeated when the gateway cannot be reached at all, and fails typed once retries run out", async () => {
    const closed = await startFaultProxy(inject("mockUrls").digify as string);
    await closed.close();
    const error = await createDigifyClient({
      accessToken: "tok_0123456789abcdefghij",
      baseUrl: closed.url,
      retry: { initialDelayMs: 5, maxDelayMs: 20 },
    })
      .send(sms)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).mayHaveReachedGateway).toBe(false);
  });
});

describe("a read over a faulty network", () => {
  it("is repeated after a reset and after a 500, since reading twice is harmless", async () => {
    proxy.enqueue({ kind: "reset-before" }, { kind: "status", status: 500 });
    const page = await client().smsLogs({ limit: 5 });
    expect(page.status).toBe("success");
    expect(reachedGateway()).toBe(1);
  });
});
