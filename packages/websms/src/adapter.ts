import {
  assertBatchSize,
  assertNotScheduled,
  type CommonClientOptions,
  estimateSegments,
  type OutgoingSms,
  parseSender,
  partitionBatch,
  type SendOutcome,
  type SendStatus,
  type SmsProvider,
  sendOneThroughBatch,
  ValidationError,
  withoutPlus,
} from "@smskit/core";
import {
  checkRecipient,
  createWebsmsClient,
  type WebsmsAccepted,
  type WebsmsCredentials,
  type WebsmsTextRequest,
} from "./client.js";

export type WebsmsAdapterOptions = WebsmsCredentials & CommonClientOptions;

/** websms's documented limit for `recipientAddressList`. */
const MAX_RECIPIENTS_PER_REQUEST = 1000;

function statusOf(statusCode: WebsmsAccepted["statusCode"]): SendStatus {
  return statusCode === 2001 ? "queued" : "accepted";
}

/**
 * The sender and, only when it is certain, its type: a name is `alphanumeric`, a number written
 * with `+` is `international`. Digits alone may be a national number or a short code, so the type
 * is left out and websms detects it (its documentation: "detected automatically" when omitted),
 * rather than mislabelled and refused with 4003.
 */
function senderFields(
  from: string | undefined,
): Pick<WebsmsTextRequest, "senderAddress" | "senderAddressType"> {
  if (from === undefined) return {};
  const sender = parseSender("websms", from);
  if (sender.kind === "name") return { senderAddress: sender.name, senderAddressType: "alphanumeric" };
  return sender.international
    ? { senderAddress: sender.digits, senderAddressType: "international" }
    : { senderAddress: sender.digits };
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

function _invalidMessage(code: string, field: string, message: string): ValidationError {
  return new ValidationError({
    provider: "websms",
    code,
    details: { field },
    message: `[websms] ${message}`,
  });
}

/**
 * The recipient as websms takes it. Called per message, so a message built without the facade's
 * checks (a number that is not one, a non-object) fails alone and the others still go.
 */
function recipientOf(message: OutgoingSms, index: number): string {
  assertNotScheduled("websms", message);
  const { to } = message;
  const recipient = withoutPlus(to);
  checkRecipient(recipient, `messages[${index}].to`);
  return recipient;
}

/** The websms REST API as an smskit provider (SMS only). */
export function websms(options: WebsmsAdapterOptions): SmsProvider<"websms"> {
  const client = createWebsmsClient(options);

  const sendBatch = async (messages: readonly OutgoingSms[]): Promise<SendOutcome[]> => {
    assertBatchSize("websms", messages, MAX_RECIPIENTS_PER_REQUEST);
    const { outcomes, valid } = partitionBatch(messages, recipientOf);
    const [head] = valid;
    if (head === undefined) return outcomes as SendOutcome[];
    const first = head.message;
    if (valid.some(({ message }) => message.text !== first.text || message.from !== first.from)) {
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
    const sender = senderFields(first.from);
    const sent = valid.map((entry) => entry.message);
    const clientMessageId = sharedClientRef(sent);
    const response = await client.sendText({
      recipientAddressList: valid.map((entry) => entry.payload),
      messageContent: first.text,
      ...sender,
      ...(clientMessageId === undefined ? {} : { clientMessageId }),
    });

    const estimate = estimateSegments(first.text);
    // `smsCount` is the total over all recipients; when it does not split evenly (or is 0, as in
    // test mode) the per-message figure is smskit's own estimate.
    const segments =
      response.smsCount > 0 && response.smsCount % sent.length === 0
        ? response.smsCount / sent.length
        : estimate.segments;
    for (const { index, message } of valid) {
      outcomes[index] = {
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
      };
    }
    return outcomes as SendOutcome[];
  };

  return {
    name: "websms",
    capabilities: {
      email: false,
      maxRecipientsPerRequest: MAX_RECIPIENTS_PER_REQUEST,
      distinctTextsPerRequest: false,
    },
    send: sendOneThroughBatch(sendBatch),
    sendBatch,
  };
}
