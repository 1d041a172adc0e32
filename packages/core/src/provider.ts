/**
 * The contract between the facade and the gateways. Each provider package exports a factory that
 * returns an {@link SmsProvider}; the facade validates and normalises messages before calling it, so
 * an adapter only maps a unified message to its gateway's request and classifies the answer.
 */
import {
  InvalidRecipientError,
  InvalidSenderError,
  type ProviderAttempt,
  SmsKitError,
  type SmsKitErrorInit,
  UnknownOutcomeError,
  ValidationError,
} from "./errors.js";
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
  /**
   * Deliver at this time instead of now. Only for providers whose `capabilities.scheduling` is
   * true (the gateway holds the message itself); the messenger never routes it to another.
   */
  sendAt?: Date | undefined;
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
  /** Whether the gateway itself holds a message until `OutgoingSms.sendAt` (Digify `scheduleDeliveryTime`). */
  scheduling?: boolean;
}

export interface SmsProvider<Name extends string = string> {
  /** Stable id used in results, errors and strategy decisions (`digify`, `websms`, …). */
  readonly name: Name;
  readonly capabilities: ProviderCapabilities;
  /** Sends one SMS. Throws a typed {@link SmsKitError}. */
  send(message: OutgoingSms): Promise<SendResult>;
  /**
   * Sends up to `maxRecipientsPerRequest` messages, in as few gateway requests as the gateway
   * allows, and reports each one in order. A message the gateway cannot take (an invalid sender,
   * a text too long for its request) fails alone, before the network; the others still go. Throws
   * only when the batch as a whole failed (then no message was accepted, or the outcome is unknown).
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

/** Refuses, before any request, what is not a batch, or a batch larger than the gateway takes in one request. */
export function assertBatchSize(provider: string, messages: unknown, maxPerRequest: number): void {
  if (!Array.isArray(messages)) {
    throw new ValidationError({
      provider,
      code: "INVALID_BATCH",
      details: { field: "messages" },
      message: `[${provider}] sendBatch takes an array of messages`,
    });
  }
  if (messages.length > maxPerRequest) {
    throw new ValidationError({
      provider,
      code: "BATCH_TOO_LARGE",
      message: `[${provider}] ${messages.length} messages in one request; at most ${maxPerRequest}`,
    });
  }
}

/**
 * The shape the {@link OutgoingSms} contract promises, checked where a batch is split, so a caller
 * that skipped the facade gets a typed error for that message instead of a crash in the adapter.
 */
export function checkOutgoing(message: unknown): asserts message is OutgoingSms {
  const fail = (field: string, code: string, what: string, Type: typeof ValidationError = ValidationError) =>
    new Type({ provider: "smskit", code, details: { field }, message: `[smskit] ${field} ${what}` });
  if (message === null || typeof message !== "object" || Array.isArray(message)) {
    throw fail("message", "INVALID_MESSAGE", "must be an object");
  }
  const { to, text, from, clientRef, sendAt } = message as Record<string, unknown>;
  if (typeof to !== "string")
    throw fail("to", "INVALID_E164", "must be a string in E.164", InvalidRecipientError);
  if (typeof text !== "string") throw fail("text", "INVALID_TEXT", "must be a string");
  if (from !== undefined && typeof from !== "string")
    throw fail("from", "INVALID_SENDER", "must be a string", InvalidSenderError);
  if (clientRef !== undefined && typeof clientRef !== "string")
    throw fail("clientRef", "INVALID_CLIENT_REF", "must be a string");
  if (sendAt !== undefined && !(sendAt instanceof Date && !Number.isNaN(sendAt.getTime()))) {
    throw fail("sendAt", "INVALID_SEND_AT", "must be a valid Date");
  }
}

/**
 * Builds each message's gateway payload, keeping the ones that cannot be built as their own
 * failed outcome, so one bad message never fails its whole batch.
 */
export function partitionBatch<Payload>(
  messages: readonly OutgoingSms[],
  toPayload: (message: OutgoingSms, index: number) => Payload,
): {
  outcomes: Array<SendOutcome | undefined>;
  valid: Array<{ index: number; message: OutgoingSms; payload: Payload }>;
} {
  const outcomes: Array<SendOutcome | undefined> = new Array(messages.length);
  const valid: Array<{ index: number; message: OutgoingSms; payload: Payload }> = [];
  for (let index = 0; index < messages.length; index++) {
    const message = messages[index] as OutgoingSms;
    try {
      checkOutgoing(message);
      valid.push({ index, message, payload: toPayload(message, index) });
    } catch (error) {
      if (!(error instanceof SmsKitError)) throw error;
      outcomes[index] = { ok: false, error };
    }
  }
  return { outcomes, valid };
}

/**
 * Pairs each message of a request with the answer item the gateway gave for it.
 *
 * - `"reference"`: the gateway echoes something we sent for each message (Digify the `id`, F24 the
 *   recipient). The n-th message with a reference takes the n-th item echoing it; order is not
 *   trusted. Only when no item echoes anything at all, and the gateway documents one item per
 *   message in order, does the position decide.
 * - `"order"`: the gateway documents one item per message, in order (SmartSwitch); with as many
 *   items as messages the position decides, otherwise the echo does.
 *
 * A message left without an item gets `undefined`: see {@link unmentionedOutcome}.
 */
export function matchResults<Item>(
  sentReferences: readonly string[],
  items: readonly Item[],
  referenceOf: (item: Item) => string | undefined,
  trust: "reference" | "order",
): Array<Item | undefined> {
  const positional =
    items.length === sentReferences.length &&
    (trust === "order" || items.every((item) => referenceOf(item) === undefined));
  if (positional) return [...items];
  const byReference = new Map<string, Item[]>();
  for (const item of items) {
    const reference = referenceOf(item);
    if (reference === undefined) continue;
    const bucket = byReference.get(reference);
    if (bucket === undefined) byReference.set(reference, [item]);
    else bucket.push(item);
  }
  const taken = new Map<string, number>();
  return sentReferences.map((reference) => {
    const position = taken.get(reference) ?? 0;
    taken.set(reference, position + 1);
    return byReference.get(reference)?.[position];
  });
}

/**
 * The outcome of a message the gateway's answer does not mention although the gateway took the
 * request: it may have been sent, so it is an unknown outcome, never "failed" (which invites a resend).
 */
export function unmentionedOutcome(
  provider: string,
  message: OutgoingSms,
  init: Omit<SmsKitErrorInit, "provider" | "message"> = {},
): SendOutcome {
  return {
    ok: false,
    error: new UnknownOutcomeError({
      ...init,
      provider,
      code: "NOT_IN_ANSWER",
      message: `[${provider}] the gateway took the request, but its answer says nothing about the message to ${message.to}; it may have been sent, so do not resend it blindly`,
    }),
  };
}

/** A sender as gateways tell them apart. */
export type Sender =
  | { kind: "name"; name: string }
  /** `international` only when written with `+`: digits alone may be a national number or a short code. */
  | { kind: "number"; digits: string; international: boolean };

export interface SenderRules {
  /** Longest alphanumeric name. Default 11, the GSM limit. */
  maxNameLength?: number;
  /** Most digits of a numeric sender. Default 15, the E.164 limit. */
  maxDigits?: number;
}

/**
 * Tells a numeric sender from an alphanumeric name, the way every gateway's sender field needs.
 *
 * @throws {InvalidSenderError} code `INVALID_SENDER` (not a non-empty string), `SENDER_TOO_LONG`.
 */
export function parseSender(provider: string, from: unknown, rules: SenderRules = {}): Sender {
  const maxName = rules.maxNameLength ?? 11;
  const maxDigits = rules.maxDigits ?? 15;
  const invalid = (code: string, reason: string) =>
    new InvalidSenderError({
      provider,
      code,
      details: { field: "from" },
      message: `[${provider}] sender ${typeof from === "string" ? JSON.stringify(from.slice(0, 40)) : String(typeof from)} ${reason}`,
    });
  if (typeof from !== "string") throw invalid("INVALID_SENDER", "is not a string");
  if (from.trim() === "") throw invalid("INVALID_SENDER", "is empty");
  const number = /^(\+?)(\d+)$/.exec(from);
  if (number) {
    const digits = number[2] as string;
    if (digits.length > maxDigits) throw invalid("SENDER_TOO_LONG", `has more than ${maxDigits} digits`);
    return { kind: "number", digits, international: number[1] === "+" };
  }
  if (from.length > maxName) {
    throw invalid("SENDER_TOO_LONG", `is longer than ${maxName} characters, the limit for a sender name`);
  }
  return { kind: "name", name: from };
}

/** Refuses, before the network, a scheduled message to a gateway that cannot hold it. */
export function assertNotScheduled(provider: string, message: OutgoingSms): void {
  if (message.sendAt !== undefined) {
    throw new ValidationError({
      provider,
      code: "SCHEDULING_UNSUPPORTED",
      details: { field: "sendAt" },
      message: `[${provider}] this gateway cannot schedule a message (sendAt); send it at the time instead, or through @smskit/queue`,
    });
  }
}
