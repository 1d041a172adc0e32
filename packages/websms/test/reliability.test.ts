/**
 * The retry rule over real sockets: a fault-injecting proxy in front of the websms mock counts the
 * requests that reached the gateway when forwarding starts, so each test proves how often a
 * message was sent without depending on how fast anything is.
 */
import {
  NetworkError,
  RateLimitError,
  realClock,
  ServiceUnavailableError,
  UnknownOutcomeError,
} from "@smskit/core";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { type FaultProxy, startFaultProxy } from "../../../tools/fault-proxy/proxy.js";
import { manualTimers } from "../../../tools/testing/clock.js";
import { rejection } from "../../../tools/testing/leaks.js";
import { createWebsmsClient, type WebsmsClientOptions } from "../src/index.js";

const TOKEN = "wsTok-0123456789abcdef0123456789";
const text = { recipientAddressList: ["4712345678"], messageContent: "Hello from smskit" };
let proxy: FaultProxy;

beforeAll(async () => {
  proxy = await startFaultProxy(inject("mockUrls").websms as string);
});
afterAll(() => proxy.close());

let before = 0;
beforeEach(() => {
  before = proxy.forwarded;
});
const reachedGateway = () => proxy.forwarded - before;

function client(options: Partial<WebsmsClientOptions> = {}) {
  // Backoff is shortened so the suite stays quick; Retry-After values are honoured as sent.
  return createWebsmsClient({
    accessToken: TOKEN,
    baseUrl: proxy.url,
    retry: { initialDelayMs: 5, maxDelayMs: 20 },
    ...options,
  } as WebsmsClientOptions);
}

const inBody = (statusCode: number) => ({
  kind: "status" as const,
  status: 200,
  headers: { "content-type": "application/json" },
  body: JSON.stringify({
    statusCode,
    statusMessage: "refused",
    transferId: null,
    clientMessageId: null,
    smsCount: 0,
  }),
});

type Client = ReturnType<typeof createWebsmsClient>;
const SENDS: Array<[string, (client: Client) => Promise<{ statusCode: number }>]> = [
  ["sendText", (c) => c.sendText(text)],
  ["sendSimple GET", (c) => c.sendSimple(text, { method: "GET" })],
];

describe.each(SENDS)("%s over a faulty network", (_, send) => {
  it("is repeated after 429 + Retry-After and reaches the gateway exactly once", async () => {
    proxy.enqueue({ kind: "status", status: 429, headers: { "retry-after": "0" } });
    expect((await send(client())).statusCode).toBe(2000);
    expect(reachedGateway()).toBe(1);
  });

  it("is repeated after a 503 that came before the gateway, and reaches it once", async () => {
    proxy.enqueue({ kind: "status", status: 503 });
    expect((await send(client())).statusCode).toBe(2000);
    expect(reachedGateway()).toBe(1);
  });

  it("gives up with RateLimitError when throttling outlasts the retries, having sent nothing", async () => {
    const throttled = { kind: "status" as const, status: 429, headers: { "retry-after": "0" } };
    proxy.enqueue(throttled, throttled, throttled);
    expect(await rejection(send(client()))).toBeInstanceOf(RateLimitError);
    expect(reachedGateway()).toBe(0);
  });

  it("is NOT repeated when the connection drops after the gateway took it", async () => {
    proxy.enqueue({ kind: "reset-after" });
    expect(await rejection(send(client()))).toBeInstanceOf(UnknownOutcomeError);
    expect(reachedGateway()).toBe(1);
  });

  it("is NOT repeated when the connection drops before an answer, because it cannot know which side of the gateway it dropped", async () => {
    proxy.enqueue({ kind: "reset-before" });
    const error = await rejection(send(client()));
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect((error as UnknownOutcomeError).cause).toBeInstanceOf(NetworkError);
    // A repeat would have passed through the proxy and reached the gateway.
    expect(reachedGateway()).toBe(0);
  });

  it("is NOT repeated when the answer is held past timeoutMs", async () => {
    proxy.enqueue({ kind: "hold" });
    const timers = manualTimers();
    const sending = rejection(send(client({ clock: { ...realClock, timer: timers.timer } })));
    // The timeout fires once the gateway has the request: no race with the machine's speed.
    await proxy.forwardedAtLeast(before + 1);
    expect(timers.fire()).toBe(1);
    expect(await sending).toBeInstanceOf(UnknownOutcomeError);
    expect(reachedGateway()).toBe(1);
  });

  it.each([
    [4023, RateLimitError],
    [4025, RateLimitError],
    [5003, ServiceUnavailableError],
  ])("is repeated after websms's in-body %i, which took nothing", async (code, type) => {
    proxy.enqueue(inBody(code));
    expect((await send(client())).statusCode).toBe(2000);
    expect(reachedGateway()).toBe(1);
    proxy.enqueue(inBody(code), inBody(code), inBody(code));
    expect(await rejection(send(client()))).toBeInstanceOf(type);
    expect(reachedGateway()).toBe(1);
  });
});

it("reports a gateway that cannot be reached as a NetworkError that never reached it, after retrying", async () => {
  const closed = await startFaultProxy(inject("mockUrls").websms as string);
  await closed.close();
  const error = await rejection(
    createWebsmsClient({
      accessToken: TOKEN,
      baseUrl: closed.url,
      retry: { initialDelayMs: 5, maxDelayMs: 20 },
    }).sendText(text),
  );
  expect(error).toBeInstanceOf(NetworkError);
  expect((error as NetworkError).mayHaveReachedGateway).toBe(false);
});
