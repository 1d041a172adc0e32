import {
  AuthenticationError,
  type ErrorClassifier,
  errorFromHttpStatus,
  httpFailureInit,
  InvalidRecipientError,
  InvalidSenderError,
  MessageRejectedError,
  parseRetryAfter,
  RateLimitError,
  type Redactor,
  type RequestInfo,
  redactDeep,
  ServerError,
  ServiceUnavailableError,
  type SmsKitError,
  type SmsKitErrorInit,
  UnexpectedResponseError,
  ValidationError,
} from "@smskit/core";

type ErrorClass = new (init: SmsKitErrorInit) => SmsKitError;

export interface WebsmsErrorCode {
  /** The name in websms's status table (`THROTTLING_SPAMMING_IP`). */
  name: string;
  /** The smskit error this code becomes. */
  error: ErrorClass;
  /**
   * websms refused the request before accepting any message, so sending it again cannot deliver
   * twice: the transport repeats it with backoff, as it does a 429 or 503.
   */
  refusedBeforeAccepting?: true;
}

/** `statusCode`s that mean the request was accepted (sent, or queued for later). */
export const WEBSMS_ACCEPTED_CODES: ReadonlySet<number> = new Set([2000, 2001]);

/**
 * Every documented error `statusCode` and the typed error it becomes. websms reports these inside
 * HTTP 200, so they are classified from the body, not the status. Codes missing here fall back by
 * class: other 4xxx → {@link ValidationError}, other 5xxx → {@link ServerError}.
 */
export const WEBSMS_ERROR_CODES: Readonly<Record<number, WebsmsErrorCode>> = Object.freeze({
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
  4023: { name: "THROTTLING_SPAMMING_IP", error: RateLimitError, refusedBeforeAccepting: true },
  4025: { name: "THROTTLING_TOO_MANY_RECIPIENTS", error: ValidationError },
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
  5003: { name: "SERVICE_UNAVAILABLE", error: ServiceUnavailableError, refusedBeforeAccepting: true },
} satisfies Record<number, WebsmsErrorCode>);

/** Whether a `statusCode` proves websms did not accept the request, so repeating it is safe. */
export function isRefusedBeforeAcceptingCode(statusCode: number): boolean {
  return WEBSMS_ERROR_CODES[statusCode]?.refusedBeforeAccepting === true;
}

/** Where an in-body status came from, so the error can say which request failed. */
export interface WebsmsStatusContext {
  /** HTTP status of the answer that carried the body (normally 200). */
  status: number;
  request?: RequestInfo | undefined;
  headers?: Headers | undefined;
  redactor: Redactor;
  /** The answer as received, attached to the error after redaction. */
  body: unknown;
}

function fallbackFor(statusCode: number): ErrorClass | undefined {
  if (statusCode >= 4000 && statusCode <= 4999) return ValidationError;
  if (statusCode >= 5000 && statusCode <= 5999) return ServerError;
  return undefined;
}

/**
 * The typed error for a `statusCode` that is not a success, keeping websms's code and message.
 * A code outside 4xxx/5xxx is not in websms's vocabulary and becomes an {@link UnexpectedResponseError}.
 */
export function websmsStatusError(
  response: { statusCode: number; statusMessage?: string | null | undefined },
  context: WebsmsStatusContext,
): SmsKitError {
  const { statusCode } = response;
  const known = WEBSMS_ERROR_CODES[statusCode];
  const ErrorType = known?.error ?? fallbackFor(statusCode) ?? UnexpectedResponseError;
  const statusMessage =
    typeof response.statusMessage === "string" && response.statusMessage !== ""
      ? response.statusMessage
      : undefined;
  const headers = context.headers ?? new Headers();
  const init = httpFailureInit(
    {
      provider: "websms",
      status: context.status,
      body: redactDeep(context.body, context.redactor),
      headers,
      request: context.request,
      redactor: context.redactor,
    },
    {
      code: statusCode,
      message: known ? [known.name, statusMessage].filter(Boolean).join(": ") : statusMessage,
    },
  );
  // The gateway's own words, without the table name added for the message above.
  const own = { ...init, providerMessage: statusMessage && context.redactor.text(statusMessage) };
  if (ErrorType === RateLimitError) {
    return new RateLimitError({ ...own, retryAfterMs: parseRetryAfter(headers.get("retry-after")) });
  }
  return new ErrorType(own);
}

/**
 * For answers that are not HTTP 2xx. websms itself only answers 401 (empty body) this way; a body
 * that still carries a `statusCode` is classified by that code, and a mock's problem+json keeps
 * its validation list in `details`.
 */
export const classifyWebsmsError: ErrorClassifier = (failure) => {
  const body = failure.body;
  if (body && typeof body === "object") {
    const { statusCode, statusMessage, title, detail, validation } = body as Record<string, unknown>;
    if (typeof statusCode === "number" && Number.isInteger(statusCode) && statusCode >= 4000) {
      return websmsStatusError(
        { statusCode, statusMessage: typeof statusMessage === "string" ? statusMessage : undefined },
        { ...failure, body },
      );
    }
    const text = [title, detail].filter((part): part is string => typeof part === "string" && part !== "");
    return errorFromHttpStatus(failure, {
      message: text.length > 0 ? text.join(": ") : undefined,
      details: validation,
    });
  }
  return errorFromHttpStatus(failure);
};
