/** The F24 adapter with an injected gateway: how messages become SendSMSExt, and how its answer is read. */
import {
  InvalidRecipientError,
  InvalidSenderError,
  type SendOutcome,
  ServerError,
  SmsKitError,
  UnknownOutcomeError,
  ValidationError,
} from "@smskit/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { json, type ScriptedStep, scriptedFetch } from "../../../tools/testing/fetch.js";
import { rejection } from "../../../tools/testing/leaks.js";
import { type F24AdapterOptions, f24 } from "../src/index.js";

const ACCESS_KEY = "f24-key-0123456789";
const ACCESS_TOKEN = "f24-token-abcdefghijklmnop";
const BASE_URL = "https://sms.customer.example/api";
const BATCH_ID = "9B2E7C1A-5D4F-4E8B-A6C3-2F1D0E9A8B7C";

/** A gateway that queues every message it gets, echoing each recipient in order. */
const queueingAll: ScriptedStep = async (request) => {
  const body = (await request.json()) as { Messages: Array<{ Recipient: string }> };
  return json({
    Recipients: body.Messages.map((message) => ({
      Status: "Queued",
      Valid: true,
      Recipient: message.Recipient,
    })),
    Status: `${body.Messages.length} messages queued`,
    BatchId: BATCH_ID,
  });
};
const answerWith = (Recipients: unknown[]) => json({ Recipients, Status: "queued", BatchId: BATCH_ID });

function adapterWith(steps: ScriptedStep[], extra: Partial<F24AdapterOptions> = {}) {
  const scripted = scriptedFetch(...steps);
  const provider = f24({
    accessKey: ACCESS_KEY,
    accessToken: ACCESS_TOKEN,
    baseUrl: BASE_URL,
    fetch: scripted.fetch,
    retry: false,
    ...extra,
  });
  const sent = (index = scripted.requests.length - 1) =>
    JSON.parse(scripted.requests[index]?.body ?? "null") as { Messages: Array<Record<string, string>> };
  return { provider, scripted, sent };
}

const errorOf = (outcome: SendOutcome | undefined) => (outcome?.ok === false ? outcome.error : undefined);

describe("mapping a message to SendSMSExt", () => {
  it("sends from as Sender, the E.164 number with its +, the text as Content, and no clientRef", async () => {
    const { provider, sent } = adapterWith([queueingAll]);
    const result = await provider.send({
      to: "+4712345678",
      text: "Hei fra smskit",
      from: "AcmeShop",
      clientRef: "order-42",
    });
    expect(sent()).toEqual({
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

  it("prefers the message's from over defaultFrom, and takes the default only when from is absent", async () => {
    const { provider, scripted, sent } = adapterWith([queueingAll, queueingAll], { defaultFrom: "Fallback" });
    await provider.send({ to: "+4712345678", text: "x", from: "Own" });
    await provider.send({ to: "+4712345678", text: "x" });
    expect([sent(0).Messages[0]?.Sender, sent(1).Messages[0]?.Sender]).toEqual(["Own", "Fallback"]);
    // A null is a mistake, not "use the default".
    expect(
      await rejection(provider.send({ to: "+4712345678", text: "x", from: null as never })),
    ).toBeInstanceOf(InvalidSenderError);
    expect(scripted.requests).toHaveLength(2);
  });

  it("refuses a message without a sender before sending, since F24 has no default", async () => {
    const { provider, scripted } = adapterWith([]);
    expect(await rejection(provider.send({ to: "+4712345678", text: "x" }))).toMatchObject({
      provider: "f24",
      code: "SENDER_REQUIRED",
      message: expect.stringMatching(/F24 needs a sender/),
    });
    for (const from of ["", "  ", "MUCH-TOO-LONG-SENDER", "+1234567890123456"]) {
      expect(await rejection(provider.send({ to: "+4712345678", text: "x", from }))).toBeInstanceOf(
        InvalidSenderError,
      );
    }
    expect(scripted.requests).toHaveLength(0);
  });

  it("refuses a defaultFrom F24 cannot show when the adapter is built", () => {
    expect(() =>
      f24({
        accessKey: ACCESS_KEY,
        accessToken: ACCESS_TOKEN,
        baseUrl: BASE_URL,
        defaultFrom: "MUCH-TOO-LONG-SENDER",
      }),
    ).toThrow(InvalidSenderError);
  });

  it("fails only the messages F24 cannot take; the others go in one request", async () => {
    const { provider, scripted, sent } = adapterWith([queueingAll]);
    const outcomes = await provider.sendBatch([
      { to: "+4712345678", text: "one", from: "AcmeShop", clientRef: "a" },
      { to: "+4798765432", text: "no sender" },
      { to: "4798765432", text: "no +", from: "AcmeShop" },
      { to: "+47 123 45 678", text: "written form", from: "AcmeShop" },
      { to: "+4798765432", text: "", from: "AcmeShop" },
      { to: "+4798765432", text: "\uD83D", from: "AcmeShop" },
      null as never,
      { to: "+4798765432", text: "ref", from: "AcmeShop", clientRef: 7 as never },
      { to: "+4687654321", text: "two", from: "4798765432", clientRef: "b" },
    ]);
    expect(scripted.requests).toHaveLength(1);
    expect(sent()).toEqual({
      Messages: [
        { Sender: "AcmeShop", Recipient: "+4712345678", Content: "one" },
        { Sender: "4798765432", Recipient: "+4687654321", Content: "two" },
      ],
    });
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([
      true,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      true,
    ]);
    expect(errorOf(outcomes[1])).toMatchObject({ code: "SENDER_REQUIRED" });
    expect(errorOf(outcomes[2])).toBeInstanceOf(InvalidRecipientError);
    expect(errorOf(outcomes[3])).toBeInstanceOf(InvalidRecipientError);
    expect(errorOf(outcomes[4])).toBeInstanceOf(ValidationError);
    expect(errorOf(outcomes[5])).toBeInstanceOf(ValidationError);
    expect(errorOf(outcomes[6])).toMatchObject({ code: "INVALID_MESSAGE" });
    expect(errorOf(outcomes[7])).toMatchObject({ code: "INVALID_CLIENT_REF" });
    expect(outcomes[8]).toMatchObject({ ok: true, result: { to: "+4687654321", clientRef: "b" } });
  });

  it("sends nothing for an empty batch (F24 answers an empty Messages with 460), or when no message can go", async () => {
    const { provider, scripted } = adapterWith([]);
    expect(await provider.sendBatch([])).toEqual([]);
    const outcomes = await provider.sendBatch([{ to: "+4712345678", text: "x" }]);
    expect(errorOf(outcomes[0])).toBeInstanceOf(InvalidSenderError);
    expect(scripted.requests).toHaveLength(0);
  });

  it("refuses a batch that is not an array, or larger than 100, typed and before sending", async () => {
    const { provider, scripted } = adapterWith([]);
    for (const batch of [null, undefined, {}, 42]) {
      expect(await rejection(provider.sendBatch(batch as never))).toMatchObject({ code: "INVALID_BATCH" });
    }
    const tooMany = Array.from({ length: 101 }, () => ({ to: "+4712345678", text: "x", from: "AcmeShop" }));
    expect(await rejection(provider.sendBatch(tooMany))).toMatchObject({ code: "BATCH_TOO_LARGE" });
    expect(scripted.requests).toHaveLength(0);
  });

  it("estimates segments, since F24 reports none", async () => {
    const { provider } = adapterWith([queueingAll, queueingAll], { defaultFrom: "AcmeShop" });
    expect((await provider.send({ to: "+4712345678", text: "x".repeat(161) })).segments).toBe(2);
    expect(await provider.send({ to: "+4712345678", text: "ø😀".repeat(50) })).toMatchObject({
      encoding: "UCS-2",
      segments: 3,
    });
  });

  it("needs the customer's baseUrl", () => {
    const options = { accessKey: ACCESS_KEY, accessToken: ACCESS_TOKEN } as F24AdapterOptions;
    expect(() => f24(options)).toThrow(/baseUrl is required/);
    expect(() => f24(null as never)).toThrow(SmsKitError);
  });
});

describe("per-recipient results of a 200", () => {
  const batch = [
    { to: "+4712345678", text: "one", from: "AcmeShop", clientRef: "a" },
    { to: "+4700000000", text: "two", from: "AcmeShop", clientRef: "b" },
    { to: "+4798765432", text: "three", from: "AcmeShop", clientRef: "c" },
  ];

  it("reports an entry with Valid: false as that message's InvalidRecipientError, the rest as sent", async () => {
    const { provider, scripted } = adapterWith([
      answerWith([
        { Status: "Queued", Valid: true, Recipient: "+4712345678" },
        { Status: "Invalid", Valid: false, Recipient: "+4700000000" },
        { Status: "Queued", Valid: true, Recipient: "+4798765432" },
      ]),
    ]);
    const outcomes = await provider.sendBatch(batch);
    expect(scripted.requests).toHaveLength(1);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false, true]);
    const error = errorOf(outcomes[1]);
    expect(error).toBeInstanceOf(InvalidRecipientError);
    expect(error).toMatchObject({
      provider: "f24",
      status: 200,
      code: "Invalid",
      providerMessage: "Invalid",
    });
    expect(error?.retryable).toBe(false);
    expect(error?.message).toContain(BATCH_ID);
    expect(outcomes[2]).toMatchObject({ ok: true, result: { to: "+4798765432", clientRef: "c" } });
  });

  it("makes send throw for its one invalid recipient", async () => {
    const { provider } = adapterWith([
      answerWith([{ Status: "Rejected", Valid: false, Recipient: "+4700000000" }]),
    ]);
    const error = await rejection(provider.send({ to: "+4700000000", text: "x", from: "AcmeShop" }));
    expect(error).toBeInstanceOf(InvalidRecipientError);
    expect(error).toMatchObject({ code: "Rejected" });
  });

  it("gives every message of one request the same BatchId as providerMessageId", async () => {
    const { provider } = adapterWith([queueingAll]);
    const outcomes = await provider.sendBatch(batch);
    expect(outcomes.map((outcome) => outcome.ok && outcome.result.providerMessageId)).toEqual([
      BATCH_ID,
      BATCH_ID,
      BATCH_ID,
    ]);
  });

  it("calls a valid entry with an undocumented Status accepted, not queued", async () => {
    const { provider } = adapterWith([
      answerWith([{ Status: "Sent", Valid: true, Recipient: "+4712345678" }]),
    ]);
    expect((await provider.send({ to: "+4712345678", text: "x", from: "AcmeShop" })).status).toBe("accepted");
  });

  it("matches by the echoed Recipient when the answer's order differs from the request's", async () => {
    const { provider } = adapterWith([
      answerWith([
        { Status: "Queued", Valid: true, Recipient: "+4798765432" },
        { Status: "Invalid", Valid: false, Recipient: "+4700000000" },
        { Status: "Queued", Valid: true, Recipient: "+4712345678" },
      ]),
    ]);
    const outcomes = await provider.sendBatch(batch);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false, true]);
    expect(
      outcomes.map((outcome) =>
        outcome.ok ? (outcome.result.raw as { Recipient: string }).Recipient : outcome.error.code,
      ),
    ).toEqual(["+4712345678", "Invalid", "+4798765432"]);
  });

  it("pairs repeated recipients in order and accepts an echo without the +", async () => {
    const { provider } = adapterWith([
      answerWith([
        { Status: "Queued", Valid: true, Recipient: "4712345678" },
        { Status: "Invalid", Valid: false, Recipient: "4712345678" },
      ]),
    ]);
    const outcomes = await provider.sendBatch([
      { to: "+4712345678", text: "first", from: "AcmeShop" },
      { to: "+4712345678", text: "second", from: "AcmeShop" },
    ]);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false]);
  });

  it("reports a message the answer leaves out as an unknown outcome, never as failed or sent", async () => {
    const { provider } = adapterWith([
      answerWith([
        { Status: "Queued", Valid: true, Recipient: "+4712345678" },
        { Status: "Queued", Valid: true, Recipient: "+4798765432" },
        { Status: "Queued", Valid: true, Recipient: "+4611111111" },
      ]),
    ]);
    const outcomes = await provider.sendBatch(batch);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false, true]);
    expect(errorOf(outcomes[1])).toBeInstanceOf(UnknownOutcomeError);
    expect(errorOf(outcomes[1])).toMatchObject({
      code: "NOT_IN_ANSWER",
      status: 200,
      details: { batchId: BATCH_ID },
    });
  });

  it("reports every message as unknown when the answer lists no recipient at all", async () => {
    const { provider } = adapterWith([answerWith([])]);
    const outcomes = await provider.sendBatch(batch);
    expect(outcomes.map((outcome) => errorOf(outcome))).toEqual([
      expect.any(UnknownOutcomeError),
      expect.any(UnknownOutcomeError),
      expect.any(UnknownOutcomeError),
    ]);
  });

  it("throws for the whole batch when F24 refuses the request, or answers without its shape", async () => {
    const { provider } = adapterWith([
      json({ Errors: [{ Title: "System error", Details: "", Code: 500 }] }, 500),
      json({ Status: "queued" }),
    ]);
    expect(await rejection(provider.sendBatch(batch))).toBeInstanceOf(ServerError);
    expect(await rejection(provider.sendBatch(batch))).toBeInstanceOf(UnknownOutcomeError);
  });
});

// --- Input: a result or an SmsKitError whatever the caller passes, and no request for what cannot go. ---

const RECIPIENT = /^\+[1-9][0-9]{6,14}$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const hostile = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.constantFrom("", " ", "\uD800", "x".repeat(100_000)),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.object(),
  fc.array(fc.anything(), { maxLength: 2 }),
);
const e164 = fc
  .tuple(fc.integer({ min: 1, max: 9 }), fc.stringMatching(/^[0-9]{7,14}$/))
  .map(([first, rest]) => `+${first}${rest}`);
const messageArb = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record(
      {
        to: fc.oneof({ weight: 5, arbitrary: e164 }, { weight: 1, arbitrary: hostile }),
        text: fc.oneof(
          { weight: 5, arbitrary: fc.string({ minLength: 1 }) },
          { weight: 1, arbitrary: hostile },
        ),
        from: fc.oneof(
          { weight: 5, arbitrary: fc.constantFrom(undefined, "AcmeShop", "+4798765432", "4798765432") },
          { weight: 1, arbitrary: hostile },
        ),
        clientRef: fc.oneof(
          { weight: 5, arbitrary: fc.option(fc.string(), { nil: undefined }) },
          { weight: 1, arbitrary: hostile },
        ),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.anything() },
);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);
/** A sender F24 can show, as parseSender rules it: a name of ≤ 11 characters or ≤ 15 digits. */
function isSender(from: unknown): from is string {
  if (typeof from !== "string" || from.trim() === "") return false;
  const number = /^\+?(\d+)$/.exec(from);
  return number ? (number[1] as string).length <= 15 : from.length <= 11;
}
/** The entry F24 gets for a message, or undefined when it cannot go. */
function entryFor(message: unknown, defaultFrom: string | undefined): Record<string, string> | undefined {
  if (!isRecord(message)) return undefined;
  if (message.clientRef !== undefined && typeof message.clientRef !== "string") return undefined;
  const sender = message.from === undefined ? defaultFrom : message.from;
  const { to, text } = message;
  if (!isSender(sender) || typeof to !== "string" || !RECIPIENT.test(to)) return undefined;
  if (typeof text !== "string" || text === "" || LONE_SURROGATE.test(text)) return undefined;
  return { Sender: sender, Recipient: to, Content: text };
}

describe("input (properties, 2000 runs each)", () => {
  it("send and sendBatch answer anything with outcomes or an SmsKitError, never another error", async () => {
    await fc.assert(
      fc.asyncProperty(fc.anything(), fc.boolean(), async (input, asBatch) => {
        const { provider, scripted } = adapterWith([queueingAll], { defaultFrom: "AcmeShop" });
        const result = await (asBatch
          ? provider.sendBatch(input as never)
          : provider.send(input as never)
        ).then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        );
        if ("error" in result) {
          expect(result.error).toBeInstanceOf(SmsKitError);
          expect(scripted.requests).toHaveLength(0);
        } else if (asBatch) {
          for (const outcome of result.value as SendOutcome[]) {
            if (!outcome.ok) expect(outcome.error).toBeInstanceOf(SmsKitError);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("sendBatch sends exactly the messages F24 can take, in one request the spec accepts", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(messageArb, { maxLength: 5 }),
        fc.constantFrom(undefined, "Default"),
        async (messages, defaultFrom) => {
          const { provider, scripted } = adapterWith(
            [queueingAll],
            defaultFrom === undefined ? {} : { defaultFrom },
          );
          const outcomes = await provider.sendBatch(messages as never);
          const entries = messages.map((message) => entryFor(message, defaultFrom));
          const sendable = entries.filter((entry) => entry !== undefined);
          if (sendable.length === 0) {
            expect(scripted.requests).toHaveLength(0);
          } else {
            expect(scripted.requests).toHaveLength(1);
            expect(JSON.parse(scripted.last.body)).toEqual({ Messages: sendable });
          }
          expect(outcomes).toHaveLength(messages.length);
          outcomes.forEach((outcome, index) => {
            if (entries[index] === undefined) {
              expect(outcome.ok === false && outcome.error).toBeInstanceOf(ValidationError);
            } else {
              const message = messages[index] as Record<string, unknown>;
              expect(outcome).toMatchObject({
                ok: true,
                result: { to: message.to, clientRef: message.clientRef },
              });
            }
          });
        },
      ),
      { numRuns: 2000 },
    );
  });
});
