import { ValidationError } from "@smskit/core";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  parseWebsmsNotification,
  WEBSMS_ACKNOWLEDGEMENT,
  type WebsmsDeliveryReport,
  type WebsmsNotification,
} from "../src/index.js";
import {
  deliveryReportDelivered,
  deliveryReportUndelivered,
  inboundBinary,
  inboundText,
} from "./fixtures/notifications.js";

describe("parseWebsmsNotification: valid bodies from the spec's examples", () => {
  it("reads a delivered report, as an object or as the raw JSON string", () => {
    for (const body of [deliveryReportDelivered, JSON.stringify(deliveryReportDelivered)]) {
      const notification = parseWebsmsNotification(body);
      expect(notification).toEqual(deliveryReportDelivered);
      if (notification.messageType !== "deliveryReport") throw new Error("expected a delivery report");
      expectTypeOf(notification).toEqualTypeOf<WebsmsDeliveryReport>();
      expect(notification.transferId).toBe("00670eb55d00349e1111");
      expect(notification.deliveryReportMessageStatus).toBe("delivered");
      expect(notification.clientMessageId).toBe("11cf996f-0000-4000-8000-000000000000");
    }
  });

  it("reads an expired report whose deliveredOn is null", () => {
    const notification = parseWebsmsNotification(deliveryReportUndelivered);
    expect(notification).toMatchObject({
      messageType: "deliveryReport",
      deliveryReportMessageStatus: "expired",
      deliveredOn: null,
      sentOn: "2013-05-27T13:36:00.000+02:00",
      recipientAddress: "4366012345678",
    });
  });

  it("reads an inbound text", () => {
    const notification = parseWebsmsNotification(inboundText);
    if (notification.messageType !== "text") throw new Error("expected a text");
    expect(notification.textMessageContent).toBe("Hello World");
    expect(notification.recipientAddressType).toBe("national");
  });

  it("reads an inbound binary message from raw bytes", () => {
    const notification = parseWebsmsNotification(new TextEncoder().encode(JSON.stringify(inboundBinary)));
    if (notification.messageType !== "binary") throw new Error("expected a binary message");
    expect(notification.binaryMessageContent).toEqual(["BQAD/AIBWnVzYW1tZW4=", "BQAD/AICZ2Vmw7xndC4="]);
    expect(notification.userDataHeaderPresent).toBe(true);
  });

  it("keeps fields websms may add later", () => {
    const notification = parseWebsmsNotification({ ...inboundText, messageFlashSms: true, future: 1 });
    expect(notification).toMatchObject({ messageFlashSms: true, future: 1 });
  });

  it("returns a copy, not the caller's object", () => {
    const body = { ...inboundText };
    expect(parseWebsmsNotification(body)).not.toBe(body);
  });

  it("has the acknowledgement body websms expects", () => {
    expect(WEBSMS_ACKNOWLEDGEMENT).toEqual({ statusCode: 2000, statusMessage: "OK" });
    expect(Object.isFrozen(WEBSMS_ACKNOWLEDGEMENT)).toBe(true);
  });

  it("narrows on messageType", () => {
    expectTypeOf<WebsmsNotification["messageType"]>().toEqualTypeOf<"deliveryReport" | "text" | "binary">();
  });
});

describe("parseWebsmsNotification: malformed bodies", () => {
  const cases: Array<[name: string, body: unknown, mentions: string]> = [
    ["not JSON", "{not json", "not valid JSON"],
    ["empty string", "", "not valid JSON"],
    ["JSON array", "[]", "must be a JSON object, got array"],
    ["null", null, "must be a JSON object, got null"],
    ["a number", 42, "must be a JSON object, got number"],
    ["no messageType", { notificationId: "x" }, '"messageType" is missing'],
    [
      "unknown messageType",
      { ...inboundText, messageType: "mms" },
      '"messageType" is "mms", expected one of',
    ],
    ["messageType not a string", { ...inboundText, messageType: 1 }, '"messageType" must be a string'],
    ["missing notificationId", { ...inboundText, notificationId: undefined }, '"notificationId" is missing'],
    [
      "DLR without transferId",
      { ...deliveryReportDelivered, transferId: undefined },
      '"transferId" is missing',
    ],
    [
      "DLR transferId a number",
      { ...deliveryReportDelivered, transferId: 5 },
      '"transferId" must be a string, got number',
    ],
    [
      "DLR unknown status",
      { ...deliveryReportDelivered, deliveryReportMessageStatus: "lost" },
      '"deliveryReportMessageStatus" is "lost"',
    ],
    ["DLR unknown deliveredAs", { ...deliveryReportDelivered, deliveredAs: "fax" }, '"deliveredAs" is "fax"'],
    [
      "DLR sentOn not a date",
      { ...deliveryReportDelivered, sentOn: "yesterday" },
      '"sentOn" is not an ISO 8601',
    ],
    [
      "DLR sentOn null",
      { ...deliveryReportDelivered, sentOn: null },
      '"sentOn" must be an ISO 8601 date-time string, got null',
    ],
    [
      "DLR deliveredOn a number",
      { ...deliveryReportDelivered, deliveredOn: 1 },
      '"deliveredOn" must be an ISO 8601',
    ],
    [
      "DLR clientMessageId null",
      { ...deliveryReportDelivered, clientMessageId: null },
      '"clientMessageId" must be a string, got null',
    ],
    [
      "text without text",
      { ...inboundText, textMessageContent: undefined },
      '"textMessageContent" is missing',
    ],
    [
      "text with a bad address type",
      { ...inboundText, senderAddressType: "alphanumeric" },
      '"senderAddressType" is "alphanumeric"',
    ],
    [
      "text with a string flash flag",
      { ...inboundText, messageFlashSms: "yes" },
      '"messageFlashSms" must be a boolean',
    ],
    [
      "text without recipientAddress",
      { ...inboundText, recipientAddress: undefined },
      '"recipientAddress" is missing',
    ],
    [
      "binary content not an array",
      { ...inboundBinary, binaryMessageContent: "BQAD" },
      '"binaryMessageContent" must be an array',
    ],
    [
      "binary segment not Base64",
      { ...inboundBinary, binaryMessageContent: ["BQAD", "@@"] },
      '"binaryMessageContent[1]"',
    ],
    [
      "binary without content",
      { ...inboundBinary, binaryMessageContent: undefined },
      '"binaryMessageContent" is missing',
    ],
    [
      "binary UDH flag a string",
      { ...inboundBinary, userDataHeaderPresent: "true" },
      '"userDataHeaderPresent" must be a boolean',
    ],
  ];

  it.each(cases)("%s", (_, body, mentions) => {
    const error = (() => {
      try {
        parseWebsmsNotification(body);
      } catch (caught) {
        return caught;
      }
      throw new Error("no error thrown");
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ provider: "websms", code: "INVALID_NOTIFICATION" });
    expect((error as Error).message).toContain(mentions);
  });

  it("never quotes message content or numbers in the error", () => {
    const secretText = "my one-time code is 123456";
    const error = (() => {
      try {
        parseWebsmsNotification({
          ...inboundText,
          textMessageContent: secretText,
          recipientAddressType: "x",
        });
      } catch (caught) {
        return caught as ValidationError;
      }
      throw new Error("no error thrown");
    })();
    expect(JSON.stringify(error)).not.toContain(secretText);
    expect(JSON.stringify(error)).not.toContain(inboundText.senderAddress);
    expect(error.details).toEqual({ field: "recipientAddressType" });
  });
});
