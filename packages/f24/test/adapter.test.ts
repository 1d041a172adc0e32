/** The shared adapter contract against the Prism mock, plus what is particular to F24. */
import {
  type FetchLike,
  InvalidRecipientError,
  InvalidSenderError,
  type SendOutcome,
  ServerError,
  UnexpectedResponseError,
  ValidationError,
} from "@smskit/core";
import { describe, expect, inject, it } from "vitest";
import { describeAdapterContract } from "../../../tools/contract/adapter-contract.js";
import { observedFetch } from "../../../tools/mock/observe.js";
import { type F24AdapterOptions, f24 } from "../src/index.js";

const ACCESS_KEY = "f24-key-0123456789";
const ACCESS_TOKEN = "f24-token-abcdefghijklmnop";
const BASE_URL = "https://sms.customer.example/api";
const BATCH_ID = "9B2E7C1A-5D4F-4E8B-A6C3-2F1D0E9A8B7C";

describeAdapterContract({
  name: "f24",
  // The shared suite sends messages without `from`; F24 has no account default sender, so the
  // adapter is given one, as a real deployment must.
  create: ({ baseUrl, fetch, retry }) =>
    f24({ accessKey: ACCESS_KEY, accessToken: ACCESS_TOKEN, baseUrl, fetch, retry, defaultFrom: "smskit" }),
  secrets: [ACCESS_KEY, ACCESS_TOKEN],
  preferAuthFailure: "code=401",
});

function recording(answer: (request: Request) => Response | Promise<Response>) {
  const requests: Request[] = [];
  const fetch: FetchLike = async (request) => {
    // The fake gateway reads the body too; the test gets its own copy.
    requests.push(request.clone());
    return answer(request);
  };
  return { fetch, requests };
}

const json = (payload: unknown, status = 200) =>
  new Response(JSON.stringify(payload), { status, headers: { "content-type": "application/json" } });

/** A gateway that queues every message it gets, echoing each recipient in order. */
const queueingAll = (request: Request) =>
  request.json().then((body: { Messages: Array<{ Recipient: string }> }) =>
    json({
      Recipients: body.Messages.map((message) => ({
        Status: "Queued",
        Valid: true,
        Recipient: message.Recipient,
      })),
      Status: `${body.Messages.length} messages queued`,
      BatchId: BATCH_ID,
    }),
  );

const adapterWith = (fetch: FetchLike, extra: Partial<F24AdapterOptions> = {}) =>
  f24({ accessKey: ACCESS_KEY, accessToken: ACCESS_TOKEN, baseUrl: BASE_URL, fetch, retry: false, ...extra });

const answerWith = (Recipients: unknown[]) => () => json({ Recipients, Status: "queued", BatchId: BATCH_ID });

const errorOf = (outcome: SendOutcome | undefined) => (outcome?.ok === false ? outcome.error : undefined);

function mockUrl(): string {
  const url = inject("mockUrls").f24;
  if (!url) throw new Error("no F24 mock: check test/global-setup.ts");
  return url;
}

describe("mapping a message to SendSMSExt", () => {
  it("sends from as Sender, the E.164 number with its +, the text as Content, and no clientRef", async () => {
    const { fetch, requests } = recording(queueingAll);
    const result = await adapterWith(fetch).send({
      to: "+4712345678",
      text: "Hei fra smskit",
      from: "AcmeShop",
      clientRef: "order-42",
    });
    expect(await requests[0]?.json()).toEqual({
      Messages: [{ Sender: "AcmeShop", Recipient: "+4712345678", Content: "Hei fra smskit" }],
    });
    expect(result).toEqual({
      provider: "f24",
      to: "+4712345678",
      status: "queued",
      providerMessageId: BATCH_ID,
      clientRef: "order-42",
      segments: 1,
      encoding: "GSM-7",
      raw: { Status: "Queued", Valid: true, Recipient: "+4712345678" },
    });
  });

  it("prefers the message's from over defaultFrom", async () => {
    const { fetch, requests } = recording(queueingAll);
    await adapterWith(fetch, { defaultFrom: "Fallback" }).send({ to: "+4712345678", text: "x", from: "Own" });
    await adapterWith(fetch, { defaultFrom: "Fallback" }).send({ to: "+4712345678", text: "x" });
    const senders = await Promise.all(
      requests.map(
        async (request) => ((await request.json()) as { Messages: [{ Sender: string }] }).Messages[0].Sender,
      ),
    );
    expect(senders).toEqual(["Own", "Fallback"]);
  });

  it("refuses a message without a sender before sending, since F24 has no default", async () => {
    const { fetch, requests } = recording(queueingAll);
    const adapter = adapterWith(fetch);
    for (const from of [undefined, "", "  "]) {
      const error = await adapter.send({ to: "+4712345678", text: "x", from }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toBeInstanceOf(InvalidSenderError);
      expect(error).toMatchObject({ provider: "f24", code: "SENDER_REQUIRED" });
      expect((error as Error).message).toMatch(/F24 needs a sender/);
    }
    await expect(
      adapter.sendBatch([
        { to: "+4712345678", text: "x", from: "AcmeShop" },
        { to: "+4798765432", text: "y" },
      ]),
    ).rejects.toBeInstanceOf(InvalidSenderError);
    expect(requests).toHaveLength(0);
  });

  it("refuses a whole batch with one bad recipient before sending", async () => {
    const { fetch, requests } = recording(queueingAll);
    const batch = [
      { to: "+4712345678", text: "x", from: "AcmeShop" },
      { to: "4798765432", text: "y", from: "AcmeShop" },
    ];
    await expect(adapterWith(fetch).sendBatch(batch)).rejects.toBeInstanceOf(InvalidRecipientError);
    expect(requests).toHaveLength(0);
  });

  it("sends nothing for an empty batch (F24 answers an empty Messages with 460)", async () => {
    const { fetch, requests } = recording(queueingAll);
    await expect(adapterWith(fetch).sendBatch([])).resolves.toEqual([]);
    expect(requests).toHaveLength(0);
  });

  it("estimates segments, since F24 reports none", async () => {
    const { fetch } = recording(queueingAll);
    const adapter = adapterWith(fetch, { defaultFrom: "AcmeShop" });
    expect((await adapter.send({ to: "+4712345678", text: "x".repeat(161) })).segments).toBe(2);
    const ucs2 = await adapter.send({ to: "+4712345678", text: "ø😀".repeat(50) });
    expect(ucs2).toMatchObject({ encoding: "UCS-2", segments: 3 });
  });

  it("sends a written international number in the E.164 form F24's examples use", async () => {
    const { fetch, requests } = recording(queueingAll);
    const result = await adapterWith(fetch, { defaultFrom: "AcmeShop" }).send({
      to: "+47 123 45 678",
      text: "x",
    });
    const sent = (await requests[0]?.json()) as { Messages: [{ Recipient: string }] };
    expect(sent.Messages[0].Recipient).toBe("+4712345678");
    expect(result.status).toBe("queued");
  });

  it("refuses a number too short for E.164 before sending, instead of waiting for F24's 460", async () => {
    const { fetch, requests } = recording(queueingAll);
    const error = await adapterWith(fetch, { defaultFrom: "AcmeShop" })
      .send({ to: "+47 123", text: "x" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRecipientError);
    expect(requests).toHaveLength(0);
  });

  it("needs the customer's baseUrl", () => {
    const options = { accessKey: ACCESS_KEY, accessToken: ACCESS_TOKEN } as F24AdapterOptions;
    expect(() => f24(options)).toThrow(TypeError);
    expect(() => f24(options)).toThrow(/baseUrl is required/);
  });
});

describe("per-recipient results of a 200", () => {
  const batch = [
    { to: "+4712345678", text: "one", from: "AcmeShop", clientRef: "a" },
    { to: "+4700000000", text: "two", from: "AcmeShop", clientRef: "b" },
    { to: "+4798765432", text: "three", from: "AcmeShop", clientRef: "c" },
  ];

  it("reports an entry with Valid: false as that message's InvalidRecipientError, the rest as sent", async () => {
    const { fetch, requests } = recording(
      answerWith([
        { Status: "Queued", Valid: true, Recipient: "+4712345678" },
        { Status: "Invalid", Valid: false, Recipient: "+4700000000" },
        { Status: "Queued", Valid: true, Recipient: "+4798765432" },
      ]),
    );
    const outcomes = await adapterWith(fetch).sendBatch(batch);
    expect(requests).toHaveLength(1);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false, true]);
    const error = errorOf(outcomes[1]);
    expect(error).toBeInstanceOf(InvalidRecipientError);
    expect(error).toMatchObject({
      provider: "f24",
      status: 200,
      code: "Invalid",
      providerMessage: "Invalid",
      body: { Status: "Invalid", Valid: false, Recipient: "+4700000000" },
    });
    expect(error?.message).toContain(BATCH_ID);
    expect(outcomes[2]).toMatchObject({ ok: true, result: { to: "+4798765432", clientRef: "c" } });
  });

  it("makes send throw for its one invalid recipient", async () => {
    const { fetch } = recording(answerWith([{ Status: "Rejected", Valid: false, Recipient: "+4700000000" }]));
    const error = await adapterWith(fetch)
      .send({ to: "+4700000000", text: "x", from: "AcmeShop" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRecipientError);
    expect(error).toMatchObject({ code: "Rejected" });
  });

  it("gives every message of one request the same BatchId as providerMessageId", async () => {
    const { fetch } = recording(queueingAll);
    const outcomes = await adapterWith(fetch).sendBatch(batch);
    const ids = outcomes.map((outcome) => (outcome.ok ? outcome.result.providerMessageId : undefined));
    expect(ids).toEqual([BATCH_ID, BATCH_ID, BATCH_ID]);
  });

  it("calls a valid entry with an undocumented Status accepted, not queued", async () => {
    const { fetch } = recording(answerWith([{ Status: "Sent", Valid: true, Recipient: "+4712345678" }]));
    const result = await adapterWith(fetch).send({ to: "+4712345678", text: "x", from: "AcmeShop" });
    expect(result.status).toBe("accepted");
  });

  it("matches by Recipient when the answer's order differs from the request's", async () => {
    const { fetch } = recording(
      answerWith([
        { Status: "Queued", Valid: true, Recipient: "+4798765432" },
        { Status: "Invalid", Valid: false, Recipient: "+4700000000" },
        { Status: "Queued", Valid: true, Recipient: "+4712345678" },
      ]),
    );
    const outcomes = await adapterWith(fetch).sendBatch(batch);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false, true]);
    expect(outcomes.map((outcome) => (outcome.ok ? outcome.result.raw : outcome.error.body))).toEqual([
      expect.objectContaining({ Recipient: "+4712345678" }),
      expect.objectContaining({ Recipient: "+4700000000" }),
      expect.objectContaining({ Recipient: "+4798765432" }),
    ]);
  });

  it("pairs repeated recipients in order and accepts an echo without the +", async () => {
    const twice = [
      { to: "+4712345678", text: "first", from: "AcmeShop" },
      { to: "+4712345678", text: "second", from: "AcmeShop" },
    ];
    const { fetch } = recording(
      answerWith([
        { Status: "Queued", Valid: true, Recipient: "4712345678" },
        { Status: "Invalid", Valid: false, Recipient: "4712345678" },
      ]),
    );
    const outcomes = await adapterWith(fetch).sendBatch(twice);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false]);
  });

  it("reports a message the answer has no entry for as UnexpectedResponseError, not as sent", async () => {
    const { fetch } = recording(
      answerWith([
        { Status: "Queued", Valid: true, Recipient: "+4712345678" },
        { Status: "Queued", Valid: true, Recipient: "+4798765432" },
      ]),
    );
    const outcomes = await adapterWith(fetch).sendBatch(batch);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false, true]);
    expect(errorOf(outcomes[1])).toBeInstanceOf(UnexpectedResponseError);
    expect(errorOf(outcomes[1])?.message).toMatch(/whether it was queued is unknown/);
  });
});

describe("against the mock", () => {
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

  it("sends a batch with distinct senders and texts in one valid request", async () => {
    const { adapter, observed } = adapterFor("example=twoQueued");
    const outcomes = await adapter.sendBatch([
      { to: "+4712345678", text: "Your order has been shipped.", from: "AcmeShop", clientRef: "a" },
      { to: "+4687654321", text: "Hei! Din pakke er klar til henting.", from: "4798765432", clientRef: "b" },
    ]);
    expect(observed.exchanges.map((exchange) => exchange.violations)).toEqual([[]]);
    expect(outcomes).toEqual([
      { ok: true, result: expect.objectContaining({ to: "+4712345678", status: "queued", clientRef: "a" }) },
      { ok: true, result: expect.objectContaining({ to: "+4687654321", status: "queued", clientRef: "b" }) },
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
    const error = await adapter
      .sendBatch([{ to: "+4712345678", text: "x", from: "AcmeShop" }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ provider: "f24", status: code, code });
    expect(observed.exchanges).toHaveLength(1);
  });
});
