import {
  type Answer,
  type AnswerClassifier,
  AuthenticationError,
  errorFromHttpStatus,
  httpFailureInit,
  InvalidRecipientError,
  InvalidSenderError,
  isRecord,
  MessageRejectedError,
  malformedAnswer,
  parseRetryAfter,
  RateLimitError,
  ServerError,
  ServiceUnavailableError,
  type SmsKitError,
  type SmsKitErrorInit,
  UnexpectedResponseError,
  ValidationError,
} from "@smskit/core";
import type { components } from "./generated/schema.js";

type ErrorClass = new (init: SmsKitErrorInit) => SmsKitError;
export type WebsmsStatusCode = components["schemas"]["SmsStatusCode"];
export type WebsmsSendResponse = components["schemas"]["SmsSendResponse"];
/** The `statusCode`s that mean the request was accepted (sent, or queued for later). */
export type WebsmsAcceptedCode = 2000 | 2001;
export type WebsmsErrorStatusCode = Exclude<WebsmsStatusCode, WebsmsAcceptedCode>;

export interface WebsmsErrorCode {
  /** The name in websms's status table (`THROTTLING_SPAMMING_IP`). */
  name: string;
  /** The smskit error this code becomes. Retryable classes (rate limit, unavailable) are retried and failed over. */
  error: ErrorClass;
}

export const WEBSMS_ACCEPTED_CODES: ReadonlySet<number> = new Set<WebsmsAcceptedCode>([2000, 2001]);

/**
 * Every documented error `statusCode` and the typed error it becomes. Keyed by the spec's own
 * union, so a code added to the spec does not compile until it is classified here. websms reports
 * these inside HTTP 200, so they are classified from the body, not the status.
 */
export const WEBSMS_ERROR_CODES: Readonly<Record<WebsmsErrorStatusCode, WebsmsErrorCode>> = Object.freeze({
  4001: { name: "INVALID_CREDENTIALS", error: AuthenticationError },
  4002: { name: "INVALID_RECIPIENT", error: InvalidRecipientError },
  4003: { name: "INVALID_SENDER", error: InvalidSenderError },
  4004: { name: "INVALID_MESSAGE_TYPE", error: ValidationError },
  4008: { name: "INVALID_MESSAGE_ID", error: ValidationError },
  4009: { name: "INVALID_TEXT", error: ValidationError },
  4013: { name: "MSG_LIMIT_EXCEEDED", error: MessageRejectedError },
  4014: { name: "UNAUTHORIZED_IP", error: AuthenticationError },
  4015: { name: "INVALID_MESSAGE_PRIORITY", error: ValidationError },
  4016: { name: "INVALID_COD_RETURNADDRES", error: ValidationError },
  4019: { name: "PARAMETER_MISSING", error: ValidationError },
  4021: { name: "INVALID_ACCOUNT", error: AuthenticationError },
  4022: { name: "ACCESS_DENIED", error: AuthenticationError },
  4023: { name: "THROTTLING_SPAMMING_IP", error: RateLimitError },
  // "Transfer rate for immediate transmissions exceeded": the adapter never sends more than 1000
  // recipients, so a 4025 that arrives is the rate case — refused before anything was sent.
  4025: { name: "THROTTLING_TOO_MANY_RECIPIENTS", error: RateLimitError },
  4026: { name: "MAX_SMS_PER_MESSAGE_EXCEEDED", error: ValidationError },
  4027: { name: "INVALID_MESSAGE_SEGMENT", error: ValidationError },
  4029: { name: "RECIPIENTS_NOT_ALLOWED", error: InvalidRecipientError },
  4031: { name: "RECIPIENTS_BLACKLISTED", error: MessageRejectedError },
  4034: { name: "INVALID_ATTACHMENT", error: ValidationError },
  4035: { name: "SMS_DISABLED", error: MessageRejectedError },
  4040: { name: "INVALID_CONTENT_CATEGORY", error: ValidationError },
  4041: { name: "INVALID_VALIDITY_PERIODE", error: ValidationError },
  4042: { name: "RECIPIENTS_BLOCKED_BY_QUALITY_RATING", error: MessageRejectedError },
  4043: { name: "RECIPIENTS_BLOCKED_BY_SPAM_CHECK", error: MessageRejectedError },
  5000: { name: "INTERNAL_ERROR", error: ServerError },
  5003: { name: "SERVICE_UNAVAILABLE", error: ServiceUnavailableError },
});

/** Codes outside the table fall back by class: other 4xxx → validation, other 5xxx → server. */
function fallbackFor(statusCode: number): ErrorClass {
  if (statusCode >= 4000 && statusCode <= 4999) return ValidationError;
  if (statusCode >= 5000 && statusCode <= 5999) return ServerError;
  return UnexpectedResponseError;
}

/** The typed error for a `statusCode` that is not a success, keeping websms's code and message. */
function statusError(answer: Answer, statusCode: number, statusMessage: unknown): SmsKitError {
  const known = (WEBSMS_ERROR_CODES as Record<number, WebsmsErrorCode | undefined>)[statusCode];
  const ErrorType = known?.error ?? fallbackFor(statusCode);
  const own = typeof statusMessage === "string" && statusMessage !== "" ? statusMessage : undefined;
  const init = httpFailureInit(answer, {
    code: statusCode,
    message: known ? [known.name, own].filter(Boolean).join(": ") : own,
  });
  // The gateway's own words, without the table name added for the message above.
  const withOwnWords = { ...init, providerMessage: own && answer.redactor.text(own) };
  if (ErrorType === RateLimitError) {
    return new RateLimitError({
      ...withOwnWords,
      retryAfterMs: parseRetryAfter(answer.headers.get("retry-after")),
    });
  }
  return new ErrorType(withOwnWords);
}

const INTEGER = /^\d+$/;

/** Decodes one form value: UTF-8 percent-escapes where they are valid, ISO-8859-1 otherwise. */
function decodeFormValue(raw: string): string {
  const spaced = raw.replace(/\+/g, " ");
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
  }
}

/**
 * Reads the answer of a simple endpoint: form-encoded `statusCode=2000&statusMessage=OK&…`
 * (numbers as text, an empty or missing id meaning none). A JSON body is accepted as well, because
 * one client library saw these endpoints declared as JSON and the docs are not explicit.
 * Returns `undefined` when the text carries no `statusCode`.
 */
export function parseSimpleResponse(text: string): WebsmsSendResponse | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    try {
      const body: unknown = JSON.parse(trimmed);
      return isSendResponse(body) ? body : undefined;
    } catch {
      return undefined;
    }
  }
  const fields = new Map<string, string>();
  for (const pair of trimmed.split("&")) {
    if (pair === "") continue;
    const at = pair.indexOf("=");
    const name = decodeFormValue(at === -1 ? pair : pair.slice(0, at));
    if (!fields.has(name)) fields.set(name, at === -1 ? "" : decodeFormValue(pair.slice(at + 1)));
  }
  const statusCode = fields.get("statusCode") ?? "";
  const smsCount = fields.get("smsCount") ?? "";
  if (!INTEGER.test(statusCode) || (smsCount !== "" && !INTEGER.test(smsCount))) return undefined;
  const idOf = (name: string) => {
    const value = fields.get(name);
    return value === undefined || value === "" ? null : value;
  };
  return {
    statusCode: Number(statusCode) as WebsmsStatusCode,
    statusMessage: fields.get("statusMessage") ?? "",
    transferId: idOf("transferId"),
    clientMessageId: idOf("clientMessageId"),
    // Every example carries it; websms reports 0 whenever nothing was generated.
    smsCount: smsCount === "" ? 0 : Number(smsCount),
  };
}

const isCount = (value: unknown) => typeof value === "number" && Number.isInteger(value) && value >= 0;
const isId = (value: unknown) => value === null || typeof value === "string";

/**
 * A body that carries a `statusCode`, with the other fields typed as the spec says when present.
 * An error code may come without them (a proxy or an older endpoint); an acceptance may not.
 */
function isSendResponse(body: unknown): body is WebsmsSendResponse {
  return (
    isRecord(body) &&
    typeof body.statusCode === "number" &&
    Number.isInteger(body.statusCode) &&
    (body.statusMessage === undefined || typeof body.statusMessage === "string") &&
    (body.smsCount === undefined || isCount(body.smsCount)) &&
    (body.transferId === undefined || isId(body.transferId)) &&
    (body.clientMessageId === undefined || isId(body.clientMessageId))
  );
}

/** The spec's required fields of an answer, all present: what the helpers promise to return. */
function isComplete(body: WebsmsSendResponse): boolean {
  return typeof body.statusMessage === "string" && isId(body.transferId) && isCount(body.smsCount);
}

const SIMPLE_PATH = "/smsmessaging/simple";

/**
 * Every websms answer. websms answers errors inside HTTP 200 (`statusCode` other than 2000/2001);
 * throttling (4023, 4025) and 5003 mean nothing was accepted, so they come out retryable and the
 * transport repeats them like a 429 or 503. A 2xx without a `statusCode` is malformed (for a
 * send: an unknown outcome). Non-2xx answers (websms itself only sends 401, with an empty body)
 * are classified by a `statusCode` in the body when there is one, else by the HTTP status.
 */
export const classifyWebsmsAnswer: AnswerClassifier = (answer) => {
  const body = answer.operation.path === SIMPLE_PATH ? parseSimpleResponse(answer.text) : answer.json;
  const ok = answer.status >= 200 && answer.status <= 299;
  if (isSendResponse(body)) {
    if (WEBSMS_ACCEPTED_CODES.has(body.statusCode)) {
      if (!ok) return errorFromHttpStatus(answer, { message: body.statusMessage ?? undefined });
      // Accepted with holes (no smsCount, no transferId) would be reported sent without its figures.
      return isComplete(body)
        ? undefined
        : malformedAnswer(
            answer,
            "the acceptance lacks the documented statusMessage, transferId or smsCount",
          );
    }
    if (ok || body.statusCode >= 4000) return statusError(answer, body.statusCode, body.statusMessage);
  }
  if (ok) return malformedAnswer(answer, "the answer has no statusCode");
  const problem = isRecord(answer.json) ? answer.json : {};
  const text = [problem.title, problem.detail].filter(
    (part): part is string => typeof part === "string" && part !== "",
  );
  // From the redacted body: a validation finding may quote the credentials it saw.
  const redacted = isRecord(answer.redactedBody) ? answer.redactedBody : {};
  return errorFromHttpStatus(answer, {
    message: text.length > 0 ? text.join(": ") : undefined,
    details: redacted.validation,
  });
};
