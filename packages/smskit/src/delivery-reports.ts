/**
 * Delivery reports from every gateway that sends them, mapped onto one small status set
 * (Symfony Notifier's idea): what a caller acts on is delivered / failed / still pending.
 */
import { ValidationError } from "@smskit/core";
import { parseSmartSwitchDeliveryReceipt } from "@smskit/smartswitch";
import { parseWebsmsNotification } from "@smskit/websms";

export type DeliveryStatus = "delivered" | "failed" | "pending" | "unknown";

export interface DeliveryReport {
  provider: "websms" | "smartswitch";
  /** Matches `SendResult.providerMessageId` of the send. */
  providerMessageId: string;
  status: DeliveryStatus;
  /** The gateway's own state word, e.g. `undeliverable`. */
  providerStatus: string;
  /** When the gateway says the state was reached. */
  at?: Date | undefined;
  /** Your `clientRef`, when the gateway echoes it. */
  clientRef?: string | undefined;
  raw: unknown;
}

export type DeliveryReportProvider = DeliveryReport["provider"];

const WEBSMS_STATUS: Record<string, DeliveryStatus> = {
  delivered: "delivered",
  undelivered: "failed",
  expired: "failed",
  deleted: "failed",
  rejected: "failed",
  accepted: "pending",
};

const SMARTSWITCH_STATUS: Record<string, DeliveryStatus> = {
  delivered: "delivered",
  enroute: "pending",
  accepted: "pending",
  expired: "failed",
  undeliverable: "failed",
  rejected: "failed",
  unknown: "unknown",
};

function dateOf(value: unknown): Date | undefined {
  if (typeof value !== "string") return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * Parses a delivery-report webhook body. websms posts JSON (pass the parsed object or the raw
 * string); SmartSwitch posts a form (pass the raw body, `URLSearchParams` or a record).
 * Malformed input, or a websms notification that is an inbound message rather than a report,
 * throws a `ValidationError`.
 */
export function parseDeliveryReport(provider: DeliveryReportProvider, body: unknown): DeliveryReport {
  if (provider === "websms") {
    const notification = parseWebsmsNotification(body);
    if (notification.messageType !== "deliveryReport") {
      throw new ValidationError({
        provider: "websms",
        code: "NOT_A_DELIVERY_REPORT",
        message: `[websms] this notification is an inbound ${notification.messageType} message, not a delivery report`,
      });
    }
    const providerStatus = notification.deliveryReportMessageStatus;
    return {
      provider,
      providerMessageId: notification.transferId,
      status: WEBSMS_STATUS[providerStatus] ?? "unknown",
      providerStatus,
      at: dateOf(notification.deliveredOn) ?? dateOf(notification.sentOn),
      clientRef: notification.clientMessageId ?? undefined,
      raw: notification,
    };
  }
  if (provider === "smartswitch") {
    const receipt = parseSmartSwitchDeliveryReceipt(
      body as Parameters<typeof parseSmartSwitchDeliveryReceipt>[0],
    );
    return {
      provider,
      providerMessageId: receipt.messageId,
      status: SMARTSWITCH_STATUS[receipt.state] ?? "unknown",
      providerStatus: receipt.state,
      raw: receipt,
    };
  }
  throw new ValidationError({
    provider: "smskit",
    code: "NO_DELIVERY_REPORTS",
    message: `[smskit] no delivery-report parser for provider ${JSON.stringify(provider)}: websms and smartswitch send them`,
  });
}
