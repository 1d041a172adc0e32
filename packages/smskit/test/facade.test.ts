/** The facade over all four real adapters, against their Prism mocks. */
import { describe, expect, inject, it } from "vitest";
import { observedFetch } from "../../../tools/testing/fetch.js";
import {
  AuthenticationError,
  createMessenger,
  digify,
  f24,
  InvalidRecipientError,
  parseDeliveryReport,
  smartSwitch,
  ValidationError,
  websms,
} from "../src/index.js";

const urls = () => inject("mockUrls") as Record<string, string>;

/**
 * Prism answers from the spec's fixed examples. Digify's default example echoes another message id
 * than we send, which the adapter rightly calls an unknown outcome; its simulation example carries
 * no id and fits any single message. (Realistic answers for every gateway: the fakes of smskit/testing.)
 */
const FITTING_EXAMPLES: Partial<Record<string, string>> = { digify: "example=simulationMode" };

function providers(preferred: Partial<Record<string, string>> = {}) {
  const prefer = { ...FITTING_EXAMPLES, ...preferred };
  const fetchFor = (name: string) =>
    observedFetch(prefer[name] === undefined ? {} : { prefer: prefer[name] as string });
  const observed = {
    websms: fetchFor("websms"),
    digify: fetchFor("digify"),
    f24: fetchFor("f24"),
    smartswitch: fetchFor("smartswitch"),
  };
  return {
    observed,
    list: [
      websms({
        accessToken: "ws-token-123",
        baseUrl: urls().websms as string,
        fetch: observed.websms.fetch,
        retry: false,
      }),
      digify({
        accessToken: "tok_0123456789abcdefghij",
        baseUrl: urls().digify as string,
        fetch: observed.digify.fetch,
        retry: false,
      }),
      f24({
        accessKey: "f24-key",
        accessToken: "f24-token",
        baseUrl: urls().f24 as string,
        fetch: observed.f24.fetch,
        retry: false,
      }),
      smartSwitch({
        login: "ss-login",
        password: "ss-password",
        baseUrl: urls().smartswitch as string,
        fetch: observed.smartswitch.fetch,
        retry: false,
      }),
    ],
  };
}

describe("send through the facade", () => {
  it("sends through the first provider when it is healthy", async () => {
    const { list, observed } = providers();
    const result = await createMessenger({ providers: list }).send({
      to: "+43 699 1234 5678",
      text: "Servus",
    });
    expect(result.provider).toBe("websms");
    expect(observed.websms.last.violations).toEqual([]);
    expect(JSON.parse(observed.websms.last.requestBody).recipientAddressList).toEqual(["4369912345678"]);
  });

  it("fails over from a throttled websms to digify, then skips websms while it cools down", async () => {
    const { list, observed } = providers({ websms: "example=throttled" });
    const messenger = createMessenger({ providers: list });
    expect((await messenger.send({ to: "+4712345678", text: "one" })).provider).toBe("digify");
    expect((await messenger.send({ to: "+4712345678", text: "two" })).provider).toBe("digify");
    expect(observed.websms.exchanges).toHaveLength(1);
    expect(observed.digify.exchanges.map((exchange) => exchange.violations)).toEqual([[], []]);
  });

  it("does not fail over when websms rejects the credentials", async () => {
    const { list, observed } = providers({ websms: "example=invalidCredentials" });
    await expect(
      createMessenger({ providers: list }).send({ to: "+4712345678", text: "x" }),
    ).rejects.toBeInstanceOf(AuthenticationError);
    expect(observed.digify.exchanges).toHaveLength(0);
  });

  it("round-robins over all four gateways, each request valid for its spec", async () => {
    const { list, observed } = providers();
    const messenger = createMessenger({ providers: list, strategy: "round-robin" });
    const used = [];
    for (let i = 0; i < 4; i++)
      used.push((await messenger.send({ to: "+4712345678", text: "hi", from: "smskit" })).provider);
    expect(used).toEqual(["websms", "digify", "f24", "smartswitch"]);
    const violations = Object.values(observed).flatMap((o) =>
      o.exchanges.flatMap((exchange) => exchange.violations),
    );
    expect(violations).toEqual([]);
  });

  it("batches sendMany per provider and keeps outcomes in order", async () => {
    const { list, observed } = providers();
    const outcomes = await createMessenger({ providers: list }).sendMany([
      { to: "+4711111111", text: "same" },
      { to: "bad", text: "same" },
      { to: "+4722222222", text: "same" },
    ]);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false, true]);
    expect(outcomes[1]?.ok === false && outcomes[1].error).toBeInstanceOf(InvalidRecipientError);
    expect(observed.websms.exchanges).toHaveLength(1); // both valid messages in one websms request
    expect(JSON.parse(observed.websms.last.requestBody).recipientAddressList).toEqual([
      "4711111111",
      "4722222222",
    ]);
  });

  it("sends e-mail through digify, the only provider that can", async () => {
    // Digify's default example is the one with an e-mail result.
    const { list } = providers({ digify: undefined });
    const result = await createMessenger({ providers: list }).sendEmail({
      to: "user@example.com",
      from: "noreply@example.com",
      subject: "Hei",
      html: "<p>Hei</p>",
    });
    expect(result.provider).toBe("digify");
  });
});

describe("parseDeliveryReport", () => {
  const websmsReport = {
    messageType: "deliveryReport",
    notificationId: "5280675327899111111",
    transferId: "00670eb55d00349e1111",
    senderAddress: "41791111111",
    deliveryReportMessageStatus: "delivered",
    sentOn: "2024-10-15T20:33:02.000+02:00",
    deliveredOn: "2024-10-15T20:33:03.000+02:00",
    deliveredAs: "sms",
    clientMessageId: "order-42",
  };

  it("maps a websms delivery report, from an object or a raw JSON string", () => {
    for (const body of [websmsReport, JSON.stringify(websmsReport)]) {
      expect(parseDeliveryReport("websms", body)).toMatchObject({
        provider: "websms",
        providerMessageId: "00670eb55d00349e1111",
        status: "delivered",
        providerStatus: "delivered",
        clientRef: "order-42",
        at: new Date("2024-10-15T18:33:03.000Z"),
      });
    }
  });

  it.each([
    ["undelivered", "failed"],
    ["expired", "expired"],
    ["rejected", "failed"],
    ["deleted", "failed"],
    ["accepted", "pending"],
  ])("maps websms %s to %s", (state, status) => {
    expect(
      parseDeliveryReport("websms", { ...websmsReport, deliveryReportMessageStatus: state }).status,
    ).toBe(status);
  });

  it.each([
    ["delivered", "delivered"],
    ["enroute", "pending"],
    ["accepted", "pending"],
    ["undeliverable", "failed"],
    ["expired", "expired"],
    ["rejected", "failed"],
    ["unknown", "unknown"],
  ])("maps a SmartSwitch %s receipt to %s", (state, status) => {
    const report = parseDeliveryReport("smartswitch", `message_id=1561371433517&message_state=${state}`);
    expect(report).toMatchObject({ provider: "smartswitch", providerMessageId: "1561371433517", status });
  });

  it("refuses an inbound websms message, malformed bodies and unknown providers with ValidationError", () => {
    const inbound = {
      messageType: "text",
      notificationId: "02c1d0051949fe70cbfa",
      senderAddress: "4367612345678",
      senderAddressType: "international",
      recipientAddress: "08282709900001",
      recipientAddressType: "national",
      textMessageContent: "Hello",
    };
    expect(() => parseDeliveryReport("websms", inbound)).toThrow(/not a delivery report/);
    expect(() => parseDeliveryReport("websms", "{not json")).toThrow(ValidationError);
    expect(() =>
      parseDeliveryReport("websms", { ...websmsReport, deliveryReportMessageStatus: "lost" }),
    ).toThrow(ValidationError);
    expect(() => parseDeliveryReport("smartswitch", "message_state=delivered")).toThrow(ValidationError);
    expect(() => parseDeliveryReport("smartswitch", "message_id=1&message_state=teleported")).toThrow(
      ValidationError,
    );
    expect(() => parseDeliveryReport("f24" as "websms", {})).toThrow(ValidationError);
  });
});
