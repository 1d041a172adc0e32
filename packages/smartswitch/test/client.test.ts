/** Unit tests with an injected fetch: where the credentials go, the query order, the answers, redaction. */
import {
  AuthenticationError,
  ConfigurationError,
  InvalidRecipientError,
  InvalidSenderError,
  MessageRejectedError,
  NetworkError,
  realClock,
  ServerError,
  type SmsKitError,
  TimeoutError,
  UnknownOutcomeError,
  ValidationError,
} from "@smskit/core";
import { describe, expect, it } from "vitest";
import { manualTimers } from "../../../tools/testing/clock.js";
import { connectionError, type FetchLike, json, scriptedFetch } from "../../../tools/testing/fetch.js";
import { expectNoLeak } from "../../../tools/testing/leaks.js";
import {
  createSmartSwitchClient,
  type SmartSwitchClientOptions,
  serializeRecipientGroups,
} from "../src/index.js";

const BASE_URL = "https://sms.operator.example";
const LOGIN = "acme-login";
// Characters that URL encoding changes, so a leak in any encoded form would show.
const PASSWORD = "p@ss w0rd&x=1+y'";
// The URL parser writes ' as %27 in a query, so that is how it goes on the wire (and must be redacted).
const ENCODED_PASSWORD = encodeURIComponent(PASSWORD).replace(/'/g, "%27");

const resource = (id: string, destination: string, status: "ok" | "error" = "ok", requestId?: string) => ({
  id,
  type: "message",
  attributes: { destination_number: destination, segments: 1, status },
  ...(requestId === undefined ? {} : { meta: { request_id: requestId } }),
});

function clientWith(fetch: FetchLike, extra: Partial<SmartSwitchClientOptions> = {}) {
  return createSmartSwitchClient({ login: LOGIN, password: PASSWORD, baseUrl: BASE_URL, fetch, ...extra });
}

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected a failure");
    },
    (error: unknown) => error as SmsKitError,
  );

/** Every place a credential could leak from an error, in every encoding a gateway may echo. */
const expectNoCredentials = (error: SmsKitError) => expectNoLeak(error, [LOGIN, PASSWORD]);

describe("the request", () => {
  it("puts the credentials first in the query of a body-less POST, as the documentation does", async () => {
    const { fetch, requests } = scriptedFetch(() => json({ data: resource("1", "4712345678") }));
    await clientWith(fetch).sendMessages([{ to: "+4712345678", body: "hi" }]);
    const [request] = requests;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe(
      `${BASE_URL}/api/message?_login=acme-login&_password=${ENCODED_PASSWORD}` +
        "&destination_number=4712345678&body=hi&require_dlr=0&stealth_ping=0",
    );
    expect(request?.body).toBe("");
    expect(new URL(request?.url ?? "").searchParams.get("_password")).toBe(PASSWORD);
  });

  it("writes each recipient's group whole before the next one", async () => {
    const { fetch, requests } = scriptedFetch(() =>
      json({ data: [resource("1", "4712345678"), resource("2", "4798765432")] }),
    );
    await clientWith(fetch).sendMessages([
      { to: "+4712345678", body: "første", from: "Shop", requireDlr: true, requestId: "a" },
      { to: "+4798765432", body: "second", from: "Shop", stealthPing: true, requestId: "b" },
    ]);
    expect(new URL(requests[0]?.url ?? "").search).toBe(
      `?_login=acme-login&_password=${ENCODED_PASSWORD}` +
        "&destination_number=4712345678&body=f%C3%B8rste&source_name=Shop&require_dlr=1&stealth_ping=0&request_id=a" +
        "&destination_number=4798765432&body=second&source_name=Shop&require_dlr=0&stealth_ping=1&request_id=b",
    );
  });

  it("numbers the request_id of recipients that have none, so the groups stay aligned", async () => {
    const { fetch, requests } = scriptedFetch(() =>
      json({ data: [resource("1", "4712345678"), resource("2", "4798765432")] }),
    );
    await clientWith(fetch).sendMessages([
      { to: "+4712345678", body: "a" },
      { to: "+4798765432", body: "b", requestId: "mine" },
    ]);
    expect(new URL(requests[0]?.url ?? "").searchParams.getAll("request_id")).toEqual(["1", "mine"]);
  });

  it("sends a numeric sender as source_number without +", async () => {
    const { fetch, requests } = scriptedFetch(() => json({ data: resource("1", "4712345678") }));
    await clientWith(fetch).sendMessages([{ to: "+4712345678", body: "a", from: "+4722334455" }]);
    const query = new URL(requests[0]?.url ?? "").searchParams;
    expect(query.get("source_number")).toBe("4722334455");
    expect(query.has("source_name")).toBe(false);
  });

  it.each([
    [[{ to: "12345678", body: "x" }], InvalidRecipientError, "INVALID_DESTINATION_NUMBER"],
    // E.164 is checked once, by the facade or here, and strictly: no spaces, no 00 prefix.
    [[{ to: "+47 123 45 678", body: "x" }], InvalidRecipientError, "INVALID_DESTINATION_NUMBER"],
    [[{ to: "+0712345678", body: "x" }], InvalidRecipientError, "INVALID_DESTINATION_NUMBER"],
    [[{ to: "+4712345678", body: "" }], ValidationError, "INVALID_BODY"],
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
    const { fetch, requests } = scriptedFetch();
    // biome-ignore lint/suspicious/noExplicitAny: the cases mix valid and invalid shapes on purpose
    const error = await failureOf(clientWith(fetch).sendMessages(recipients as any));
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
    const { fetch, requests } = scriptedFetch(() =>
      json({ data: recipients.map((recipient, index) => resource(String(index), recipient.to.slice(1))) }),
    );
    const error = await failureOf(clientWith(fetch).sendMessages(recipients));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.code).toBe("URL_TOO_LONG");
    expect(requests).toHaveLength(0);
    const raised = clientWith(fetch, { maxUrlLength: 20_000 });
    expect(raised.urlLength(recipients)).toBeGreaterThan(8000);
    const report = await raised.sendMessages(recipients);
    expect(report.messages).toHaveLength(30);
    expect(requests).toHaveLength(1);
  });

  it("refuses to start without credentials, without a base URL or with a clear-text remote URL", () => {
    const options = { login: LOGIN, password: PASSWORD, baseUrl: BASE_URL };
    expect(() => createSmartSwitchClient({ ...options, login: "" })).toThrow(/login is required/);
    expect(() => createSmartSwitchClient({ ...options, password: "" })).toThrow(/password is required/);
    // @ts-expect-error baseUrl is required by the type too
    expect(() => createSmartSwitchClient({ login: LOGIN, password: PASSWORD })).toThrow(ConfigurationError);
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

  it("gives the answer's resources as a list, whether data is one object or an array", async () => {
    const { fetch } = scriptedFetch(
      json({ data: resource("10", "4712345678", "ok", "r1") }),
      new Response(JSON.stringify({ data: [resource("11", "4712345678"), resource("12", "4798765432")] }), {
        headers: { "content-type": "application/vnd.api+json" },
      }),
    );
    const client = clientWith(fetch);
    const one = await client.sendMessages([{ to: "+4712345678", body: "a", requestId: "r1" }]);
    expect(one.messages).toEqual([resource("10", "4712345678", "ok", "r1")]);
    expect(one.raw).toEqual({ data: resource("10", "4712345678", "ok", "r1") });
    const both = await client.sendMessages(two);
    expect(both.messages.map((item) => (item as { id: string }).id)).toEqual(["11", "12"]);
  });

  it("leaves a resource with status error to the caller: the request as a whole was taken", async () => {
    const { fetch } = scriptedFetch(
      json({ data: [resource("11", "4712345678"), resource("12", "4798765432", "error")] }),
    );
    const report = await clientWith(fetch).sendMessages(two);
    expect(report.messages).toEqual([resource("11", "4712345678"), resource("12", "4798765432", "error")]);
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
    const { fetch } = scriptedFetch(answer());
    const error = await failureOf(clientWith(fetch).sendMessages(two));
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ provider: "smartswitch", status, code });
    expectNoCredentials(error);
  });

  it("keeps title and detail of every error as the provider message", async () => {
    const { fetch } = scriptedFetch(
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
    ["data an empty list", () => json({ data: [] })],
    ["data a string", () => json({ data: "ok" })],
  ])("turns a 200 with %s into UnknownOutcomeError: the gateway may have sent it", async (_, answer) => {
    const { fetch, requests } = scriptedFetch(answer());
    const error = await failureOf(clientWith(fetch).sendMessages(two));
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(error.code).toBe("MALFORMED_ANSWER");
    expect(requests).toHaveLength(1);
    expectNoCredentials(error);
  });
});

describe("credentials never leak", () => {
  const message = [{ to: "+4712345678", body: "hi" }];

  it("from a connection reset: UnknownOutcomeError, nothing resent", async () => {
    const { fetch, requests } = scriptedFetch((request: Request) => {
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
    const { fetch } = scriptedFetch(
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
    const { fetch } = scriptedFetch(
      (request: Request) => new Response(`<html>cannot serve ${request.url}</html>`, { status: 502 }),
    );
    const error = await failureOf(clientWith(fetch).sendMessages(message));
    expect(error).toBeInstanceOf(ServerError);
    expect(String(error.body)).toContain("***");
    expectNoCredentials(error);
  });

  it("from a timeout: UnknownOutcomeError with the TimeoutError as cause, nothing resent", async () => {
    const timers = manualTimers();
    let arrived: () => void = () => {};
    const arrival = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const { fetch, requests } = scriptedFetch(() => {
      arrived();
      // Never answers; the transport gives up on its own timer whether or not fetch honours the abort.
      return new Promise<Response>(() => {});
    });
    const sending = failureOf(
      clientWith(fetch, { clock: { ...realClock, timer: timers.timer } }).sendMessages(message),
    );
    // The timeout fires once the request has arrived, however slow the machine is.
    await arrival;
    expect(timers.fire()).toBe(1);
    const error = await sending;
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(error.cause).toBeInstanceOf(TimeoutError);
    expect(error.request?.url).toContain("_login=***&_password=***");
    expect(requests).toHaveLength(1);
    expectNoCredentials(error);
  });

  it("from the retry lines of the logger", async () => {
    const lines: string[] = [];
    const { fetch, requests } = scriptedFetch(
      new Response(null, { status: 503 }),
      connectionError("ECONNREFUSED"),
      json({ data: resource("1", "4712345678") }),
    );
    const report = await clientWith(fetch, {
      retry: { initialDelayMs: 0 },
      logger: { warn: (line) => lines.push(line) },
    }).sendMessages(message);
    expect(report.messages).toHaveLength(1);
    expect(requests).toHaveLength(3);
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).toContain("_login=***&_password=***");
      for (const secret of [LOGIN, PASSWORD, ENCODED_PASSWORD]) expect(line).not.toContain(secret);
    }
  });
});
