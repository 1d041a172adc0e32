/** Unit tests with an injected fetch: where the credentials go, the query order, the answers, redaction. */
import {
  AuthenticationError,
  InvalidRecipientError,
  InvalidSenderError,
  MessageRejectedError,
  NetworkError,
  ServerError,
  type SmsKitError,
  TimeoutError,
  UnexpectedResponseError,
  UnknownOutcomeError,
  ValidationError,
} from "@smskit/core";
import { describe, expect, it } from "vitest";
import { json, recording } from "../../../tools/mock/scripted-fetch.js";
import {
  createSmartSwitchClient,
  type SmartSwitchClientOptions,
  serializeRecipientGroups,
} from "../src/index.js";

const BASE_URL = "https://sms.operator.example";
const LOGIN = "acme-login";
// Characters that URL encoding changes, so a leak in any encoded form would show.
const PASSWORD = "p@ss w0rd&x=1+y";
const ENCODED_PASSWORD = encodeURIComponent(PASSWORD);

const resource = (id: string, destination: string, status: "ok" | "error" = "ok", requestId?: string) => ({
  id,
  type: "message",
  attributes: { destination_number: destination, segments: 1, status },
  ...(requestId === undefined ? {} : { meta: { request_id: requestId } }),
});

function clientWith(
  fetch: (request: Request) => Promise<Response>,
  extra: Partial<SmartSwitchClientOptions> = {},
) {
  return createSmartSwitchClient({ login: LOGIN, password: PASSWORD, baseUrl: BASE_URL, fetch, ...extra });
}

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected a failure");
    },
    (error: unknown) => error as SmsKitError,
  );

/** Every place a credential could leak from an error. */
function expectNoCredentials(error: SmsKitError) {
  const causes: unknown[] = [];
  for (let cause: unknown = error.cause; cause; cause = (cause as Error).cause) causes.push(cause);
  const texts = [
    error.message,
    error.stack,
    String(error),
    JSON.stringify(error),
    JSON.stringify(error.body),
    error.request?.url,
    ...causes.flatMap((cause) => [String(cause), (cause as Error).stack, JSON.stringify(cause)]),
  ];
  for (const text of texts) {
    for (const secret of [LOGIN, PASSWORD, ENCODED_PASSWORD, ENCODED_PASSWORD.replace(/%20/g, "+")]) {
      expect(text ?? "").not.toContain(secret);
    }
  }
}

describe("the request", () => {
  it("puts the credentials first in the query of a body-less POST, as the documentation does", async () => {
    const { fetch, requests } = recording(() => json({ data: resource("1", "4712345678") }));
    await clientWith(fetch).sendMessages([{ to: "+4712345678", body: "hi" }]);
    const [request] = requests;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe(
      `${BASE_URL}/api/message?_login=acme-login&_password=${ENCODED_PASSWORD}` +
        "&destination_number=4712345678&body=hi&require_dlr=0&stealth_ping=0",
    );
    expect(await request?.text()).toBe("");
    expect(new URL(request?.url ?? "").searchParams.get("_password")).toBe(PASSWORD);
  });

  it("writes each recipient's group whole before the next one", async () => {
    const { fetch, requests } = recording(() =>
      json({ data: [resource("1", "4712345678"), resource("2", "4798765432")] }),
    );
    await clientWith(fetch).sendMessages([
      { to: "+47 123 45 678", body: "første", from: "Shop", requireDlr: true, requestId: "a" },
      { to: "004798765432", body: "second", from: "Shop", stealthPing: true, requestId: "b" },
    ]);
    expect(new URL(requests[0]?.url ?? "").search).toBe(
      `?_login=acme-login&_password=${ENCODED_PASSWORD}` +
        "&destination_number=4712345678&body=f%C3%B8rste&source_name=Shop&require_dlr=1&stealth_ping=0&request_id=a" +
        "&destination_number=4798765432&body=second&source_name=Shop&require_dlr=0&stealth_ping=1&request_id=b",
    );
  });

  it("numbers the request_id of recipients that have none, so the groups stay aligned", async () => {
    const { fetch, requests } = recording(() =>
      json({ data: [resource("1", "4712345678"), resource("2", "4798765432")] }),
    );
    await clientWith(fetch).sendMessages([
      { to: "+4712345678", body: "a" },
      { to: "+4798765432", body: "b", requestId: "mine" },
    ]);
    expect(new URL(requests[0]?.url ?? "").searchParams.getAll("request_id")).toEqual(["1", "mine"]);
  });

  it("sends a numeric sender as source_number without +", async () => {
    const { fetch, requests } = recording(() => json({ data: resource("1", "4712345678") }));
    await clientWith(fetch).sendMessages([{ to: "+4712345678", body: "a", from: "+4722334455" }]);
    const query = new URL(requests[0]?.url ?? "").searchParams;
    expect(query.get("source_number")).toBe("4722334455");
    expect(query.has("source_name")).toBe(false);
  });

  it.each([
    [[{ to: "12345678", body: "x" }], InvalidRecipientError, "INVALID_E164"],
    [[{ to: "+4712345678", body: "" }], ValidationError, "EMPTY_BODY"],
    [[{ to: "+4712345678", body: "x", from: "ThisNameIsTooLong" }], InvalidSenderError, "SENDER_TOO_LONG"],
    [[{ to: "+4712345678", body: "x", from: "+1234567890123456" }], InvalidSenderError, "SENDER_TOO_LONG"],
    [[{ to: "+4712345678", body: "x", from: " " }], InvalidSenderError, "INVALID_SENDER"],
    [
      [
        { to: "+4712345678", body: "x", from: "Shop" },
        { to: "+4798765432", body: "y" },
      ],
      ValidationError,
      "RECIPIENT_GROUPS_MISALIGNED",
    ],
    [
      [
        { to: "+4712345678", body: "x", from: "Shop" },
        { to: "+4798765432", body: "y", from: "4790000000" },
      ],
      ValidationError,
      "RECIPIENT_GROUPS_MISALIGNED",
    ],
    [[], ValidationError, "NO_RECIPIENTS"],
  ])("refuses %j before sending", async (recipients, type, code) => {
    const { fetch, requests } = recording();
    const error = await failureOf(clientWith(fetch).sendMessages(recipients));
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ provider: "smartswitch", code });
    expect(requests).toHaveLength(0);
  });

  it("refuses a URL longer than maxUrlLength before sending, and takes a raised limit", async () => {
    const recipients = Array.from({ length: 30 }, (_, index) => ({
      to: `+47900000${String(index).padStart(2, "0")}`,
      // 160 characters, each space written as %20 in the URL
      body: "ab ".repeat(53).concat("c"),
    }));
    const { fetch, requests } = recording(() =>
      json({ data: recipients.map((recipient, index) => resource(String(index), recipient.to.slice(1))) }),
    );
    const error = await failureOf(clientWith(fetch).sendMessages(recipients));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.code).toBe("URL_TOO_LONG");
    expect(requests).toHaveLength(0);
    const report = await clientWith(fetch, { maxUrlLength: 20_000 }).sendMessages(recipients);
    expect(report.allSent).toBe(true);
  });

  it("refuses to start without credentials, without a base URL or with a clear-text remote URL", () => {
    const options = { login: LOGIN, password: PASSWORD, baseUrl: BASE_URL };
    expect(() => createSmartSwitchClient({ ...options, login: "" })).toThrow(/login is required/);
    expect(() => createSmartSwitchClient({ ...options, password: "" })).toThrow(/password is required/);
    // @ts-expect-error baseUrl is required by the type too
    expect(() => createSmartSwitchClient({ login: LOGIN, password: PASSWORD })).toThrow(TypeError);
    expect(() => createSmartSwitchClient({ ...options, baseUrl: "" })).toThrow(/baseUrl is required/);
    expect(() => createSmartSwitchClient({ ...options, baseUrl: "http://sms.operator.example" })).toThrow(
      /https/,
    );
  });
});

describe("serializeRecipientGroups", () => {
  it("refuses arguments that do not have one value per recipient", () => {
    expect(() =>
      serializeRecipientGroups({ destination_number: ["4712345678", "4798765432"], source_name: ["Shop"] }),
    ).toThrow(ValidationError);
  });
});

describe("the answer", () => {
  const two = [
    { to: "+4712345678", body: "a" },
    { to: "+4798765432", body: "b" },
  ];

  it("turns data as an object or an array into one result per recipient", async () => {
    const { fetch } = recording(
      () => json({ data: resource("10", "4712345678", "ok", "r1") }),
      () =>
        new Response(JSON.stringify({ data: [resource("11", "4712345678"), resource("12", "4798765432")] }), {
          headers: { "content-type": "application/vnd.api+json" },
        }),
    );
    const client = clientWith(fetch);
    const one = await client.sendMessages([{ to: "+4712345678", body: "a", requestId: "r1" }]);
    expect(one.results).toEqual([
      {
        ok: true,
        to: "+4712345678",
        destinationNumber: "4712345678",
        id: "10",
        segments: 1,
        requestId: "r1",
        resource: resource("10", "4712345678", "ok", "r1"),
      },
    ]);
    const both = await client.sendMessages(two);
    expect(both.allSent).toBe(true);
    expect(both.results.map((result) => result.ok && result.id)).toEqual(["11", "12"]);
  });

  it("reports status error as a MessageRejectedError for that recipient only", async () => {
    const { fetch } = recording(() =>
      json({ data: [resource("11", "4712345678"), resource("12", "4798765432", "error")] }),
    );
    const report = await clientWith(fetch).sendMessages(two);
    expect(report.allSent).toBe(false);
    const failed = report.results[1];
    expect(failed?.ok).toBe(false);
    if (failed?.ok !== false) return;
    expect(failed.error).toBeInstanceOf(MessageRejectedError);
    expect(failed.error).toMatchObject({ provider: "smartswitch", code: "error", status: 200 });
    expect(failed.error.request?.url).toContain("_login=***&_password=***");
    expect(failed.resource?.id).toBe("12");
  });

  it("trusts the documented order when the counts match, and says so when a number differs", async () => {
    const warnings: string[] = [];
    const { fetch } = recording(() =>
      json({ data: [resource("11", "4712345678"), resource("12", "4700000000")] }),
    );
    const report = await clientWith(fetch, { logger: { warn: (line) => warnings.push(line) } }).sendMessages(
      two,
    );
    expect(report.results.map((result) => result.ok && result.id)).toEqual(["11", "12"]);
    expect(warnings).toEqual([expect.stringContaining("recipient 2 of 2")]);
  });

  it("matches a short answer by destination_number and fails the recipients it leaves out", async () => {
    const { fetch } = recording(() => json({ data: [resource("12", "4798765432")] }));
    const report = await clientWith(fetch).sendMessages(two);
    const [missing, found] = report.results;
    expect(found).toMatchObject({ ok: true, id: "12", to: "+4798765432" });
    expect(missing?.ok).toBe(false);
    if (missing?.ok !== false) return;
    expect(missing.error).toBeInstanceOf(UnexpectedResponseError);
    expect(missing.error.message).toMatch(/1 results for 2 recipients.*do not resend it blindly/);
  });

  it("fails a recipient whose result has an unknown shape or status", async () => {
    const { fetch } = recording(() =>
      json({
        data: [
          { id: "11", type: "message", attributes: { destination_number: "4712345678", status: "maybe" } },
          resource("12", "4798765432"),
        ],
      }),
    );
    const report = await clientWith(fetch).sendMessages(two);
    expect(report.results[0]?.ok === false && report.results[0].error).toBeInstanceOf(
      UnexpectedResponseError,
    );
    expect(report.results[1]?.ok).toBe(true);
  });

  it.each([
    [
      "an errors document with another code under 200",
      () => json({ errors: [{ code: "balance", title: "No money", detail: "Top up" }] }),
      MessageRejectedError,
      200,
      "balance",
    ],
    [
      "an errors document under 422",
      () => json({ errors: [{ code: "validation", title: "Bad", detail: "body" }] }, 422),
      ValidationError,
      422,
      "validation",
    ],
    [
      "an authentication errors document under 200",
      () =>
        json({
          errors: [
            {
              code: "authentication",
              title: "Authentication error",
              detail: "Please check your login and password",
            },
          ],
        }),
      AuthenticationError,
      200,
      "authentication",
    ],
    ["a 401 without a body", () => new Response(null, { status: 401 }), AuthenticationError, 401, undefined],
    ["a 403 without a body", () => new Response("", { status: 403 }), AuthenticationError, 403, undefined],
    ["a 500", () => new Response("oops", { status: 500 }), ServerError, 500, undefined],
  ])("throws the typed error for %s", async (_, answer, type, status, code) => {
    const { fetch } = recording(answer);
    const error = await failureOf(clientWith(fetch).sendMessages(two));
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ provider: "smartswitch", status, code });
    expectNoCredentials(error);
  });

  it("keeps title and detail of every error as the provider message", async () => {
    const { fetch } = recording(() =>
      json({
        errors: [
          { code: "balance", title: "No money", detail: "Top up" },
          { code: "other", title: "Second", detail: "" },
        ],
      }),
    );
    const error = await failureOf(clientWith(fetch).sendMessages(two));
    expect(error.providerMessage).toBe("No money: Top up; Second");
    expect(error.details).toHaveLength(2);
  });

  it.each([
    ["HTML", () => new Response("<html>proxy error</html>", { status: 200 })],
    ["an empty body", () => new Response("", { status: 200 })],
    ["neither data nor errors", () => json({ meta: {} })],
    ["data null", () => json({ data: null })],
  ])("turns a 200 with %s into UnexpectedResponseError", async (_, answer) => {
    const { fetch } = recording(answer);
    const error = await failureOf(clientWith(fetch).sendMessages(two));
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expectNoCredentials(error);
  });
});

describe("credentials never leak", () => {
  const message = [{ to: "+4712345678", body: "hi" }];

  it("from a connection reset: UnknownOutcomeError, nothing resent", async () => {
    const { fetch, requests } = recording((request) => {
      // undici-like: the message quotes the full URL, credentials and all
      throw Object.assign(new TypeError(`fetch failed for ${request.url}`), {
        cause: Object.assign(new Error(`socket hang up ${request.url}`), { code: "ECONNRESET" }),
      });
    });
    const error = await failureOf(clientWith(fetch).sendMessages(message));
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(error.cause).toBeInstanceOf(NetworkError);
    expect(error.request?.url).toBe(
      `${BASE_URL}/api/message?_login=***&_password=***&destination_number=4712345678&body=hi&require_dlr=0&stealth_ping=0`,
    );
    expect(requests).toHaveLength(1);
    expectNoCredentials(error);
  });

  it("from a 401 whose detail echoes the password", async () => {
    const { fetch } = recording(() =>
      json(
        { errors: [{ code: "authentication", title: "Authentication error", detail: `bad ${PASSWORD}` }] },
        401,
      ),
    );
    const error = await failureOf(clientWith(fetch).sendMessages(message));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.providerMessage).toBe("Authentication error: bad ***");
    expectNoCredentials(error);
  });

  it("from an unexpected body that quotes the request URL", async () => {
    const { fetch } = recording(
      (request) => new Response(`<html>cannot serve ${request.url}</html>`, { status: 502 }),
    );
    const error = await failureOf(clientWith(fetch).sendMessages(message));
    expect(error).toBeInstanceOf(ServerError);
    expect(String(error.body)).toContain("***");
    expectNoCredentials(error);
  });

  it("from a timeout: UnknownOutcomeError with the TimeoutError as cause, nothing resent", async () => {
    const { fetch, requests } = recording(() => new Promise<Response>(() => {}));
    const error = await failureOf(clientWith(fetch, { timeoutMs: 20 }).sendMessages(message));
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(error.cause).toBeInstanceOf(TimeoutError);
    expect(error.request?.url).toContain("_login=***&_password=***");
    expect(requests).toHaveLength(1);
    expectNoCredentials(error);
  });

  it("from the retry lines of the logger", async () => {
    const lines: string[] = [];
    const { fetch, requests } = recording(
      () => new Response(null, { status: 503 }),
      () => {
        throw Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } });
      },
      () => json({ data: resource("1", "4712345678") }),
    );
    const report = await clientWith(fetch, {
      retry: { initialDelayMs: 0 },
      logger: { warn: (line) => lines.push(line), debug: (line) => lines.push(line) },
    }).sendMessages(message);
    expect(report.allSent).toBe(true);
    expect(requests).toHaveLength(3);
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).toContain("_login=***&_password=***");
      for (const secret of [LOGIN, PASSWORD, ENCODED_PASSWORD]) expect(line).not.toContain(secret);
    }
  });
});
