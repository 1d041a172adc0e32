import { InvalidSenderError, MessageRejectedError, RateLimitError, ValidationError } from "@smskit/core";
import { describe, expect, inject, it } from "vitest";
import { describeAdapterContract } from "../../../tools/contract/adapter-contract.js";
import { observedFetch } from "../../../tools/mock/observe.js";
import { websms } from "../src/index.js";

const TOKEN = "wsTok-adapter-0123456789abcdef";
const USERNAME = "smskit-adapter";
const PASSWORD = "adapter s3cret";

describeAdapterContract({
  name: "websms",
  create: ({ baseUrl, fetch, retry }) => websms({ accessToken: TOKEN, baseUrl, fetch, retry }),
  secrets: [TOKEN],
  preferAuthFailure: "code=401",
  preferThrottled: "example=throttled",
});

describe("with username and password (HTTP Basic)", () => {
  describeAdapterContract({
    name: "websms",
    create: ({ baseUrl, fetch, retry }) =>
      websms({ username: USERNAME, password: PASSWORD, baseUrl, fetch, retry }),
    secrets: [PASSWORD, btoa(`${USERNAME}:${PASSWORD}`)],
    preferAuthFailure: "code=401",
    preferThrottled: "example=throttled",
  });
});

function setup(prefer?: string) {
  const observed = observedFetch(prefer === undefined ? {} : { prefer });
  const provider = websms({
    accessToken: TOKEN,
    baseUrl: inject("mockUrls").websms,
    fetch: observed.fetch,
    retry: false,
  });
  const sent = () => JSON.parse(observed.last.requestBody) as Record<string, unknown>;
  return { provider, observed, sent };
}

/** An injected gateway that answers every send with `answer`, for figures Prism's examples lack. */
function answering(answer: Record<string, unknown>) {
  const bodies: unknown[] = [];
  const provider = websms({
    accessToken: TOKEN,
    retry: false,
    fetch: async (request) => {
      bodies.push(await request.json());
      return new Response(JSON.stringify(answer), { headers: { "content-type": "application/json" } });
    },
  });
  return { provider, bodies };
}

describe("websms adapter", () => {
  it("states one text per request, up to 1000 recipients, no e-mail", () => {
    const { provider } = setup();
    expect(provider.capabilities).toEqual({
      email: false,
      maxRecipientsPerRequest: 1000,
      distinctTextsPerRequest: false,
    });
    expect(provider.sendEmail).toBeUndefined();
  });

  it("sends a batch as one request with digits-only recipients and a shared transferId", async () => {
    const { provider, observed, sent } = setup();
    const outcomes = await provider.sendBatch([
      { to: "+4712345678", text: "Same text", from: "ACME" },
      { to: "+436991234567", text: "Same text", from: "ACME" },
      { to: "+4798765432", text: "Same text", from: "ACME" },
    ]);
    expect(observed.exchanges).toHaveLength(1);
    expect(observed.last.violations).toEqual([]);
    expect(sent()).toEqual({
      recipientAddressList: ["4712345678", "436991234567", "4798765432"],
      messageContent: "Same text",
      senderAddress: "ACME",
      senderAddressType: "alphanumeric",
    });
    expect(outcomes.map((outcome) => outcome.ok && outcome.result.to)).toEqual([
      "+4712345678",
      "+436991234567",
      "+4798765432",
    ]);
    expect(outcomes.map((outcome) => outcome.ok && outcome.result.providerMessageId)).toEqual([
      "0051949fe700053c4615",
      "0051949fe700053c4615",
      "0051949fe700053c4615",
    ]);
  });

  it("sends a numeric sender as international digits", async () => {
    const { provider, sent, observed } = setup();
    await provider.send({ to: "+4712345678", text: "hi", from: "+4369912345678" });
    expect(observed.last.violations).toEqual([]);
    expect(sent()).toMatchObject({ senderAddress: "4369912345678", senderAddressType: "international" });
  });

  it("refuses a sender that is too long, before sending", async () => {
    const { provider, observed } = setup();
    await expect(provider.send({ to: "+4712345678", text: "hi", from: "ACME Corporation" })).rejects.toThrow(
      InvalidSenderError,
    );
    await expect(
      provider.send({ to: "+4712345678", text: "hi", from: "+12345678901234567" }),
    ).rejects.toBeInstanceOf(InvalidSenderError);
    expect(observed.exchanges).toHaveLength(0);
  });

  it("refuses a batch mixing texts or senders, and an empty text, before sending", async () => {
    const { provider, observed } = setup();
    const mixedTexts = provider.sendBatch([
      { to: "+4712345678", text: "a" },
      { to: "+4798765432", text: "b" },
    ]);
    await expect(mixedTexts).rejects.toMatchObject({ code: "MIXED_BATCH" });
    const mixedSenders = provider.sendBatch([
      { to: "+4712345678", text: "a", from: "ACME" },
      { to: "+4798765432", text: "a" },
    ]);
    await expect(mixedSenders).rejects.toBeInstanceOf(ValidationError);
    await expect(provider.send({ to: "+4712345678", text: "" })).rejects.toMatchObject({
      code: "EMPTY_TEXT",
    });
    expect(observed.exchanges).toHaveLength(0);
  });

  it("sends nothing for an empty batch", async () => {
    const { provider, observed } = setup();
    expect(await provider.sendBatch([])).toEqual([]);
    expect(observed.exchanges).toHaveLength(0);
  });

  it("sends clientRef as clientMessageId when the whole batch shares it, and omits differing ones", async () => {
    const { provider, observed } = setup();
    await provider.send({ to: "+4712345678", text: "x", clientRef: "order-1" });
    await provider.sendBatch([
      { to: "+4712345678", text: "x", clientRef: "campaign-7" },
      { to: "+4798765432", text: "x", clientRef: "campaign-7" },
    ]);
    const outcomes = await provider.sendBatch([
      { to: "+4712345678", text: "x", clientRef: "a" },
      { to: "+4798765432", text: "x", clientRef: "b" },
    ]);
    const clientMessageIds = observed.exchanges.map(
      (exchange) => (JSON.parse(exchange.requestBody) as { clientMessageId?: string }).clientMessageId,
    );
    expect(clientMessageIds).toEqual(["order-1", "campaign-7", undefined]);
    expect(outcomes.map((outcome) => outcome.ok && outcome.result.clientRef)).toEqual(["a", "b"]);
  });

  it("maps 2000 to accepted and 2001 to queued", async () => {
    expect((await setup().provider.send({ to: "+4712345678", text: "x" })).status).toBe("accepted");
    expect((await setup("example=queued").provider.send({ to: "+4712345678", text: "x" })).status).toBe(
      "queued",
    );
  });

  it("splits smsCount evenly over the recipients when it divides", async () => {
    const { provider } = answering({ statusCode: 2000, statusMessage: "OK", transferId: "t1", smsCount: 6 });
    const outcomes = await provider.sendBatch([
      { to: "+4712345678", text: "x" },
      { to: "+4798765432", text: "x" },
    ]);
    expect(outcomes.map((outcome) => outcome.ok && outcome.result.segments)).toEqual([3, 3]);
  });

  it("falls back to smskit's estimate when smsCount does not divide, or is 0 in test mode", async () => {
    const longUcs2 = "😀".repeat(40); // 80 UTF-16 units → 2 UCS-2 segments
    for (const smsCount of [3, 0]) {
      const { provider } = answering({ statusCode: 2000, statusMessage: "OK", transferId: "t1", smsCount });
      const outcomes = await provider.sendBatch([
        { to: "+4712345678", text: longUcs2 },
        { to: "+4798765432", text: longUcs2 },
      ]);
      expect(outcomes.map((outcome) => outcome.ok && outcome.result.segments)).toEqual([2, 2]);
      expect(outcomes.every((outcome) => outcome.ok && outcome.result.encoding === "UCS-2")).toBe(true);
    }
  });

  it("throws the typed error for the whole batch when websms rejects the request", async () => {
    const { provider } = setup("example=recipientsBlacklisted");
    const batch = provider.sendBatch([
      { to: "+4712345678", text: "x" },
      { to: "+4798765432", text: "x" },
    ]);
    await expect(batch).rejects.toBeInstanceOf(MessageRejectedError);
    await expect(batch).rejects.toMatchObject({ provider: "websms", code: 4031 });
  });

  it("keeps the throttle code on RateLimitError", async () => {
    const error = await setup("example=throttled")
      .provider.send({ to: "+4712345678", text: "x" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ code: 4023, status: 200 });
  });
});
