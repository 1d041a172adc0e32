/** The websms adapter with an injected gateway: how messages become one request, and what comes back. */
import {
  InvalidRecipientError,
  InvalidSenderError,
  MessageRejectedError,
  RateLimitError,
  type SendOutcome,
  SmsKitError,
  UnknownOutcomeError,
  ValidationError,
} from "@smskit/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { json, type ScriptedStep, scriptedFetch } from "../../../tools/testing/fetch.js";
import { rejection } from "../../../tools/testing/leaks.js";
import { type WebsmsAdapterOptions, websms } from "../src/index.js";

const TOKEN = "wsTok-adapter-0123456789abcdef";

/** A gateway that accepts every request, with `smsCount` segments per recipient. */
const accepting =
  (perRecipient = 1, statusCode = 2000): ScriptedStep =>
  async (request) => {
    const body = (await request.json()) as { recipientAddressList: string[] };
    return json({
      statusCode,
      statusMessage: "OK",
      transferId: "0051949fe700053c4615",
      clientMessageId: null,
      smsCount: body.recipientAddressList.length * perRecipient,
    });
  };

function adapterWith(steps: ScriptedStep[], extra: Partial<WebsmsAdapterOptions> = {}) {
  const scripted = scriptedFetch(...steps);
  const provider = websms({
    accessToken: TOKEN,
    fetch: scripted.fetch,
    retry: false,
    ...extra,
  } as WebsmsAdapterOptions);
  const sent = () => JSON.parse(scripted.last.body) as Record<string, unknown>;
  return { provider, scripted, sent };
}

const errorOf = (outcome: SendOutcome | undefined) => (outcome?.ok === false ? outcome.error : undefined);

describe("websms adapter", () => {
  it("states one text per request, up to 1000 recipients, no e-mail", () => {
    const { provider } = adapterWith([]);
    expect(provider.name).toBe("websms");
    expect(provider.capabilities).toEqual({
      email: false,
      maxRecipientsPerRequest: 1000,
      distinctTextsPerRequest: false,
    });
    expect(provider.sendEmail).toBeUndefined();
  });

  it("sends a batch as one request with digits-only recipients and a shared transferId", async () => {
    const { provider, scripted, sent } = adapterWith([accepting()]);
    const outcomes = await provider.sendBatch([
      { to: "+4712345678", text: "Same text", from: "ACME" },
      { to: "+436991234567", text: "Same text", from: "ACME" },
      { to: "+4798765432", text: "Same text", from: "ACME" },
    ]);
    expect(scripted.requests).toHaveLength(1);
    expect(scripted.last.url).toBe("https://api.websms.com/rest/smsmessaging/text");
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
    expect(new Set(outcomes.map((outcome) => outcome.ok && outcome.result.providerMessageId))).toEqual(
      new Set(["0051949fe700053c4615"]),
    );
  });

  it.each([
    ["a name", "ACME", { senderAddress: "ACME", senderAddressType: "alphanumeric" }],
    ["a name with digits", "ACME24", { senderAddress: "ACME24", senderAddressType: "alphanumeric" }],
    [
      "a number with +",
      "+4369912345678",
      { senderAddress: "4369912345678", senderAddressType: "international" },
    ],
    ["digits alone (national or international?)", "4369912345678", { senderAddress: "4369912345678" }],
    ["a national number", "069912345678", { senderAddress: "069912345678" }],
    ["a short code", "1234", { senderAddress: "1234" }],
    ["no sender (the account default)", undefined, {}],
  ])("sends senderAddressType only when certain: %s", async (_, from, fields) => {
    const { provider, sent } = adapterWith([accepting()]);
    await provider.send({ to: "+4712345678", text: "hi", from });
    expect(sent()).toEqual({ recipientAddressList: ["4712345678"], messageContent: "hi", ...fields });
  });

  it("refuses a sender websms cannot show, before sending", async () => {
    const { provider, scripted } = adapterWith([]);
    for (const from of ["ACME Corporation", "+12345678901234567", "", "  ", null, 42]) {
      expect(
        await rejection(provider.send({ to: "+4712345678", text: "hi", from: from as string })),
      ).toBeInstanceOf(InvalidSenderError);
    }
    expect(scripted.requests).toHaveLength(0);
  });

  it("refuses a batch mixing texts or senders, and an empty text, before sending", async () => {
    const { provider, scripted } = adapterWith([]);
    expect(
      await rejection(
        provider.sendBatch([
          { to: "+4712345678", text: "a" },
          { to: "+4798765432", text: "b" },
        ]),
      ),
    ).toMatchObject({ code: "MIXED_BATCH" });
    expect(
      await rejection(
        provider.sendBatch([
          { to: "+4712345678", text: "a", from: "ACME" },
          { to: "+4798765432", text: "a" },
        ]),
      ),
    ).toBeInstanceOf(ValidationError);
    expect(await rejection(provider.send({ to: "+4712345678", text: "" }))).toMatchObject({
      code: "EMPTY_TEXT",
    });
    expect(await rejection(provider.send({ to: "+4712345678", text: "\uD83D" }))).toBeInstanceOf(
      ValidationError,
    );
    expect(scripted.requests).toHaveLength(0);
  });

  it("refuses more than 1000 recipients before sending", async () => {
    const { provider, scripted } = adapterWith([]);
    const tooMany = Array.from({ length: 1001 }, (_, index) => ({
      to: `+47${String(10_000_000 + index)}`,
      text: "x",
    }));
    expect(await rejection(provider.sendBatch(tooMany))).toMatchObject({ code: "BATCH_TOO_LARGE" });
    expect(scripted.requests).toHaveLength(0);
  });

  it("sends nothing for an empty batch", async () => {
    const { provider, scripted } = adapterWith([]);
    expect(await provider.sendBatch([])).toEqual([]);
    expect(scripted.requests).toHaveLength(0);
  });

  it("fails only the messages websms cannot take; the others go in one request", async () => {
    const { provider, scripted, sent } = adapterWith([accepting()]);
    const messages = [
      { to: "+4712345678", text: "x", clientRef: "a" },
      { to: "12", text: "x", clientRef: "b" },
      null,
      { to: "+4798765432", text: "x", clientRef: { not: "a string" } },
      { to: 4798765432, text: "x" },
      { to: "+436991234567", text: "x", clientRef: "c" },
    ] as never[];
    const outcomes = await provider.sendBatch(messages);
    expect(scripted.requests).toHaveLength(1);
    expect(sent().recipientAddressList).toEqual(["4712345678", "436991234567"]);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false, false, false, false, true]);
    expect(errorOf(outcomes[1])).toBeInstanceOf(InvalidRecipientError);
    expect(errorOf(outcomes[2])).toMatchObject({ code: "INVALID_MESSAGE" });
    expect(errorOf(outcomes[3])).toMatchObject({ code: "INVALID_CLIENT_REF" });
    expect(errorOf(outcomes[4])).toBeInstanceOf(InvalidRecipientError);
    expect(outcomes[5]).toMatchObject({ ok: true, result: { to: "+436991234567", clientRef: "c" } });
  });

  it("sends nothing when no message can go, and reports each", async () => {
    const { provider, scripted } = adapterWith([]);
    const outcomes = await provider.sendBatch([
      { to: "+47 123", text: "x" },
      { to: "not-a-number", text: "x" },
    ]);
    expect(outcomes.map((outcome) => errorOf(outcome))).toEqual([
      expect.any(InvalidRecipientError),
      expect.any(InvalidRecipientError),
    ]);
    expect(scripted.requests).toHaveLength(0);
  });

  it("refuses a batch that is not an array, typed", async () => {
    const { provider, scripted } = adapterWith([]);
    for (const batch of [null, undefined, {}, 42, "x"]) {
      expect(await rejection(provider.sendBatch(batch as never))).toMatchObject({ code: "INVALID_BATCH" });
    }
    expect(scripted.requests).toHaveLength(0);
  });

  it("sends clientRef as clientMessageId when the whole batch shares it, and omits differing ones", async () => {
    const { provider, scripted } = adapterWith([accepting(), accepting(), accepting()]);
    await provider.send({ to: "+4712345678", text: "x", clientRef: "order-1" });
    await provider.sendBatch([
      { to: "+4712345678", text: "x", clientRef: "campaign-7" },
      { to: "+4798765432", text: "x", clientRef: "campaign-7" },
    ]);
    const outcomes = await provider.sendBatch([
      { to: "+4712345678", text: "x", clientRef: "a" },
      { to: "+4798765432", text: "x", clientRef: "b" },
    ]);
    const clientMessageIds = scripted.requests.map(
      (request) => (JSON.parse(request.body) as { clientMessageId?: string }).clientMessageId,
    );
    expect(clientMessageIds).toEqual(["order-1", "campaign-7", undefined]);
    expect(outcomes.map((outcome) => outcome.ok && outcome.result.clientRef)).toEqual(["a", "b"]);
  });

  it("maps 2000 to accepted and 2001 to queued", async () => {
    const { provider } = adapterWith([accepting(1, 2000), accepting(1, 2001)]);
    expect((await provider.send({ to: "+4712345678", text: "x" })).status).toBe("accepted");
    expect((await provider.send({ to: "+4712345678", text: "x" })).status).toBe("queued");
  });

  it("splits smsCount evenly over the recipients when it divides", async () => {
    const { provider } = adapterWith([accepting(3)]);
    const outcomes = await provider.sendBatch([
      { to: "+4712345678", text: "x" },
      { to: "+4798765432", text: "x" },
    ]);
    expect(outcomes.map((outcome) => outcome.ok && outcome.result.segments)).toEqual([3, 3]);
  });

  it("falls back to smskit's estimate when smsCount does not divide, or is 0 in test mode", async () => {
    const longUcs2 = "😀".repeat(40); // 80 UTF-16 units → 2 UCS-2 segments
    for (const smsCount of [3, 0]) {
      const { provider } = adapterWith([
        json({ statusCode: 2000, statusMessage: "OK", transferId: "t1", smsCount }),
      ]);
      const outcomes = await provider.sendBatch([
        { to: "+4712345678", text: longUcs2 },
        { to: "+4798765432", text: longUcs2 },
      ]);
      expect(outcomes.map((outcome) => outcome.ok && outcome.result.segments)).toEqual([2, 2]);
      expect(outcomes.every((outcome) => outcome.ok && outcome.result.encoding === "UCS-2")).toBe(true);
    }
  });

  it("throws the typed error for the whole batch when websms refuses the request", async () => {
    const { provider } = adapterWith([
      json({ statusCode: 4031, statusMessage: "All recipients blacklisted.", transferId: null, smsCount: 0 }),
    ]);
    const error = await rejection(
      provider.sendBatch([
        { to: "+4712345678", text: "x" },
        { to: "+4798765432", text: "x" },
      ]),
    );
    expect(error).toBeInstanceOf(MessageRejectedError);
    expect(error).toMatchObject({ provider: "websms", code: 4031 });
  });

  it.each([4023, 4025])(
    "reports %i as a retryable RateLimitError, so the messenger fails over",
    async (code) => {
      const { provider } = adapterWith([
        json({ statusCode: code, statusMessage: "slow down", transferId: null, smsCount: 0 }),
      ]);
      const error = await rejection(provider.send({ to: "+4712345678", text: "x" }));
      expect(error).toBeInstanceOf(RateLimitError);
      expect(error).toMatchObject({ code, status: 200, retryable: true });
    },
  );

  it("retries 4025 itself when retries are on, and the message goes once", async () => {
    const scripted = scriptedFetch(
      json({ statusCode: 4025, statusMessage: "Transfer rate exceeded", transferId: null, smsCount: 0 }),
      accepting(),
    );
    const provider = websms({
      accessToken: TOKEN,
      fetch: scripted.fetch,
      retry: { initialDelayMs: 0, maxDelayMs: 0 },
    });
    expect((await provider.send({ to: "+4712345678", text: "x" })).status).toBe("accepted");
    expect(scripted.requests).toHaveLength(2);
  });

  it("reports an acceptance without its figures as an unknown outcome, never as sent", async () => {
    const { provider } = adapterWith([json({ statusCode: 2000 })]);
    expect(await rejection(provider.send({ to: "+4712345678", text: "x" }))).toBeInstanceOf(
      UnknownOutcomeError,
    );
  });
});

// --- Input: a result or an SmsKitError whatever the caller passes, and no request for what cannot go. ---

const RECIPIENT = /^\+?[1-9][0-9]{6,14}$/;
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
        // Few texts and senders, so batches that share them (one request) are common.
        text: fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom("Hei!", "😀 x") },
          { weight: 1, arbitrary: hostile },
        ),
        from: fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom(undefined, "ACME", "+4369912345678", "1234") },
          { weight: 1, arbitrary: hostile },
        ),
        clientRef: fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom(undefined, "ref-1", "ref-2") },
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
/** The wire recipient the spec accepts, or undefined. */
function wireRecipient(message: unknown): string | undefined {
  if (!isRecord(message)) return undefined;
  if (message.clientRef !== undefined && typeof message.clientRef !== "string") return undefined;
  const { to } = message;
  if (typeof to !== "string") return undefined;
  const wire = to.startsWith("+") ? to.slice(1) : to;
  return RECIPIENT.test(wire) ? wire : undefined;
}
/** The sender fields as the adapter documents them, or undefined when the sender cannot be shown. */
function senderOf(from: unknown): Record<string, string> | undefined {
  if (from === undefined) return {};
  if (typeof from !== "string" || from.trim() === "") return undefined;
  const number = /^(\+?)(\d+)$/.exec(from);
  if (number) {
    if ((number[2] as string).length > 15) return undefined;
    return number[1] === "+"
      ? { senderAddress: number[2] as string, senderAddressType: "international" }
      : { senderAddress: number[2] as string };
  }
  return from.length > 11 ? undefined : { senderAddress: from, senderAddressType: "alphanumeric" };
}

describe("input (properties, 2000 runs each)", () => {
  const provider = (scripted: ReturnType<typeof scriptedFetch>) =>
    websms({ accessToken: TOKEN, fetch: scripted.fetch, retry: false });

  it("send and sendBatch answer anything with outcomes or an SmsKitError, never another error", async () => {
    await fc.assert(
      fc.asyncProperty(fc.anything(), fc.boolean(), async (input, asBatch) => {
        const scripted = scriptedFetch(accepting());
        const adapter = provider(scripted);
        const result = await (asBatch
          ? adapter.sendBatch(input as never)
          : adapter.send(input as never)
        ).then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        );
        if ("error" in result) {
          expect(result.error).toBeInstanceOf(SmsKitError);
          expect(scripted.requests).toHaveLength(0);
        } else if (asBatch) {
          expect(Array.isArray(input)).toBe(true);
          for (const outcome of result.value as SendOutcome[]) {
            if (!outcome.ok) expect(outcome.error).toBeInstanceOf(SmsKitError);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("sendBatch sends exactly the messages websms can take, in one request the spec accepts", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(messageArb, { maxLength: 5 }), async (messages) => {
        const scripted = scriptedFetch(accepting());
        const result = await provider(scripted)
          .sendBatch(messages as never)
          .then(
            (outcomes) => ({ outcomes }),
            (error: unknown) => ({ error }),
          );
        const sendable = messages
          .map((message, index) => ({
            message: message as Record<string, unknown>,
            index,
            wire: wireRecipient(message),
          }))
          // A message that breaks the OutgoingSms shape fails alone (core's checkOutgoing), like a bad number.
          .filter(
            (entry) =>
              entry.wire !== undefined &&
              typeof entry.message.text === "string" &&
              (entry.message.from === undefined || typeof entry.message.from === "string") &&
              (entry.message.clientRef === undefined || typeof entry.message.clientRef === "string"),
          );
        const [first] = sendable;
        const shared =
          first !== undefined &&
          sendable.every(
            (entry) => entry.message.text === first.message.text && entry.message.from === first.message.from,
          );
        const text = first?.message.text;
        const sender = senderOf(first?.message.from);
        const textOk = typeof text === "string" && text !== "" && !LONE_SURROGATE.test(text);

        if (first === undefined) {
          // Nothing can go: every message has its own typed failure, and nothing is sent.
          expect(
            "outcomes" in result &&
              result.outcomes.every((outcome) => !outcome.ok && outcome.error instanceof SmsKitError),
          ).toBe(true);
          expect(scripted.requests).toHaveLength(0);
          return;
        }
        if (!shared || !textOk || sender === undefined) {
          expect("error" in result && result.error).toBeInstanceOf(ValidationError);
          expect(scripted.requests).toHaveLength(0);
          return;
        }
        if (!("outcomes" in result)) throw result.error;
        expect(scripted.requests).toHaveLength(1);
        const refs = sendable.map((entry) => entry.message.clientRef);
        expect(JSON.parse(scripted.last.body)).toEqual({
          recipientAddressList: sendable.map((entry) => entry.wire),
          messageContent: text,
          ...sender,
          ...(refs[0] !== undefined && refs.every((ref) => ref === refs[0])
            ? { clientMessageId: refs[0] }
            : {}),
        });
        expect(result.outcomes).toHaveLength(messages.length);
        result.outcomes.forEach((outcome, index) => {
          const entry = sendable.find((item) => item.index === index);
          if (entry === undefined) {
            expect(outcome.ok === false && outcome.error).toBeInstanceOf(ValidationError);
          } else {
            expect(outcome).toMatchObject({
              ok: true,
              result: { to: entry.message.to, clientRef: entry.message.clientRef },
            });
          }
        });
      }),
      { numRuns: 2000 },
    );
  });
});
