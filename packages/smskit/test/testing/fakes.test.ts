/** The fake gateways of `smskit/testing`, through the real clients and adapters. */
import {
  AuthenticationError,
  InsufficientCreditError,
  InvalidRecipientError,
  MessageRejectedError,
  NotFoundError,
  RateLimitError,
  realClock,
  ServerError,
  ServiceUnavailableError,
  type SmsProvider,
  TimeoutError,
  UnknownOutcomeError,
  ValidationError,
} from "@smskit/core";
import { createDigifyClient } from "@smskit/digify";
import { createF24Client } from "@smskit/f24";
import { createSmartSwitchClient } from "@smskit/smartswitch";
import { createWebsmsClient } from "@smskit/websms";
import { describe, expect, it } from "vitest";
import { manualTimers } from "../../../../tools/testing/clock.js";
import { digify, f24, parseDeliveryReport, smartSwitch, websms } from "../../src/index.js";
import { createFakeGateway, type FakeGateway, type GatewayName } from "../../src/testing/index.js";
import { conformingFetch, webhookProblems } from "./helpers.js";

const JSON_HEADERS = { "content-type": "application/json" };

function adapterFor(fake: FakeGateway, extra: Record<string, unknown> = {}): SmsProvider {
  const common = { baseUrl: fake.baseUrl, fetch: fake.fetch, retry: false as const, ...extra };
  switch (fake.provider) {
    case "digify":
      return digify({ accessToken: "test-token", ...common });
    case "websms":
      return websms({ accessToken: "test-token", ...common });
    case "f24":
      return f24({ accessKey: "key", accessToken: "token", defaultFrom: "smskit", ...common });
    case "smartswitch":
      return smartSwitch({ login: "login", password: "password", ...common });
  }
}

const GATEWAY_NAMES: GatewayName[] = ["digify", "websms", "f24", "smartswitch"];

describe("Digify fake", () => {
  const setup = (options: Parameters<typeof createFakeGateway<"digify">>[1] = {}) => {
    const fake = createFakeGateway("digify", options);
    const checked = conformingFetch(fake);
    const client = createDigifyClient({
      accessToken: "test-token",
      baseUrl: fake.baseUrl,
      fetch: checked.fetch,
      retry: false,
    });
    return { fake, client, checked };
  };

  it("answers a mixed batch in order, echoing ids and counting segments and credits", async () => {
    const { fake, client, checked } = setup();
    const long = "x".repeat(161);
    const answer = await client.send({
      messages: [
        { type: "sms", id: "order-1", destAddr: "4712345678", msg: long, sourceAddr: "ACME" },
        {
          type: "email",
          sourceAddr: "noreply@example.com",
          destAddr: "user@example.com",
          subject: "Hei",
          body: "<p>Hei</p>",
        },
        { type: "sms", destAddr: "4798765432", msg: "Hei på deg 😀" },
      ],
    });
    expect(answer).toMatchObject({
      status: "success",
      simulationMode: false,
      summary: { total: 3, sms: 2, email: 1, creditsUsed: 3 },
    });
    expect(answer.results.map((result) => result.type)).toEqual(["sms", "email", "sms"]);
    expect(answer.results[0]).toMatchObject({ id: "order-1", status: "queued", msgCount: 2 });
    expect(answer.results[2]).not.toHaveProperty("id");
    expect(fake.sent.map(({ type, to, clientRef, segments }) => ({ type, to, clientRef, segments }))).toEqual(
      [
        { type: "sms", to: "+4712345678", clientRef: "order-1", segments: 2 },
        { type: "email", to: "user@example.com", clientRef: undefined, segments: 0 },
        { type: "sms", to: "+4798765432", clientRef: undefined, segments: 1 },
      ],
    );
    expect(new Set(fake.sent.map((message) => message.id)).size).toBe(3);
    expect(checked.problems).toEqual([]);
  });

  it("answers in simulation mode without using credits", async () => {
    const { fake, client } = setup({ simulationMode: true, credits: 0 });
    const answer = await client.send({ messages: [{ type: "sms", destAddr: "4712345678", msg: "test" }] });
    expect(answer).toMatchObject({ simulationMode: true, summary: { creditsUsed: 0 } });
    expect(answer.results[0]?.status).toBe("simulated");
    expect(fake.sent[0]?.simulated).toBe(true);
  });

  it("refuses a batch the credits do not cover with 402 and the figures, and keeps the rest", async () => {
    const { fake, client } = setup({ credits: 3 });
    await client.send({ messages: [{ type: "sms", destAddr: "4712345678", msg: "x".repeat(200) }] });
    const error = await client
      .send({ messages: [{ type: "sms", destAddr: "4712345678", msg: "x".repeat(200) }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InsufficientCreditError);
    expect(error).toMatchObject({
      code: "INSUFFICIENT_CREDIT",
      details: { creditsNeeded: 2, creditsAvailable: 1 },
    });
    expect(fake.sent).toHaveLength(1);
  });

  it("answers an invalid request with 400 VALIDATION_ERROR whose details name each wrong field", async () => {
    const { fake, client, checked } = setup();
    // Through `api`: the client's own checks would refuse this before the network.
    const error = await client.api
      .POST("/api/v1/messages/send", {
        // a typo'd field name and a text over 1600 characters
        body: { messages: [{ type: "sms", destAdr: "4712345678", msg: "x".repeat(1601) } as never] },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ status: 400, code: "VALIDATION_ERROR" });
    const details = (error as ValidationError).details as Array<{ code: string; path: unknown[] }>;
    expect(details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: "invalid_type", path: ["messages", 0, "destAddr"] }),
        expect.objectContaining({ code: "unrecognized_keys", path: ["messages", 0, "destAdr"] }),
        expect.objectContaining({ code: "too_big", path: ["messages", 0, "msg"] }),
      ]),
    );
    expect(fake.sent).toEqual([]);
    expect(fake.requests[0]?.problems.map((problem) => problem.keyword).sort()).toEqual([
      "additionalProperties",
      "maxLength",
      "required",
    ]);
    expect(checked.problems).toEqual([]);
  });

  it("serves its SMS log from what it accepted, newest first, in pages", async () => {
    let clock = Date.parse("2026-03-01T10:00:00Z");
    const { client } = setup({
      now: () => {
        clock += 60_000;
        return new Date(clock);
      },
    });
    for (const text of ["one", "two", "three"]) {
      await client.send({ messages: [{ type: "sms", destAddr: "4712345678", msg: text }] });
    }
    const first = await client.smsLogs({ limit: 2 });
    expect(first.data.map((entry) => entry.msg)).toEqual(["three", "two"]);
    expect(first.pagination).toEqual({ total: 3, limit: 2, offset: 0, hasMore: true });
    const second = await client.smsLogs({ limit: 2, offset: 2 });
    expect(second.data.map((entry) => entry.msg)).toEqual(["one"]);
    expect(second.pagination.hasMore).toBe(false);
    expect((await client.smsLogs({ status: "simulated" })).data).toEqual([]);
    expect((await client.smsLogs({ startDate: "2026-03-02" })).data).toEqual([]);
    expect((await client.smsLogs({ endDate: "2026-03-01" })).pagination.total).toBe(3);
  });

  it("lets a lost answer be reconciled against the SMS log", async () => {
    const { fake, client } = setup();
    fake.failNext("lose-answer");
    const error = await client
      .send({ messages: [{ type: "sms", id: "otp-7", destAddr: "4712345678", msg: "Code 123456" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    const log = await client.smsLogs();
    expect(log.data).toEqual([
      expect.objectContaining({ destAddr: "4712345678", msg: "Code 123456", status: "queued" }),
    ]);
    expect(String(log.data[0]?.messageId)).toBe(fake.sent[0]?.id);
  });

  it("serves the e-mail log, the company register and health", async () => {
    const { client } = setup();
    await client.send({
      messages: [
        {
          type: "email",
          sourceAddr: "a@example.com",
          destAddr: "b@example.com",
          subject: "S",
          body: "B",
          bodyFormat: "text",
        },
      ],
    });
    expect((await client.emailLogs()).data).toEqual([
      expect.objectContaining({ subject: "S", bodyFormat: "text" }),
    ]);
    expect((await client.searchCompanies({ search: "dnb" })).companies).toEqual([
      { orgNr: "984851006", navn: "DNB BANK ASA", forrAdrPostSted: "OSLO" },
    ]);
    expect((await client.searchCompanies({ search: "984851006" })).companies).toHaveLength(1);
    expect((await client.getCompany({ orgNr: "984851006" })).companies[0]?.orgnr).toBe(984851006);
    await expect(client.getCompany({ orgNr: "123456789" })).rejects.toBeInstanceOf(NotFoundError);
    const invalid = await client.getCompany({ orgNr: "123" }).catch((e: unknown) => e);
    expect(invalid).toMatchObject({
      code: "VALIDATION_ERROR",
      details: [expect.objectContaining({ path: ["orgNr"] })],
    });
    expect((await client.health()).status).toBe("healthy");
    expect((await client.ready()).status).toBe("ready");
  });

  it("needs a token, and only the configured one when given", async () => {
    const fake = createFakeGateway("digify", { accessToken: "right-token" });
    const noToken = await fake.fetch(`${fake.baseUrl}/api/v1/logs/sms`);
    expect(noToken.status).toBe(401);
    expect(await noToken.json()).toMatchObject({ error: { code: "AUTHENTICATION_FAILED" } });
    const wrong = createDigifyClient({
      accessToken: "wrong-token",
      baseUrl: fake.baseUrl,
      fetch: fake.fetch,
    });
    await expect(wrong.smsLogs()).rejects.toBeInstanceOf(AuthenticationError);
    const right = createDigifyClient({
      accessToken: "right-token",
      baseUrl: fake.baseUrl,
      fetch: fake.fetch,
    });
    await expect(right.smsLogs()).resolves.toMatchObject({ status: "success" });
  });

  it("answers an unknown path with Digify's NOT_FOUND", async () => {
    const fake = createFakeGateway("digify");
    const response = await fake.fetch(`${fake.baseUrl}/api/v1/nothing`, {
      headers: { authorization: "Bearer x" },
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
  });
});

describe("websms fake", () => {
  const setup = (options: Parameters<typeof createFakeGateway<"websms">>[1] = {}) => {
    const fake = createFakeGateway("websms", options);
    const checked = conformingFetch(fake);
    const client = createWebsmsClient({
      accessToken: "test-token",
      baseUrl: fake.baseUrl,
      fetch: checked.fetch,
      retry: false,
    });
    return { fake, client, checked };
  };

  it("sends one text to several recipients: one transfer, smsCount over all of them", async () => {
    const { fake, client, checked } = setup();
    const answer = await client.sendText({
      recipientAddressList: ["4369912345678", "4367612345678"],
      messageContent: "x".repeat(200),
      clientMessageId: "order-9",
      senderAddress: "smskit",
      senderAddressType: "alphanumeric",
    });
    expect(answer).toMatchObject({
      statusCode: 2000,
      statusMessage: "OK",
      clientMessageId: "order-9",
      smsCount: 4,
    });
    expect(answer.transferId).toMatch(/^[0-9a-f]{20}$/);
    expect(fake.sent.map((message) => [message.to, message.id, message.segments])).toEqual([
      ["+4369912345678", answer.transferId, 2],
      ["+4367612345678", answer.transferId, 2],
    ]);
    expect(checked.problems).toEqual([]);
  });

  it("counts nothing in test mode and refuses a text over maxSmsPerMessage with 4026", async () => {
    const { fake, client } = setup();
    const dry = await client.sendText({
      recipientAddressList: ["4369912345678"],
      messageContent: "hi",
      test: true,
    });
    expect(dry.smsCount).toBe(0);
    expect(fake.sent[0]?.simulated).toBe(true);
    const error = await client
      .sendText({
        recipientAddressList: ["4369912345678"],
        messageContent: "x".repeat(400),
        maxSmsPerMessage: 2,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ status: 200, code: 4026 });
  });

  it("puts validation failures in statusCode, with the reason in statusMessage", async () => {
    const { fake, client, checked } = setup();
    // Through `api`: the client's own checks would refuse this before the network.
    const recipient = await client.api
      .POST("/smsmessaging/text", {
        body: { recipientAddressList: ["43-699-123"], messageContent: "hi" },
        headers: { Accept: "application/json" },
      })
      .catch((e: unknown) => e);
    expect(recipient).toBeInstanceOf(InvalidRecipientError);
    expect(recipient).toMatchObject({ status: 200, code: 4002 });
    expect((recipient as InvalidRecipientError).providerMessage).toContain("recipientAddressList[0]");

    const missing = await fake.fetch(`${fake.baseUrl}/smsmessaging/text`, {
      method: "POST",
      headers: { ...JSON_HEADERS, authorization: "Bearer t" },
      body: JSON.stringify({ recipientAddressList: ["4369912345678"] }),
    });
    expect(missing.status).toBe(200);
    expect(await missing.json()).toMatchObject({
      statusCode: 4019,
      statusMessage: expect.stringContaining("parameter missing: messageContent"),
    });
    expect(checked.problems).toEqual([]);
  });

  it("answers an unknown field with 400 naming it", async () => {
    const { client } = setup();
    const error = await client
      .sendText({ recipientAddressList: ["4369912345678"], messageContent: "hi", colour: "red" } as never)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ status: 400 });
    expect((error as Error).message).toContain("body.colour: is not a known property");
  });

  it("reads the simple endpoints' Latin-1, by form (POST) and query (GET), and answers form-encoded", async () => {
    const { fake, client, checked } = setup();
    const posted = await client.sendSimple({
      recipientAddressList: ["4369912345678"],
      messageContent: "Grüße aus Wien",
    });
    const got = await client.sendSimple(
      {
        recipientAddressList: ["4369912345678", "4367612345678"],
        messageContent: "Smørbrød",
        clientMessageId: "g-1",
      },
      { method: "GET" },
    );
    expect(posted).toMatchObject({ statusCode: 2000, smsCount: 1 });
    expect(got).toMatchObject({ statusCode: 2000, smsCount: 2, clientMessageId: "g-1" });
    expect(fake.sent.map((message) => message.text)).toEqual(["Grüße aus Wien", "Smørbrød", "Smørbrød"]);
    expect(checked.problems).toEqual([]);
  });

  it("sends binary segments and counts them", async () => {
    const { client } = setup();
    const answer = await client.sendBinary({
      recipientAddressList: ["4369912345678"],
      messageContent: ["BQAD/AIBWnVzYW1tZW4=", "BQAD/AICZ2Vmw7xndC4="],
      userDataHeaderPresent: true,
    });
    expect(answer.smsCount).toBe(2);
    // Through `api`: the client's own checks would refuse this before the network.
    const error = await client.api
      .POST("/smsmessaging/binary", {
        body: { recipientAddressList: ["4369912345678"], messageContent: ["not base64!"] },
        headers: { Accept: "application/json" },
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 4027 });
  });

  it("answers missing or wrong credentials with an empty 401", async () => {
    const fake = createFakeGateway("websms", { username: "user", password: "secret" });
    const anonymous = await fake.fetch(`${fake.baseUrl}/smsmessaging/text`, { method: "POST" });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).toBe("");
    const wrong = createWebsmsClient({
      username: "user",
      password: "guess",
      baseUrl: fake.baseUrl,
      fetch: fake.fetch,
    });
    await expect(
      wrong.sendText({ recipientAddressList: ["4369912345678"], messageContent: "x" }),
    ).rejects.toBeInstanceOf(AuthenticationError);
    const right = createWebsmsClient({
      username: "user",
      password: "secret",
      baseUrl: fake.baseUrl,
      fetch: fake.fetch,
    });
    await expect(
      right.sendText({ recipientAddressList: ["4369912345678"], messageContent: "x" }),
    ).resolves.toMatchObject({
      statusCode: 2000,
    });
  });

  it("serves the documented /rest prefix too", async () => {
    const fake = createFakeGateway("websms");
    const client = createWebsmsClient({
      accessToken: "t",
      baseUrl: "https://api.websms.com/rest",
      fetch: fake.fetch,
    });
    await expect(
      client.sendText({ recipientAddressList: ["4369912345678"], messageContent: "x" }),
    ).resolves.toMatchObject({
      statusCode: 2000,
    });
  });
});

describe("F24 fake", () => {
  const setup = () => {
    const fake = createFakeGateway("f24");
    const checked = conformingFetch(fake);
    const client = createF24Client({
      accessKey: "key",
      accessToken: "token",
      baseUrl: fake.baseUrl,
      fetch: checked.fetch,
      retry: false,
    });
    return { fake, client, checked };
  };

  it("queues each message and answers one entry per recipient, in order, with a batch id", async () => {
    const { fake, client, checked } = setup();
    const answer = await client.sendSmsExt({
      Messages: [
        { Sender: "ACME", Recipient: "+4712345678", Content: "first" },
        { Sender: "ACME", Recipient: "+4798765432", Content: "second" },
      ],
    });
    expect(answer.Recipients).toEqual([
      { Status: "Queued", Valid: true, Recipient: "+4712345678" },
      { Status: "Queued", Valid: true, Recipient: "+4798765432" },
    ]);
    expect(answer.Status).toBe("2 messages queued");
    expect(answer.BatchId).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
    expect(fake.sent.map((message) => [message.to, message.from, message.text, message.id])).toEqual([
      ["+4712345678", "ACME", "first", answer.BatchId],
      ["+4798765432", "ACME", "second", answer.BatchId],
    ]);
    expect(checked.problems).toEqual([]);
  });

  it("answers invalid data with 460 and one Errors entry per problem", async () => {
    const { client, checked } = setup();
    // Through `api`: the client's own checks would refuse this before the network.
    const error = await client.api
      .POST("/SendSMSExt", {
        body: { Messages: [{ Sender: "ACME", Recipient: "4712345678", Content: "x" }] },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ status: 460, code: 460 });
    expect((error as Error).message).toContain("Messages[0].Recipient must match pattern");
    const casing = await client.api
      .POST("/SendSMSExt", { body: { messages: [] } as never })
      .catch((e: unknown) => e);
    expect((casing as ValidationError).details).toEqual([
      expect.objectContaining({ Details: "Messages is missing.", Code: 460 }),
      expect.objectContaining({ Details: "messages is not a known property.", Code: 460 }),
    ]);
    expect(checked.problems).toEqual([]);
  });

  it("answers a body that is not JSON with 400", async () => {
    const fake = createFakeGateway("f24");
    const response = await fake.fetch(`${fake.baseUrl}/SendSMSExt`, {
      method: "POST",
      headers: { ...JSON_HEADERS, AccessKey: "k", AccessToken: "t" },
      body: "{ not json",
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      Errors: [
        {
          Title: "Invalid JSON format in request",
          Details: "The request body could not be parsed as JSON.",
          Code: 400,
        },
      ],
    });
  });

  it("needs both AccessKey and AccessToken", async () => {
    const fake = createFakeGateway("f24");
    const response = await fake.fetch(`${fake.baseUrl}/SendSMSExt`, {
      method: "POST",
      headers: { ...JSON_HEADERS, AccessKey: "k" },
      body: JSON.stringify({ Messages: [{ Sender: "A", Recipient: "+4712345678", Content: "x" }] }),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ Errors: [{ Title: "Not authorized", Details: "", Code: 401 }] });
  });
});

describe("SmartSwitch fake", () => {
  const setup = () => {
    const fake = createFakeGateway("smartswitch");
    const checked = conformingFetch(fake);
    const client = createSmartSwitchClient({
      login: "l",
      password: "p",
      baseUrl: fake.baseUrl,
      fetch: checked.fetch,
      retry: false,
    });
    return { fake, client, checked };
  };

  it("answers one resource per recipient group in order, echoing request_id", async () => {
    const { fake, client, checked } = setup();
    const report = await client.sendMessages([
      { to: "+4712345678", body: "one", requestId: "a" },
      { to: "+4798765432", body: "x".repeat(161), requestId: "b" },
      { to: "+12123388100", body: "three" },
    ]);
    expect(
      (
        report.messages as Array<{
          attributes: { destination_number: string; segments: number; status: string };
          meta?: { request_id?: string };
        }>
      ).map(
        (resource) =>
          resource.attributes.status === "ok" && [
            resource.attributes.destination_number,
            resource.attributes.segments,
            resource.meta?.request_id,
          ],
      ),
    ).toEqual([
      ["4712345678", 1, "a"],
      ["4798765432", 2, "b"],
      ["12123388100", 1, "3"],
    ]);
    expect(fake.sent.map((message) => [message.to, message.clientRef])).toEqual([
      ["+4712345678", "a"],
      ["+4798765432", "b"],
      ["+12123388100", "3"],
    ]);
    const single = await client.sendMessages([{ to: "+4712345678", body: "alone" }]);
    expect(Array.isArray(single.raw.data)).toBe(false);
    expect(checked.problems).toEqual([]);
  });

  it("answers bad arguments and misaligned groups with an errors document naming them", async () => {
    const fake = createFakeGateway("smartswitch");
    const bad = await fake.fetch(
      `${fake.baseUrl}/api/message?_login=l&_password=p&destination_number=0123&body=x&require_dlr=5`,
      { method: "POST" },
    );
    expect(bad.status).toBe(400);
    const { errors } = (await bad.json()) as { errors: Array<{ detail: string }> };
    expect(errors.map((error) => error.detail)).toEqual([
      expect.stringContaining("query.destination_number[0]: must match pattern"),
      expect.stringContaining("query.require_dlr[0]: must be one of 0, 1"),
    ]);
    const misaligned = await fake.fetch(
      `${fake.baseUrl}/api/message?_login=l&_password=p&destination_number=4712345678&destination_number=4798765432&body=only-one`,
      { method: "POST" },
    );
    expect(misaligned.status).toBe(400);
    expect(await misaligned.text()).toContain("body has 1 values for 2 recipients");
    expect(fake.sent).toEqual([]);
  });

  it("answers missing credentials with the documented authentication error", async () => {
    const fake = createFakeGateway("smartswitch", { login: "l", password: "p" });
    const client = createSmartSwitchClient({
      login: "l",
      password: "wrong",
      baseUrl: fake.baseUrl,
      fetch: fake.fetch,
    });
    const error = await client.sendMessages([{ to: "+4712345678", body: "x" }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ code: "authentication" });
  });
});

describe("faults, in each gateway's own form, through its adapter", () => {
  const send = (provider: SmsProvider) =>
    provider.send({ to: "+4712345678", text: "Hei", clientRef: "ref-1" });

  it.each(GATEWAY_NAMES)(
    "%s: throttle is a retryable RateLimitError and nothing is recorded",
    async (name) => {
      const fake = createFakeGateway(name);
      fake.failNext("throttle", { retryAfterSeconds: 3 });
      const error = await send(adapterFor(fake)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RateLimitError);
      expect((error as RateLimitError).retryable).toBe(true);
      if (name !== "websms") expect((error as RateLimitError).retryAfterMs).toBe(3000);
      expect(fake.sent).toEqual([]);
      await expect(send(adapterFor(fake))).resolves.toMatchObject({ provider: name });
    },
  );

  it.each(GATEWAY_NAMES)("%s: unavailable is a retryable ServiceUnavailableError", async (name) => {
    const fake = createFakeGateway(name);
    fake.failNext("unavailable");
    const error = await send(adapterFor(fake)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as ServiceUnavailableError).retryable).toBe(true);
  });

  it.each(GATEWAY_NAMES)("%s: server-error is a ServerError that is not retried", async (name) => {
    const fake = createFakeGateway(name);
    fake.failNext("server-error");
    const error = await send(adapterFor(fake)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).not.toBeInstanceOf(ServiceUnavailableError);
    expect((error as ServerError).retryable).toBe(false);
    expect(fake.sent).toEqual([]);
  });

  it.each(GATEWAY_NAMES)("%s: unauthorized is an AuthenticationError", async (name) => {
    const fake = createFakeGateway(name);
    fake.failNext("unauthorized");
    await expect(send(adapterFor(fake))).rejects.toBeInstanceOf(AuthenticationError);
  });

  it.each(GATEWAY_NAMES)(
    "%s: lose-answer is an UnknownOutcomeError, and the message was sent once",
    async (name) => {
      const fake = createFakeGateway(name);
      fake.failNext("lose-answer");
      const error = await send(adapterFor(fake)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnknownOutcomeError);
      expect(fake.sent.map((message) => message.to)).toEqual(["+4712345678"]);
      expect(fake.requests).toHaveLength(1);
    },
  );

  it.each(GATEWAY_NAMES)(
    "%s: timeout is an UnknownOutcomeError after the client's timeout, sent once",
    async (name) => {
      const fake = createFakeGateway(name);
      fake.failNext("timeout");
      const error = await send(adapterFor(fake, { timeoutMs: 20 })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnknownOutcomeError);
      expect((error as UnknownOutcomeError).cause).toBeInstanceOf(TimeoutError);
      expect(fake.sent).toHaveLength(1);
    },
  );

  it.each(GATEWAY_NAMES)("%s: reject-recipient refuses that recipient the gateway's way", async (name) => {
    const fake = createFakeGateway(name);
    fake.failNext("reject-recipient", { recipient: "+4798765432" });
    const outcomes = await adapterFor(fake)
      .sendBatch([
        { to: "+4712345678", text: "first", clientRef: "a" },
        { to: "+4798765432", text: name === "websms" ? "first" : "second", clientRef: "b" },
      ])
      .then(
        (result) => result.map((outcome) => (outcome.ok ? "ok" : outcome.error.constructor.name)),
        (error: Error) => error.constructor.name,
      );
    // F24 and SmartSwitch answer per recipient; Digify and websms refuse the whole request.
    const expected = {
      digify: "ValidationError",
      websms: "InvalidRecipientError",
      f24: ["ok", "InvalidRecipientError"],
      smartswitch: ["ok", "MessageRejectedError"],
    }[name];
    expect(outcomes).toEqual(expected);
    expect(fake.sent.map((message) => message.to)).toEqual(Array.isArray(expected) ? ["+4712345678"] : []);
  });

  it("lets the client's own retries outlast a fault of fewer times than maxRetries", async () => {
    const fake = createFakeGateway("websms");
    fake.failNext("throttle", { times: 2 });
    const provider = websms({
      accessToken: "t",
      baseUrl: fake.baseUrl,
      fetch: fake.fetch,
      retry: { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 1 },
    });
    await expect(send(provider)).resolves.toMatchObject({ provider: "websms" });
    expect(fake.requests.map((request) => request.fault ?? "none")).toEqual(["throttle", "throttle", "none"]);
    expect(fake.sent).toHaveLength(1);
  });

  it("applies faults to sends only, in the order queued", async () => {
    const fake = createFakeGateway("digify");
    const client = createDigifyClient({
      accessToken: "t",
      baseUrl: fake.baseUrl,
      fetch: fake.fetch,
      retry: false,
    });
    fake.failNext("server-error");
    fake.failNext("throttle");
    await expect(client.smsLogs()).resolves.toMatchObject({ status: "success" });
    const sms = { messages: [{ type: "sms" as const, destAddr: "4712345678", msg: "x" }] };
    await expect(client.send(sms)).rejects.toBeInstanceOf(ServerError);
    await expect(client.send(sms)).rejects.toBeInstanceOf(RateLimitError);
    await expect(client.send(sms)).resolves.toMatchObject({ status: "success" });
  });

  it("refuses an unknown fault and a non-positive times", () => {
    const fake = createFakeGateway("f24");
    expect(() => fake.failNext("explode" as never)).toThrow(TypeError);
    expect(() => fake.failNext("throttle", { times: 0 })).toThrow(TypeError);
  });

  it("reset() forgets messages, requests, faults and the id sequence", async () => {
    const fake = createFakeGateway("smartswitch");
    const provider = adapterFor(fake);
    const first = await send(provider);
    fake.failNext("server-error");
    fake.reset();
    expect(fake.sent).toEqual([]);
    expect(fake.requests).toEqual([]);
    const again = await send(provider);
    expect(again.providerMessageId).toBe(first.providerMessageId);
  });
});

describe("delivery reports", () => {
  it("websms: posts the spec's JSON report to the message's callback URL, credentials as Basic auth", async () => {
    const fake = createFakeGateway("websms", { now: () => new Date("2026-05-01T12:00:00Z") });
    const client = createWebsmsClient({ accessToken: "t", baseUrl: fake.baseUrl, fetch: fake.fetch });
    await client.sendText({
      recipientAddressList: ["4369912345678"],
      messageContent: "hi",
      clientMessageId: "order-1",
      notificationCallbackUrl: "https://hook:s3cret@example.com/dlr",
    });
    const request = fake.deliveryReport("order-1", "delivered");
    expect(request.method).toBe("POST");
    expect(request.url).toBe("https://example.com/dlr");
    expect(request.headers.get("authorization")).toBe(`Basic ${btoa("hook:s3cret")}`);
    const body = await request.clone().json();
    expect(webhookProblems("websms", "deliveryReport", "application/json", body)).toEqual([]);
    expect(parseDeliveryReport("websms", body)).toMatchObject({
      providerMessageId: fake.sent[0]?.id,
      status: "delivered",
      clientRef: "order-1",
      at: new Date("2026-05-01T12:00:00Z"),
    });
    const undelivered = await fake.deliveryReport(fake.sent[0] as never, "expired").json();
    expect(undelivered).toMatchObject({ deliveredOn: null, deliveryReportMessageStatus: "expired" });
    expect(undelivered).not.toHaveProperty("deliveredAs");
  });

  it("websms: a transfer to several recipients needs the SentMessage, an unknown ref is an error", async () => {
    const fake = createFakeGateway("websms");
    const client = createWebsmsClient({ accessToken: "t", baseUrl: fake.baseUrl, fetch: fake.fetch });
    const { transferId } = await client.sendText({
      recipientAddressList: ["4369912345678", "4367612345678"],
      messageContent: "x",
    });
    expect(() => fake.deliveryReport(transferId as string, "delivered")).toThrow(/pass the SentMessage/);
    expect(() => fake.deliveryReport("nope", "delivered")).toThrow(TypeError);
    const second = fake.sent[1];
    expect(await fake.deliveryReport(second as never, "delivered").json()).toMatchObject({
      senderAddress: "4367612345678",
    });
  });

  it("smartswitch: posts the default form receipt", async () => {
    const fake = createFakeGateway("smartswitch");
    const [resource] = (
      await createSmartSwitchClient({
        login: "l",
        password: "p",
        baseUrl: fake.baseUrl,
        fetch: fake.fetch,
      }).sendMessages([{ to: "+4712345678", body: "x", requireDlr: true }])
    ).messages as Array<{ id: string }>;
    const request = fake.deliveryReport(resource?.id ?? "", "undeliverable", {
      url: "https://example.com/ss",
    });
    expect(request.url).toBe("https://example.com/ss");
    expect(request.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
    const text = await request.clone().text();
    expect(
      webhookProblems(
        "smartswitch",
        "deliveryReceipt",
        "application/x-www-form-urlencoded",
        Object.fromEntries(new URLSearchParams(text)),
      ),
    ).toEqual([]);
    expect(parseDeliveryReport("smartswitch", text)).toMatchObject({
      providerMessageId: fake.sent[0]?.id,
      status: "failed",
    });
  });

  it("digify and f24 document no delivery-report webhook", () => {
    for (const name of ["digify", "f24"] as const) {
      const fake = createFakeGateway(name);
      // @ts-expect-error these gateways have no delivery states
      expect(() => fake.deliveryReport("x", "delivered")).toThrow(/no delivery-report webhook/);
    }
  });
});

describe("listen()", () => {
  it("serves the same fake over loopback HTTP, a lost answer dropping the connection", async () => {
    const fake = createFakeGateway("digify");
    const server = await fake.listen();
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const provider = digify({ accessToken: "t", baseUrl: server.url, retry: false });
      await expect(provider.send({ to: "+4712345678", text: "over http" })).resolves.toMatchObject({
        status: "queued",
      });
      fake.failNext("lose-answer");
      await expect(provider.send({ to: "+4712345678", text: "lost" })).rejects.toBeInstanceOf(
        UnknownOutcomeError,
      );
      fake.failNext("timeout");
      // The client's timeout fires once the fake has the request: an event, not a race with the machine.
      const timers = manualTimers();
      const slow = digify({
        accessToken: "t",
        baseUrl: server.url,
        retry: false,
        clock: { ...realClock, timer: timers.timer },
      });
      const stalled = slow.send({ to: "+4712345678", text: "stalled" }).catch((e: unknown) => e);
      while (fake.sent.length < 3) await new Promise((resolve) => setImmediate(resolve));
      timers.fire();
      expect(await stalled).toBeInstanceOf(UnknownOutcomeError);
      expect(fake.sent.map((message) => message.text)).toEqual(["over http", "lost", "stalled"]);
    } finally {
      await server.close();
    }
  });

  it("listens on loopback only and closes with idle keep-alive connections open", async () => {
    const fake = createFakeGateway("f24");
    await expect(fake.listen({ host: "0.0.0.0" })).rejects.toThrow(TypeError);
    const server = await fake.listen();
    const provider = f24({
      accessKey: "k",
      accessToken: "t",
      baseUrl: server.url,
      defaultFrom: "x",
      retry: false,
    });
    await provider.send({ to: "+4712345678", text: "keep-alive" });
    await server.close();
    await expect(provider.send({ to: "+4712345678", text: "after close" })).rejects.toMatchObject({
      mayHaveReachedGateway: false,
    });
  });
});

describe("where the fakes are stricter than Prism, on purpose", () => {
  it("refuses an unknown query parameter, but not the credentials a gateway takes in the query", async () => {
    const fake = createFakeGateway("digify");
    const typo = await fake.fetch(`${fake.baseUrl}/api/v1/logs/sms?limt=10`, {
      headers: { authorization: "Bearer t" },
    });
    expect(typo.status).toBe(400);
    expect(await typo.json()).toMatchObject({
      error: { details: [{ code: "unrecognized_keys", path: ["limt"] }] },
    });
    const token = await fake.fetch(`${fake.baseUrl}/api/v1/logs/sms?AccessToken=t`);
    expect(token.status).toBe(200);
  });

  it("refuses an unknown field in a websms form body, as the spec closes the object", async () => {
    const fake = createFakeGateway("websms");
    const response = await fake.fetch(`${fake.baseUrl}/smsmessaging/simple`, {
      method: "POST",
      headers: { authorization: "Bearer t", "content-type": "application/x-www-form-urlencoded" },
      body: "recipientAddressList=4369912345678&messageContent=hi&colour=red",
    });
    expect(response.status).toBe(400);
    expect(fake.sent).toEqual([]);
  });
});

describe("createFakeGateway", () => {
  it("refuses an unknown gateway and bad options with a TypeError", () => {
    expect(() => createFakeGateway("digfy" as never)).toThrow(
      /unknown gateway "digfy"; choose from digify, websms, f24, smartswitch/,
    );
    expect(() => createFakeGateway("toString" as never)).toThrow(TypeError);
    expect(() => createFakeGateway("digify", { credits: -1 })).toThrow(TypeError);
  });

  it("keeps a client given only the base URL from reaching anything", async () => {
    const fake = createFakeGateway("digify");
    const provider = digify({ accessToken: "t", baseUrl: fake.baseUrl, retry: false });
    await expect(provider.send({ to: "+4712345678", text: "x" })).rejects.toMatchObject({
      mayHaveReachedGateway: false,
    });
  });

  it("rejects what the gateway rejects: a recipient the adapter would never send is refused by the spec too", async () => {
    const fake = createFakeGateway("smartswitch");
    const response = await fake.fetch(
      `${fake.baseUrl}/api/message?_login=l&_password=p&destination_number=%2B4712345678&body=x`,
      {
        method: "POST",
      },
    );
    expect(response.status).toBe(400);
    expect(MessageRejectedError).toBeDefined();
  });
});
