import {
  assertBatchSize,
  type CommonClientOptions,
  type EmailResult,
  e164Digits,
  estimateSegments,
  InvalidSenderError,
  type OutgoingEmail,
  type OutgoingSms,
  type SendOutcome,
  type SendStatus,
  type SmsProvider,
  sendOneThroughBatch,
  UnexpectedResponseError,
  ValidationError,
} from "@smskit/core";
import { createDigifyClient, type DigifyEmailMessage, type DigifySmsMessage } from "./client.js";

export interface DigifyAdapterOptions extends CommonClientOptions {
  accessToken: string;
}

/** Digify documents no batch limit; 100 keeps one request well inside its per-minute throttles. */
const MAX_MESSAGES_PER_REQUEST = 100;
const MAX_SOURCE_ADDR = 15;

function statusOf(gatewayStatus: string): SendStatus {
  if (gatewayStatus === "simulated") return "simulated";
  if (gatewayStatus === "queued") return "queued";
  return "accepted";
}

/** The Digify Unified Messaging API as an smskit provider (SMS and e-mail). */
export function digify(options: DigifyAdapterOptions): SmsProvider {
  const client = createDigifyClient(options);

  const toGateway = (message: OutgoingSms): DigifySmsMessage => {
    if (message.from !== undefined && message.from.length > MAX_SOURCE_ADDR) {
      throw new InvalidSenderError({
        provider: "digify",
        code: "SOURCE_ADDR_TOO_LONG",
        message: `[digify] sender "${message.from}" is longer than ${MAX_SOURCE_ADDR} characters`,
      });
    }
    return {
      type: "sms",
      destAddr: e164Digits(message.to),
      msg: message.text,
      ...(message.from === undefined ? {} : { sourceAddr: message.from }),
      ...(message.clientRef === undefined ? {} : { id: message.clientRef }),
    };
  };

  const sendBatch = async (messages: readonly OutgoingSms[]): Promise<SendOutcome[]> => {
    assertBatchSize("digify", messages.length, MAX_MESSAGES_PER_REQUEST);
    const response = await client.send({ messages: messages.map(toGateway) });
    // Digify answers one result per submitted message, in submission order.
    return messages.map((message, index): SendOutcome => {
      const item = response.results[index];
      if (item?.type !== "sms") {
        return {
          ok: false,
          error: new UnexpectedResponseError({
            provider: "digify",
            message: `[digify] no SMS result at position ${index} of the answer`,
            body: response,
          }),
        };
      }
      return {
        ok: true,
        result: {
          provider: "digify",
          to: message.to,
          status: statusOf(item.status),
          providerMessageId: String(item.messageId),
          clientRef: message.clientRef,
          segments: item.msgCount,
          encoding: estimateSegments(message.text).encoding,
          raw: item,
        },
      };
    });
  };

  const sendEmail = async (email: OutgoingEmail): Promise<EmailResult> => {
    if ((email.html === undefined) === (email.text === undefined)) {
      throw new ValidationError({
        provider: "digify",
        code: "EMAIL_BODY",
        message: "[digify] an e-mail needs exactly one of html and text",
      });
    }
    const message: DigifyEmailMessage = {
      type: "email",
      sourceAddr: email.from,
      destAddr: email.to,
      subject: email.subject,
      body: (email.html ?? email.text) as string,
      bodyFormat: email.html === undefined ? "text" : "html",
      ...(email.fromName === undefined ? {} : { sourceAddrName: email.fromName }),
      ...(email.toName === undefined ? {} : { destAddrName: email.toName }),
    };
    const response = await client.send({ messages: [message] });
    const item = response.results.find((result) => result.type === "email");
    if (item?.type !== "email") {
      throw new UnexpectedResponseError({
        provider: "digify",
        message: "[digify] the answer has no e-mail result",
        body: response,
      });
    }
    return {
      provider: "digify",
      to: email.to,
      status: statusOf(item.status),
      providerMessageId: String(item.emailId),
      raw: item,
    };
  };

  return {
    name: "digify",
    capabilities: {
      email: true,
      maxRecipientsPerRequest: MAX_MESSAGES_PER_REQUEST,
      distinctTextsPerRequest: true,
    },
    send: sendOneThroughBatch(sendBatch),
    sendBatch,
    sendEmail,
  };
}
