/**
 * The facade accepts any valid number and text through every gateway's fake: the adapter's request
 * passes the gateway's spec, the answer matches the message, and the fake recorded exactly it.
 */
import { estimateSegments } from "@smskit/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMessenger, digify, f24, type SmsProvider, smartSwitch, websms } from "../../src/index.js";
import { createFakeGateway, type FakeGateway, type GatewayName } from "../../src/testing/index.js";
import { conformingFetch } from "./helpers.js";

const ADAPTERS: Record<
  GatewayName,
  (connection: { baseUrl: string; fetch: FakeGateway["fetch"] }) => SmsProvider
> = {
  digify: (connection) => digify({ accessToken: "test-token", retry: false, ...connection }),
  websms: (connection) => websms({ accessToken: "test-token", retry: false, ...connection }),
  f24: (connection) =>
    f24({ accessKey: "key", accessToken: "token", defaultFrom: "smskit", retry: false, ...connection }),
  smartswitch: (connection) =>
    smartSwitch({ login: "login", password: "password", retry: false, ...connection }),
};

/** `+`, a first digit 1–9, 7 to 14 more: the E.164 numbers the facade accepts. */
const e164 = fc
  .tuple(
    fc.integer({ min: 1, max: 9 }),
    fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: 7, maxLength: 14 }),
  )
  .map(([first, rest]) => `+${first}${rest}`);

/** Any text of 1 to 10 segments: GSM-7, with extension characters, or any Unicode (emoji included). */
const text = fc
  .oneof(
    fc.string({
      unit: fc.constantFrom(..."abcXYZ 019@£$¥èéÅåÆæØøÄÖÑÜ§¿!?.,-\n"),
      minLength: 1,
      maxLength: 1500,
    }),
    fc.string({ unit: fc.constantFrom(..."ab €[]{}^~\\|"), minLength: 1, maxLength: 700 }),
    fc.string({ unit: "grapheme", minLength: 1, maxLength: 300 }),
  )
  .filter((value) => estimateSegments(value).segments <= 10);

const clientRef = fc.option(
  fc.string({ unit: fc.constantFrom(..."abcdef0123456789-_"), minLength: 1, maxLength: 64 }),
  {
    nil: undefined,
  },
);

describe.each(Object.keys(ADAPTERS) as GatewayName[])("the facade through the %s fake", (name) => {
  it("accepts any valid number and text, and the fake records exactly that message", async () => {
    const fake = createFakeGateway(name);
    const checked = conformingFetch(fake);
    const messenger = createMessenger({
      providers: [ADAPTERS[name]({ baseUrl: fake.baseUrl, fetch: checked.fetch })],
    });
    await fc.assert(
      fc.asyncProperty(e164, text, clientRef, async (to, body, ref) => {
        fake.reset();
        const result = await messenger.send({
          to,
          text: body,
          ...(ref === undefined ? {} : { clientRef: ref }),
        });
        expect(result).toMatchObject({ provider: name, to });
        const estimate = estimateSegments(body);
        expect(result.segments).toBe(estimate.segments);
        expect(result.encoding).toBe(estimate.encoding);
        expect(fake.sent).toHaveLength(1);
        const [sent] = fake.sent;
        expect(sent).toMatchObject({
          to,
          text: body,
          id: result.providerMessageId,
          segments: estimate.segments,
        });
        if (ref !== undefined && name !== "f24") expect(sent?.clientRef).toBe(ref);
        expect(fake.requests.flatMap((request) => request.problems)).toEqual([]);
        expect(checked.problems).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it("sends a batch of valid messages in one outcome per message, in order", async () => {
    const fake = createFakeGateway(name);
    const messenger = createMessenger({
      providers: [ADAPTERS[name]({ baseUrl: fake.baseUrl, fetch: fake.fetch })],
    });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(e164, text), { minLength: 1, maxLength: 8 }), async (pairs) => {
        fake.reset();
        // websms takes one text per request; give it one, so the batch stays one request.
        const messages = pairs.map(([to, body]) => ({
          to,
          text: name === "websms" ? (pairs[0]?.[1] ?? body) : body,
        }));
        const outcomes = await messenger.sendMany(messages);
        expect(outcomes.map((outcome) => outcome.ok && outcome.result.to)).toEqual(
          messages.map((message) => message.to),
        );
        expect(fake.sent.map((message) => [message.to, message.text])).toEqual(
          messages.map((message) => [message.to, message.text]),
        );
      }),
      { numRuns: 40 },
    );
  });
});
