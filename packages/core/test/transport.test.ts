import { describe, expect, it } from "vitest";
import {
  createRedactor,
  createTransport,
  NetworkError,
  parseRetryAfter,
  requestInfoOf,
  TimeoutError,
  UnknownOutcomeError,
} from "../src/index.js";

const SECRET = "s3cr3t-token-value";

function connectionError(code: string): TypeError {
  return new TypeError("fetch failed", {
    cause: Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code }),
  });
}

/** A fetch that plays a script of answers, one per attempt, and records what it was sent. */
function scripted(...steps: Array<Response | Error | "hang">) {
  const seen: Array<{ method: string; url: string; body: string }> = [];
  const fetch = async (request: Request): Promise<Response> => {
    seen.push({ method: request.method, url: request.url, body: await request.clone().text() });
    const step = steps[seen.length - 1];
    if (step === undefined) throw new Error(`unexpected attempt ${seen.length}`);
    if (step === "hang") {
      return new Promise((_, reject) => {
        if (request.signal.aborted) reject(request.signal.reason);
        request.signal.addEventListener("abort", () => reject(request.signal.reason), { once: true });
      });
    }
    if (step instanceof Error) throw step;
    return step;
  };
  return { fetch, seen };
}

function transportWith(fetch: (request: Request) => Promise<Response>, extra: Record<string, unknown> = {}) {
  const sleeps: number[] = [];
  const transport = createTransport({
    provider: "test",
    redactor: createRedactor([SECRET]),
    fetch,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0,
    ...extra,
  });
  return { transport, sleeps };
}

const post = (url = `https://gw.test/send?token=${SECRET}`) =>
  new Request(url, { method: "POST", body: JSON.stringify({ to: "4712345678" }) });

describe("retry rules", () => {
  it("repeats a send refused with 429, waiting as long as Retry-After says, with the same body", async () => {
    const { fetch, seen } = scripted(
      new Response("{}", { status: 429, headers: { "retry-after": "7" } }),
      new Response('{"ok":true}', { status: 200 }),
    );
    const { transport, sleeps } = transportWith(fetch);
    const response = await transport(post());
    expect(response.status).toBe(200);
    expect(sleeps).toEqual([7000]);
    expect(seen).toHaveLength(2);
    expect(seen[1]?.body).toBe(seen[0]?.body);
  });

  it("repeats a send refused with 503 using exponential backoff", async () => {
    const { fetch } = scripted(
      new Response("", { status: 503 }),
      new Response("", { status: 503 }),
      new Response("{}", { status: 200 }),
    );
    const { transport, sleeps } = transportWith(fetch);
    expect((await transport(post())).status).toBe(200);
    expect(sleeps).toEqual([500, 1000]);
  });

  it("gives the last 429 to the caller when retries run out", async () => {
    const { fetch, seen } = scripted(
      new Response("", { status: 429 }),
      new Response("", { status: 429 }),
      new Response("", { status: 429 }),
    );
    const { transport } = transportWith(fetch);
    expect((await transport(post())).status).toBe(429);
    expect(seen).toHaveLength(3);
  });

  it("does not wait for a Retry-After longer than the cap", async () => {
    const { fetch, seen } = scripted(new Response("", { status: 429, headers: { "retry-after": "3600" } }));
    const { transport, sleeps } = transportWith(fetch);
    expect((await transport(post())).status).toBe(429);
    expect(seen).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it("never repeats a send that failed with a 500 (it may have been accepted)", async () => {
    const { fetch, seen } = scripted(new Response("", { status: 500 }));
    const { transport } = transportWith(fetch);
    expect((await transport(post())).status).toBe(500);
    expect(seen).toHaveLength(1);
  });

  it("repeats a read that failed with a 500", async () => {
    const { fetch, seen } = scripted(new Response("", { status: 500 }), new Response("{}", { status: 200 }));
    const { transport } = transportWith(fetch);
    expect((await transport(new Request("https://gw.test/logs"))).status).toBe(200);
    expect(seen).toHaveLength(2);
  });

  it("repeats a send after connection refused: it never reached the gateway", async () => {
    const { fetch, seen } = scripted(connectionError("ECONNREFUSED"), new Response("{}", { status: 200 }));
    const { transport } = transportWith(fetch);
    expect((await transport(post())).status).toBe(200);
    expect(seen).toHaveLength(2);
  });

  it("reports a typed NetworkError once refused connections exhaust the retries", async () => {
    const { fetch } = scripted(
      connectionError("ECONNREFUSED"),
      connectionError("ECONNREFUSED"),
      connectionError("ECONNREFUSED"),
    );
    const { transport } = transportWith(fetch);
    const error = await transport(post()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).mayHaveReachedGateway).toBe(false);
    expect((error as NetworkError).retryable).toBe(true);
    expect((error as NetworkError).code).toBe("ECONNREFUSED");
  });

  it("knows a port the runtime refuses to dial was never reached", async () => {
    const blocked = new TypeError("fetch failed", { cause: new Error("bad port") });
    const { fetch, seen } = scripted(blocked, blocked, blocked);
    const { transport } = transportWith(fetch);
    const error = await transport(post()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).mayHaveReachedGateway).toBe(false);
    expect(seen).toHaveLength(3);
  });

  it("turns a reset connection during a send into UnknownOutcomeError and never resends", async () => {
    const { fetch, seen } = scripted(connectionError("ECONNRESET"));
    const { transport } = transportWith(fetch);
    const error = await transport(post()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect((error as UnknownOutcomeError).cause).toBeInstanceOf(NetworkError);
    expect(seen).toHaveLength(1);
  });

  it("turns a timed-out send into UnknownOutcomeError and never resends", async () => {
    const { fetch, seen } = scripted("hang");
    const { transport } = transportWith(fetch, { timeoutMs: 20 });
    const error = await transport(post()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect((error as UnknownOutcomeError).cause).toBeInstanceOf(TimeoutError);
    expect(seen).toHaveLength(1);
  });

  it("repeats a send after a reset when the provider says the request is idempotent", async () => {
    const { fetch, seen } = scripted(connectionError("ECONNRESET"), new Response("{}", { status: 200 }));
    const { transport } = transportWith(fetch, { isIdempotent: () => true });
    expect((await transport(post())).status).toBe(200);
    expect(seen).toHaveLength(2);
  });

  it("never repeats a GET the provider marks as not idempotent (a GET that sends an SMS)", async () => {
    const { fetch, seen } = scripted(connectionError("ECONNRESET"));
    const { transport } = transportWith(fetch, { isIdempotent: () => false });
    const error = await transport(new Request("https://gw.test/simple?text=hi")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(seen).toHaveLength(1);
  });

  it("times out a read with TimeoutError after retrying it", async () => {
    const { fetch, seen } = scripted("hang", "hang", "hang");
    const { transport } = transportWith(fetch, { timeoutMs: 10 });
    const error = await transport(new Request("https://gw.test/logs")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(seen).toHaveLength(3);
  });

  it("repeats when the provider recognises an in-body refusal", async () => {
    const { fetch, seen } = scripted(
      new Response('{"statusCode":4023}', { status: 200 }),
      new Response('{"statusCode":2000}', { status: 200 }),
    );
    const { transport } = transportWith(fetch, {
      isRefusedBeforeAccepting: async (response: Response) =>
        ((await response.json()) as { statusCode: number }).statusCode === 4023,
    });
    const response = await transport(post());
    expect(await response.json()).toEqual({ statusCode: 2000 });
    expect(seen).toHaveLength(2);
  });

  it("makes no retries when retry is false", async () => {
    const { fetch, seen } = scripted(new Response("", { status: 429 }));
    const { transport } = transportWith(fetch, { retry: false });
    expect((await transport(post())).status).toBe(429);
    expect(seen).toHaveLength(1);
  });

  it("times out an answer whose body stalls, and does not resend the send", async () => {
    const stalled = () => new Response(new ReadableStream({ start() {} }), { status: 200 });
    const { fetch, seen } = scripted(stalled());
    const { transport } = transportWith(fetch, { timeoutMs: 20 });
    const error = await transport(post()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect((error as UnknownOutcomeError).cause).toBeInstanceOf(TimeoutError);
    expect(seen).toHaveLength(1);
  });

  it("stops the clock once the answer is in, so nothing aborts a finished request later", async () => {
    let attemptSignal: AbortSignal | undefined;
    const { transport } = transportWith(
      async (request: Request) => {
        attemptSignal = request.signal;
        return new Response("{}", { status: 200 });
      },
      { timeoutMs: 10 },
    );
    await transport(post());
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(attemptSignal?.aborted).toBe(false);
  });

  it("lets a caller's own abort through untouched", async () => {
    const { fetch } = scripted("hang");
    const { transport } = transportWith(fetch);
    const controller = new AbortController();
    const request = new Request("https://gw.test/logs", { signal: controller.signal });
    const pending = transport(request).catch((e: unknown) => e);
    controller.abort(new Error("user gave up"));
    expect(await pending).toEqual(new Error("user gave up"));
  });
});

describe("redaction inside the transport", () => {
  it("never puts the secret in the message, JSON, stack or cause of a failure", async () => {
    const leaky = new TypeError(`fetch failed for https://gw.test/send?token=${SECRET}`, {
      cause: Object.assign(new Error("reset"), { code: "ECONNRESET" }),
    });
    const { fetch } = scripted(leaky);
    const { transport } = transportWith(fetch);
    const error = (await transport(post()).catch((e: unknown) => e)) as UnknownOutcomeError;
    const everything = [
      error.message,
      error.stack,
      JSON.stringify(error),
      String(error),
      (error.cause as Error).message,
      (error.cause as Error).stack,
      ((error.cause as Error).cause as Error).message,
    ].join("\n");
    expect(everything).not.toContain(SECRET);
    expect(error.request?.url).toBe("https://gw.test/send?token=***");
  });

  it("records the redacted request behind each response", async () => {
    const { fetch } = scripted(new Response("{}", { status: 200 }));
    const { transport } = transportWith(fetch);
    const response = await transport(post());
    expect(requestInfoOf(response)).toEqual({ method: "POST", url: "https://gw.test/send?token=***" });
  });
});

describe("parseRetryAfter", () => {
  it("reads delta seconds and HTTP dates", () => {
    expect(parseRetryAfter("7")).toBe(7000);
    expect(parseRetryAfter("0.5")).toBe(500);
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:10 GMT", now)).toBe(10_000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 00:00:00 GMT", now)).toBe(0);
  });

  it("ignores what it cannot read", () => {
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter("")).toBeUndefined();
    expect(parseRetryAfter("soon")).toBeUndefined();
  });
});
