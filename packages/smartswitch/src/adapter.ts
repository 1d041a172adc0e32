import {
  assertBatchSize,
  assertNotScheduled,
  type CommonClientOptions,
  estimateSegments,
  isRecord,
  isSmsKitError,
  MessageRejectedError,
  matchResults,
  type OutgoingSms,
  parseSender,
  partitionBatch,
  type SendOutcome,
  type SmsProvider,
  sendOneThroughBatch,
  unmentionedOutcome,
  ValidationError,
} from "@smskit/core";
import {
  createSmartSwitchClient,
  type SmartSwitchMessageResource,
  type SmartSwitchRecipient,
} from "./client.js";

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
 * the 8000-character default of `maxUrlLength`; a batch of longer texts is split into as many
 * requests as the URL limit needs.
 */
const MAX_MESSAGES_PER_REQUEST = 25;

function isResource(value: unknown): value is SmartSwitchMessageResource {
  if (!isRecord(value) || typeof value.id !== "string" || value.id === "" || !isRecord(value.attributes))
    return false;
  const { destination_number, segments, status } = value.attributes;
  return (
    typeof destination_number === "string" &&
    typeof segments === "number" &&
    Number.isInteger(segments) &&
    segments >= 0 &&
    (status === "ok" || status === "error")
  );
}

/** The SmartSwitch HTTP API as an smskit provider (SMS only; one text per recipient). */
export function smartSwitch(options: SmartSwitchAdapterOptions): SmsProvider<"smartswitch"> {
  const client = createSmartSwitchClient(options);
  const requireDlr = options.requireDlr ?? true;

  const toRecipient = (message: OutgoingSms): SmartSwitchRecipient => {
    assertNotScheduled("smartswitch", message);
    const recipient: SmartSwitchRecipient = {
      to: message.to,
      body: message.text,
      from: message.from,
      requestId: message.clientRef,
      requireDlr,
    };
    // A single message that cannot fit the URL limit fails alone, before the network.
    const length = client.urlLength([recipient]);
    if (length > client.maxUrlLength) {
      throw new ValidationError({
        provider: "smartswitch",
        code: "URL_TOO_LONG",
        details: { urlLength: length, maxUrlLength: client.maxUrlLength },
        message: `[smartswitch] the message to ${message.to} needs a ${length}-character URL, over the limit of ${client.maxUrlLength}: SmartSwitch takes the text in the URL, so shorten it`,
      });
    }
    return recipient;
  };

  /**
   * Requests that can go: one per sender kind (a lone source_name or source_number is not
   * documented to belong to any one recipient), each filled up to the URL limit.
   */
  const plan = <Entry extends { message: OutgoingSms; payload: SmartSwitchRecipient }>(
    entries: readonly Entry[],
  ): Entry[][] => {
    const byKind = new Map<string, Entry[]>();
    for (const entry of entries) {
      const kind =
        entry.message.from === undefined ? "none" : parseSender("smartswitch", entry.message.from).kind;
      const group = byKind.get(kind);
      if (group === undefined) byKind.set(kind, [entry]);
      else group.push(entry);
    }
    const requests: Entry[][] = [];
    for (const group of byKind.values()) {
      let current: Entry[] = [];
      for (const entry of group) {
        const candidate = [...current, entry];
        if (
          current.length > 0 &&
          client.urlLength(candidate.map((item) => item.payload)) > client.maxUrlLength
        ) {
          requests.push(current);
          current = [entry];
        } else {
          current = candidate;
        }
      }
      if (current.length > 0) requests.push(current);
    }
    return requests;
  };

  const sendBatch = async (messages: readonly OutgoingSms[]): Promise<SendOutcome[]> => {
    assertBatchSize("smartswitch", messages, MAX_MESSAGES_PER_REQUEST);
    const { outcomes, valid } = partitionBatch(messages, toRecipient);
    for (const request of plan(valid)) {
      let report: Awaited<ReturnType<typeof client.sendMessages>>;
      try {
        report = await client.sendMessages(request.map((entry) => entry.payload));
      } catch (error) {
        // Earlier requests of this batch may have been sent: this failure belongs to these messages only.
        if (!isSmsKitError(error)) throw error;
        for (const { index } of request) outcomes[index] = { ok: false, error };
        continue;
      }
      const destinationOf = (item: unknown) =>
        isRecord(item) && isRecord(item.attributes) && typeof item.attributes.destination_number === "string"
          ? item.attributes.destination_number
          : undefined;
      // SmartSwitch documents one resource per recipient, in the order sent.
      const matched = matchResults(
        request.map((entry) => entry.message.to.slice(1)),
        report.messages,
        destinationOf,
        "order",
      );
      request.forEach(({ index, message }, position) => {
        const item = matched[position];
        if (!isResource(item)) {
          outcomes[index] = unmentionedOutcome("smartswitch", message, { status: 200 });
        } else if (item.attributes.status === "error") {
          outcomes[index] = {
            ok: false,
            error: new MessageRejectedError({
              provider: "smartswitch",
              status: 200,
              code: "error",
              message: `[smartswitch] the message to ${message.to} was not sent (status "error": not sent, not charged; the gateway gives no reason)`,
            }),
          };
        } else {
          outcomes[index] = {
            ok: true,
            result: {
              provider: "smartswitch",
              to: message.to,
              // `ok` means "sent and charged": the switch took it; delivery is reported later.
              status: "accepted",
              providerMessageId: item.id,
              clientRef: message.clientRef,
              segments: item.attributes.segments,
              encoding: estimateSegments(message.text).encoding,
              raw: item,
            },
          };
        }
      });
    }
    return outcomes as SendOutcome[];
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
