/** From a validated request body to a typed {@link SmsEvent}, using the gateways' own parsers. */
import { ValidationError } from "@smskit/core";
import { parseSmartSwitchDeliveryReceipt } from "@smskit/smartswitch";
import { parseWebsmsNotification, type WebsmsNotification } from "@smskit/websms";
import { smartSwitchDeliveryReportOf, websmsDeliveryReportOf } from "../delivery-reports.js";
import type {
  InboundBinaryContent,
  SmartSwitchDeliveryEvent,
  SmsEvent,
  WebhookProvider,
  WebsmsDeliveryEvent,
} from "./events.js";

async function digestOf(parts: ReadonlyArray<string | null | undefined>): Promise<string> {
  const bytes = new TextEncoder().encode(JSON.stringify(parts));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** `4367612345678` → `+4367612345678`; anything that is not 8–15 digits stays as it is. */
function e164OrAsGiven(address: string): string {
  const match = /^\+?(\d{8,15})$/.exec(address.trim());
  return match ? `+${match[1]}` : address;
}

function base64Segment(segment: string, index: number): Uint8Array {
  const standard = segment.replace(/-/g, "+").replace(/_/g, "/");
  try {
    const binary = atob(standard.padEnd(standard.length + ((4 - (standard.length % 4)) % 4), "="));
    return Uint8Array.from(binary, (char) => char.charCodeAt(0));
  } catch {
    throw new ValidationError({
      provider: "websms",
      code: "INVALID_NOTIFICATION",
      message: `[websms] invalid notification: field "binaryMessageContent[${index}]" is not valid Base64`,
      details: { field: `binaryMessageContent[${index}]` },
    });
  }
}

async function websmsEvent(
  notification: WebsmsNotification,
  isOptOut: (text: string | undefined) => boolean,
): Promise<SmsEvent> {
  if (notification.messageType === "deliveryReport") {
    const report = websmsDeliveryReportOf(notification);
    const event: WebsmsDeliveryEvent = {
      type: "delivery",
      id: await digestOf([
        "websms",
        "delivery",
        notification.transferId,
        notification.senderAddress,
        notification.recipientAddress,
        notification.deliveryReportMessageStatus,
      ]),
      provider: "websms",
      providerMessageId: report.providerMessageId,
      recipient: e164OrAsGiven(notification.senderAddress),
      status: report.status,
      providerStatus: notification.deliveryReportMessageStatus,
      raw: notification,
    };
    if (report.clientRef !== undefined) event.clientRef = report.clientRef;
    if (report.at !== undefined) event.at = report.at;
    return event;
  }
  const international = (address: string, type: string) =>
    type === "international" ? e164OrAsGiven(address) : address;
  const base = {
    type: "inbound" as const,
    id: await digestOf(["websms", "inbound", notification.notificationId]),
    provider: "websms" as const,
    from: international(notification.senderAddress, notification.senderAddressType),
    to: international(notification.recipientAddress, notification.recipientAddressType),
    raw: notification,
  };
  if (notification.messageType === "text") {
    const text = notification.textMessageContent;
    return { ...base, text, optOut: isOptOut(text) };
  }
  const binary: InboundBinaryContent = {
    segments: notification.binaryMessageContent.map(base64Segment),
    userDataHeader: notification.userDataHeaderPresent === true,
  };
  return { ...base, binary, optOut: false };
}

function invalidSmartSwitchJson(reason: string): ValidationError {
  return new ValidationError({
    provider: "smartswitch",
    code: "INVALID_DELIVERY_RECEIPT",
    message: `[smartswitch] invalid delivery receipt: ${reason}`,
  });
}

async function smartSwitchEvent(text: string, json: boolean): Promise<SmartSwitchDeliveryEvent> {
  let body: string | Record<string, string> = text;
  if (json) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw invalidSmartSwitchJson("the body is not valid JSON");
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw invalidSmartSwitchJson("the JSON body must be an object");
    }
    body = value as Record<string, string>;
  }
  const receipt = parseSmartSwitchDeliveryReceipt(body);
  const report = smartSwitchDeliveryReportOf(receipt);
  return {
    type: "delivery",
    id: await digestOf(["smartswitch", "delivery", receipt.messageId, receipt.state]),
    provider: "smartswitch",
    providerMessageId: report.providerMessageId,
    status: report.status,
    providerStatus: receipt.state,
    raw: { message_id: receipt.messageId, message_state: receipt.state },
  };
}

/** @throws {ValidationError} for a body that is not a notification of the gateway's spec. */
export async function parseWebhookEvent(
  provider: WebhookProvider,
  text: string,
  mediaType: string,
  isOptOut: (text: string | undefined) => boolean,
): Promise<SmsEvent> {
  if (provider === "websms") return websmsEvent(parseWebsmsNotification(text), isOptOut);
  return smartSwitchEvent(text, mediaType === "application/json");
}
