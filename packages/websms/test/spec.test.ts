/** Every websms operation through the client against `prism mock` of our spec. */
import {
  AuthenticationError,
  InvalidRecipientError,
  InvalidSenderError,
  MessageRejectedError,
  RateLimitError,
  ServerError,
  ServiceUnavailableError,
  type SmsKitError,
  ValidationError,
} from "@smskit/core";
import { describe, expect, inject, it } from "vitest";
import { observedFetch } from "../../../tools/testing/fetch.js";
import { expectNoLeak, rejection } from "../../../tools/testing/leaks.js";
import { createWebsmsClient, type WebsmsClientOptions, type WebsmsTextRequest } from "../src/index.js";

const TOKEN = "wsTok-0123456789abcdef0123456789";
const USERNAME = "smskit-user";
// No colon: Prism rejects a Basic password containing one, although RFC 7617 allows it.
const PASSWORD = "s3cret pa55w0rd!";
const BASIC = `Basic ${btoa(`${USERNAME}:${PASSWORD}`)}`;

type Credentials = { accessToken: string } | { username: string; password: string };
const BEARER_LOGIN: Credentials = { accessToken: TOKEN };
const BASIC_LOGIN: Credentials = { username: USERNAME, password: PASSWORD };

function clientFor(
  prefer?: string,
  credentials: Credentials = BEARER_LOGIN,
  retry: WebsmsClientOptions["retry"] = false,
) {
  const observed = observedFetch(prefer === undefined ? {} : { prefer });
  const client = createWebsmsClient({
    ...credentials,
    baseUrl: inject("mockUrls").websms,
    fetch: observed.fetch,
    retry,
  } as WebsmsClientOptions);
  return { client, observed };
}

const text: WebsmsTextRequest = { recipientAddressList: ["4712345678"], messageContent: "Hello from smskit" };
const binary = { recipientAddressList: ["4712345678"], messageContent: ["SGVsbG8gV29ybGQ="] };

const expectNoSecrets = (error: unknown) =>
  expectNoLeak(error, [TOKEN, PASSWORD, BASIC.slice("Basic ".length)]);

describe("valid requests come back without sl-violations", () => {
  it("sends a minimal text with a Bearer token", async () => {
    const { client, observed } = clientFor();
    const result = await client.sendText(text);
    expect(observed.last.violations).toEqual([]);
    expect(observed.last.requestHeaders.get("authorization")).toBe(`Bearer ${TOKEN}`);
    expect(observed.last.url).not.toContain("access_token");
    expect(JSON.parse(observed.last.requestBody)).toEqual(text);
    expect(result).toMatchObject({
      statusCode: 2000,
      statusMessage: "OK",
      transferId: "0051949fe700053c4615",
    });
    expect(result.smsCount).toBe(1);
  });

  it("sends a text with every optional field using Basic auth", async () => {
    const { client, observed } = clientFor(undefined, BASIC_LOGIN);
    const body: WebsmsTextRequest = {
      recipientAddressList: ["436991234567", "4367612345678"],
      messageContent: "Your appointment is confirmed for tomorrow, 10:00.",
      senderAddress: "4369912345678",
      senderAddressType: "international",
      contentCategory: "informational",
      notificationCallbackUrl: "https://myservice.example/dlr",
      clientMessageId: "order-4711",
      priority: 5,
      test: false,
      validityPeriode: 3600,
      sendAsFlashSms: false,
      maxSmsPerMessage: 2,
      messageType: "default",
    };
    const result = await client.sendText(body);
    expect(observed.last.violations).toEqual([]);
    expect(observed.last.requestHeaders.get("authorization")).toBe(BASIC);
    expect(JSON.parse(observed.last.requestBody)).toEqual(body);
    expect(result.statusCode).toBe(2000);
  });

  it("reports a queued text (2001)", async () => {
    const { client, observed } = clientFor("example=queued");
    const result = await client.sendText(text);
    expect(observed.last.violations).toEqual([]);
    expect(result).toMatchObject({ statusCode: 2001, statusMessage: "OK_QUEUED", clientMessageId: null });
  });

  it("sends one binary segment", async () => {
    const { client, observed } = clientFor();
    const result = await client.sendBinary(binary);
    expect(observed.last.violations).toEqual([]);
    expect(result).toMatchObject({ statusCode: 2000, smsCount: 2 });
  });

  it("sends two concatenated binary segments with a user data header", async () => {
    const { client, observed } = clientFor(undefined, BASIC_LOGIN);
    const result = await client.sendBinary({
      recipientAddressList: ["436991234567"],
      messageContent: ["BQAD/AIBWnVzYW1tZW4=", "BQAD/AICZ2Vmw7xndC4="],
      userDataHeaderPresent: true,
      clientMessageId: "binary-0001",
      test: true,
    });
    expect(observed.last.violations).toEqual([]);
    expect(result.clientMessageId).toBe("binary-0001");
  });

  it("sends a simple POST as an ISO-8859-1 form and decodes the form answer", async () => {
    const { client, observed } = clientFor();
    const result = await client.sendSimple({
      recipientAddressList: ["436991234567", "4367612345678"],
      messageContent: "Grüße aus Wien",
      senderAddress: "smskit",
      senderAddressType: "alphanumeric",
      validityPeriode: 600,
      test: true,
    });
    expect(observed.last.violations).toEqual([]);
    expect(observed.last.method).toBe("POST");
    expect(observed.last.requestHeaders.get("content-type")).toBe(
      "application/x-www-form-urlencoded; charset=ISO-8859-1",
    );
    // Prism silently drops unknown form fields, so the exact body is asserted here.
    expect(observed.last.requestBody).toBe(
      "recipientAddressList=436991234567,4367612345678&messageContent=Gr%FC%DFe%20aus%20Wien" +
        "&senderAddress=smskit&senderAddressType=alphanumeric&validityPeriode=600&test=true",
    );
    expect(result).toEqual({
      statusCode: 2000,
      statusMessage: "OK",
      transferId: "0051949fe700053c4615",
      clientMessageId: null,
      smsCount: 1,
    });
  });

  it("sends a simple GET with comma-separated recipients and an encoded +", async () => {
    const { client, observed } = clientFor(undefined, BASIC_LOGIN);
    const result = await client.sendSimple(
      {
        recipientAddressList: ["+436991234567", "4367612345678"],
        messageContent: "Hello World",
        clientMessageId: "order-4711",
        priority: 5,
        maxSmsPerMessage: 2,
        messageType: "default",
        contentCategory: "advertisement",
        sendAsFlashSms: true,
        notificationCallbackUrl: "https://myservice.example/dlr",
      },
      { method: "GET" },
    );
    expect(observed.last.violations).toEqual([]);
    expect(observed.last.method).toBe("GET");
    const url = new URL(observed.last.url);
    expect(url.search).toBe(
      "?recipientAddressList=%2B436991234567,4367612345678&messageContent=Hello%20World" +
        "&clientMessageId=order-4711&priority=5&maxSmsPerMessage=2&messageType=default" +
        "&contentCategory=advertisement&sendAsFlashSms=true" +
        "&notificationCallbackUrl=https%3A%2F%2Fmyservice.example%2Fdlr",
    );
    expect(url.searchParams.get("recipientAddressList")).toBe("+436991234567,4367612345678");
    expect(result.statusCode).toBe(2000);
  });

  it("reports a queued simple send (2001) with numbers decoded", async () => {
    const { client, observed } = clientFor("example=queued");
    const result = await client.sendSimple(text, { method: "GET" });
    expect(observed.last.violations).toEqual([]);
    expect(result).toMatchObject({ statusCode: 2001, smsCount: 2, transferId: "00670eb55d00349e1111" });
  });
});

type ErrorType = abstract new (...args: never[]) => SmsKitError;
const IN_BODY_ERRORS: Array<[example: string, type: ErrorType, code: number]> = [
  ["invalidCredentials", AuthenticationError, 4001],
  ["invalidRecipient", InvalidRecipientError, 4002],
  ["invalidSender", InvalidSenderError, 4003],
  ["invalidPriority", ValidationError, 4015],
  ["parameterMissing", ValidationError, 4019],
  ["throttled", RateLimitError, 4023],
  // A throttle on the transfer rate: nothing was sent, so it is retried and failed over.
  ["tooManyRecipients", RateLimitError, 4025],
  ["recipientsBlacklisted", MessageRejectedError, 4031],
  ["internalError", ServerError, 5000],
  ["serviceUnavailable", ServiceUnavailableError, 5003],
];
const TEXT_ONLY: typeof IN_BODY_ERRORS = [["segmentLimitExceeded", ValidationError, 4026]];
const BINARY_ONLY: typeof IN_BODY_ERRORS = [["invalidSegment", ValidationError, 4027]];

async function expectInBodyError(send: () => Promise<unknown>, type: ErrorType, code: number) {
  const error = (await send().catch((e: unknown) => e)) as SmsKitError;
  expect(error).toBeInstanceOf(type);
  expect(error).toMatchObject({ provider: "websms", status: 200, code });
  expect(error.providerMessage).toEqual(expect.any(String));
  expect(error.message).toContain(String(code));
  expect(error.request?.url).toContain("/smsmessaging/");
  expect(error.retryable).toBe(type === RateLimitError || type === ServiceUnavailableError);
  expectNoSecrets(error);
  return error;
}

describe("statusCode errors inside HTTP 200 become typed errors", () => {
  it.each([...IN_BODY_ERRORS, ...TEXT_ONLY])("text, example=%s → %o (%i)", async (example, type, code) => {
    const { client, observed } = clientFor(`example=${example}`);
    await expectInBodyError(() => client.sendText(text), type, code);
    expect(observed.exchanges).toHaveLength(1);
  });

  it.each([...IN_BODY_ERRORS, ...BINARY_ONLY])(
    "binary, example=%s → %o (%i)",
    async (example, type, code) => {
      const { client } = clientFor(`example=${example}`, BASIC_LOGIN);
      await expectInBodyError(() => client.sendBinary(binary), type, code);
    },
  );

  it.each([...IN_BODY_ERRORS, ...TEXT_ONLY])(
    "simple POST, example=%s → %o (%i)",
    async (example, type, code) => {
      const { client } = clientFor(`example=${example}`);
      await expectInBodyError(() => client.sendSimple(text), type, code);
    },
  );

  it.each([...IN_BODY_ERRORS, ...TEXT_ONLY])(
    "simple GET, example=%s → %o (%i)",
    async (example, type, code) => {
      const { client } = clientFor(`example=${example}`, BASIC_LOGIN);
      await expectInBodyError(() => client.sendSimple(text, { method: "GET" }), type, code);
    },
  );

  it("keeps the gateway's message and names the code", async () => {
    const { client } = clientFor("example=invalidPriority");
    const error = (await client.sendText(text).catch((e: unknown) => e)) as ValidationError;
    expect(error.providerMessage).toBe("message priority is invalid");
    expect(error.message).toContain("4015: INVALID_MESSAGE_PRIORITY: message priority is invalid");
    expect(error.body).toMatchObject({ statusCode: 4015, transferId: null });
  });

  it("decodes the form-encoded message of a simple error", async () => {
    const { client } = clientFor("example=tooManyRecipients");
    const error = (await client.sendSimple(text).catch((e: unknown) => e)) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.providerMessage).toBe("Too many recipients in this request (1000).");
  });

  it("retries 4025 inside HTTP 200 like 4023, then gives up with RateLimitError", async () => {
    const { client, observed } = clientFor("example=tooManyRecipients", BEARER_LOGIN, {
      maxRetries: 1,
      initialDelayMs: 1,
    });
    const error = await rejection(client.sendText(text));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ code: 4025, retryable: true });
    expect(observed.exchanges).toHaveLength(2);
  });

  it("retries 4023 inside HTTP 200 with backoff, then gives up with RateLimitError", async () => {
    const { client, observed } = clientFor("example=throttled", BEARER_LOGIN, {
      maxRetries: 2,
      initialDelayMs: 1,
    });
    const error = await client.sendText(text).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(observed.exchanges).toHaveLength(3);
  });

  it("retries 5003 inside HTTP 200 on the simple POST too", async () => {
    const { client, observed } = clientFor("example=serviceUnavailable", BEARER_LOGIN, {
      maxRetries: 1,
      initialDelayMs: 1,
    });
    const error = await client.sendSimple(text).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(observed.exchanges).toHaveLength(2);
  });

  it("does not retry 5000, whose outcome is unknown", async () => {
    const { client, observed } = clientFor("example=internalError", BEARER_LOGIN, {
      maxRetries: 2,
      initialDelayMs: 1,
    });
    await expect(client.sendText(text)).rejects.toBeInstanceOf(ServerError);
    expect(observed.exchanges).toHaveLength(1);
  });
});

describe("HTTP-level errors", () => {
  it.each([
    ["text", (client: ReturnType<typeof createWebsmsClient>) => client.sendText(text)],
    ["binary", (client: ReturnType<typeof createWebsmsClient>) => client.sendBinary(binary)],
    ["simple POST", (client: ReturnType<typeof createWebsmsClient>) => client.sendSimple(text)],
    [
      "simple GET",
      (client: ReturnType<typeof createWebsmsClient>) => client.sendSimple(text, { method: "GET" }),
    ],
  ])("Prefer code=401 on %s → AuthenticationError with status 401", async (_, send) => {
    const { client, observed } = clientFor("code=401");
    const error = await send(client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ provider: "websms", status: 401, code: undefined });
    expect(observed.last.status).toBe(401);
    expectNoSecrets(error);
  });

  it("gets 401 from the mock when no credentials are sent", async () => {
    const { client, observed } = clientFor();
    const { response } = await client.api.POST("/smsmessaging/text", {
      body: text,
      // bypasses the client's auth on purpose, to show the spec's security is enforced
      fetch: (request: Request) => {
        request.headers.delete("authorization");
        return observed.fetch(request);
      },
    });
    expect(response.status).toBe(401);
    expect(observed.last.violations.some((violation) => String(violation.code) === "401")).toBe(true);
  });
});

describe("invalid requests are flagged by Prism", () => {
  // The spec declares no 4xx besides 401, so Prism answers 422 problem+json with the findings in
  // the body's `validation` array; the typed error carries them as `details`.
  const findings = (error: unknown) =>
    ((error as ValidationError).details as Array<{ code: string; location: string[] }>) ?? [];
  const JSON_HEADERS = { Accept: "application/json" };

  it("a recipient that is not digits: the helper refuses it offline, the raw api gets Prism's reasons", async () => {
    const { client, observed } = clientFor();
    const invalid = { ...text, recipientAddressList: ["abc"] };
    expect(await rejection(client.sendText(invalid))).toBeInstanceOf(InvalidRecipientError);
    expect(observed.exchanges).toHaveLength(0);
    const error = await rejection(
      client.api.POST("/smsmessaging/text", { body: invalid, headers: JSON_HEADERS }),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ provider: "websms", status: 422 });
    expect(findings(error)).toContainEqual(
      expect.objectContaining({ code: "pattern", location: ["body", "recipientAddressList", "0"] }),
    );
    expectNoSecrets(error);
  });

  it("an unknown field in the text request", async () => {
    const { client } = clientFor();
    const error = await rejection(client.sendText({ ...text, bogus: true } as WebsmsTextRequest));
    expect(error).toBeInstanceOf(ValidationError);
    expect(findings(error)).toContainEqual(expect.objectContaining({ code: "unevaluatedProperties" }));
  });

  it("a binary segment that is not Base64, and a text-only field on binary", async () => {
    const { client, observed } = clientFor();
    const invalid = { ...binary, messageContent: ["not base64!"], maxSmsPerMessage: 2 } as typeof binary;
    expect(await rejection(client.sendBinary(invalid))).toBeInstanceOf(ValidationError);
    expect(observed.exchanges).toHaveLength(0);
    const error = await rejection(
      client.api.POST("/smsmessaging/binary", { body: invalid, headers: JSON_HEADERS }),
    );
    expect(error).toBeInstanceOf(ValidationError);
    const codes = findings(error).map((finding) => finding.code);
    expect(codes).toContain("pattern");
    expect(codes).toContain("unevaluatedProperties");
  });

  it("a validity period outside 60..259200 on the simple POST", async () => {
    const { client } = clientFor();
    const error = await rejection(client.sendSimple({ ...text, validityPeriode: 10 }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(findings(error)).toContainEqual(
      expect.objectContaining({ code: "minimum", location: ["body", "validityPeriode"] }),
    );
  });

  it("a recipient with a letter on the simple GET", async () => {
    const { client, observed } = clientFor();
    const invalid = { ...text, recipientAddressList: ["12a"] };
    expect(await rejection(client.sendSimple(invalid, { method: "GET" }))).toBeInstanceOf(
      InvalidRecipientError,
    );
    expect(observed.exchanges).toHaveLength(0);
    const error = await rejection(
      client.api.GET("/smsmessaging/simple", {
        params: { query: invalid },
        querySerializer: () => "recipientAddressList=12a&messageContent=x",
        parseAs: "text",
      }),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ status: 422 });
    expect(findings(error)).toContainEqual(expect.objectContaining({ code: "pattern" }));
  });
});
