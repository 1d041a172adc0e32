/**
 * The retry rule over real sockets: a fault-injecting proxy in front of the F24 mock counts the
 * requests that reached the gateway when forwarding starts, so each test proves how often a
 * message was sent without depending on how fast anything is. F24 does not de-duplicate, so an
 * ambiguous failure must never be repeated.
 */
import { NetworkError, RateLimitError, realClock, UnknownOutcomeError } from "@smskit/core";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { type FaultProxy, startFaultProxy } from "../../../tools/fault-proxy/proxy.js";
import { manualTimers } from "../../../tools/testing/clock.js";
import { rejection } from "../../../tools/testing/leaks.js";
import { createF24Client, type F24ClientOptions, f24 } from "../src/index.js";

const ACCESS_KEY = "f24-key-0123456789";
const ACCESS_TOKEN = "f24-token-abcdefghijklmnop";
const body = {
  Messages: [{ Sender: "AcmeShop", Recipient: "+4712345678", Content: "Your order has been shipped." }],
};
let proxy: FaultProxy;

beforeAll(async () => {
  proxy = await startFaultProxy(inject("mockUrls").f24 as string);
});
afterAll(() => proxy.close());

let before = 0;
beforeEach(() => {
  before = proxy.forwarded;
});
const reachedGateway = () => proxy.forwarded - before;

// Backoff is shortened so the suite stays quick; Retry-After values are honoured as sent.
const options = (extra: Partial<F24ClientOptions> = {}) => ({
  accessKey: ACCESS_KEY,
  accessToken: ACCESS_TOKEN,
  baseUrl: proxy.url,
  retry: { initialDelayMs: 5, maxDelayMs: 20 },
  ...extra,
});
const client = (extra: Partial<F24ClientOptions> = {}) => createF24Client(options(extra));

describe("a send over a faulty network", () => {
  it("is repeated after 429 + Retry-After and reaches the gateway exactly once", async () => {
    proxy.enqueue({ kind: "status", status: 429, headers: { "retry-after": "0" } });
    expect((await client().sendSmsExt(body)).Recipients).toHaveLength(1);
    expect(reachedGateway()).toBe(1);
  });

  it("is repeated after a 503 that came before the gateway, and reaches it once", async () => {
    proxy.enqueue({ kind: "status", status: 503 });
    await client().sendSmsExt(body);
    expect(reachedGateway()).toBe(1);
  });

  it("gives up with RateLimitError when throttling outlasts the retries, having sent nothing", async () => {
    const throttled = { kind: "status" as const, status: 429, headers: { "retry-after": "0" } };
    proxy.enqueue(throttled, throttled, throttled);
    expect(await rejection(client().sendSmsExt(body))).toBeInstanceOf(RateLimitError);
    expect(reachedGateway()).toBe(0);
  });

  it("is NOT repeated when the connection drops after the gateway took it", async () => {
    proxy.enqueue({ kind: "reset-after" });
    expect(await rejection(client().sendSmsExt(body))).toBeInstanceOf(UnknownOutcomeError);
    expect(reachedGateway()).toBe(1);
  });

  it("is NOT repeated when the connection drops before an answer, because it cannot know which side of the gateway it dropped", async () => {
    proxy.enqueue({ kind: "reset-before" });
    const error = await rejection(client().sendSmsExt(body));
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect((error as UnknownOutcomeError).cause).toBeInstanceOf(NetworkError);
    // A repeat would have passed through the proxy and reached the gateway.
    expect(reachedGateway()).toBe(0);
  });

  it("is NOT repeated when the answer is held past timeoutMs", async () => {
    proxy.enqueue({ kind: "hold" });
    const timers = manualTimers();
    const sending = rejection(client({ clock: { ...realClock, timer: timers.timer } }).sendSmsExt(body));
    // The timeout fires once the gateway has the request: no race with the machine's speed.
    await proxy.forwardedAtLeast(before + 1);
    expect(timers.fire()).toBe(1);
    expect(await sending).toBeInstanceOf(UnknownOutcomeError);
    expect(reachedGateway()).toBe(1);
  });

  it("reports a gateway that cannot be reached as a NetworkError that never reached it, after retrying", async () => {
    const closed = await startFaultProxy(inject("mockUrls").f24 as string);
    await closed.close();
    const error = await rejection(createF24Client(options({ baseUrl: closed.url })).sendSmsExt(body));
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).mayHaveReachedGateway).toBe(false);
  });
});

describe("a batch through the adapter over a faulty network", () => {
  it("is an unknown outcome for the whole batch after a reset, sent once", async () => {
    proxy.enqueue({ kind: "reset-after" });
    const adapter = f24({ ...options(), defaultFrom: "AcmeShop" });
    const error = await rejection(
      adapter.sendBatch([
        { to: "+4712345678", text: "one" },
        { to: "+4798765432", text: "two" },
      ]),
    );
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(reachedGateway()).toBe(1);
  });
});
