/** The F24 operation through the generated client against `prism mock` of our spec. */
import {
  AuthenticationError,
  InvalidRecipientError,
  NotFoundError,
  type RetryOptions,
  ServerError,
  ValidationError,
} from "@smskit/core";
import { describe, expect, inject, it } from "vitest";
import { observedFetch } from "../../../tools/testing/fetch.js";
import { expectNoLeak, rejection } from "../../../tools/testing/leaks.js";
import { createF24Client, type F24SendRequest, f24 } from "../src/index.js";

const ACCESS_KEY = "f24-key-0123456789";
const ACCESS_TOKEN = "f24-token-abcdefghijklmnop";

function mockUrl(): string {
  const url = inject("mockUrls").f24;
  if (!url) throw new Error("no F24 mock: check test/global-setup.ts");
  return url;
}

function clientFor(prefer?: string, retry: RetryOptions | false = false) {
  const observed = observedFetch(prefer === undefined ? {} : { prefer });
  const client = createF24Client({
    accessKey: ACCESS_KEY,
    accessToken: ACCESS_TOKEN,
    baseUrl: mockUrl(),
    fetch: observed.fetch,
    retry,
  });
  return { client, observed };
}

const oneMessage: F24SendRequest = {
  Messages: [{ Sender: "AcmeShop", Recipient: "+4712345678", Content: "Your order has been shipped." }],
};

describe("valid requests come back without sl-violations", () => {
  it("queues one message, with both credential headers", async () => {
    const { client, observed } = clientFor();
    const result = await client.sendSmsExt(oneMessage);
    expect(observed.last.violations).toEqual([]);
    expect(observed.last.status).toBe(200);
    expect(observed.last.url).toBe(`${mockUrl()}/SendSMSExt`);
    expect(observed.last.requestHeaders.get("accesskey")).toBe(ACCESS_KEY);
    expect(observed.last.requestHeaders.get("accesstoken")).toBe(ACCESS_TOKEN);
    expect(JSON.parse(observed.last.requestBody)).toEqual(oneMessage);
    expect(result.Recipients).toEqual([{ Status: "Queued", Valid: true, Recipient: "+4712345678" }]);
    expect(result.BatchId).toEqual(expect.any(String));
  });

  it("queues two messages with different senders and texts in one call", async () => {
    const { client, observed } = clientFor("example=twoQueued");
    const result = await client.sendSmsExt({
      Messages: [
        { Sender: "AcmeShop", Recipient: "+4712345678", Content: "Your order has been shipped." },
        { Sender: "4798765432", Recipient: "+4687654321", Content: "Hei! Din pakke er klar til henting." },
      ],
    });
    expect(observed.last.violations).toEqual([]);
    expect(result.Recipients.map((entry) => entry.Recipient)).toEqual(["+4712345678", "+4687654321"]);
    expect(result.Status).toBe("2 messages queued");
  });
});

describe("documented errors become typed errors", () => {
  it.each([
    ["code=400", ValidationError, 400, "Invalid JSON format in request"],
    ["code=401", AuthenticationError, 401, "Not authorized"],
    ["code=404", NotFoundError, 404, "Search for data failed"],
    ["code=460", ValidationError, 460, "Invalid or missing data in JSON request"],
    ["code=461", ValidationError, 461, "Duplicate entity is not allowed"],
    ["code=462", ValidationError, 462, "Entity is in use and cannot be removed"],
    ["code=500", ServerError, 500, "System error"],
    ["code=520", ServerError, 520, "Database error"],
  ])("Prefer %s → %o", async (prefer, type, status, title) => {
    const { client, observed } = clientFor(prefer);
    const error = await client.sendSmsExt(oneMessage).catch((e: unknown) => e);
    expect(observed.last.violations).toEqual([]);
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ provider: "f24", status, code: status });
    expect((error as ValidationError).providerMessage).toContain(title);
    expect((error as Error).message).toContain(String(status));
    expectNoLeak(error, [ACCESS_KEY, ACCESS_TOKEN]);
  });

  it("keeps Title and Details together in providerMessage and every error in details", async () => {
    const { client } = clientFor("code=460");
    const error = (await client.sendSmsExt(oneMessage).catch((e: unknown) => e)) as ValidationError;
    expect(error.providerMessage).toBe(
      "Invalid or missing data in JSON request: Messages[0].Recipient is missing.",
    );
    expect(error.details).toEqual([
      {
        Title: "Invalid or missing data in JSON request",
        Details: "Messages[0].Recipient is missing.",
        Code: 460,
      },
    ]);
  });

  it.each(["code=500", "code=520"])("does not resend a send answered %s, retries enabled", async (prefer) => {
    const { client, observed } = clientFor(prefer, { maxRetries: 3, initialDelayMs: 1 });
    const error = (await client.sendSmsExt(oneMessage).catch((e: unknown) => e)) as ServerError;
    expect(error.kind).toBe("server");
    expect(error.retryable).toBe(false);
    expect(observed.exchanges).toHaveLength(1);
  });
});

describe("invalid requests are flagged by the mock", () => {
  // The spec declares a 400, so Prism answers with its example and puts the real reasons in
  // `sl-violations`; the typed error carries them in `details.violations`.
  const violations = (error: unknown) =>
    ((error as ValidationError).details as { violations?: string[] }).violations ?? [];

  it("a recipient without the leading +: the helper refuses it offline, the raw api gets Prism's reasons", async () => {
    const { client, observed } = clientFor();
    const invalid = { Messages: [{ Sender: "AcmeShop", Recipient: "4712345678", Content: "hi" }] };
    expect(await rejection(client.sendSmsExt(invalid))).toBeInstanceOf(InvalidRecipientError);
    expect(observed.exchanges).toHaveLength(0);
    const error = await rejection(client.api.POST("/SendSMSExt", { body: invalid }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ provider: "f24", status: 400, code: 400 });
    expect(observed.last.violations.some((violation) => violation.code === "pattern")).toBe(true);
    expect(violations(error)).toContainEqual(
      expect.stringMatching(/^request\.body\.Messages\.0\.Recipient: .*pattern/),
    );
    expect((error as Error).message).toContain("[mock: ");
    expectNoLeak(error, [ACCESS_KEY, ACCESS_TOKEN]);
  });

  it("an empty Messages array", async () => {
    const { client, observed } = clientFor();
    expect(await rejection(client.sendSmsExt({ Messages: [] }))).toBeInstanceOf(ValidationError);
    expect(observed.exchanges).toHaveLength(0);
    const error = await rejection(client.api.POST("/SendSMSExt", { body: { Messages: [] } }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(observed.last.violations.some((violation) => violation.code === "minItems")).toBe(true);
    expect(violations(error)).toContainEqual(expect.stringMatching(/^request\.body\.Messages: /));
  });

  it("camelCase property names, since F24's names are case-sensitive", async () => {
    const { client, observed } = clientFor();
    const camelCase = { messages: [{ sender: "AcmeShop", recipient: "+4712345678", content: "hi" }] };
    expect(await rejection(client.sendSmsExt(camelCase as unknown as F24SendRequest))).toBeInstanceOf(
      ValidationError,
    );
    expect(observed.exchanges).toHaveLength(0);
    const error = await rejection(
      client.api.POST("/SendSMSExt", { body: camelCase as unknown as F24SendRequest }),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(observed.last.violations.length).toBeGreaterThan(0);
    expect(violations(error).length).toBe(observed.last.violations.length);
  });

  it("a body that is not JSON is answered 400, classified as ValidationError", async () => {
    const { client, observed } = clientFor();
    const error = await rejection(
      client.api.POST("/SendSMSExt", { body: oneMessage, bodySerializer: () => '{"Messages": [' }),
    );
    expect(observed.last.status).toBe(400);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ provider: "f24", status: 400 });
  });

  it("gets 401 when only one of the two credential headers is sent", async () => {
    const { client, observed } = clientFor();
    const { response } = await client.api.POST("/SendSMSExt", {
      body: oneMessage,
      // bypasses the helper's auth on purpose, to show the spec wants both headers
      fetch: (request: Request) => {
        request.headers.delete("accesstoken");
        return observed.fetch(request);
      },
    });
    expect(response.status).toBe(401);
    expect(observed.last.violations.some((violation) => String(violation.code) === "401")).toBe(true);
  });
});

describe("through the adapter", () => {
  const adapterFor = (prefer?: string) => {
    const observed = observedFetch(prefer === undefined ? {} : { prefer });
    const adapter = f24({
      accessKey: ACCESS_KEY,
      accessToken: ACCESS_TOKEN,
      baseUrl: mockUrl(),
      fetch: observed.fetch,
      retry: false,
    });
    return { adapter, observed };
  };

  it("sends a batch with distinct senders and texts in one valid request, matched by recipient", async () => {
    const { adapter, observed } = adapterFor("example=twoQueued");
    const outcomes = await adapter.sendBatch([
      { to: "+4687654321", text: "Hei! Din pakke er klar til henting.", from: "4798765432", clientRef: "b" },
      { to: "+4712345678", text: "Your order has been shipped.", from: "AcmeShop", clientRef: "a" },
    ]);
    expect(observed.exchanges.map((exchange) => exchange.violations)).toEqual([[]]);
    expect(outcomes).toEqual([
      { ok: true, result: expect.objectContaining({ to: "+4687654321", status: "queued", clientRef: "b" }) },
      { ok: true, result: expect.objectContaining({ to: "+4712345678", status: "queued", clientRef: "a" }) },
    ]);
  });

  it.each([
    ["code=460", ValidationError, 460],
    ["code=461", ValidationError, 461],
    ["code=462", ValidationError, 462],
    ["code=500", ServerError, 500],
    ["code=520", ServerError, 520],
  ])("throws for the whole batch when F24 answers %s", async (prefer, type, code) => {
    const { adapter, observed } = adapterFor(prefer);
    const error = await rejection(adapter.sendBatch([{ to: "+4712345678", text: "x", from: "AcmeShop" }]));
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ provider: "f24", status: code, code });
    expect(observed.exchanges).toHaveLength(1);
  });
});
