import { describe, expect, it } from "vitest";
import {
  AllProvidersFailedError,
  RateLimitError,
  SmsKitError,
  UnknownOutcomeError,
  ValidationError,
} from "../src/index.js";

describe("errors", () => {
  it("has no generic kind: every class names its failure", () => {
    const kinds = [
      new ValidationError({ provider: "x", message: "m" }),
      new UnknownOutcomeError({ provider: "x", message: "m" }),
    ].map((error) => error.kind);
    expect(kinds).toEqual(["validation", "unknown_outcome"]);
    expect(new ValidationError({ provider: "x", message: "m" })).toBeInstanceOf(SmsKitError);
  });

  it("puts body and the cause chain into toJSON", () => {
    const inner = new RateLimitError({ provider: "a", message: "throttled", retryAfterMs: 5 });
    const outer = new UnknownOutcomeError({ provider: "a", message: "lost", body: { x: 1 }, cause: inner });
    expect(outer.toJSON()).toMatchObject({
      body: { x: 1 },
      cause: { name: "RateLimitError", retryAfterMs: 5 },
    });
    const foreign = new UnknownOutcomeError({
      provider: "a",
      message: "m",
      cause: Object.assign(new Error("boom"), { code: "E1" }),
    });
    expect(foreign.toJSON().cause).toEqual({ name: "Error", message: "boom", code: "E1" });
  });

  it("says all providers failed retryably only when each failure was", () => {
    const throttled = new RateLimitError({ provider: "a", message: "t" });
    const invalid = new ValidationError({ provider: "b", message: "v" });
    expect(new AllProvidersFailedError([{ provider: "a", error: throttled }]).retryable).toBe(true);
    expect(
      new AllProvidersFailedError([
        { provider: "a", error: throttled },
        { provider: "b", error: invalid },
      ]).retryable,
    ).toBe(false);
  });
});
