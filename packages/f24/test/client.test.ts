/** Unit tests with an injected fetch: where the credentials go, that they never leak, and the retry rule. */
import {
  AuthenticationError,
  NetworkError,
  NotFoundError,
  ServerError,
  ServiceUnavailableError,
  type SmsKitError,
  UnexpectedResponseError,
  UnknownOutcomeError,
  ValidationError,
} from "@smskit/core";
import { describe, expect, it } from "vitest";
import { json, recording } from "../../../tools/mock/scripted-fetch.js";
import { createF24Client, type F24ClientOptions, type F24SendRequest } from "../src/index.js";

const ACCESS_KEY = "f24-key-0123456789";
const ACCESS_TOKEN = "f24-token-abcdefghijklmnop";
const BASE_URL = "https://sms.customer.example/api";
const body: F24SendRequest = { Messages: [{ Sender: "AcmeShop", Recipient: "+4712345678", Content: "hi" }] };
const queued = {
  Recipients: [{ Status: "Queued", Valid: true, Recipient: "+4712345678" }],
  Status: "1 messages queued",
  BatchId: "3F2504E0-4F89-41D3-9A0C-0305E82C3301",
};

const f24Error = (status: number, Title: string, Details = "") =>
  json({ Errors: [{ Title, Details, Code: status }] }, status);

const clientWith = (fetch: F24ClientOptions["fetch"], extra: Partial<F24ClientOptions> = {}) =>
  createF24Client({ accessKey: ACCESS_KEY, accessToken: ACCESS_TOKEN, baseUrl: BASE_URL, fetch, ...extra });

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected a failure");
    },
    (error: unknown) => error as SmsKitError,
  );

function expectNoCredentials(...texts: Array<string | undefined>) {
  for (const text of texts) {
    expect(text).not.toContain(ACCESS_KEY);
    expect(text).not.toContain(ACCESS_TOKEN);
  }
}

describe("configuration and authentication", () => {
  it("sends both credentials as AccessKey and AccessToken headers to the customer's URL, never in it", async () => {
    const { fetch, requests } = recording(() => json(queued));
    const result = await clientWith(fetch, { baseUrl: `${BASE_URL}/` }).sendSmsExt(body);
    const [request] = requests;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe(`${BASE_URL}/SendSMSExt`);
    expect(request?.headers.get("AccessKey")).toBe(ACCESS_KEY);
    expect(request?.headers.get("AccessToken")).toBe(ACCESS_TOKEN);
    expect(request?.headers.get("authorization")).toBeNull();
    expect(request?.headers.get("content-type")).toContain("application/json");
    expectNoCredentials(request?.url);
    expect(await request?.json()).toEqual(body);
    expect(result).toEqual(queued);
  });

  it("refuses to start without a baseUrl, because F24 has no public endpoint", () => {
    const noBaseUrl = { accessKey: ACCESS_KEY, accessToken: ACCESS_TOKEN } as F24ClientOptions;
    expect(() => createF24Client(noBaseUrl)).toThrow(TypeError);
    expect(() => createF24Client(noBaseUrl)).toThrow(/baseUrl is required.*support\.norge@f24\.com/);
    expect(() => createF24Client({ ...noBaseUrl, baseUrl: " " })).toThrow(/baseUrl is required/);
  });

  it("refuses to start without either credential or with a clear-text remote URL", () => {
    const options = { accessKey: ACCESS_KEY, accessToken: ACCESS_TOKEN, baseUrl: BASE_URL };
    expect(() => createF24Client({ ...options, accessKey: "" })).toThrow(/accessKey is required/);
    expect(() => createF24Client({ ...options, accessToken: " " })).toThrow(/accessToken is required/);
    expect(() => createF24Client({ ...options, baseUrl: "http://sms.customer.example" })).toThrow(/https/);
    expect(() => createF24Client({ ...options, baseUrl: "not a url" })).toThrow(/absolute URL/);
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
    const { fetch } = recording(() => f24Error(status, title, "more"));
    const error = await failureOf(clientWith(fetch).sendSmsExt(body));
    expect(error).toBeInstanceOf(type);
    expect(error).not.toBeInstanceOf(ServiceUnavailableError);
    expect(error).toMatchObject({ provider: "f24", status, code: status, providerMessage: `${title}: more` });
    expect(error.message).toBe(
      `[f24] HTTP ${status} ${status}: ${title}: more (POST ${BASE_URL}/SendSMSExt)`,
    );
    expect(error.retryable).toBe(false);
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
    const { fetch } = recording(() => json({ Errors: errors }, 460));
    const error = await failureOf(clientWith(fetch).sendSmsExt(body));
    expect(error).toMatchObject({ status: 460, code: 460, details: errors });
    expect(error.providerMessage).toBe(
      "Invalid or missing data in JSON request: Messages[0].Sender is missing.",
    );
  });

  it("classifies by status when the body is not F24's (a CDN's 520 page, an empty 404)", async () => {
    const { fetch } = recording(
      () => new Response("<html>520: Web server is returning an unknown error</html>", { status: 520 }),
      () => new Response(null, { status: 404 }),
    );
    const client = clientWith(fetch);
    const cdn = await failureOf(client.sendSmsExt(body));
    expect(cdn).toBeInstanceOf(ServerError);
    expect(cdn).toMatchObject({ status: 520, code: undefined });
    const empty = await failureOf(client.sendSmsExt(body));
    expect(empty).toBeInstanceOf(NotFoundError);
  });
});

describe("redaction", () => {
  it("keeps both credentials out of message, JSON, stack, toString and body when F24 echoes them", async () => {
    const { fetch } = recording(() =>
      f24Error(
        401,
        `Not authorized: key ${ACCESS_KEY}`,
        `token ${encodeURIComponent(ACCESS_TOKEN)} is closed`,
      ),
    );
    const error = await failureOf(clientWith(fetch).sendSmsExt(body));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.providerMessage).toBe("Not authorized: key ***: token *** is closed");
    expectNoCredentials(
      error.message,
      error.stack,
      JSON.stringify(error),
      JSON.stringify(error.body),
      JSON.stringify(error.details),
      String(error),
    );
  });

  it("keeps them out of a malformed 200 body kept on the error", async () => {
    const { fetch } = recording(() => json({ Status: `queued for ${ACCESS_KEY}` }));
    const error = await failureOf(clientWith(fetch).sendSmsExt(body));
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expectNoCredentials(JSON.stringify(error.body), String(error), JSON.stringify(error));
  });

  it("keeps them out of retry log lines and network errors", async () => {
    const lines: string[] = [];
    const refused = () => {
      throw Object.assign(new TypeError(`fetch failed for ${ACCESS_TOKEN}`), {
        cause: Object.assign(new Error(`connect ECONNREFUSED ${ACCESS_KEY}`), { code: "ECONNREFUSED" }),
      });
    };
    const { fetch } = recording(refused, refused);
    const error = await failureOf(
      clientWith(fetch, {
        retry: { maxRetries: 1, initialDelayMs: 0 },
        logger: { warn: (line) => lines.push(line) },
      }).sendSmsExt(body),
    );
    expect(error).toBeInstanceOf(NetworkError);
    expect(lines).toHaveLength(1);
    expectNoCredentials(
      ...lines,
      String(error),
      JSON.stringify(error),
      String((error.cause as Error).message),
    );
  });
});

describe("answers outside the spec", () => {
  it("turns a 200 that is not JSON into UnexpectedResponseError", async () => {
    const { fetch } = recording(() => new Response("<html>proxy error</html>", { status: 200 }));
    const error = await failureOf(clientWith(fetch).sendSmsExt(body));
    expect(error).toBeInstanceOf(UnexpectedResponseError);
  });

  it("turns a 200 without Recipients or BatchId into UnexpectedResponseError that says it may have been queued", async () => {
    const { fetch } = recording(
      () => json({ Status: "1 messages queued", BatchId: queued.BatchId }),
      () => json({ Recipients: queued.Recipients, Status: "1 messages queued" }),
    );
    const client = clientWith(fetch);
    for (let attempt = 0; attempt < 2; attempt++) {
      const error = await failureOf(client.sendSmsExt(body));
      expect(error).toBeInstanceOf(UnexpectedResponseError);
      expect(error.message).toMatch(/may have been queued/);
    }
  });

  it("resolves a 200 whose recipients are not all valid: the caller reads Valid", async () => {
    const mixed = {
      Recipients: [
        { Status: "Queued", Valid: true, Recipient: "+4712345678" },
        { Status: "Invalid", Valid: false, Recipient: "+4700000000" },
      ],
      Status: "1 messages queued",
      BatchId: queued.BatchId,
    };
    const { fetch } = recording(() => json(mixed));
    await expect(clientWith(fetch).sendSmsExt(body)).resolves.toEqual(mixed);
  });
});

describe("the retry rule: a send is never resent unless F24 certainly refused it", () => {
  it.each([500, 520])("does not resend a send answered %i", async (status) => {
    const { fetch, requests } = recording(
      () => f24Error(status, "System error"),
      () => json(queued),
    );
    const error = await failureOf(
      clientWith(fetch, { retry: { maxRetries: 3, initialDelayMs: 0 } }).sendSmsExt(body),
    );
    expect(error).toBeInstanceOf(ServerError);
    expect(requests).toHaveLength(1);
  });

  it("never resends a send whose answer did not arrive in time", async () => {
    const { fetch, requests } = recording(() => new Promise<Response>(() => {}));
    const error = await failureOf(
      clientWith(fetch, { timeoutMs: 20, retry: { maxRetries: 3, initialDelayMs: 0 } }).sendSmsExt(body),
    );
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(requests).toHaveLength(1);
  });

  it("never resends a send whose connection was reset after it went out", async () => {
    const reset = () => {
      throw Object.assign(new TypeError("fetch failed"), {
        cause: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
      });
    };
    const { fetch, requests } = recording(reset, () => json(queued));
    const error = await failureOf(
      clientWith(fetch, { retry: { maxRetries: 3, initialDelayMs: 0 } }).sendSmsExt(body),
    );
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(requests).toHaveLength(1);
  });

  it("resends when the connection was refused, so F24 never saw the request", async () => {
    const refused = () => {
      throw Object.assign(new TypeError("fetch failed"), {
        cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
      });
    };
    const { fetch, requests } = recording(refused, () => json(queued));
    const result = await clientWith(fetch, { retry: { maxRetries: 1, initialDelayMs: 0 } }).sendSmsExt(body);
    expect(result.BatchId).toBe(queued.BatchId);
    expect(requests).toHaveLength(2);
  });

  it("resends after a 503 in front of F24, which refused before processing", async () => {
    const { fetch, requests } = recording(
      () => new Response("Service Unavailable", { status: 503, headers: { "retry-after": "0" } }),
      () => json(queued),
    );
    const result = await clientWith(fetch, { retry: { maxRetries: 1, initialDelayMs: 0 } }).sendSmsExt(body);
    expect(result.Recipients).toHaveLength(1);
    expect(requests).toHaveLength(2);
  });
});
