import {
  assertBatchSize,
  type CommonClientOptions,
  e164Digits,
  estimateSegments,
  InvalidSenderError,
  type OutgoingSms,
  type SendOutcome,
  type SendStatus,
  type SmsProvider,
  ValidationError,
} from "@smskit/core";
import {
  createWebsmsClient,
  type WebsmsAccepted,
  type WebsmsCredentials,
  type WebsmsTextRequest,
} from "./client.js";

export type WebsmsAdapterOptions = WebsmsCredentials & CommonClientOptions;

/** websms's documented limit for `recipientAddressList` (status 4025 above it). */
const MAX_RECIPIENTS_PER_REQUEST = 1000;
const MAX_ALPHANUMERIC_SENDER = 11;
const NUMERIC_SENDER = /^\+?(\d{1,15})$/;

function statusOf(statusCode: WebsmsAccepted["statusCode"]): SendStatus {
  return statusCode === 2001 ? "queued" : "accepted";
}

function senderFields(
  from: string | undefined,
): Pick<WebsmsTextRequest, "senderAddress" | "senderAddressType"> {
  if (from === undefined) return {};
  const numeric = NUMERIC_SENDER.exec(from);
  if (numeric?.[1] !== undefined) return { senderAddress: numeric[1], senderAddressType: "international" };
  if (from.trim() === "" || from.length > MAX_ALPHANUMERIC_SENDER || /^\+?\d+$/.test(from)) {
    throw new InvalidSenderError({
      provider: "websms",
      code: "INVALID_SENDER_ID",
      message: `[websms] sender ${JSON.stringify(from)} is neither an international number (at most 15 digits) nor an alphanumeric name of 1 to ${MAX_ALPHANUMERIC_SENDER} characters`,
    });
  }
  return { senderAddress: from, senderAddressType: "alphanumeric" };
}

/**
 * websms sends one text to a list of recipients and has no per-recipient reference. A batch's
 * `clientRef` is therefore sent as `clientMessageId` only when every message carries the same one
 * (always true for a single message); with differing references none is sent, because giving one
 * message's reference to all the others would mislabel their delivery reports. Each result still
 * carries its own message's `clientRef`.
 */
function sharedClientRef(messages: readonly OutgoingSms[]): string | undefined {
  const [first] = messages;
  const ref = first?.clientRef;
  return ref !== undefined && messages.every((message) => message.clientRef === ref) ? ref : undefined;
}

/** The websms REST API as an smskit provider (SMS only). */
export function websms(options: WebsmsAdapterOptions): SmsProvider {
  const client = createWebsmsClient(options);

  const sendBatch = async (messages: readonly OutgoingSms[]): Promise<SendOutcome[]> => {
    const [first] = messages;
    if (first === undefined) return [];
    assertBatchSize("websms", messages.length, MAX_RECIPIENTS_PER_REQUEST);
    if (messages.some((message) => message.text !== first.text || message.from !== first.from)) {
      throw new ValidationError({
        provider: "websms",
        code: "MIXED_BATCH",
        message:
          "[websms] one request carries one text from one sender to all its recipients; send messages with different texts or senders in separate batches",
      });
    }
    if (first.text === "") {
      throw new ValidationError({
        provider: "websms",
        code: "EMPTY_TEXT",
        message: "[websms] the text is empty",
      });
    }
    const recipientAddressList = messages.map((message) => e164Digits(message.to));
    const clientMessageId = sharedClientRef(messages);
    const response = await client.sendText({
      recipientAddressList,
      messageContent: first.text,
      ...senderFields(first.from),
      ...(clientMessageId === undefined ? {} : { clientMessageId }),
    });

    const estimate = estimateSegments(first.text);
    // `smsCount` is the total over all recipients; when it does not split evenly (or is 0, as in
    // test mode) the per-message figure is smskit's own estimate.
    const segments =
      response.smsCount > 0 && response.smsCount % messages.length === 0
        ? response.smsCount / messages.length
        : estimate.segments;
    return messages.map(
      (message): SendOutcome => ({
        ok: true,
        result: {
          provider: "websms",
          to: message.to,
          status: statusOf(response.statusCode),
          // One transfer per request: every recipient of the batch shares this id, and delivery
          // reports tell them apart by their address.
          providerMessageId: response.transferId ?? undefined,
          clientRef: message.clientRef,
          segments,
          encoding: estimate.encoding,
          raw: response,
        },
      }),
    );
  };

  return {
    name: "websms",
    capabilities: {
      email: false,
      maxRecipientsPerRequest: MAX_RECIPIENTS_PER_REQUEST,
      distinctTextsPerRequest: false,
    },
    async send(message) {
      const [outcome] = await sendBatch([message]);
      if (!outcome?.ok) throw outcome?.error;
      return outcome.result;
    },
    sendBatch,
  };
}
