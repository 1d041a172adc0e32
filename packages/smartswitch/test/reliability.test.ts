/**
 * The retry rule over real sockets: a fault-injecting proxy in front of the SmartSwitch mock counts
 * the requests that reached the gateway, so each test can prove how often a message was sent.
 */
import {
  type Clock,
  NetworkError,
  RateLimitError,
  RedirectError,
  realClock,
  UnknownOutcomeError,
} from "@smskit/core";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { type FaultProxy, startFaultProxy } from "../../../tools/fault-proxy/proxy.js";
import { manualTimers } from "../../../tools/testing/clock.js";
import { expectNoLeak } from "../../../tools/testing/leaks.js";
import { createSmartSwitchClient } from "../src/index.js";

const LOGIN = "acme-login";
const PASSWORD = "s3cret pass'word";
const recipients = [{ to: "+12123388100", body: "hi" }];
let proxy: FaultProxy;

beforeAll(async () => {
  proxy = await startFaultProxy(inject("mockUrls").smartswitch as string);
});
afterAll(() => proxy.close());

let before = 0;
beforeEach(() => {
  before = proxy.forwarded;
});
const reachedGateway = () => proxy.forwarded - before;

function client(options: { clock?: Clock; baseUrl?: string } = {}) {
  // Backoff is shortened so the suite stays quick; Retry-After values are honoured as sent.
  return createSmartSwitchClient({
    login: LOGIN,
    password: PASSWORD,
    baseUrl: proxy.url,
    retry: { initialDelayMs: 5, maxDelayMs: 20 },
    ...options,
  });
}

describe("a send over a faulty network", () => {
  it("is repeated after 429 + Retry-After and reaches the gateway exactly once", async () => {
    proxy.enqueue({ kind: "status", status: 429, headers: { "retry-after": "0" } });
    const report = await client().sendMessages(recipients);
    expect(report.messages).toHaveLength(1);
    expect(reachedGateway()).toBe(1);
  });

  it("is repeated after a 503 that came before the gateway, and reaches it once", async () => {
    proxy.enqueue({ kind: "status", status: 503 });
    await client().sendMessages(recipients);
    expect(reachedGateway()).toBe(1);
  });

  it("gives up with RateLimitError when throttling outlasts the retries, having sent nothing", async () => {
    const throttled = { kind: "status" as const, status: 429, headers: { "retry-after": "0" } };
    proxy.enqueue(throttled, throttled, throttled);
    const error = await client()
      .sendMessages(recipients)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expectNoLeak(error, [LOGIN, PASSWORD]);
    expect(reachedGateway()).toBe(0);
  });

  it("is NOT repeated when the connection drops after the gateway accepted it", async () => {
    proxy.enqueue({ kind: "reset-after" });
    const error = await client()
      .sendMessages(recipients)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expectNoLeak(error, [LOGIN, PASSWORD]);
    expect(reachedGateway()).toBe(1);
  });

  it("is NOT repeated when the connection drops before an answer, because we cannot know which side of the gateway it dropped", async () => {
    proxy.enqueue({ kind: "reset-before" });
    const error = await client()
      .sendMessages(recipients)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect((error as UnknownOutcomeError).cause).toBeInstanceOf(NetworkError);
    expect(reachedGateway()).toBe(0);
  });

  it("is NOT repeated when the answer is held past the timeout", async () => {
    proxy.enqueue({ kind: "hold" });
    const timers = manualTimers();
    const sending = client({ clock: { ...realClock, timer: timers.timer } })
      .sendMessages(recipients)
      .catch((e: unknown) => e);
    // The timeout fires once the gateway has the request: no race with the machine's speed.
    await proxy.forwardedAtLeast(before + 1);
    expect(timers.fire()).toBe(1);
    expect(await sending).toBeInstanceOf(UnknownOutcomeError);
    expect(reachedGateway()).toBe(1);
  });

  it("never follows a redirect: the credentials in the URL stay with the gateway", async () => {
    proxy.enqueue({
      kind: "status",
      status: 302,
      headers: { location: "http://[::ffff:127.0.0.1]:9/steal" },
    });
    const error = await client()
      .sendMessages(recipients)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedirectError);
    expectNoLeak(error, [LOGIN, PASSWORD]);
    expect(reachedGateway()).toBe(0);
  });

  it("is repeated when the gateway cannot be reached at all, and fails typed once retries run out", async () => {
    const closed = await startFaultProxy(inject("mockUrls").smartswitch as string);
    await closed.close();
    const error = await client({ baseUrl: closed.url })
      .sendMessages(recipients)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).mayHaveReachedGateway).toBe(false);
    expectNoLeak(error, [LOGIN, PASSWORD]);
  });
});
