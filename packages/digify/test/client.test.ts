/** Unit tests with an injected fetch: where the token goes, what is checked before the network, and that nothing leaks. */
import {
  AuthenticationError,
  ConfigurationError,
  createRateLimiter,
  InvalidRecipientError,
  InvalidSenderError,
  isSmsKitError,
  RateLimitError,
  UnexpectedResponseError,
  UnknownOutcomeError,
  ValidationError,
} from "@smskit/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { json, scriptedFetch } from "../../../tools/testing/fetch.js";
import { expectNoLeak, rejection } from "../../../tools/testing/leaks.js";
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
    const scripted = scriptedFetch(json(ok));
    await createDigifyClient({ accessToken: TOKEN, fetch: scripted.fetch }).send(sms);
    expect(scripted.last.url).toBe(`${DIGIFY_PRODUCTION_URL}/api/v1/messages/send`);
    expect(scripted.last.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
    expect(scripted.last.url).not.toContain(TOKEN);
    expect(JSON.parse(scripted.last.body)).toEqual(sms);
  });

  it("does not send the token to the public health endpoints", async () => {
    const scripted = scriptedFetch(
      json({
        status: "healthy",
        timestamp: "2025-10-18T12:00:00.000Z",
        environment: "x",
        database: "connected",
      }),
      json({ status: "ready", timestamp: "2025-10-18T12:00:00.000Z" }),
    );
    const client = createDigifyClient({ accessToken: TOKEN, fetch: scripted.fetch });
    await client.health();
    await client.ready();
    expect(scripted.requests.map((request) => request.headers.get("authorization"))).toEqual([null, null]);
  });

  it("refuses to start without a token or with a clear-text remote URL, with a ConfigurationError", () => {
    for (const options of [
      { accessToken: " " },
      { accessToken: TOKEN, baseUrl: "http://apiaccess.digify.no" },
      {},
    ]) {
      expect(() => createDigifyClient(options as never)).toThrow(ConfigurationError);
    }
  });
});

describe("requests are checked against the spec before the network", () => {
  it.each([
    ["a recipient with +", { type: "sms", destAddr: "+4712345678", msg: "hi" }, InvalidRecipientError],
    [
      "a recipient that is not a number",
      { type: "sms", destAddr: "not-a-number", msg: "hi" },
      InvalidRecipientError,
    ],
    [
      "a sender over 15 characters",
      { type: "sms", destAddr: "4712345678", msg: "hi", sourceAddr: "A".repeat(16) },
      InvalidSenderError,
    ],
    [
      "a text over 1600 characters",
      { type: "sms", destAddr: "4712345678", msg: "x".repeat(1601) },
      ValidationError,
    ],
    ["an empty text", { type: "sms", destAddr: "4712345678", msg: "" }, ValidationError],
    [
      "an e-mail without subject",
      { type: "email", sourceAddr: "a@b.no", destAddr: "c@d.no", body: "x" },
      ValidationError,
    ],
    ["an unknown type", { type: "fax", destAddr: "4712345678" }, ValidationError],
  ])("refuses %s", async (_, message, type) => {
    const scripted = scriptedFetch();
    const error = await rejection(
      createDigifyClient({ accessToken: TOKEN, fetch: scripted.fetch }).send({
        messages: [message],
      } as never),
    );
    expect(error).toBeInstanceOf(type);
    expect(scripted.requests).toHaveLength(0);
  });

  it("answers any input with a result or an SmsKitError, and sends nothing it refused", async () => {
    await fc.assert(
      fc.asyncProperty(fc.anything(), async (input) => {
        const scripted = scriptedFetch(json(ok));
        try {
          await createDigifyClient({ accessToken: TOKEN, fetch: scripted.fetch }).send(input as never);
          return scripted.requests.length === 1;
        } catch (error) {
          return isSmsKitError(error) && scripted.requests.length === 0;
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("answers", () => {
  it.each([
    ["an empty body", () => new Response("", { status: 200 })],
    ["a 204", () => new Response(null, { status: 204 })],
    ["{}", () => json({})],
    ["null", () => json(null)],
    ["[]", () => json([])],
    ["results: null", () => json({ ...ok, results: null })],
    [
      "a result without messageId",
      () => json({ ...ok, results: [{ type: "sms", status: "queued", msgCount: 1 }] }),
    ],
    [
      "a result without msgCount",
      () => json({ ...ok, results: [{ type: "sms", status: "queued", messageId: 1 }] }),
    ],
    ["{ results: [{ type: sms }] }", () => json({ results: [{ type: "sms" }] })],
    ["HTML", () => new Response("<html>proxy error</html>", { status: 200 })],
  ])("makes a send answered with %s an unknown outcome, never accepted", async (_, answer) => {
    const scripted = scriptedFetch(answer);
    const error = await rejection(
      createDigifyClient({ accessToken: TOKEN, fetch: scripted.fetch }).send(sms),
    );
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(scripted.requests).toHaveLength(1);
  });

  it("makes a read answered with the wrong shape an UnexpectedResponseError", async () => {
    const error = await rejection(
      createDigifyClient({ accessToken: TOKEN, fetch: scriptedFetch(json({ data: "x" })).fetch }).smsLogs(),
    );
    expect(error).toBeInstanceOf(UnexpectedResponseError);
  });

  it("keeps the gateway's code, the retry hint and Prism's reasons", async () => {
    const throttled = json(
      { status: "error", error: { code: "RATE_LIMIT_EXCEEDED", message: "slow down", retryAfter: 30 } },
      429,
    );
    const error = await rejection(
      createDigifyClient({ accessToken: TOKEN, fetch: scriptedFetch(throttled).fetch, retry: false }).send(
        sms,
      ),
    );
    expect(error).toMatchObject({
      code: "RATE_LIMIT_EXCEEDED",
      retryAfterMs: 30_000,
      providerMessage: "slow down",
    });
    expect(error).toBeInstanceOf(RateLimitError);
    const violations = JSON.stringify([
      { location: ["request", "body", "messages", "0", "destAddr"], message: "must match pattern" },
    ]);
    const mocked = json(
      {
        status: "error",
        error: { code: "VALIDATION_ERROR", message: "String must contain at most 1600 character(s)" },
      },
      400,
      {
        "sl-violations": violations,
      },
    );
    const invalid = await rejection(
      createDigifyClient({ accessToken: TOKEN, fetch: scriptedFetch(mocked).fetch }).send(sms),
    );
    expect((invalid as ValidationError).details).toMatchObject({
      violations: ["request.body.messages.0.destAddr: must match pattern"],
    });
    expect((invalid as ValidationError).message).toContain(
      "[mock: request.body.messages.0.destAddr: must match pattern]",
    );
  });

  it("resends after a 429 once the gateway's Retry-After has passed", async () => {
    const scripted = scriptedFetch(
      json(
        { status: "error", error: { code: "RATE_LIMIT_EXCEEDED", message: "slow down", retryAfter: 0 } },
        429,
        { "retry-after": "0" },
      ),
      json(ok),
    );
    expect((await createDigifyClient({ accessToken: TOKEN, fetch: scripted.fetch }).send(sms)).status).toBe(
      "success",
    );
    expect(scripted.requests).toHaveLength(2);
  });

  it("waits its turn under a client-side rate limit instead of being refused", async () => {
    let now = 0;
    const waits: number[] = [];
    const clock = {
      now: () => now,
      sleep: async (ms: number) => {
        waits.push(ms);
        now += ms;
      },
    };
    const scripted = scriptedFetch(json(ok), json(ok));
    const client = createDigifyClient({
      accessToken: TOKEN,
      fetch: scripted.fetch,
      rateLimit: createRateLimiter({ limit: 1, intervalMs: 10_000 }, clock),
    });
    await client.send(sms);
    await client.send(sms);
    expect(scripted.requests).toHaveLength(2);
    expect(waits).toEqual([10_000]);
  });
});

describe("redaction", () => {
  it("keeps the token out of every rendering of an error, in every echoed encoding", async () => {
    const echoed = `Invalid AccessToken ${TOKEN} (${encodeURIComponent(TOKEN)}, Bearer%20${TOKEN})`;
    const scripted = scriptedFetch(
      json({ status: "error", error: { code: "AUTHENTICATION_FAILED", message: echoed } }, 401),
    );
    const error = await rejection(
      createDigifyClient({ accessToken: TOKEN, fetch: scripted.fetch }).send(sms),
    );
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).providerMessage).toContain("Invalid AccessToken ***");
    expectNoLeak(error, [TOKEN]);
  });
});
