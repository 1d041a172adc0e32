/**
 * The typed events `onEvent` receives: one union for every gateway, discriminated by `type` and
 * then `provider`, whose `raw` is the gateway's payload as its spec types it.
 */
import type { SmartSwitchDeliveryReceiptBody, SmartSwitchDeliveryState } from "@smskit/smartswitch";
import type { WebsmsDeliveryReport, WebsmsInboundMessage } from "@smskit/websms";
import type { DeliveryStatus } from "../delivery-reports.js";

export type { DeliveryStatus } from "../delivery-reports.js";

/** The gateways that call webhooks; the last path segment of the URL names one. */
export type WebhookProvider = "websms" | "smartswitch";

interface DeliveryEventOf<Provider extends WebhookProvider, ProviderStatus extends string, Raw> {
  type: "delivery";
  /**
   * Stable for this event and its redeliveries (a SHA-256 hex digest): the dedupe key, and a good
   * idempotency key for your own storage.
   */
  id: string;
  provider: Provider;
  /** Matches `SendResult.providerMessageId` of the send. */
  providerMessageId: string;
  /** Your `clientRef` of the send, when the gateway echoes it (websms does). */
  clientRef?: string;
  /** The number the report is about, E.164 when the gateway gives it in international form. */
  recipient?: string;
  status: DeliveryStatus;
  /** The gateway's own state word. */
  providerStatus: ProviderStatus;
  /** When the gateway says the state was reached. */
  at?: Date;
  raw: Raw;
}

export type WebsmsDeliveryEvent = DeliveryEventOf<
  "websms",
  WebsmsDeliveryReport["deliveryReportMessageStatus"],
  WebsmsDeliveryReport
>;
export type SmartSwitchDeliveryEvent = DeliveryEventOf<
  "smartswitch",
  SmartSwitchDeliveryState,
  SmartSwitchDeliveryReceiptBody
>;
export type DeliveryEvent = WebsmsDeliveryEvent | SmartSwitchDeliveryEvent;

export interface InboundBinaryContent {
  /** One entry per SMS segment, decoded from Base64. */
  segments: Uint8Array[];
  /** Each segment starts with a User Data Header. */
  userDataHeader: boolean;
}

/** An SMS a phone sent to one of your numbers (websms forwards them; SmartSwitch does not). */
export interface InboundEvent {
  type: "inbound";
  /** Stable for this message and its redeliveries (see {@link DeliveryEvent}). */
  id: string;
  provider: "websms";
  /** The phone that sent it, E.164 (`+4367612345678`). */
  from: string;
  /** Your number it was sent to: E.164 when international, else as given (national, shortcode). */
  to: string;
  /** Set for a text message. */
  text?: string;
  /** Set for a binary message. */
  binary?: InboundBinaryContent;
  /** When it was received, if the gateway says (websms does not). */
  at?: Date;
  /** The text is an opt-out keyword (STOP, …): stop messaging `from`. */
  optOut: boolean;
  raw: WebsmsInboundMessage;
}

export type SmsEvent = DeliveryEvent | InboundEvent;
