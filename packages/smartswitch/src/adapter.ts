import {
  assertBatchSize,
  type CommonClientOptions,
  estimateSegments,
  type OutgoingSms,
  type SendOutcome,
  type SmsProvider,
  sendOneThroughBatch,
} from "@smskit/core";
import { createSmartSwitchClient } from "./client.js";

export interface SmartSwitchAdapterOptions extends CommonClientOptions {
  login: string;
  password: string;
  /** Your operator's SmartSwitch server; there is no public default. */
  baseUrl: string;
  /**
   * Ask for a delivery receipt for every message (`require_dlr=1`). Default true, so that
   * `parseSmartSwitchDeliveryReceipt` has something to parse; receipts go to the URL the operator
   * configured, not to one passed per message.
   */
  requireDlr?: boolean;
  /** See `SmartSwitchClientOptions.maxUrlLength`. */
  maxUrlLength?: number;
}

/**
 * SmartSwitch documents no recipient limit, but every argument travels in the URL. One single-part
 * GSM-7 message with its group of arguments takes about 300 URL characters, so 25 recipients fit in
 * the 8000-character default of `maxUrlLength`; longer or UCS-2 texts fit fewer and are refused
 * before sending with `URL_TOO_LONG`.
 */
const MAX_MESSAGES_PER_REQUEST = 25;

/** The SmartSwitch HTTP API as an smskit provider (SMS only; one text per recipient). */
export function smartSwitch(options: SmartSwitchAdapterOptions): SmsProvider {
  const client = createSmartSwitchClient(options);
  const requireDlr = options.requireDlr ?? true;

  const sendBatch = async (messages: readonly OutgoingSms[]): Promise<SendOutcome[]> => {
    assertBatchSize("smartswitch", messages.length, MAX_MESSAGES_PER_REQUEST);
    if (messages.length === 0) return [];
    const report = await client.sendMessages(
      messages.map((message) => ({
        to: message.to,
        body: message.text,
        from: message.from,
        requestId: message.clientRef,
        requireDlr,
      })),
    );
    // sendMessages reports one result per recipient, in the order given.
    return report.results.map((result, index): SendOutcome => {
      const message = messages[index] as OutgoingSms;
      if (!result.ok) return { ok: false, error: result.error };
      return {
        ok: true,
        result: {
          provider: "smartswitch",
          to: message.to,
          // `ok` means "sent and charged": the switch took it; delivery is reported later.
          status: "accepted",
          providerMessageId: result.id,
          clientRef: message.clientRef,
          segments: result.segments,
          encoding: estimateSegments(message.text).encoding,
          raw: result.resource,
        },
      };
    });
  };

  return {
    name: "smartswitch",
    capabilities: {
      email: false,
      maxRecipientsPerRequest: MAX_MESSAGES_PER_REQUEST,
      distinctTextsPerRequest: true,
    },
    send: sendOneThroughBatch(sendBatch),
    sendBatch,
  };
}
