/**
 * The checks every SMS passes before anything is sent or queued, independent of the gateways: a
 * producer that only enqueues (`@smskit/queue`) has no gateway credentials, yet must refuse exactly
 * what `messenger.send` refuses, with the same typed errors.
 */
import {
  ConfigurationError,
  estimateSegments,
  hasLoneSurrogate,
  InvalidSenderError,
  type SegmentEstimate,
  toE164,
  ValidationError,
} from "@smskit/core";

export interface SmsInput {
  /** Recipient in international form: `+4712345678`, `+47 123 45 678` or `0047 12345678`. */
  to: string;
  text: string;
  /** Sender id; a map gives each provider its own (`{ websms: "4369912345678", digify: "ACME" }`). */
  from?: string | Readonly<Record<string, string>>;
  /** Your reference, sent to gateways that echo it into delivery reports. Generated when absent. */
  clientRef?: string;
  /** Send through this provider only (no failover). */
  provider?: string;
  /**
   * Deliver later, at this time (a `Date` or an ISO 8601 string): only through a gateway that holds
   * the message itself (Digify). `@smskit/queue` schedules for every gateway.
   */
  sendAt?: Date | string;
}

/** An {@link SmsInput} that passed {@link validateSmsInput}: `to` is E.164 and the text fits. */
export interface ValidSms {
  to: string;
  text: string;
  from?: string | Readonly<Record<string, string>> | undefined;
  clientRef?: string | undefined;
  provider?: string | undefined;
  sendAt?: Date | undefined;
  segments: SegmentEstimate;
}

export interface ValidateSmsOptions {
  /** Longest text accepted, in segments. Default 10. */
  maxSegments?: number;
  /** The current time, to refuse a `sendAt` in the past. Default `Date.now()`. */
  now?: number;
}

export const DEFAULT_MAX_SEGMENTS = 10;
/**
 * No gateway documents a limit on its reference field; this one keeps a reference a reference (a
 * UUID is 36) and not a payload that every delivery report, log line and queue key would carry.
 */
const MAX_CLIENT_REF_LENGTH = 128;

function invalid(code: string, field: string, message: string): ValidationError {
  return new ValidationError({
    provider: "smskit",
    code,
    details: { field },
    message: `[smskit] ${message}`,
  });
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}

function checkSender(field: string, value: unknown): void {
  if (typeof value !== "string") {
    throw new InvalidSenderError({
      provider: "smskit",
      code: "INVALID_SENDER",
      details: { field },
      message: `[smskit] ${field} must be a string, got ${describe(value)}`,
    });
  }
  if (value.trim() === "") {
    throw new InvalidSenderError({
      provider: "smskit",
      code: "INVALID_SENDER",
      details: { field },
      message: `[smskit] ${field} is empty`,
    });
  }
}

/** Checks a positive whole number option. */
export function positiveInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigurationError({
      provider: "smskit",
      code: "INVALID_OPTION",
      details: { option: name },
      message: `[smskit] ${name} must be a positive whole number, got ${String(value)}`,
    });
  }
  return value;
}

/**
 * Validates and normalises one SMS the way `messenger.send` does, without sending it.
 *
 * @throws {InvalidRecipientError} `to` is not an international number (code `INVALID_E164`).
 * @throws {InvalidSenderError} `from` (or one entry of a `from` map) is not a non-empty string.
 * @throws {ValidationError} anything else, with `code` and `details.field` naming the field.
 * @throws {ConfigurationError} when `maxSegments` is not a positive whole number.
 */
export function validateSmsInput(input: unknown, options: ValidateSmsOptions = {}): ValidSms {
  const maxSegments = positiveInteger("maxSegments", options.maxSegments, DEFAULT_MAX_SEGMENTS);
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw invalid("INVALID_MESSAGE", "message", `a message must be an object, got ${describe(input)}`);
  }
  const { to, text, from, clientRef, provider, sendAt } = input as Record<string, unknown>;
  const e164 = toE164(to as string);
  if (typeof text !== "string")
    throw invalid("INVALID_TEXT", "text", `text must be a string, got ${describe(text)}`);
  if (text.length === 0) throw invalid("EMPTY_TEXT", "text", "the message text is empty");
  if (hasLoneSurrogate(text)) {
    throw invalid(
      "INVALID_TEXT",
      "text",
      "the text contains a lone surrogate (half of an emoji), which no gateway can encode",
    );
  }
  const segments = estimateSegments(text);
  if (segments.segments > maxSegments) {
    throw invalid(
      "TOO_MANY_SEGMENTS",
      "text",
      `the text needs ${segments.segments} ${segments.encoding} segments; the limit is ${maxSegments}` +
        (segments.nonGsmCharacters.length > 0
          ? ` (UCS-2 because of ${segments.nonGsmCharacters.map((c) => JSON.stringify(c)).join(", ")})`
          : ""),
    );
  }
  if (from !== undefined) {
    if (from !== null && typeof from === "object" && !Array.isArray(from)) {
      for (const [name, sender] of Object.entries(from)) checkSender(`from.${name}`, sender);
    } else {
      checkSender("from", from);
    }
  }
  if (clientRef !== undefined) {
    if (typeof clientRef !== "string" || clientRef.trim() === "") {
      throw invalid(
        "INVALID_CLIENT_REF",
        "clientRef",
        `clientRef must be a non-empty string, got ${describe(clientRef)}`,
      );
    }
    if (clientRef.length > MAX_CLIENT_REF_LENGTH) {
      throw invalid(
        "INVALID_CLIENT_REF",
        "clientRef",
        `clientRef is ${clientRef.length} characters; at most ${MAX_CLIENT_REF_LENGTH}`,
      );
    }
  }
  if (provider !== undefined && (typeof provider !== "string" || provider === "")) {
    throw invalid(
      "INVALID_PROVIDER",
      "provider",
      `provider must be a provider's name, got ${describe(provider)}`,
    );
  }
  let scheduled: Date | undefined;
  if (sendAt !== undefined) {
    scheduled =
      sendAt instanceof Date
        ? sendAt
        : typeof sendAt === "string" && /\d{4}-\d{2}-\d{2}T/.test(sendAt)
          ? new Date(sendAt)
          : undefined;
    if (scheduled === undefined || Number.isNaN(scheduled.getTime())) {
      throw invalid("INVALID_SEND_AT", "sendAt", "sendAt must be a Date or an ISO 8601 date-time");
    }
    if (scheduled.getTime() <= (options.now ?? Date.now())) {
      throw invalid("SEND_AT_IN_PAST", "sendAt", `sendAt ${scheduled.toISOString()} is not in the future`);
    }
  }
  return {
    to: e164,
    text,
    from: from as ValidSms["from"],
    clientRef: clientRef as string | undefined,
    provider: provider as string | undefined,
    ...(scheduled === undefined ? {} : { sendAt: scheduled }),
    segments,
  };
}
