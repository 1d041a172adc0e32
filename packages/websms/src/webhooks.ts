/**
 * The calls websms makes to your server: delivery reports and inbound SMS. Both arrive as JSON
 * POSTs and must be answered with {@link WEBSMS_ACKNOWLEDGEMENT}.
 */
import { ValidationError } from "@smskit/core";
import type { components, webhooks } from "./generated/schema.js";

type WebhookBody<Name extends keyof webhooks> =
  webhooks[Name]["post"]["requestBody"]["content"]["application/json"];

export type WebsmsDeliveryReport = WebhookBody<"deliveryReport">;
export type WebsmsInboundMessage = WebhookBody<"inboundMessage">;
export type WebsmsInboundText = components["schemas"]["InboundTextNotification"];
export type WebsmsInboundBinary = components["schemas"]["InboundBinaryNotification"];
/** Everything websms may POST to you, told apart by `messageType`. */
export type WebsmsNotification = WebsmsDeliveryReport | WebsmsInboundMessage;
export type WebsmsNotificationAcknowledgement =
  webhooks["deliveryReport"]["post"]["responses"][200]["content"]["application/json"];

/** The body your endpoint must answer every notification with (HTTP 200, JSON). */
export const WEBSMS_ACKNOWLEDGEMENT: Readonly<WebsmsNotificationAcknowledgement> = Object.freeze({
  statusCode: 2000,
  statusMessage: "OK",
});

const DELIVERY_STATUSES: ReadonlyArray<WebsmsDeliveryReport["deliveryReportMessageStatus"]> = [
  "delivered",
  "undelivered",
  "expired",
  "deleted",
  "accepted",
  "rejected",
];
const DELIVERED_AS: ReadonlyArray<NonNullable<WebsmsDeliveryReport["deliveredAs"]>> = [
  "sms",
  "push",
  "failover-sms",
  "voice",
];
const ADDRESS_TYPES: ReadonlyArray<components["schemas"]["AddressType"]> = [
  "international",
  "national",
  "shortcode",
];
const MESSAGE_TYPES: ReadonlyArray<WebsmsNotification["messageType"]> = ["deliveryReport", "text", "binary"];

// The docs call the segments "URL safe" Base64, so both alphabets pass (as in the spec).
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
// ISO 8601 with a time; the offset is what real reports carry (`2024-10-15T20:33:02.000+02:00`).
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

function invalid(message: string, field?: string): ValidationError {
  return new ValidationError({
    provider: "websms",
    code: "INVALID_NOTIFICATION",
    message: `[websms] invalid notification: ${message}`,
    details: field === undefined ? undefined : { field },
  });
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/**
 * Field checks that name the offending field and never quote message content (a notification
 * carries phone numbers and texts, which do not belong in error logs).
 */
class Fields {
  constructor(private readonly body: Record<string, unknown>) {}

  string(field: string, required: boolean): void {
    const value = this.body[field];
    if (value === undefined && !required) return;
    if (value === undefined) throw invalid(`required field "${field}" is missing`, field);
    if (typeof value !== "string") {
      throw invalid(`field "${field}" must be a string, got ${typeName(value)}`, field);
    }
  }

  boolean(field: string): void {
    const value = this.body[field];
    if (value !== undefined && typeof value !== "boolean") {
      throw invalid(`field "${field}" must be a boolean, got ${typeName(value)}`, field);
    }
  }

  oneOf(field: string, allowed: ReadonlyArray<string>, required: boolean): void {
    this.string(field, required);
    const value = this.body[field];
    if (value !== undefined && !allowed.includes(value as string)) {
      throw invalid(
        `field "${field}" is ${JSON.stringify(value)}, expected one of ${allowed.join(", ")}`,
        field,
      );
    }
  }

  dateTime(field: string, nullable: boolean): void {
    const value = this.body[field];
    if (value === undefined || (nullable && value === null)) return;
    if (typeof value !== "string") {
      throw invalid(
        `field "${field}" must be an ISO 8601 date-time string${nullable ? " or null" : ""}, got ${typeName(value)}`,
        field,
      );
    }
    if (!DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) {
      throw invalid(`field "${field}" is not an ISO 8601 date-time: ${JSON.stringify(value)}`, field);
    }
  }

  base64Segments(field: string): void {
    const value = this.body[field];
    if (value === undefined) throw invalid(`required field "${field}" is missing`, field);
    if (!Array.isArray(value)) {
      throw invalid(`field "${field}" must be an array of Base64 strings, got ${typeName(value)}`, field);
    }
    for (const [index, item] of value.entries()) {
      if (typeof item !== "string" || !BASE64.test(item)) {
        throw invalid(`field "${field}[${index}]" must be a Base64 string`, `${field}[${index}]`);
      }
    }
  }
}

function objectOf(body: unknown): Record<string, unknown> {
  let value = body;
  if (value instanceof Uint8Array) value = new TextDecoder().decode(value);
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      throw invalid("the body is not valid JSON");
    }
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw invalid(`the body must be a JSON object, got ${typeName(value)}`);
  }
  return value as Record<string, unknown>;
}

/**
 * Validates a websms notification and returns it typed by `messageType`: `deliveryReport`,
 * `text` or `binary`. Accepts the parsed JSON object, the raw JSON string, or the raw bytes.
 * Fields websms may add later are kept as they are.
 *
 * @throws {ValidationError} code `INVALID_NOTIFICATION`, naming the field, for anything that
 * is not a notification of the spec (not JSON, not an object, unknown `messageType`, a required
 * field missing, a wrong type or an unknown enum value).
 */
export function parseWebsmsNotification(body: unknown): WebsmsNotification {
  const object = objectOf(body);
  const fields = new Fields(object);
  fields.oneOf("messageType", MESSAGE_TYPES, true);
  fields.string("notificationId", true);
  const messageType = object.messageType as WebsmsNotification["messageType"];

  if (messageType === "deliveryReport") {
    fields.string("transferId", true);
    fields.string("senderAddress", true);
    fields.oneOf("deliveryReportMessageStatus", DELIVERY_STATUSES, true);
    fields.string("recipientAddress", false);
    fields.string("clientMessageId", false);
    fields.dateTime("sentOn", false);
    fields.dateTime("deliveredOn", true);
    fields.oneOf("deliveredAs", DELIVERED_AS, false);
    return { ...object } as WebsmsDeliveryReport;
  }

  fields.string("senderAddress", true);
  fields.oneOf("senderAddressType", ADDRESS_TYPES, true);
  fields.string("recipientAddress", true);
  fields.oneOf("recipientAddressType", ADDRESS_TYPES, true);
  fields.boolean("messageFlashSms");
  if (messageType === "text") {
    fields.string("textMessageContent", true);
    return { ...object } as WebsmsInboundText;
  }
  fields.boolean("userDataHeaderPresent");
  fields.base64Segments("binaryMessageContent");
  return { ...object } as WebsmsInboundBinary;
}
