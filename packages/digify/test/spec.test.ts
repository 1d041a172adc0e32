/** Every Digify operation through the generated client against `prism mock` of our spec. */
import {
  AuthenticationError,
  InsufficientCreditError,
  NotFoundError,
  RateLimitError,
  ServerError,
  ServiceUnavailableError,
  ValidationError,
} from "@smskit/core";
import { describe, expect, inject, it } from "vitest";
import { observedFetch } from "../../../tools/testing/fetch.js";
import { createDigifyClient } from "../src/index.js";

const TOKEN = "tok_0123456789abcdefghij"; // 22 characters, like a real AccessToken

function clientFor(prefer?: string) {
  const observed = observedFetch(prefer === undefined ? {} : { prefer });
  const client = createDigifyClient({
    accessToken: TOKEN,
    baseUrl: inject("mockUrls").digify,
    fetch: observed.fetch,
    retry: false,
  });
  return { client, observed };
}

describe("valid requests come back without sl-violations", () => {
  it("sends a mixed SMS + e-mail batch", async () => {
    const { client, observed } = clientFor();
    const result = await client.send({
      messages: [
        {
          type: "sms",
          id: "order-42",
          sourceAddr: "Digify",
          destAddr: "4712345678",
          msg: "Hei fra smskit",
          priority: 0,
        },
        {
          type: "email",
          sourceAddr: "noreply@example.com",
          destAddr: "user@example.com",
          subject: "Welcome",
          body: "<p>Hei</p>",
          bodyFormat: "html",
        },
      ],
    });
    expect(observed.last.violations).toEqual([]);
    expect(observed.last.status).toBe(200);
    expect(result.status).toBe("success");
    const sms = result.results.find((item) => item.type === "sms");
    expect(sms?.type === "sms" && typeof sms.messageId).toBe("number");
    expect(result.summary.total).toBeGreaterThan(0);
  });

  it("reports simulation mode", async () => {
    const { client, observed } = clientFor("example=simulationMode");
    const result = await client.send({ messages: [{ type: "sms", destAddr: "4712345678", msg: "test" }] });
    expect(observed.last.violations).toEqual([]);
    expect(result.simulationMode).toBe(true);
    expect(result.results[0]?.status).toBe("simulated");
    expect(result.summary.creditsUsed).toBe(0);
  });

  it("pages through the SMS log", async () => {
    const { client, observed } = clientFor();
    const page = await client.smsLogs({
      limit: 10,
      offset: 0,
      status: "queued",
      startDate: "2025-10-01",
      endDate: "2025-10-18",
    });
    expect(observed.last.violations).toEqual([]);
    expect(observed.last.url).toContain("limit=10");
    expect(page.data[0]?.messageId).toEqual(expect.any(Number));
    expect(page.pagination.hasMore).toEqual(expect.any(Boolean));
  });

  it("reads the e-mail log with defaults", async () => {
    const { client, observed } = clientFor();
    const page = await client.emailLogs();
    expect(observed.last.violations).toEqual([]);
    expect(page.data[0]?.emailId).toEqual(expect.any(Number));
  });

  it("searches companies by name and by organisation number", async () => {
    const { client, observed } = clientFor();
    const byName = await client.searchCompanies({ search: "Example" });
    const byNumber = await client.searchCompanies({ search: "987654321" });
    expect(observed.exchanges.map((exchange) => exchange.violations)).toEqual([[], []]);
    expect(byName.companies[0]?.orgNr).toEqual(expect.any(String));
    expect(byNumber.companies.length).toBeLessThanOrEqual(5);
  });

  it("gets one company with the register's own field casing", async () => {
    const { client, observed } = clientFor();
    const company = await client.getCompany({ orgNr: "984851006" });
    expect(observed.last.violations).toEqual([]);
    expect(company.companies[0]?.orgnr).toBe(984851006);
    expect(company.companies[0]?.Slettet).toBe(false);
  });

  it("checks health and readiness without sending the token", async () => {
    const { client, observed } = clientFor();
    expect((await client.health()).status).toBe("healthy");
    expect((await client.ready()).status).toBe("ready");
    expect(observed.exchanges.map((exchange) => exchange.violations)).toEqual([[], []]);
    expect(
      observed.exchanges.every((exchange) => exchange.requestHeaders.get("authorization") === null),
    ).toBe(true);
  });
});

describe("documented errors become typed errors", () => {
  const sms = { messages: [{ type: "sms" as const, destAddr: "4712345678", msg: "hi" }] };

  it.each([
    ["code=400", ValidationError, 400, "VALIDATION_ERROR"],
    ["code=401", AuthenticationError, 401, "AUTHENTICATION_FAILED"],
    ["code=402", InsufficientCreditError, 402, "INSUFFICIENT_CREDIT"],
    ["code=404", NotFoundError, 404, "NOT_FOUND"],
    ["code=429", RateLimitError, 429, "RATE_LIMIT_EXCEEDED"],
    ["code=500", ServerError, 500, "DATABASE_ERROR"],
    ["code=500, example=internalServerError", ServerError, 500, "INTERNAL_SERVER_ERROR"],
  ])("Prefer %s → %o", async (prefer, type, status, code) => {
    const { client } = clientFor(prefer);
    const error = await client.send(sms).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ provider: "digify", status, code });
    expect((error as Error).message).toContain(code);
    expect(JSON.stringify(error)).not.toContain(TOKEN);
  });

  it("carries the credit figures of a 402", async () => {
    const { client } = clientFor("code=402");
    const error = (await client.send(sms).catch((e: unknown) => e)) as InsufficientCreditError;
    expect(error.details).toEqual({ creditsNeeded: 5, creditsAvailable: 2 });
  });

  it("carries Retry-After of a 429 and says it is retryable", async () => {
    const { client } = clientFor("code=429");
    const error = (await client.send(sms).catch((e: unknown) => e)) as RateLimitError;
    expect(error.retryAfterMs).toBe(7000);
    expect(error.retryable).toBe(true);
  });

  it("rejects an SMS over 1600 characters: the client before the network, Prism when it gets one through `api`", async () => {
    const { client, observed } = clientFor();
    const tooLong = { messages: [{ type: "sms" as const, destAddr: "4712345678", msg: "x".repeat(1601) }] };
    expect(await client.send(tooLong).catch((e: unknown) => e)).toBeInstanceOf(ValidationError);
    expect(observed.exchanges).toHaveLength(0);
    const error = (await client.api
      .POST("/api/v1/messages/send", { body: tooLong })
      .catch((e: unknown) => e)) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(observed.last.violations.some((violation) => violation.code === "maxLength")).toBe(true);
    // Prism answers every invalid request with the spec's canned example; the real reason travels in details.
    expect((error.details as { violations: string[] }).violations.join(" ")).toMatch(/msg/);
  });

  it("rejects a recipient with + the same way: the pattern is in the spec, so Prism flags it too", async () => {
    const { client, observed } = clientFor();
    const withPlus = { messages: [{ type: "sms" as const, destAddr: "+4712345678", msg: "hi" }] };
    const error = await client.api.POST("/api/v1/messages/send", { body: withPlus }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(observed.last.violations.some((violation) => violation.code === "pattern")).toBe(true);
  });

  it("rejects an organisation number that is not 9 digits", async () => {
    const { client, observed } = clientFor();
    const error = await client.getCompany({ orgNr: "123" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ status: 400, code: "VALIDATION_ERROR" });
    expect(observed.last.violations.some((violation) => violation.code === "pattern")).toBe(true);
  });

  it("turns an unhealthy gateway into ServiceUnavailableError with the reason", async () => {
    const { client } = clientFor("code=503");
    const error = (await client.health().catch((e: unknown) => e)) as ServiceUnavailableError;
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error.providerMessage).toBe("Connection timeout");
    expect(error.body).toMatchObject({ status: "unhealthy" });
  });

  it("gets 401 from the gateway when no token is sent", async () => {
    const { client, observed } = clientFor();
    const { response } = await client.api.GET("/api/v1/logs/sms", {
      // bypasses the helper's auth on purpose, to show the spec's security is enforced
      fetch: (request: Request) => {
        request.headers.delete("authorization");
        return observed.fetch(request);
      },
    });
    expect(response.status).toBe(401);
  });
});
