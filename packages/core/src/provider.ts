/**
 * The contract between the facade and the gateways. Each provider package exports a factory that
 * returns an {@link SmsProvider}; the facade validates and normalises messages before calling it, so
 * an adapter only maps a unified message to its gateway's request and classifies the answer.
 */
import { type ProviderAttempt, type SmsKitError, ValidationError } from "./errors.js";
import type { Encoding } from "./segments.js";

/** A message as the facade hands it to an adapter: `to` is already valid E.164 (`+4712345678`). */
export interface OutgoingSms {
  to: string;
  text: string;
  /** Sender id: an alphanumeric name (≤ 11 characters) or a number; the account default when absent. */
  from?: string | undefined;
  /**
   * Your reference for this message. Adapters send it where the gateway echoes it back (websms
   * `clientMessageId`, Digify `id`, SmartSwitch `request_id`), so delivery reports can be matched.
   */
  clientRef?: string | undefined;
}

export type SendStatus = "accepted" | "queued" | "simulated";

export interface SendResult {
  provider: string;
  /** E.164 recipient, as given. */
  to: string;
  status: SendStatus;
  /** The gateway's id for this message, used by delivery reports. */
  providerMessageId?: string | undefined;
  clientRef?: string | undefined;
  /** Segments the gateway reported, or smskit's estimate when it reports none. */
  segments: number;
  encoding: Encoding;
  /** The gateway's answer for this message, as received. */
  raw: unknown;
  /**
   * Set by the messenger: the providers that failed before `provider` took the message, in the order
   * tried (each failure proved that gateway did not accept it). Empty when the first choice took it.
   */
  attempts?: readonly ProviderAttempt[];
}

/** One outcome per message of a batch, in the order the messages were given. */
export type SendOutcome = { ok: true; result: SendResult } | { ok: false; error: SmsKitError };

export interface OutgoingEmail {
  to: string;
  from: string;
  subject: string;
  /** Exactly one of `html` and `text`. */
  html?: string | undefined;
  text?: string | undefined;
  toName?: string | undefined;
  fromName?: string | undefined;
  clientRef?: string | undefined;
}

export interface EmailResult {
  provider: string;
  to: string;
  status: SendStatus;
  providerMessageId?: string | undefined;
  raw: unknown;
}

export interface ProviderCapabilities {
  /** Whether `sendEmail` exists. */
  email: boolean;
  /** Most recipients one gateway request may carry (websms 1000, SmartSwitch: repeated groups). */
  maxRecipientsPerRequest: number;
  /**
   * Whether one request may carry different texts (Digify `messages[]`, SmartSwitch groups), or only
   * one text for all its recipients (websms `recipientAddressList`).
   */
  distinctTextsPerRequest: boolean;
}

export interface SmsProvider {
  /** Stable id used in results, errors and strategy decisions (`digify`, `websms`, …). */
  readonly name: string;
  readonly capabilities: ProviderCapabilities;
  /** Sends one SMS. Throws a typed {@link SmsKitError}. */
  send(message: OutgoingSms): Promise<SendResult>;
  /**
   * Sends up to `maxRecipientsPerRequest` messages in one gateway request and reports each one.
   * Throws only when the request as a whole failed (then no message was accepted, or the outcome is unknown).
   */
  sendBatch(messages: readonly OutgoingSms[]): Promise<SendOutcome[]>;
  sendEmail?(email: OutgoingEmail): Promise<EmailResult>;
}

/**
 * `send` for an adapter whose gateway takes batches: one message is a batch of one, and its single
 * outcome is returned or thrown, so single and batch sends cannot drift apart.
 */
export function sendOneThroughBatch(
  sendBatch: SmsProvider["sendBatch"],
): (message: OutgoingSms) => Promise<SendResult> {
  return async (message) => {
    const [outcome] = await sendBatch([message]);
    if (outcome === undefined) throw new TypeError("sendBatch returned no outcome for one message");
    if (!outcome.ok) throw outcome.error;
    return outcome.result;
  };
}

/** Refuses, before any request, a batch larger than the gateway takes in one request. */
export function assertBatchSize(provider: string, size: number, maxPerRequest: number): void {
  if (size > maxPerRequest) {
    throw new ValidationError({
      provider,
      code: "BATCH_TOO_LARGE",
      message: `[${provider}] ${size} messages in one request; at most ${maxPerRequest}`,
    });
  }
}
