import {
  assertBatchSize,
  assertNotScheduled,
  type CommonClientOptions,
  estimateSegments,
  InvalidRecipientError,
  InvalidSenderError,
  matchResults,
  type OutgoingSms,
  parseSender,
  partitionBatch,
  type SendOutcome,
  type SendStatus,
  type SmsProvider,
  sendOneThroughBatch,
  unmentionedOutcome,
  ValidationError,
} from "@smskit/core";
import { checkOutgoingMessage, createF24Client, type F24OutgoingMessage } from "./client.js";

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

function _invalidMessage(code: string, field: string, message: string): ValidationError {
  return new ValidationError({ provider: "f24", code, details: { field }, message: `[f24] ${message}` });
}

function statusOf(gatewayStatus: string): SendStatus {
  return gatewayStatus.toLowerCase() === "queued" ? "queued" : "accepted";
}

/**
 * The F24 Message API as an smskit provider (SMS only).
 *
 * - `to` is sent as E.164 with its `+`; `from` becomes `Sender` and is required (see `defaultFrom`).
 * - `clientRef` has no field at F24: it is only echoed in the result.
 * - Entries of the answer are matched to messages by the recipient F24 echoes (the n-th message to
 *   a number takes the n-th entry for it): F24 does not document their order.
 * - `providerMessageId` is the request's `BatchId`, shared by every message of one `sendBatch`:
 *   F24 documents no per-message id.
 * - An entry with `Valid: false` is that message's `InvalidRecipientError` outcome (`code` is the
 *   entry's `Status`); a message the answer does not mention is an `UnknownOutcomeError` outcome.
 * - `segments` is smskit's estimate; F24 reports none.
 */
export function f24(options: F24AdapterOptions): SmsProvider<"f24"> {
  // A missing options object is answered by the client: a ConfigurationError naming the credential.
  const { defaultFrom, ...clientOptions } = (options ?? {}) as F24AdapterOptions;
  const client = createF24Client(clientOptions);
  if (defaultFrom !== undefined) parseSender("f24", defaultFrom);

  /**
   * One message as F24 takes it, checked alone: a message that cannot be sent (no sender, a number
   * that is not E.164, a non-object from code that skipped the facade) fails by itself, and the
   * others still go.
   */
  const toGateway = (message: OutgoingSms, index: number): F24OutgoingMessage => {
    assertNotScheduled("f24", message);
    // Only an absent `from` takes the default: a `null` is a mistake, refused by parseSender below.
    const sender = message.from === undefined ? defaultFrom : message.from;
    if (sender === undefined) {
      throw new InvalidSenderError({
        provider: "f24",
        code: "SENDER_REQUIRED",
        details: { field: "from" },
        message:
          "[f24] F24 needs a sender on every message: set `from` on the message or `defaultFrom` on the adapter",
      });
    }
    parseSender("f24", sender);
    const payload = { Sender: sender, Recipient: message.to, Content: message.text };
    checkOutgoingMessage(payload, `messages[${index}]`);
    return payload;
  };

  const sendBatch = async (messages: readonly OutgoingSms[]): Promise<SendOutcome[]> => {
    assertBatchSize("f24", messages, MAX_MESSAGES_PER_REQUEST);
    const { outcomes, valid } = partitionBatch(messages, toGateway);
    if (valid.length === 0) return outcomes as SendOutcome[];
    const response = await client.sendSmsExt({ Messages: valid.map((entry) => entry.payload) });
    const digits = (number: string) => number.replace(/\D/g, "");
    const entries = matchResults(
      valid.map((entry) => digits(entry.message.to)),
      response.Recipients,
      (entry) => digits(entry.Recipient),
      "reference",
    );
    valid.forEach(({ index, message }, position) => {
      const entry = entries[position];
      if (entry === undefined) {
        outcomes[index] = unmentionedOutcome("f24", message, {
          status: 200,
          details: { batchId: response.BatchId },
        });
      } else if (!entry.Valid) {
        outcomes[index] = {
          ok: false,
          error: new InvalidRecipientError({
            provider: "f24",
            status: 200,
            code: entry.Status,
            providerMessage: entry.Status,
            details: { batchId: response.BatchId },
            message: `[f24] F24 did not accept the message to ${message.to} (Valid: false, Status: ${JSON.stringify(entry.Status)}) in batch ${response.BatchId}`,
          }),
        };
      } else {
        const estimate = estimateSegments(message.text);
        outcomes[index] = {
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
      }
    });
    return outcomes as SendOutcome[];
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
