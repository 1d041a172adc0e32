/**
 * Unit tests of the F24 client with an injected fetch (and, where the socket matters, real
 * loopback servers): where the credentials go and that they never leak, what an answer means, the
 * retry rule, and that bad input never reaches the network.
 */
import {
  AuthenticationError,
  ConfigurationError,
  InvalidRecipientError,
  InvalidSenderError,
  NetworkError,
  NotFoundError,
  RateLimitError,
  RedirectError,
  ServerError,
  ServiceUnavailableError,
  type SmsKitError,
  UnknownOutcomeError,
  ValidationError,
} from "@smskit/core";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { fakeClock } from "../../../tools/testing/clock.js";
import { connectionError, json, scriptedFetch } from "../../../tools/testing/fetch.js";
import { echoBody, echoHeader, flood } from "../../../tools/testing/hostile.js";
import { expectNoLeak, rejection } from "../../../tools/testing/leaks.js";
import { startServer, type TestServer } from "../../../tools/testing/servers.js";
import { createF24Client, type F24ClientOptions, type F24SendRequest } from "../src/index.js";

// Secrets with the characters that encode differently everywhere: ' / & space and non-ASCII
// (Latin-1, since both travel as headers).
const ACCESS_KEY = "f24 'k/e&y' ø-0123456789";
const ACCESS_TOKEN = "tok 'a/b&c' æ-abcdefghijklmnop";
const SECRETS = [ACCESS_KEY, ACCESS_TOKEN];
const BASE_URL = "https://sms.customer.example/api";
const body: F24SendRequest = { Messages: [{ Sender: "AcmeShop", Recipient: "+4712345678", Content: "hi" }] };
const queued = {
  Recipients: [{ Status: "Queued", Valid: true, Recipient: "+4712345678" }],
  Status: "1 messages queued",
  BatchId: "3F2504E0-4F89-41D3-9A0C-0305E82C3301",
};

const f24Error = (status: number, Title: string, Details = "", headers: Record<string, string> = {}) =>
  json({ Errors: [{ Title, Details, Code: status }] }, status, headers);

const clientWith = (fetch: F24ClientOptions["fetch"], extra: Partial<F24ClientOptions> = {}) =>
  createF24Client({
    accessKey: ACCESS_KEY,
    accessToken: ACCESS_TOKEN,
    baseUrl: BASE_URL,
    fetch,
    clock: fakeClock().clock,
    ...extra,
  });

const thrown = (build: () => unknown): unknown => {
  try {
    build();
  } catch (error) {
    return error;
  }
  return undefined;
};

const servers: TestServer[] = [];
async function server(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const started = await startServer(handler);
  servers.push(started);
  return started;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((started) => started.close()));
});

describe("credentials and options", () => {
  it("sends both credentials as AccessKey and AccessToken headers to the customer's URL, never in it", async () => {
    const scripted = scriptedFetch(json(queued));
    const result = await clientWith(scripted.fetch, { baseUrl: `${BASE_URL}/` }).sendSmsExt(body);
    const request = scripted.last;
    expect(request.method).toBe("POST");
    expect(request.url).toBe(`${BASE_URL}/SendSMSExt`);
    expect(request.headers.get("AccessKey")).toBe(ACCESS_KEY);
    expect(request.headers.get("AccessToken")).toBe(ACCESS_TOKEN);
    expect(request.headers.get("authorization")).toBeNull();
    expect(request.headers.get("content-type")).toContain("application/json");
    expect(JSON.parse(request.body)).toEqual(body);
    expect(result).toEqual(queued);
  });

  it("refuses to start without a baseUrl, because F24 has no public endpoint", () => {
    const noBaseUrl = { accessKey: ACCESS_KEY, accessToken: ACCESS_TOKEN } as F24ClientOptions;
    const error = thrown(() => createF24Client(noBaseUrl));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({ code: "MISSING_BASE_URL" });
    expect((error as Error).message).toMatch(/baseUrl is required.*support\.norge@f24\.com/);
    expect(thrown(() => createF24Client({ ...noBaseUrl, baseUrl: " " }))).toBeInstanceOf(ConfigurationError);
  });

  it("refuses to start without either credential", () => {
    const options = { accessKey: ACCESS_KEY, accessToken: ACCESS_TOKEN, baseUrl: BASE_URL };
    expect(thrown(() => createF24Client({ ...options, accessKey: "" }))).toMatchObject({
      code: "MISSING_CREDENTIAL",
      details: { option: "accessKey" },
    });
    expect(thrown(() => createF24Client({ ...options, accessToken: " " }))).toMatchObject({
      code: "MISSING_CREDENTIAL",
      details: { option: "accessToken" },
    });
    expect(thrown(() => createF24Client(null as never))).toBeInstanceOf(ConfigurationError);
  });

  it.each([
    ["a character beyond Latin-1", "key€-0123456789"],
    ["a line break", "key\r\nX-Injected: 1"],
    ["a NUL", "key\u0000-0123456789"],
    ["surrounding spaces", " key-0123456789 "],
  ])("refuses a credential with %s at construction, without quoting it", (_, credential) => {
    for (const option of ["accessKey", "accessToken"] as const) {
      const error = thrown(() =>
        createF24Client({
          accessKey: ACCESS_KEY,
          accessToken: ACCESS_TOKEN,
          baseUrl: BASE_URL,
          [option]: credential,
        }),
      );
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error).toMatchObject({ provider: "f24", code: "INVALID_CREDENTIAL", details: { option } });
      expectNoLeak(error, [credential.trim(), ...SECRETS]);
    }
  });

  it("refuses clear-text, user-info and unparsable base URLs, quoting no secret", () => {
    for (const baseUrl of [
      "http://sms.customer.example",
      "http://127.evil.example",
      "http://127.0.0.1.nip.io",
      "not a url",
      `https://user:${encodeURIComponent(ACCESS_TOKEN)}@sms.customer.example`,
    ]) {
      const error = thrown(() =>
        createF24Client({ accessKey: ACCESS_KEY, accessToken: ACCESS_TOKEN, baseUrl }),
      );
      expect(error, baseUrl).toBeInstanceOf(ConfigurationError);
      expectNoLeak(error, SECRETS);
    }
  });
});

describe("every documented status becomes its typed error", () => {
  it.each([
    [400, ValidationError, "Invalid JSON format in request"],
    [401, AuthenticationError, "Not authorized"],
    [404, NotFoundError, "Search for data failed"],
    [460, ValidationError, "Invalid or missing data in JSON request"],
    [461, ValidationError, "Duplicate entity is not allowed"],
    [462, ValidationError, "Entity is in use and cannot be removed"],
    [500, ServerError, "System error"],
    [520, ServerError, "Database error"],
  ])("HTTP %i → %o with F24's Code and Title", async (status, type, title) => {
    const scripted = scriptedFetch(f24Error(status, title, "more"));
    const error = (await rejection(clientWith(scripted.fetch).sendSmsExt(body))) as SmsKitError;
    expect(error.constructor).toBe(type);
    expect(error).toMatchObject({ provider: "f24", status, code: status, providerMessage: `${title}: more` });
    expect(error.message).toBe(
      `[f24] HTTP ${status} ${status}: ${title}: more (POST ${BASE_URL}/SendSMSExt)`,
    );
    expect(error.retryable).toBe(false);
    expect(scripted.requests).toHaveLength(1);
  });

  it("keeps the first error's Code even when it differs from the status, and lists every error", async () => {
    const errors = [
      {
        Title: "Invalid or missing data in JSON request",
        Details: "Messages[0].Sender is missing.",
        Code: 460,
      },
      {
        Title: "Invalid or missing data in JSON request",
        Details: "Messages[1].Content is missing.",
        Code: 4601,
      },
    ];
    const scripted = scriptedFetch(json({ Errors: errors }, 460));
    const error = (await rejection(clientWith(scripted.fetch).sendSmsExt(body))) as SmsKitError;
    expect(error).toMatchObject({ status: 460, code: 460, details: errors });
    expect(error.providerMessage).toBe(
      "Invalid or missing data in JSON request: Messages[0].Sender is missing.",
    );
  });

  it("classifies by status when the body is not F24's (a CDN's 520 page, an empty 404)", async () => {
    const scripted = scriptedFetch(
      new Response("<html>520: Web server is returning an unknown error</html>", { status: 520 }),
      new Response(null, { status: 404 }),
    );
    const client = clientWith(scripted.fetch);
    const cdn = await rejection(client.sendSmsExt(body));
    expect(cdn).toBeInstanceOf(ServerError);
    expect(cdn).toMatchObject({ status: 520, code: undefined });
    expect(await rejection(client.sendSmsExt(body))).toBeInstanceOf(NotFoundError);
  });
});

describe("credentials never leak, whatever the gateway echoes", () => {
  const line = `POST /api/SendSMSExt HTTP/1.1\r\nAccessKey: ${ACCESS_KEY}\r\nAccessToken: ${ACCESS_TOKEN}`;
  const echo = echoBody(line, SECRETS);
  const headers = {
    "x-echo": echoHeader(SECRETS),
    "sl-violations": JSON.stringify([{ location: ["request", "header"], message: echoHeader(SECRETS) }]),
  };

  it.each([
    [
      "a 401 in F24's envelope",
      () => f24Error(401, `Not authorized: ${echo}`, echo, headers),
      AuthenticationError,
    ],
    [
      "a 460 whose details echo the request",
      () =>
        json(
          {
            Errors: [
              { Title: echo, Details: echo, Code: 460 },
              { Title: echo, Code: 4601 },
            ],
          },
          460,
          headers,
        ),
      ValidationError,
    ],
    ["a 401 text", () => new Response(echo, { status: 401, headers }), AuthenticationError],
    [
      "a 502 HTML page",
      () =>
        new Response(`<html><pre>${echo}</pre></html>`, {
          status: 502,
          headers: { "content-type": "text/html", ...headers },
        }),
      ServerError,
    ],
    [
      "a 400 problem+json",
      () =>
        new Response(JSON.stringify({ title: echo, detail: echo }), {
          status: 400,
          headers: { "content-type": "application/problem+json", ...headers },
        }),
      ValidationError,
    ],
    ["a malformed 200", () => json({ Status: echo, BatchId: echo }, 200, headers), UnknownOutcomeError],
  ])("%s", async (_, answer, type) => {
    const scripted = scriptedFetch(answer);
    const error = await rejection(clientWith(scripted.fetch, { retry: false }).sendSmsExt(body));
    expect(error).toBeInstanceOf(type);
    expectNoLeak(error, SECRETS);
  });

  it("keeps them out of a connection failure that quotes the request", async () => {
    const failure = Object.assign(new TypeError(`fetch failed: ${echo}`), {
      cause: Object.assign(new Error(`socket hang up ${ACCESS_TOKEN}`), { code: "ECONNRESET" }),
    });
    const error = await rejection(clientWith(scriptedFetch(failure).fetch).sendSmsExt(body));
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expectNoLeak(error, SECRETS);
  });

  it("keeps them out of retry log lines", async () => {
    const lines: string[] = [];
    const scripted = scriptedFetch(
      new Response(echo, { status: 503, headers: { "retry-after": "0" } }),
      json(queued),
    );
    await clientWith(scripted.fetch, { logger: { warn: (message) => lines.push(message) } }).sendSmsExt(body);
    expect(lines).toHaveLength(1);
    expectNoLeak(new Error(lines.join("\n")), SECRETS);
  });
});

describe("a send never follows a redirect (real loopback servers)", () => {
  it.each([301, 302, 303, 307, 308])(
    "a %i stays at the first origin, with its credentials",
    async (redirect) => {
      const elsewhere = await server((_request, response) => {
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(queued));
      });
      const location = `${elsewhere.url}/steal?AccessToken=${encodeURIComponent(ACCESS_TOKEN)}&token=${encodeURIComponent(ACCESS_KEY)}`;
      const gateway = await server((_request, response) => {
        response.writeHead(redirect, { location }).end();
      });
      const client = createF24Client({
        accessKey: ACCESS_KEY,
        accessToken: ACCESS_TOKEN,
        baseUrl: gateway.url,
      });
      const error = await rejection(client.sendSmsExt(body));
      expect(error).toBeInstanceOf(RedirectError);
      expect(error).not.toBeInstanceOf(UnknownOutcomeError);
      expect((error as RedirectError).retryable).toBe(false);
      expect((error as RedirectError).location).toContain(elsewhere.url);
      expect(gateway.arrivals).toHaveLength(1);
      expect(gateway.arrivals[0]?.headers.accesskey).toBeDefined();
      expect(gateway.arrivals[0]?.headers.accesstoken).toBeDefined();
      expect(elsewhere.arrivals).toHaveLength(0);
      expectNoLeak(error, SECRETS);
    },
  );
});

describe("a 200 without the documented shape is never taken for an acceptance", () => {
  const entry = queued.Recipients[0];
  it.each([
    ["an empty body", () => new Response("", { status: 200 })],
    ["204", () => new Response(null, { status: 204 })],
    ["{}", () => json({})],
    ["null", () => json(null)],
    ["[]", () => json([])],
    [
      "HTML",
      () => new Response("<html>proxy</html>", { status: 200, headers: { "content-type": "text/html" } }),
    ],
    ["no BatchId", () => json({ ...queued, BatchId: undefined })],
    ["an empty BatchId", () => json({ ...queued, BatchId: "" })],
    ["BatchId as a number", () => json({ ...queued, BatchId: 42 })],
    ["no Status", () => json({ ...queued, Status: undefined })],
    ["no Recipients", () => json({ ...queued, Recipients: undefined })],
    ["Recipients as an object", () => json({ ...queued, Recipients: entry })],
    ["an entry without Valid", () => json({ ...queued, Recipients: [{ ...entry, Valid: undefined }] })],
    ["Valid as a string", () => json({ ...queued, Recipients: [{ ...entry, Valid: "true" }] })],
    ["Recipient as a number", () => json({ ...queued, Recipients: [{ ...entry, Recipient: 4712345678 }] })],
    ["an entry that is null", () => json({ ...queued, Recipients: [null] })],
  ])("%s → UnknownOutcomeError, sent once", async (_, answer) => {
    const scripted = scriptedFetch(answer, json(queued));
    const error = await rejection(clientWith(scripted.fetch).sendSmsExt(body));
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(error).toMatchObject({ provider: "f24", code: "MALFORMED_ANSWER" });
    expect(scripted.requests).toHaveLength(1);
  });

  it("stops reading an endless answer at maxResponseBytes: an unknown outcome, memory bounded", async () => {
    const floods: Array<ReturnType<typeof flood>> = [];
    const gateway = await server((_request, response) => {
      floods.push(flood(response));
    });
    const client = createF24Client({
      accessKey: ACCESS_KEY,
      accessToken: ACCESS_TOKEN,
      baseUrl: gateway.url,
      maxResponseBytes: 64 * 1024,
    });
    const error = await rejection(client.sendSmsExt(body));
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect((error as UnknownOutcomeError).cause).toMatchObject({ code: "RESPONSE_TOO_LARGE" });
    expect(gateway.arrivals).toHaveLength(1);
    // The client hung up long before the 64 MiB safety net: it read a bounded part only.
    expect(await floods[0]?.stopped).toBe(true);
  });

  it("refuses an answer whose Content-Length is over the limit without reading it", async () => {
    const gateway = await server((_request, response) => {
      response.writeHead(200, { "content-type": "application/json", "content-length": String(2 ** 30) });
      response.write("{");
    });
    const client = createF24Client({
      accessKey: ACCESS_KEY,
      accessToken: ACCESS_TOKEN,
      baseUrl: gateway.url,
    });
    const error = await rejection(client.sendSmsExt(body));
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect((error as UnknownOutcomeError).cause).toMatchObject({ code: "RESPONSE_TOO_LARGE" });
  });
});

describe("the retry rule: a send is never resent unless F24 certainly refused it", () => {
  it.each([500, 520])("does not resend a send answered %i", async (status) => {
    const scripted = scriptedFetch(f24Error(status, "System error"), json(queued));
    expect(
      await rejection(clientWith(scripted.fetch, { retry: { maxRetries: 3 } }).sendSmsExt(body)),
    ).toBeInstanceOf(ServerError);
    expect(scripted.requests).toHaveLength(1);
  });

  it("never resends a send whose answer did not arrive in time", async () => {
    const scripted = scriptedFetch("hang", json(queued));
    const error = await rejection(clientWith(scripted.fetch, { timeoutMs: 20 }).sendSmsExt(body));
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(scripted.requests).toHaveLength(1);
  });

  it("never resends a send whose connection was reset after it went out", async () => {
    const scripted = scriptedFetch(connectionError("ECONNRESET"), json(queued));
    const error = await rejection(clientWith(scripted.fetch).sendSmsExt(body));
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect((error as UnknownOutcomeError).cause).toBeInstanceOf(NetworkError);
    expect(scripted.requests).toHaveLength(1);
  });

  it("resends when the connection was refused, so F24 never saw the request", async () => {
    const scripted = scriptedFetch(connectionError("ECONNREFUSED"), json(queued));
    expect((await clientWith(scripted.fetch).sendSmsExt(body)).BatchId).toBe(queued.BatchId);
    expect(scripted.requests).toHaveLength(2);
  });

  it.each([
    [
      "a 503 in front of F24",
      () => new Response("Service Unavailable", { status: 503 }),
      ServiceUnavailableError,
    ],
    [
      "a 429 with Retry-After",
      () => new Response("", { status: 429, headers: { "retry-after": "2" } }),
      RateLimitError,
    ],
  ])("resends after %s, which refused before processing, with the same body", async (_, refusal, type) => {
    const { clock, sleeps } = fakeClock();
    const scripted = scriptedFetch(refusal, json(queued));
    await clientWith(scripted.fetch, { clock, random: () => 0 }).sendSmsExt(body);
    expect(scripted.requests).toHaveLength(2);
    expect(scripted.requests[1]?.body).toBe(scripted.requests[0]?.body);
    expect(sleeps).toEqual([type === RateLimitError ? 2000 : 500]);
  });
});

// --- Input: a result or an SmsKitError, and invalid input never goes out. ---

const RECIPIENT = /^\+[1-9][0-9]{6,14}$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const hostile = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.constantFrom("", " ", "\u0000", "\uD800", "a\uDC00b", "x".repeat(100_000)),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.object(),
  fc.array(fc.anything(), { maxLength: 3 }),
);
const e164 = fc
  .tuple(fc.integer({ min: 1, max: 9 }), fc.stringMatching(/^[0-9]{6,14}$/))
  .map(([first, rest]) => `+${first}${rest}`);
const outgoing = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      Sender: fc.oneof(
        { weight: 4, arbitrary: fc.string({ minLength: 1 }) },
        { weight: 1, arbitrary: hostile },
      ),
      Recipient: fc.oneof({ weight: 4, arbitrary: e164 }, { weight: 1, arbitrary: hostile }),
      Content: fc.oneof(
        { weight: 4, arbitrary: fc.string({ minLength: 1 }) },
        { weight: 1, arbitrary: hostile },
      ),
    }),
  },
  { weight: 1, arbitrary: hostile },
);
const requests = fc.oneof(
  { weight: 6, arbitrary: fc.record({ Messages: fc.array(outgoing, { maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ Messages: hostile }) },
  { weight: 1, arbitrary: fc.anything() },
);

/** The spec's constraints on `SendSMSExt`'s data, written from the spec. */
function specAccepts(request: unknown): boolean {
  if (request === null || typeof request !== "object" || Array.isArray(request)) return false;
  const { Messages } = request as { Messages?: unknown };
  return (
    Array.isArray(Messages) &&
    Messages.length >= 1 &&
    Messages.every((message) => {
      if (message === null || typeof message !== "object" || Array.isArray(message)) return false;
      const { Sender, Recipient, Content } = message as Record<string, unknown>;
      return (
        typeof Sender === "string" &&
        Sender.trim() !== "" &&
        typeof Recipient === "string" &&
        RECIPIENT.test(Recipient) &&
        typeof Content === "string" &&
        Content !== "" &&
        !LONE_SURROGATE.test(Content)
      );
    })
  );
}

describe("input (properties, 2000 runs each)", () => {
  it("sendSmsExt sends exactly what the spec accepts, and refuses anything else typed and offline", async () => {
    await fc.assert(
      fc.asyncProperty(requests, async (request) => {
        const scripted = scriptedFetch(json(queued));
        const outcome = await clientWith(scripted.fetch)
          .sendSmsExt(request as F24SendRequest)
          .then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          );
        if (!specAccepts(request)) {
          expect("error" in outcome && outcome.error).toBeInstanceOf(ValidationError);
          expect(scripted.requests).toHaveLength(0);
          return;
        }
        expect(outcome).toEqual({ value: queued });
        expect(scripted.requests).toHaveLength(1);
        expect(JSON.parse(scripted.last.body)).toEqual(request);
      }),
      { numRuns: 2000 },
    );
  });

  it("names the field that is wrong, with the class of what is wrong", async () => {
    const scripted = scriptedFetch();
    const client = clientWith(scripted.fetch);
    const message = body.Messages[0] as F24SendRequest["Messages"][number];
    const cases: Array<[unknown, string, typeof ValidationError]> = [
      [{ Messages: [] }, "Messages", ValidationError],
      [{ Messages: [{ ...message, Sender: " " }] }, "Messages[0].Sender", InvalidSenderError],
      [
        { Messages: [message, { ...message, Recipient: "4712345678" }] },
        "Messages[1].Recipient",
        InvalidRecipientError,
      ],
      [{ Messages: [{ ...message, Content: "\uD83D" }] }, "Messages[0].Content", ValidationError],
    ];
    for (const [request, field, type] of cases) {
      const error = await rejection(client.sendSmsExt(request as F24SendRequest));
      expect(error).toBeInstanceOf(type);
      expect(error).toMatchObject({ provider: "f24", code: "INVALID_REQUEST", details: { field } });
    }
    expect(scripted.requests).toHaveLength(0);
  });
});
