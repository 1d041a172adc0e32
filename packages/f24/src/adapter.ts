import {
  assertBatchSize,
  type CommonClientOptions,
  createRedactor,
  estimateSegments,
  InvalidRecipientError,
  InvalidSenderError,
  type OutgoingSms,
  redactDeep,
  type SendOutcome,
  type SendStatus,
  type SmsProvider,
  sendOneThroughBatch,
  toE164,
  UnexpectedResponseError,
} from "@smskit/core";
import { createF24Client, type F24OutgoingMessage, type F24RecipientResult } from "./client.js";

export interface F24AdapterOptions extends CommonClientOptions {
  accessKey: string;
  accessToken: string;
  /** The API URL F24 gave you; there is no public default. */
  baseUrl: string;
  /**
   * Sender for messages without `from`. F24 has no account default and requires a `Sender` on
   * every message, so without this option a message without `from` is refused before sending.
   */
  defaultFrom?: string;
}

/**
 * F24 documents no limit on `Messages[]`; 100 keeps one request, and the blast radius of one
 * ambiguous failure, small.
 */
const MAX_MESSAGES_PER_REQUEST = 100;

function statusOf(gatewayStatus: unknown): SendStatus {
  return typeof gatewayStatus === "string" && gatewayStatus.toLowerCase() === "queued"
    ? "queued"
    : "accepted";
}

const digitsOf = (value: unknown): string => (typeof value === "string" ? value.replace(/\D/g, "") : "");

/**
 * Pairs each message with its entry of `Recipients[]`. F24 answers one entry per message, in order;
 * when the echoed numbers say otherwise (an entry missing or reordered), the n-th message to a
 * number takes the n-th entry for that number, and a message without one gets `undefined`.
 */
function matchRecipients(
  recipients: readonly string[],
  entries: readonly F24RecipientResult[],
): Array<F24RecipientResult | undefined> {
  const inOrder =
    entries.length === recipients.length &&
    entries.every((entry, index) => digitsOf(entry.Recipient) === digitsOf(recipients[index]));
  if (inOrder) return [...entries];
  const taken = new Set<number>();
  return recipients.map((recipient) => {
    const index = entries.findIndex(
      (entry, position) => !taken.has(position) && digitsOf(entry.Recipient) === digitsOf(recipient),
    );
    if (index === -1) return undefined;
    taken.add(index);
    return entries[index];
  });
}

/**
 * The F24 Message API as an smskit provider (SMS only).
 *
 * - `to` is sent as E.164 with its `+`; `from` becomes `Sender` and is required (see `defaultFrom`).
 * - `clientRef` has no field at F24: it is only echoed in the result.
 * - `providerMessageId` is the request's `BatchId`, shared by every message of one `sendBatch`:
 *   F24 documents no per-message id.
 * - An entry with `Valid: false` in a 200 answer is that message's failure: `send` throws, and
 *   `sendBatch` reports it as an `InvalidRecipientError` outcome, `code` being the entry's `Status`.
 * - `segments` is smskit's estimate; F24 reports none.
 */
export function f24(options: F24AdapterOptions): SmsProvider {
  const { defaultFrom, ...clientOptions } = options;
  const client = createF24Client(clientOptions);
  // A 200 body is not redacted by the client; the parts kept on an error must be.
  const redactor = createRedactor([options.accessKey, options.accessToken]);

  const toGateway = (message: OutgoingSms): F24OutgoingMessage => {
    const sender = message.from ?? defaultFrom;
    if (sender === undefined || sender.trim() === "") {
      throw new InvalidSenderError({
        provider: "f24",
        code: "SENDER_REQUIRED",
        message:
          "[f24] F24 needs a sender on every message: set `from` on the message or `defaultFrom` on the adapter",
      });
    }
    return { Sender: sender, Recipient: toE164(message.to), Content: message.text };
  };

  const sendBatch = async (messages: readonly OutgoingSms[]): Promise<SendOutcome[]> => {
    assertBatchSize("f24", messages.length, MAX_MESSAGES_PER_REQUEST);
    if (messages.length === 0) return [];
    const request = messages.map(toGateway);
    const response = await client.sendSmsExt({ Messages: request });
    const entries = matchRecipients(
      request.map((item) => item.Recipient),
      response.Recipients,
    );
    return messages.map((message, index): SendOutcome => {
      const entry = entries[index];
      if (entry === undefined) {
        return {
          ok: false,
          error: new UnexpectedResponseError({
            provider: "f24",
            status: 200,
            message: `[f24] batch ${response.BatchId} was accepted, but the answer has no entry for message ${index} (${message.to}); whether it was queued is unknown`,
            body: redactDeep(response, redactor),
          }),
        };
      }
      if (entry.Valid !== true) {
        return {
          ok: false,
          error: new InvalidRecipientError({
            provider: "f24",
            status: 200,
            code: entry.Status,
            providerMessage: entry.Status,
            message: `[f24] F24 did not accept message ${index} to ${message.to} (Valid: false, Status: ${JSON.stringify(entry.Status)}) in batch ${response.BatchId}`,
            body: redactDeep(entry, redactor),
          }),
        };
      }
      const estimate = estimateSegments(message.text);
      return {
        ok: true,
        result: {
          provider: "f24",
          to: message.to,
          status: statusOf(entry.Status),
          providerMessageId: response.BatchId,
          clientRef: message.clientRef,
          segments: estimate.segments,
          encoding: estimate.encoding,
          raw: entry,
        },
      };
    });
  };

  return {
    name: "f24",
    capabilities: {
      email: false,
      maxRecipientsPerRequest: MAX_MESSAGES_PER_REQUEST,
      distinctTextsPerRequest: true,
    },
    send: sendOneThroughBatch(sendBatch),
    sendBatch,
  };
}
