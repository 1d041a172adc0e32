/**
 * Delivery reports from every gateway that sends them, mapped onto one small status set
 * (Symfony Notifier's idea): what a caller acts on is delivered / failed / expired / still pending.
 */
import { ValidationError } from "@smskit/core";
import {
  parseSmartSwitchDeliveryReceipt,
  type SmartSwitchDeliveryReceipt,
  type SmartSwitchDeliveryState,
} from "@smskit/smartswitch";
import { parseWebsmsNotification, type WebsmsDeliveryReport } from "@smskit/websms";

/**
 * `expired`: the gateway gave up after the validity period (the phone was off or unreachable);
 * nothing was delivered, but unlike `failed` the number itself may be fine.
 */
export type DeliveryStatus = "delivered" | "failed" | "expired" | "pending" | "unknown";

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

const WEBSMS_STATUS: Record<WebsmsDeliveryReport["deliveryReportMessageStatus"], DeliveryStatus> = {
  delivered: "delivered",
  undelivered: "failed",
  expired: "expired",
  deleted: "failed",
  rejected: "failed",
  accepted: "pending",
};

const SMARTSWITCH_STATUS: Record<SmartSwitchDeliveryState, DeliveryStatus> = {
  delivered: "delivered",
  enroute: "pending",
  accepted: "pending",
  expired: "expired",
  undeliverable: "failed",
  rejected: "failed",
  unknown: "unknown",
};

function dateOf(value: unknown): Date | undefined {
  if (typeof value !== "string") return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** The fields of a {@link DeliveryReport} that a validated websms report gives; shared with `smskit/webhooks`. */
export function websmsDeliveryReportOf(notification: WebsmsDeliveryReport): DeliveryReport {
  const providerStatus = notification.deliveryReportMessageStatus;
  return {
    provider: "websms",
    providerMessageId: notification.transferId,
    status: WEBSMS_STATUS[providerStatus] ?? "unknown",
    providerStatus,
    at: dateOf(notification.deliveredOn) ?? dateOf(notification.sentOn),
    clientRef: notification.clientMessageId ?? undefined,
    raw: notification,
  };
}

/** The same for a validated SmartSwitch receipt (it carries no time and no client reference). */
export function smartSwitchDeliveryReportOf(receipt: SmartSwitchDeliveryReceipt): DeliveryReport {
  return {
    provider: "smartswitch",
    providerMessageId: receipt.messageId,
    status: SMARTSWITCH_STATUS[receipt.state] ?? "unknown",
    providerStatus: receipt.state,
    raw: receipt,
  };
}

/**
 * Parses a delivery-report webhook body, for when you run your own endpoint (`smskit/webhooks`
 * does this and more for you). websms posts JSON (pass the parsed object or the raw string);
 * SmartSwitch posts a form (pass the raw body, `URLSearchParams` or a record). Malformed input,
 * or a websms notification that is an inbound message rather than a report, throws a
 * `ValidationError`.
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
    return websmsDeliveryReportOf(notification);
  }
  if (provider === "smartswitch") {
    return smartSwitchDeliveryReportOf(
      parseSmartSwitchDeliveryReceipt(body as Parameters<typeof parseSmartSwitchDeliveryReceipt>[0]),
    );
  }
  throw new ValidationError({
    provider: "smskit",
    code: "NO_DELIVERY_REPORTS",
    message: `[smskit] no delivery-report parser for provider ${JSON.stringify(provider)}: websms and smartswitch send them`,
  });
}
