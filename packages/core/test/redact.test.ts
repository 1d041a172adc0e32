import { describe, expect, it } from "vitest";
import {
  AuthenticationError,
  assertSecureBaseUrl,
  createRedactor,
  errorFromHttpStatus,
  InsufficientCreditError,
  NotFoundError,
  RateLimitError,
  REDACTED,
  ServerError,
  ServiceUnavailableError,
  ValidationError,
} from "../src/index.js";

describe("createRedactor", () => {
  const redactor = createRedactor(["hunter2&x=1", "tok_ABCDEFGHIJKLMNOPQRSTUV", undefined, "ab"]);

  it("removes secret query parameters by name, even for secrets it was not told about", () => {
    expect(
      redactor.url("https://gw.test/api/message?_login=me&_password=pw&destination_number=4712345678"),
    ).toBe("https://gw.test/api/message?_login=***&_password=***&destination_number=4712345678");
    expect(redactor.url("https://gw.test/x?AccessToken=abc&access_token=def")).toBe(
      "https://gw.test/x?AccessToken=***&access_token=***",
    );
  });

  it("removes user-info and literal secrets anywhere in a URL, also percent-encoded", () => {
    expect(redactor.url("https://user:pass@gw.test/x")).toBe("https://***:***@gw.test/x");
    expect(redactor.url(`https://gw.test/x?other=${encodeURIComponent("hunter2&x=1")}`)).toBe(
      "https://gw.test/x?other=***",
    );
  });

  it("removes literal secrets from text and secret headers by name", () => {
    expect(redactor.text("Invalid token tok_ABCDEFGHIJKLMNOPQRSTUV given")).toBe(
      `Invalid token ${REDACTED} given`,
    );
    expect(
      redactor.headers({ Authorization: "Bearer x", "X-Access-Token": "y", Accept: "application/json" }),
    ).toEqual({ Authorization: REDACTED, "X-Access-Token": REDACTED, Accept: "application/json" });
  });

  it("ignores secrets too short to redact without mangling ordinary text", () => {
    expect(redactor.text("about")).toBe("about");
  });
});

describe("errorFromHttpStatus", () => {
  const redactor = createRedactor(["tok_secret"]);
  const failure = (status: number, headers: Record<string, string> = {}) => ({
    provider: "gw",
    status,
    body: {},
    headers: new Headers(headers),
    request: { method: "POST", url: "https://gw.test/send" },
    redactor,
  });

  it.each([
    [400, ValidationError],
    [401, AuthenticationError],
    [403, AuthenticationError],
    [402, InsufficientCreditError],
    [404, NotFoundError],
    [422, ValidationError],
    [429, RateLimitError],
    [500, ServerError],
    [503, ServiceUnavailableError],
  ])("maps HTTP %i to %o", (status, type) => {
    expect(errorFromHttpStatus(failure(status))).toBeInstanceOf(type);
  });

  it("keeps the provider's code and message, redacted, in the error", () => {
    const error = errorFromHttpStatus(failure(401), {
      code: "AUTHENTICATION_FAILED",
      message: "bad tok_secret",
    });
    expect(error.code).toBe("AUTHENTICATION_FAILED");
    expect(error.providerMessage).toBe("bad ***");
    expect(error.message).toBe("[gw] HTTP 401 AUTHENTICATION_FAILED: bad *** (POST https://gw.test/send)");
    expect(error.retryable).toBe(false);
  });

  it("prefers the Retry-After header, then the body's hint", () => {
    const fromHeader = errorFromHttpStatus(failure(429, { "retry-after": "3" }), { retryAfterMs: 7000 });
    expect((fromHeader as RateLimitError).retryAfterMs).toBe(3000);
    const fromBody = errorFromHttpStatus(failure(429), { retryAfterMs: 7000 });
    expect((fromBody as RateLimitError).retryAfterMs).toBe(7000);
    expect(fromBody.retryable).toBe(true);
  });
});

describe("assertSecureBaseUrl", () => {
  it("accepts https and loopback http", () => {
    expect(() => assertSecureBaseUrl("gw", "https://api.gw.test")).not.toThrow();
    expect(() => assertSecureBaseUrl("gw", "http://127.0.0.1:4010")).not.toThrow();
    expect(() => assertSecureBaseUrl("gw", "http://localhost:4010")).not.toThrow();
  });

  it("refuses clear-text http to anything else, and relative URLs", () => {
    expect(() => assertSecureBaseUrl("gw", "http://api.gw.test")).toThrow(/must use https/);
    expect(() => assertSecureBaseUrl("gw", "/api")).toThrow(/not an absolute URL/);
  });
});
