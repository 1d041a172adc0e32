import {
  assertBatchSize,
  type CommonClientOptions,
  type EmailResult,
  estimateSegments,
  matchResults,
  type OutgoingEmail,
  type OutgoingSms,
  parseSender,
  partitionBatch,
  type SendOutcome,
  type SendStatus,
  type SmsProvider,
  sendOneThroughBatch,
  UnknownOutcomeError,
  unmentionedOutcome,
  ValidationError,
  withoutPlus,
} from "@smskit/core";
import {
  createDigifyClient,
  type DigifyEmailMessage,
  type DigifySmsMessage,
  type DigifySmsResult,
} from "./client.js";

export interface DigifyAdapterOptions extends CommonClientOptions {
  accessToken: string;
}

/** Digify documents no batch limit; 100 keeps one request well inside its per-minute throttles. */
const MAX_MESSAGES_PER_REQUEST = 100;

function statusOf(gatewayStatus: string): SendStatus {
  if (gatewayStatus === "simulated") return "simulated";
  if (gatewayStatus === "queued") return "queued";
  return "accepted";
}

/** The Digify Unified Messaging API as an smskit provider (SMS and e-mail). */
export function digify(options: DigifyAdapterOptions): SmsProvider<"digify"> {
  const client = createDigifyClient(options);

  const toGateway = (message: OutgoingSms, index: number): DigifySmsMessage => {
    // sourceAddr takes 15 characters, but a sender name is limited to 11 on the handset (GSM).
    const sender = message.from === undefined ? undefined : parseSender("digify", message.from);
    return {
      type: "sms",
      destAddr: withoutPlus(message.to),
      msg: message.text,
      // Digify echoes `id` in its results: the reference results are matched by. A message
      // without a clientRef gets its position, so every result can still be told apart.
      id: message.clientRef ?? `#${index}`,
      ...(sender === undefined ? {} : { sourceAddr: sender.kind === "name" ? sender.name : sender.digits }),
      ...(message.sendAt === undefined ? {} : { scheduleDeliveryTime: message.sendAt.toISOString() }),
    };
  };

  const sendBatch = async (messages: readonly OutgoingSms[]): Promise<SendOutcome[]> => {
    assertBatchSize("digify", messages, MAX_MESSAGES_PER_REQUEST);
    const { outcomes, valid } = partitionBatch(messages, toGateway);
    if (valid.length === 0) return outcomes as SendOutcome[];
    const payloads = valid.map((entry) => entry.payload);
    const response = await client.send({ messages: payloads });
    const smsResults = response.results.filter((item): item is DigifySmsResult => item.type === "sms");
    const matched = matchResults(
      payloads.map((payload) => payload.id as string),
      smsResults,
      (item) => item.id,
      "reference",
    );
    valid.forEach(({ index, message }, position) => {
      const item = matched[position];
      outcomes[index] =
        item === undefined
          ? unmentionedOutcome("digify", message, { status: 200 })
          : {
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
    return outcomes as SendOutcome[];
  };

  const sendEmail = async (email: OutgoingEmail): Promise<EmailResult> => {
    if ((email.html === undefined) === (email.text === undefined)) {
      throw new ValidationError({
        provider: "digify",
        code: "EMAIL_BODY",
        details: { field: "html" },
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
      throw new UnknownOutcomeError({
        provider: "digify",
        status: 200,
        code: "NOT_IN_ANSWER",
        message:
          "[digify] the gateway took the request, but its answer has no e-mail result; it may have been sent",
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
      scheduling: true,
    },
    send: sendOneThroughBatch(sendBatch),
    sendBatch,
    sendEmail,
  };
}
