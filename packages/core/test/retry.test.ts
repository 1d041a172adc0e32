import { describe, expect, it } from "vitest";
import {
  AuthenticationError,
  classifyFetchFailure,
  createRedactor,
  NetworkError,
  parseRetryAfter,
  RateLimitError,
  retryDelay,
  ServerError,
  ServiceUnavailableError,
  shouldRetry,
  TimeoutError,
  UnknownOutcomeError,
} from "../src/index.js";

const init = { provider: "x", message: "x" };
const policy = { maxRetries: 2, initialDelayMs: 500, maxDelayMs: 8000, maxRetryAfterMs: 60_000 };

describe("shouldRetry", () => {
  it.each([
    [new RateLimitError(init), false, true],
    [new ServiceUnavailableError(init), false, true],
    [new NetworkError({ ...init, mayHaveReachedGateway: false }), false, true],
    [new NetworkError({ ...init, mayHaveReachedGateway: true }), false, false],
    [new NetworkError({ ...init, mayHaveReachedGateway: true }), true, true],
    [new TimeoutError(init), false, false],
    [new TimeoutError(init), true, true],
    [new ServerError(init), false, false],
    [new ServerError(init), true, true],
    [new AuthenticationError(init), true, false],
    [new UnknownOutcomeError(init), true, false],
  ])("%s with idempotent=%s → %s", (error, idempotent, expected) => {
    expect(shouldRetry(error, { idempotent })).toBe(expected);
  });
});

describe("retryDelay", () => {
  it("doubles from the initial delay up to the cap, with up to 25 % jitter off", () => {
    expect([0, 1, 2, 3, 4, 5].map((n) => retryDelay(n, undefined, policy, () => 0))).toEqual([
      500, 1000, 2000, 4000, 8000, 8000,
    ]);
    expect(retryDelay(0, undefined, policy, () => 1)).toBe(375);
  });

  it("takes Retry-After as it is, and gives up on one above the cap", () => {
    expect(retryDelay(0, 2000, policy, () => 0.5)).toBe(2000);
    expect(retryDelay(0, 60_001, policy, () => 0)).toBeUndefined();
  });
});

describe("classifyFetchFailure", () => {
  const context = (timedOut: boolean) => ({
    provider: "x",
    timedOut,
    timeoutMs: 10,
    request: () => ({ method: "POST", url: "https://gw.test/send" }),
    redactor: createRedactor(["t0ken"]),
  });
  const failure = (code: string) =>
    Object.assign(new TypeError("fetch failed t0ken"), { cause: Object.assign(new Error(code), { code }) });

  it("knows which failures prove the request never left", () => {
    for (const code of ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]) {
      expect(
        (classifyFetchFailure(failure(code), context(false)) as NetworkError).mayHaveReachedGateway,
      ).toBe(false);
    }
    for (const code of ["ECONNRESET", "EPIPE", "UND_ERR_SOCKET"]) {
      expect(
        (classifyFetchFailure(failure(code), context(false)) as NetworkError).mayHaveReachedGateway,
      ).toBe(true);
    }
    const blocked = new TypeError("fetch failed", { cause: new Error("bad port") });
    expect((classifyFetchFailure(blocked, context(false)) as NetworkError).mayHaveReachedGateway).toBe(false);
  });

  it("calls a timed-out attempt a TimeoutError, with a redacted cause", () => {
    const error = classifyFetchFailure(failure("ECONNRESET"), context(true));
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error.cause as Error).message).not.toContain("t0ken");
  });
});

describe("parseRetryAfter", () => {
  it("reads delta seconds and HTTP dates", () => {
    expect(parseRetryAfter("2")).toBe(2000);
    expect(parseRetryAfter("1.5")).toBe(1500);
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(parseRetryAfter("Wed, 01 Jan 2025 00:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Wed, 01 Jan 2024 00:00:30 GMT", now)).toBe(0);
  });

  it("ignores what it cannot read", () => {
    for (const value of [null, "", "soon", "-1"]) expect(parseRetryAfter(value)).toBeUndefined();
  });
});
