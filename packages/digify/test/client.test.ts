/** Unit tests with an injected fetch: where the token goes, and that it never leaks. */
import {
  AuthenticationError,
  createRateLimiter,
  UnexpectedResponseError,
  UnknownOutcomeError,
} from "@smskit/core";
import { describe, expect, it } from "vitest";
import { json, recording } from "../../../tools/mock/scripted-fetch.js";
import { createDigifyClient, DIGIFY_PRODUCTION_URL } from "../src/index.js";

const TOKEN = "tok_0123456789abcdefghij";
const sms = { messages: [{ type: "sms" as const, destAddr: "4712345678", msg: "hi" }] };
const ok = {
  status: "success",
  simulationMode: false,
  results: [{ type: "sms", status: "queued", messageId: 1, msgCount: 1 }],
  summary: { total: 1, sms: 1, email: 0, creditsUsed: 1 },
};

describe("authentication", () => {
  it("sends the token as a Bearer header to the production host, never in the URL", async () => {
    const { fetch, requests } = recording(() => json(ok));
    await createDigifyClient({ accessToken: TOKEN, fetch }).send(sms);
    const [request] = requests;
    expect(request?.url).toBe(`${DIGIFY_PRODUCTION_URL}/api/v1/messages/send`);
    expect(request?.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
    expect(request?.url).not.toContain(TOKEN);
    expect(await request?.json()).toEqual(sms);
  });

  it("does not send the token to the public health endpoints", async () => {
    const { fetch, requests } = recording(
      () =>
        json({
          status: "healthy",
          timestamp: "2025-10-18T12:00:00.000Z",
          environment: "x",
          database: "connected",
        }),
      () => json({ status: "ready", timestamp: "2025-10-18T12:00:00.000Z" }),
    );
    const client = createDigifyClient({ accessToken: TOKEN, fetch });
    await client.health();
    await client.ready();
    expect(requests.map((request) => request.headers.get("authorization"))).toEqual([null, null]);
  });

  it("refuses to start without a token or with a clear-text remote URL", () => {
    expect(() => createDigifyClient({ accessToken: " " })).toThrow(/accessToken is required/);
    expect(() => createDigifyClient({ accessToken: TOKEN, baseUrl: "http://apiaccess.digify.no" })).toThrow(
      /https/,
    );
  });
});

describe("redaction", () => {
  it("keeps the token out of message, JSON, stack and body even when the gateway echoes it", async () => {
    const { fetch } = recording(() =>
      json(
        {
          status: "error",
          error: { code: "AUTHENTICATION_FAILED", message: `Invalid AccessToken ${TOKEN}` },
        },
        401,
      ),
    );
    const error = (await createDigifyClient({ accessToken: TOKEN, fetch })
      .send(sms)
      .catch((e: unknown) => e)) as AuthenticationError;
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.providerMessage).toBe("Invalid AccessToken ***");
    for (const text of [
      error.message,
      error.stack,
      JSON.stringify(error),
      JSON.stringify(error.body),
      String(error),
    ]) {
      expect(text).not.toContain(TOKEN);
    }
  });
});

describe("answers outside the spec", () => {
  it("turns a 200 that is not JSON into UnexpectedResponseError", async () => {
    const { fetch } = recording(() => new Response("<html>proxy error</html>", { status: 200 }));
    const error = await createDigifyClient({ accessToken: TOKEN, fetch })
      .send(sms)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnexpectedResponseError);
  });

  it("resends after a 429 once the gateway's Retry-After has passed", async () => {
    const { fetch, requests } = recording(
      () =>
        json(
          { status: "error", error: { code: "RATE_LIMIT_EXCEEDED", message: "slow down", retryAfter: 0 } },
          429,
          { "retry-after": "0" },
        ),
      () => json(ok),
    );
    const result = await createDigifyClient({ accessToken: TOKEN, fetch }).send(sms);
    expect(result.status).toBe("success");
    expect(requests).toHaveLength(2);
  });

  it("waits its turn under a client-side rate limit instead of being refused", async () => {
    let now = 0;
    const waits: number[] = [];
    const rateLimit = createRateLimiter(
      { limit: 1, intervalMs: 10_000 },
      {
        now: () => now,
        sleep: async (ms) => {
          waits.push(ms);
          now += ms;
        },
      },
    );
    const { fetch, requests } = recording(
      () => json(ok),
      () => json(ok),
    );
    const client = createDigifyClient({ accessToken: TOKEN, fetch, rateLimit });
    await client.send(sms);
    await client.send(sms);
    expect(requests).toHaveLength(2);
    expect(waits[0]).toBe(10_000);
  });

  it("never resends a send whose answer did not arrive in time", async () => {
    const { fetch, requests } = recording(() => new Promise<Response>(() => {}));
    const error = await createDigifyClient({ accessToken: TOKEN, fetch, timeoutMs: 20 })
      .send(sms)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(requests).toHaveLength(1);
  });
});
