/** The handler as a function: Request in, Response out, every success, bad-input and fault case. */
import { SMARTSWITCH_DELIVERY_STATES } from "@smskit/smartswitch";
import { WEBSMS_ACKNOWLEDGEMENT } from "@smskit/websms";
import { describe, expect, expectTypeOf, it, vi } from "vitest";
import {
  createWebhookHandler,
  type DedupeStore,
  type DeliveryEvent,
  type InboundEvent,
  memoryDedupe,
  type SmsEvent,
  type WebhookHandlerOptions,
} from "../../src/webhooks/index.js";
import {
  countingStream,
  deliveredReport,
  expiredReport,
  gate,
  inboundBinary,
  inboundText,
  jsonBody,
  smartSwitchExamples,
  TOKEN,
  webhookRequest,
  websmsExamples,
} from "./fixtures.js";

function setup(overrides: Partial<WebhookHandlerOptions> = {}) {
  const events: SmsEvent[] = [];
  const errors: Array<{ error: unknown; stage: string }> = [];
  const onEvent = vi.fn(async (event: SmsEvent) => {
    events.push(event);
  });
  const handler = createWebhookHandler({
    providers: ["websms", "smartswitch"],
    authenticate: { token: TOKEN },
    onEvent,
    onError: (error, failure) => errors.push({ error, stage: failure.stage }),
    ...overrides,
  });
  return { handler, events, errors, onEvent };
}

async function bodyOf(response: Response): Promise<string> {
  return response.text();
}

describe("createWebhookHandler: options", () => {
  const base = { providers: ["websms"] as const, onEvent: () => {} };

  it.each([
    ["no authenticate", { ...base }],
    ["authenticate: undefined", { ...base, authenticate: undefined }],
    ["an empty token", { ...base, authenticate: { token: "" } }],
    ["a short token", { ...base, authenticate: { token: "0123456789abcde" } }],
    ["a token that is not a string", { ...base, authenticate: { token: 12345678901234 } }],
    ["Basic without a password", { ...base, authenticate: { basic: { username: "u", password: "" } } }],
    [
      "Basic with ':' in the username",
      { ...base, authenticate: { basic: { username: "a:b", password: "p" } } },
    ],
    ["an unknown shape", { ...base, authenticate: { apiKey: TOKEN } }],
    ["no providers", { ...base, providers: [], authenticate: { token: TOKEN } }],
    ["a provider without webhooks", { ...base, providers: ["digify"], authenticate: { token: TOKEN } }],
    ["no onEvent", { providers: ["websms"], authenticate: { token: TOKEN } }],
    ["a zero maxBodyBytes", { ...base, authenticate: { token: TOKEN }, maxBodyBytes: 0 }],
    ["a fractional maxBodyBytes", { ...base, authenticate: { token: TOKEN }, maxBodyBytes: 1.5 }],
    [
      "a dedupe store without settle",
      { ...base, authenticate: { token: TOKEN }, dedupe: { mark: () => {} } },
    ],
    ["a queue without recordDeliveryReport", { ...base, authenticate: { token: TOKEN }, queue: {} }],
    ["an empty opt-out list", { ...base, authenticate: { token: TOKEN }, optOutKeywords: [] }],
    ["a blank opt-out keyword", { ...base, authenticate: { token: TOKEN }, optOutKeywords: ["STOP", " "] }],
  ])("refuses %s with a TypeError", (_, options) => {
    expect(() => createWebhookHandler(options as unknown as WebhookHandlerOptions)).toThrow(TypeError);
  });

  it("never puts the token into the TypeError", () => {
    const short = "0123456789";
    try {
      createWebhookHandler({ ...base, authenticate: { token: short } });
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(short);
    }
  });
});

describe("createWebhookHandler: every webhook example of the specs", () => {
  it.each(websmsExamples.map((example) => [example.webhook, example.name, example] as const))(
    "websms %s %s → 200 with the acknowledgement body, one event",
    async (_webhook, _name, example) => {
      const { handler, events } = setup();
      const response = await handler(webhookRequest("websms", jsonBody(example.value)));
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      expect(await response.json()).toEqual(WEBSMS_ACKNOWLEDGEMENT);
      expect(events).toHaveLength(1);
      expect(events[0]?.raw).toEqual(example.value);
      expect(events[0]?.id).toMatch(/^[0-9a-f]{64}$/);
    },
  );

  it("has at least the two delivery and two inbound examples", () => {
    expect(websmsExamples.map((example) => example.name).sort()).toEqual(
      expect.arrayContaining(["binary", "delivered", "text", "undelivered"]),
    );
    expect(smartSwitchExamples.length).toBeGreaterThanOrEqual(2);
  });

  it.each(smartSwitchExamples.map((example) => [example.name, example] as const))(
    "SmartSwitch %s (from the spec) → 200, empty body",
    async (_name, example) => {
      const { handler, events } = setup();
      const form = new URLSearchParams(example.value as Record<string, string>).toString();
      const response = await handler(webhookRequest("smartswitch", form));
      expect(response.status).toBe(200);
      expect(await bodyOf(response)).toBe("");
      expect(events[0]?.raw).toEqual(example.value);
    },
  );

  it("maps a delivered websms report onto a typed delivery event", async () => {
    const { handler, events } = setup();
    await handler(webhookRequest("websms", jsonBody(deliveredReport)));
    const [event] = events;
    expect(event).toEqual({
      type: "delivery",
      id: expect.any(String),
      provider: "websms",
      providerMessageId: "00670eb55d00349e1111",
      clientRef: "11cf996f-0000-4000-8000-000000000000",
      recipient: "+41791111111",
      status: "delivered",
      providerStatus: "delivered",
      at: new Date("2024-10-15T18:33:03.000Z"),
      raw: deliveredReport,
    });
  });

  it("reports an expired websms message as expired, at the time it was sent", async () => {
    const { handler, events } = setup();
    await handler(webhookRequest("websms", jsonBody(expiredReport)));
    expect(events[0]).toMatchObject({
      type: "delivery",
      status: "expired",
      providerStatus: "expired",
      at: new Date("2013-05-27T11:36:00.000Z"),
    });
    expect(events[0]).not.toHaveProperty("clientRef");
  });

  it("maps an inbound text: sender in E.164, your national number as given", async () => {
    const { handler, events } = setup();
    await handler(webhookRequest("websms", jsonBody(inboundText)));
    expect(events[0]).toEqual({
      type: "inbound",
      id: expect.any(String),
      provider: "websms",
      from: "+4367612345678",
      to: "08282709900001",
      text: "Hello World",
      optOut: false,
      raw: inboundText,
    });
  });

  it("decodes the segments of an inbound binary message", async () => {
    const { handler, events } = setup();
    await handler(webhookRequest("websms", jsonBody(inboundBinary)));
    const event = events[0] as InboundEvent;
    expect(event).toMatchObject({ type: "inbound", from: "+4366012345678", to: "1234", optOut: false });
    expect(event.text).toBeUndefined();
    expect(event.binary?.userDataHeader).toBe(true);
    expect(event.binary?.segments.map((segment) => [...segment.slice(0, 6)])).toEqual([
      [0x05, 0x00, 0x03, 0xfc, 0x02, 0x01],
      [0x05, 0x00, 0x03, 0xfc, 0x02, 0x02],
    ]);
    expect(new TextDecoder().decode(event.binary?.segments[0]?.slice(6))).toBe("Zusammen");
  });

  it.each([
    ["delivered", "delivered"],
    ["enroute", "pending"],
    ["accepted", "pending"],
    ["expired", "expired"],
    ["undeliverable", "failed"],
    ["rejected", "failed"],
    ["unknown", "unknown"],
  ])("maps a SmartSwitch %s receipt to %s", async (state, status) => {
    const { handler, events } = setup();
    const response = await handler(
      webhookRequest("smartswitch", `message_id=1561371433517&message_state=${state}`),
    );
    expect(response.status).toBe(200);
    expect(events[0]).toEqual({
      type: "delivery",
      id: expect.any(String),
      provider: "smartswitch",
      providerMessageId: "1561371433517",
      status,
      providerStatus: state,
      raw: { message_id: "1561371433517", message_state: state },
    });
  });

  it("covers all seven SmartSwitch states above", () => {
    expect(SMARTSWITCH_DELIVERY_STATES).toHaveLength(7);
  });

  it("takes a SmartSwitch receipt an operator switched to JSON", async () => {
    const { handler, events } = setup();
    const response = await handler(
      webhookRequest("smartswitch", jsonBody({ message_id: 42, message_state: "delivered" }), {
        contentType: "application/json",
      }),
    );
    expect(response.status).toBe(200);
    expect(events[0]).toMatchObject({ providerMessageId: "42", status: "delivered" });
  });

  it("decodes a form in the charset it names", async () => {
    const { handler, events } = setup();
    const latin1 = Uint8Array.from("message_id=\xe6\xf8\xe5&message_state=delivered", (c) => c.charCodeAt(0));
    const response = await handler(
      webhookRequest("smartswitch", latin1, {
        contentType: "application/x-www-form-urlencoded; charset=ISO-8859-1",
      }),
    );
    expect(response.status).toBe(200);
    expect(events[0]).toMatchObject({ providerMessageId: "æøå" });
  });

  it("accepts a trailing slash and any prefix before the gateway's name", async () => {
    const { handler, events } = setup();
    const request = new Request(`http://hooks.example/a/b/websms/?token=${TOKEN}`, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      body: jsonBody(inboundText),
    });
    expect((await handler(request)).status).toBe(200);
    expect(events).toHaveLength(1);
  });

  it("types the union so that provider and type narrow raw", () => {
    expectTypeOf<Extract<SmsEvent, { type: "inbound" }>["provider"]>().toEqualTypeOf<"websms">();
    expectTypeOf<Extract<DeliveryEvent, { provider: "smartswitch" }>["raw"]>().toEqualTypeOf<{
      message_id: string;
      message_state:
        | "enroute"
        | "delivered"
        | "expired"
        | "undeliverable"
        | "accepted"
        | "unknown"
        | "rejected";
    }>();
    expectTypeOf<DeliveryEvent["status"]>().toEqualTypeOf<
      "delivered" | "failed" | "expired" | "pending" | "unknown"
    >();
  });
});

describe("createWebhookHandler: authentication", () => {
  const unauthenticated: Array<[string, Request]> = [
    ["no token", webhookRequest("websms", jsonBody(inboundText), { token: null })],
    [
      "a wrong token of the same length",
      webhookRequest("websms", jsonBody(inboundText), { token: TOKEN.replace(/.$/, "X") }),
    ],
    ["a prefix of the token", webhookRequest("websms", jsonBody(inboundText), { token: TOKEN.slice(0, -1) })],
    ["the token plus a character", webhookRequest("websms", jsonBody(inboundText), { token: `${TOKEN}x` })],
    ["an empty token", webhookRequest("websms", jsonBody(inboundText), { token: "" })],
    ["the token twice", webhookRequest("websms", jsonBody(inboundText), { query: `token=${TOKEN}` })],
    ["a different case", webhookRequest("websms", jsonBody(inboundText), { token: TOKEN.toUpperCase() })],
  ];

  it.each(unauthenticated)("refuses %s with 401: nothing read, parsed or called", async (_, request) => {
    const dedupe: DedupeStore = { mark: vi.fn(async () => "marked" as const), settle: vi.fn(async () => {}) };
    const { handler, onEvent, errors } = setup({ dedupe });
    const response = await handler(request);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      statusCode: 4001,
      statusMessage: "missing or wrong credentials",
    });
    expect(request.bodyUsed).toBe(false);
    expect(onEvent).not.toHaveBeenCalled();
    expect(dedupe.mark).not.toHaveBeenCalled();
    expect(errors).toEqual([]);
  });

  it("does not read a streamed body before refusing the credentials", async () => {
    const { handler } = setup();
    const { stream, counter } = countingStream(new Uint8Array(1024));
    const response = await handler(webhookRequest("websms", stream, { token: "wrong-token-wrong-token" }));
    expect(response.status).toBe(401);
    expect(counter.pulled).toBe(0);
  });

  it("checks credentials before telling which gateways exist", async () => {
    const { handler } = setup({ providers: ["websms"] });
    expect((await handler(webhookRequest("nowhere", "x", { token: null }))).status).toBe(401);
    expect((await handler(webhookRequest("smartswitch", "x", { token: null }))).status).toBe(401);
  });

  it("never echoes a presented token, right or wrong", async () => {
    const { handler } = setup();
    const wrong = "guess-guess-guess-guess";
    for (const request of [
      webhookRequest("websms", "{", { token: wrong }),
      webhookRequest("websms", "{"),
      webhookRequest("nowhere", "{"),
      webhookRequest("websms", "{", { contentType: "text/plain" }),
    ]) {
      const text = await bodyOf(await handler(request));
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(TOKEN);
    }
  });

  describe("Basic", () => {
    const basic = (value: string) => ({ authorization: `Basic ${btoa(value)}` });
    const handlerWithBasic = () =>
      setup({ authenticate: { basic: { username: "websms", password: "s3cret-pässword" } } });

    it("accepts the right user and password (UTF-8), without a token", async () => {
      const { handler, events } = handlerWithBasic();
      const utf8 = String.fromCharCode(...new TextEncoder().encode("websms:s3cret-pässword"));
      const response = await handler(
        webhookRequest("websms", jsonBody(inboundText), {
          token: null,
          headers: { authorization: `Basic ${btoa(utf8)}` },
        }),
      );
      expect(response.status).toBe(200);
      expect(events).toHaveLength(1);
    });

    it.each([
      ["no header", {}],
      ["a wrong password", basic("websms:wrong")],
      ["a wrong user", basic("other:s3cret-pässword")],
      ["no colon", basic("websms")],
      ["Bearer", { authorization: "Bearer abc" }],
      ["not Base64", { authorization: "Basic %%%" }],
      ["the token as password", basic(`websms:${TOKEN}`)],
    ])("refuses %s with 401 and a Basic challenge", async (_, headers) => {
      const { handler, onEvent } = handlerWithBasic();
      const response = await handler(
        webhookRequest("websms", jsonBody(inboundText), { token: null, headers }),
      );
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Basic realm=/);
      expect(onEvent).not.toHaveBeenCalled();
    });
  });

  describe("a function", () => {
    it("lets your check decide; only `true` passes", async () => {
      const seen: string[] = [];
      const check = vi.fn(async (request: Request) => {
        seen.push(request.headers.get("x-signature") ?? "");
        return request.headers.get("x-signature") === "ok";
      });
      const { handler, onEvent } = setup({ authenticate: check });
      const ok = await handler(
        webhookRequest("websms", jsonBody(inboundText), { token: null, headers: { "x-signature": "ok" } }),
      );
      const no = await handler(
        webhookRequest("websms", jsonBody(inboundText), { token: null, headers: { "x-signature": "no" } }),
      );
      expect([ok.status, no.status]).toEqual([200, 401]);
      expect(onEvent).toHaveBeenCalledTimes(1);
      const truthy = setup({ authenticate: (() => "yes") as unknown as () => boolean });
      expect((await truthy.handler(webhookRequest("websms", jsonBody(inboundText)))).status).toBe(401);
    });

    it("answers 500 when your check throws, and tells onError", async () => {
      const { handler, onEvent, errors } = setup({
        authenticate: () => {
          throw new Error("auth backend down");
        },
      });
      const response = await handler(webhookRequest("websms", jsonBody(inboundText)));
      expect(response.status).toBe(500);
      expect(onEvent).not.toHaveBeenCalled();
      expect(errors).toMatchObject([{ stage: "authenticate" }]);
    });
  });
});

describe("createWebhookHandler: bad requests", () => {
  it.each(["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"])(
    "answers %s with 405 and Allow: POST",
    async (method) => {
      const { handler, onEvent } = setup();
      const response = await handler(webhookRequest("websms", jsonBody(inboundText), { method }));
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe("POST");
      expect(onEvent).not.toHaveBeenCalled();
    },
  );

  it.each([
    ["an unknown gateway", "/hooks/twilio"],
    ["a gateway not in providers", "/hooks/smartswitch"],
    ["no path at all", "/"],
    ["the gateway in the middle of the path", "/hooks/websms/extra"],
    ["another case", "/hooks/WEBSMS"],
  ])("answers %s with 404", async (_, path) => {
    const { handler, onEvent } = setup({ providers: ["websms"] });
    const request = new Request(`http://hooks.example${path}?token=${TOKEN}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: jsonBody(inboundText),
    });
    const response = await handler(request);
    expect(response.status).toBe(404);
    expect(await bodyOf(response)).toMatch(/websms/);
    expect(onEvent).not.toHaveBeenCalled();
  });

  it.each([
    ["websms", "no Content-Type", null],
    ["websms", "text/plain", "text/plain"],
    ["websms", "a form", "application/x-www-form-urlencoded"],
    ["websms", "JSON in Latin-1", "application/json; charset=iso-8859-1"],
    ["websms", "multipart", "multipart/form-data; boundary=x"],
    ["smartswitch", "no Content-Type", null],
    ["smartswitch", "text/plain", "text/plain"],
    ["smartswitch", "a charset nobody knows", "application/x-www-form-urlencoded; charset=klingon"],
  ])("answers %s with %s with 415, body unread", async (provider, _, contentType) => {
    const { handler, onEvent } = setup();
    const request = webhookRequest(provider, "message_id=1&message_state=delivered", { contentType });
    const response = await handler(request);
    expect(response.status).toBe(415);
    expect(request.bodyUsed).toBe(false);
    expect(onEvent).not.toHaveBeenCalled();
  });

  const malformed: Array<[string, string, BodyInit, RegExp]> = [
    ["websms", "an empty body", "", /not valid JSON/],
    ["websms", "not JSON", "{not json", /not valid JSON/],
    ["websms", "a JSON array", "[]", /must be a JSON object/],
    ["websms", "an unknown messageType", jsonBody({ ...inboundText, messageType: "voice" }), /messageType/],
    ["websms", "a missing transferId", jsonBody({ ...deliveredReport, transferId: undefined }), /transferId/],
    [
      "websms",
      "an unknown status",
      jsonBody({ ...deliveredReport, deliveryReportMessageStatus: "lost" }),
      /deliveryReportMessageStatus/,
    ],
    ["websms", "a number as text", jsonBody({ ...inboundText, textMessageContent: 5 }), /textMessageContent/],
    ["websms", "a bad date", jsonBody({ ...deliveredReport, sentOn: "yesterday" }), /sentOn/],
    ["websms", "a bad Base64 segment", jsonBody({ ...inboundBinary, binaryMessageContent: ["A"] }), /Base64/],
    ["websms", "invalid UTF-8", new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), /UTF-8/],
    ["smartswitch", "an empty body", "", /empty/],
    ["smartswitch", "no message_id", "message_state=delivered", /message_id/],
    ["smartswitch", "an unknown state", "message_id=1&message_state=teleported", /message_state/],
    ["smartswitch", "two ids", "message_id=1&message_id=2&message_state=delivered", /message_id/],
  ];

  it.each(malformed)("answers %s %s with 400 and a reason", async (provider, _, body, reason) => {
    const { handler, onEvent, errors } = setup();
    const response = await handler(webhookRequest(provider, body));
    expect(response.status).toBe(400);
    const text = await bodyOf(response);
    expect(text).toMatch(reason);
    if (provider === "websms") expect(JSON.parse(text)).toMatchObject({ statusCode: 4000 });
    expect(onEvent).not.toHaveBeenCalled();
    expect(errors).toEqual([]);
  });

  it("answers invalid JSON to the SmartSwitch JSON variant with 400", async () => {
    const { handler } = setup();
    for (const body of ["{", "[1]", "null"]) {
      const response = await handler(
        webhookRequest("smartswitch", body, { contentType: "application/json" }),
      );
      expect(response.status).toBe(400);
    }
  });

  it("does not quote the message text in a 400", async () => {
    const { handler } = setup();
    const secretText = "my one-time code 884422";
    const response = await handler(
      webhookRequest(
        "websms",
        jsonBody({ ...inboundText, textMessageContent: secretText, senderAddressType: "moon" }),
      ),
    );
    expect(response.status).toBe(400);
    expect(await bodyOf(response)).not.toContain("884422");
  });
});

describe("createWebhookHandler: body size", () => {
  const limit = 1024;

  it("answers 413 from Content-Length alone, without reading", async () => {
    const { handler, onEvent } = setup({ maxBodyBytes: limit });
    const { stream, counter } = countingStream(new Uint8Array(512));
    const response = await handler(
      webhookRequest("websms", stream, { headers: { "content-length": String(limit + 1) } }),
    );
    expect(response.status).toBe(413);
    expect(counter.pulled).toBe(0);
    expect(onEvent).not.toHaveBeenCalled();
  });

  it("stops reading an endless chunked body right after the limit", async () => {
    const { handler, onEvent } = setup({ maxBodyBytes: limit });
    const chunk = new Uint8Array(100).fill(0x20);
    const { stream, counter } = countingStream(chunk);
    const response = await handler(webhookRequest("websms", stream));
    expect(response.status).toBe(413);
    expect(counter.pulled).toBeLessThanOrEqual(limit + chunk.byteLength);
    expect(counter.cancelled).toBe(true);
    expect(onEvent).not.toHaveBeenCalled();
  });

  it("accepts a body of exactly maxBodyBytes and refuses one byte more", async () => {
    const body = jsonBody(inboundText);
    const exact = setup({ maxBodyBytes: new TextEncoder().encode(body).byteLength });
    expect((await exact.handler(webhookRequest("websms", body))).status).toBe(200);
    const tight = setup({ maxBodyBytes: new TextEncoder().encode(body).byteLength - 1 });
    expect((await tight.handler(webhookRequest("websms", body))).status).toBe(413);
  });

  it("defaults to 64 KiB", async () => {
    const { handler } = setup();
    const padded = jsonBody({ ...inboundText, padding: "x".repeat(64 * 1024) });
    expect((await handler(webhookRequest("websms", padded))).status).toBe(413);
    const fits = jsonBody({ ...inboundText, padding: "x".repeat(60 * 1024) });
    expect((await handler(webhookRequest("websms", fits))).status).toBe(200);
  });
});

describe("createWebhookHandler: redelivery and failures", () => {
  it("acknowledges a redelivered report the same way without calling onEvent again", async () => {
    const { handler, onEvent } = setup();
    const first = await handler(webhookRequest("websms", jsonBody(deliveredReport)));
    const again = await handler(webhookRequest("websms", jsonBody(deliveredReport)));
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(await again.json()).toEqual(await first.json());
    expect(onEvent).toHaveBeenCalledTimes(1);
    const smartswitch = "message_id=9&message_state=delivered";
    await handler(webhookRequest("smartswitch", smartswitch));
    const repeated = await handler(webhookRequest("smartswitch", smartswitch));
    expect(repeated.status).toBe(200);
    expect(await bodyOf(repeated)).toBe("");
    expect(onEvent).toHaveBeenCalledTimes(2);
  });

  it("treats the same report with another notificationId or key order as a redelivery", async () => {
    const { handler, onEvent } = setup();
    await handler(webhookRequest("websms", jsonBody(deliveredReport)));
    const reordered = Object.fromEntries(Object.entries(deliveredReport).reverse());
    await handler(webhookRequest("websms", jsonBody({ ...reordered, notificationId: "another-one" })));
    expect(onEvent).toHaveBeenCalledTimes(1);
  });

  it("passes on a new state of the same message, and the same state for another recipient", async () => {
    const { handler, onEvent } = setup();
    await handler(webhookRequest("smartswitch", "message_id=1&message_state=enroute"));
    await handler(webhookRequest("smartswitch", "message_id=1&message_state=delivered"));
    await handler(webhookRequest("websms", jsonBody(deliveredReport)));
    await handler(webhookRequest("websms", jsonBody({ ...deliveredReport, senderAddress: "41792222222" })));
    expect(onEvent).toHaveBeenCalledTimes(4);
  });

  it("passes on two inbound messages with the same text (they are two messages)", async () => {
    const { handler, onEvent } = setup();
    await handler(webhookRequest("websms", jsonBody({ ...inboundText, notificationId: "a" })));
    await handler(webhookRequest("websms", jsonBody({ ...inboundText, notificationId: "b" })));
    expect(onEvent).toHaveBeenCalledTimes(2);
  });

  it("answers 500 when onEvent throws, does not remember the event, and processes the redelivery", async () => {
    let fail = true;
    const onEvent = vi.fn(async () => {
      if (fail) throw new Error("database down");
    });
    const { handler, errors } = setup({ onEvent });
    const failed = await handler(webhookRequest("websms", jsonBody(deliveredReport)));
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({
      statusCode: 5000,
      statusMessage: "the event could not be processed; please deliver it again",
    });
    expect(errors).toMatchObject([{ stage: "onEvent", error: { message: "database down" } }]);
    fail = false;
    expect((await handler(webhookRequest("websms", jsonBody(deliveredReport)))).status).toBe(200);
    expect((await handler(webhookRequest("websms", jsonBody(deliveredReport)))).status).toBe(200);
    expect(onEvent).toHaveBeenCalledTimes(2);
  });

  it("answers 500 for SmartSwitch with a plain body", async () => {
    const { handler } = setup({
      onEvent: () => {
        throw new Error("nope");
      },
    });
    const response = await handler(webhookRequest("smartswitch", "message_id=1&message_state=delivered"));
    expect(response.status).toBe(500);
    expect(await bodyOf(response)).not.toContain("nope");
  });

  it("100 concurrent copies of one report call onEvent exactly once; copies in flight get 503", async () => {
    const hold = gate();
    const entered = gate();
    const onEvent = vi.fn(async () => {
      entered.open();
      await hold.opened;
    });
    const { handler } = setup({ onEvent });
    const first = handler(webhookRequest("websms", jsonBody(deliveredReport)));
    // The copies go out only once the first is inside onEvent: an event, not a guess about timing.
    await entered.opened;
    const copies = await Promise.all(
      Array.from({ length: 99 }, () => handler(webhookRequest("websms", jsonBody(deliveredReport)))),
    );
    expect(copies.map((response) => response.status)).toEqual(Array(99).fill(503));
    expect(copies[0]?.headers.get("retry-after")).toBe("5");
    expect(await copies[0]?.json()).toMatchObject({ statusCode: 5003 });
    hold.open();
    expect((await first).status).toBe(200);
    expect((await handler(webhookRequest("websms", jsonBody(deliveredReport)))).status).toBe(200);
    expect(onEvent).toHaveBeenCalledTimes(1);
  });

  it("100 concurrent copies with a fast onEvent: still exactly once, every answer 200 or 503", async () => {
    const { handler, onEvent } = setup();
    const responses = await Promise.all(
      Array.from({ length: 100 }, () =>
        handler(webhookRequest("smartswitch", "message_id=5&message_state=delivered")),
      ),
    );
    expect(onEvent).toHaveBeenCalledTimes(1);
    for (const response of responses) expect([200, 503]).toContain(response.status);
    expect(responses.filter((response) => response.status === 200).length).toBeGreaterThanOrEqual(1);
  });

  it("after a failed first copy, a concurrent copy's redelivery is processed", async () => {
    const hold = gate();
    const entered = gate();
    let calls = 0;
    const onEvent = vi.fn(async () => {
      calls++;
      if (calls === 1) {
        entered.open();
        await hold.opened;
        throw new Error("first attempt fails");
      }
    });
    const { handler } = setup({ onEvent });
    const first = handler(webhookRequest("websms", jsonBody(deliveredReport)));
    // The copy arrives while the first is inside onEvent: an event, not a guess at the scheduler.
    await entered.opened;
    const copy = await handler(webhookRequest("websms", jsonBody(deliveredReport)));
    expect(copy.status).toBe(503);
    hold.open();
    expect((await first).status).toBe(500);
    expect((await handler(webhookRequest("websms", jsonBody(deliveredReport)))).status).toBe(200);
    expect(onEvent).toHaveBeenCalledTimes(2);
  });

  it("answers 500 when the dedupe store fails, without calling onEvent", async () => {
    const dedupe: DedupeStore = {
      mark: async () => {
        throw new Error("redis down");
      },
      settle: async () => {},
    };
    const { handler, onEvent, errors } = setup({ dedupe });
    expect((await handler(webhookRequest("websms", jsonBody(deliveredReport)))).status).toBe(500);
    expect(onEvent).not.toHaveBeenCalled();
    expect(errors).toMatchObject([{ stage: "dedupe" }]);
  });

  it("answers 500 for a store whose mark answers something else (a boolean, say)", async () => {
    const dedupe = { mark: async () => true, settle: async () => {} } as unknown as DedupeStore;
    const { handler, onEvent, errors } = setup({ dedupe });
    expect((await handler(webhookRequest("websms", jsonBody(deliveredReport)))).status).toBe(500);
    expect(onEvent).not.toHaveBeenCalled();
    expect(errors).toMatchObject([{ stage: "dedupe", error: { name: "TypeError" } }]);
  });

  it("still acknowledges a processed event when remembering it fails (and says so)", async () => {
    const dedupe: DedupeStore = {
      mark: async () => "marked",
      settle: async () => {
        throw new Error("redis gone after onEvent");
      },
    };
    const { handler, errors } = setup({ dedupe });
    expect((await handler(webhookRequest("websms", jsonBody(deliveredReport)))).status).toBe(200);
    expect(errors).toMatchObject([{ stage: "dedupe" }]);
  });

  it("survives an onError that throws", async () => {
    const { handler } = setup({
      onEvent: () => {
        throw new Error("a");
      },
      onError: () => {
        throw new Error("logger broken");
      },
    });
    expect((await handler(webhookRequest("websms", jsonBody(deliveredReport)))).status).toBe(500);
  });

  it("uses the dedupe store it is given", async () => {
    const dedupe = memoryDedupe();
    const one = setup({ dedupe });
    const two = setup({ dedupe });
    await one.handler(webhookRequest("websms", jsonBody(deliveredReport)));
    await two.handler(webhookRequest("websms", jsonBody(deliveredReport)));
    expect(one.onEvent).toHaveBeenCalledTimes(1);
    expect(two.onEvent).not.toHaveBeenCalled();
  });
});

describe("createWebhookHandler: queue", () => {
  /** The input `@smskit/queue` documents for recordDeliveryReport. */
  interface QueueDeliveryReport {
    provider: string;
    providerMessageId?: string;
    clientRef?: string;
    status: "delivered" | "failed" | "expired" | "pending" | "unknown";
    at?: Date;
  }

  it("records each delivery event, not inbound messages, after onEvent", async () => {
    const order: string[] = [];
    const recorded: QueueDeliveryReport[] = [];
    const queue = {
      recordDeliveryReport: async (report: QueueDeliveryReport) => {
        order.push("queue");
        recorded.push(report);
      },
    };
    const { handler } = setup({ queue, onEvent: () => void order.push("onEvent") });
    await handler(webhookRequest("websms", jsonBody(deliveredReport)));
    await handler(webhookRequest("websms", jsonBody(inboundText)));
    await handler(webhookRequest("websms", jsonBody(deliveredReport)));
    expect(order).toEqual(["onEvent", "queue", "onEvent"]);
    expect(recorded).toMatchObject([
      {
        provider: "websms",
        providerMessageId: "00670eb55d00349e1111",
        clientRef: "11cf996f-0000-4000-8000-000000000000",
        status: "delivered",
      },
    ]);
    expectTypeOf<DeliveryEvent>().toExtend<QueueDeliveryReport>();
  });

  it("answers 500 when the queue throws, and records the redelivery", async () => {
    let fail = true;
    const recordDeliveryReport = vi.fn(async () => {
      if (fail) throw new Error("redis down");
    });
    const { handler, onEvent, errors } = setup({ queue: { recordDeliveryReport } });
    expect((await handler(webhookRequest("smartswitch", "message_id=3&message_state=failed"))).status).toBe(
      400,
    );
    expect((await handler(webhookRequest("smartswitch", "message_id=3&message_state=rejected"))).status).toBe(
      500,
    );
    expect(errors).toMatchObject([{ stage: "queue" }]);
    fail = false;
    expect((await handler(webhookRequest("smartswitch", "message_id=3&message_state=rejected"))).status).toBe(
      200,
    );
    expect(recordDeliveryReport).toHaveBeenCalledTimes(2);
    expect(onEvent).toHaveBeenCalledTimes(2);
  });
});

describe("createWebhookHandler: opt-out", () => {
  it.each([
    "STOP",
    "stop",
    " Stop \n",
    "S T O P",
    "STOPP",
    "avmeld",
    "Unsubscribe",
    "\u200bSTOP",
    "ＳＴＯＰ",
  ])("marks %j as an opt-out", async (text) => {
    const { handler, events } = setup();
    await handler(webhookRequest("websms", jsonBody({ ...inboundText, textMessageContent: text })));
    expect(events[0]).toMatchObject({ type: "inbound", optOut: true, from: "+4367612345678" });
  });

  it.each(["stop it", "STOP!", "please stop", "", "STO", "Hello World"])("does not mark %j", async (text) => {
    const { handler, events } = setup();
    await handler(webhookRequest("websms", jsonBody({ ...inboundText, textMessageContent: text })));
    expect(events[0]).toMatchObject({ optOut: false });
  });

  it("uses your keyword list instead of the default", async () => {
    const { handler, events } = setup({ optOutKeywords: ["slutt", "Avslutt"] });
    for (const text of ["SLUTT", "avslutt", "STOP"]) {
      await handler(
        webhookRequest(
          "websms",
          jsonBody({ ...inboundText, notificationId: text, textMessageContent: text }),
        ),
      );
    }
    expect(events.map((event) => (event as InboundEvent).optOut)).toEqual([true, true, false]);
  });

  it("never marks a binary message", async () => {
    const { handler, events } = setup();
    await handler(webhookRequest("websms", jsonBody(inboundBinary)));
    expect(events[0]).toMatchObject({ optOut: false });
  });
});
