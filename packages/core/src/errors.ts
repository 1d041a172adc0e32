/**
 * One error class per failure kind, shared by every gateway. Each carries the provider, the HTTP
 * status, the gateway's own error code and message, and a redacted description of the request,
 * so callers can branch on `instanceof` (or `kind`) without knowing how each gateway reports errors.
 */

/** The request that failed, with every credential already removed. */
export interface RequestInfo {
  method: string;
  url: string;
}

export type ErrorKind =
  | "authentication"
  | "validation"
  | "invalid_recipient"
  | "invalid_sender"
  | "rejected"
  | "rate_limit"
  | "insufficient_credit"
  | "not_found"
  | "server"
  | "service_unavailable"
  | "network"
  | "timeout"
  | "unknown_outcome"
  | "unexpected_response"
  | "opted_out"
  | "configuration"
  | "redirect"
  | "all_providers_failed";

export interface SmsKitErrorInit {
  provider: string;
  message: string;
  /** HTTP status of the gateway's answer; absent when no answer arrived or the error was raised before sending. */
  status?: number | undefined;
  /** The gateway's own error code (`RATE_LIMIT_EXCEEDED`, `4023`, `authentication`, 460 …). */
  code?: string | number | undefined;
  /** The gateway's own error message, redacted. */
  providerMessage?: string | undefined;
  request?: RequestInfo | undefined;
  /** Structured details the gateway sent (validation issues, credit figures, limits). */
  details?: unknown;
  /** The parsed response body, redacted. */
  body?: unknown;
  cause?: unknown;
}

/**
 * The base of every error smskit throws. Abstract: every failure has a kind, so a caller can
 * branch on `kind` or `instanceof` and never meets a generic "something went wrong".
 */
export abstract class SmsKitError extends Error {
  abstract readonly kind: ErrorKind;
  readonly provider: string;
  readonly status: number | undefined;
  readonly code: string | number | undefined;
  readonly providerMessage: string | undefined;
  readonly request: RequestInfo | undefined;
  readonly details: unknown;
  readonly body: unknown;

  constructor(init: SmsKitErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.provider = init.provider;
    this.status = init.status;
    this.code = init.code;
    this.providerMessage = init.providerMessage;
    this.request = init.request;
    this.details = init.details;
    this.body = init.body;
  }

  /**
   * Whether sending the same request again may succeed without changing it. A retry is still
   * only safe when the gateway certainly did not accept the first attempt; see {@link UnknownOutcomeError}.
   */
  get retryable(): boolean {
    return false;
  }

  /** Everything a log needs; `body` is redacted and `cause` is reduced to its name, message and code. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      provider: this.provider,
      status: this.status,
      code: this.code,
      providerMessage: this.providerMessage,
      request: this.request,
      details: this.details,
      body: this.body,
      retryable: this.retryable,
      cause: causeToJSON(this.cause),
    };
  }
}

/**
 * Causes are attached already redacted (the transport copies a caught error's name, message and
 * code through the redactor); anything else is reduced to its name so no foreign text leaks.
 */
function causeToJSON(cause: unknown): unknown {
  if (cause === undefined) return undefined;
  if (cause instanceof SmsKitError) return cause.toJSON();
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return { name: cause.name, message: cause.message, ...(typeof code === "string" ? { code } : {}) };
  }
  return { name: typeof cause };
}

/** Bad or missing credentials, or an account that may not use the API (HTTP 401/403, in-body codes). */
export class AuthenticationError extends SmsKitError {
  override readonly kind = "authentication";
}

/** The gateway (or smskit before sending) rejected the request's content or shape. */
export class ValidationError extends SmsKitError {
  override readonly kind: ErrorKind = "validation";
}

/** A recipient number is malformed or not allowed. */
export class InvalidRecipientError extends ValidationError {
  override readonly kind = "invalid_recipient";
}

/** The sender address or its type is not valid for the account. */
export class InvalidSenderError extends ValidationError {
  override readonly kind = "invalid_sender";
}

/** The gateway refused the message by policy: blacklisted recipients, SMS disabled, spam checks, limits reached. */
export class MessageRejectedError extends SmsKitError {
  override readonly kind = "rejected";
}

export interface RateLimitErrorInit extends SmsKitErrorInit {
  /** How long the gateway asked us to wait, in milliseconds, when it said. */
  retryAfterMs?: number | undefined;
}

/** The gateway throttled the request (HTTP 429 or an in-body throttle code). It did not accept the message. */
export class RateLimitError extends SmsKitError {
  override readonly kind = "rate_limit";
  readonly retryAfterMs: number | undefined;

  constructor(init: RateLimitErrorInit) {
    super(init);
    this.retryAfterMs = init.retryAfterMs;
  }

  override get retryable(): boolean {
    return true;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), retryAfterMs: this.retryAfterMs };
  }
}

/** The account has too little credit for the request (HTTP 402). */
export class InsufficientCreditError extends SmsKitError {
  override readonly kind = "insufficient_credit";
}

/** The path or the requested resource does not exist (HTTP 404). */
export class NotFoundError extends SmsKitError {
  override readonly kind = "not_found";
}

/** The gateway failed while handling the request (HTTP 5xx). For a send, whether it was accepted is unknown. */
export class ServerError extends SmsKitError {
  override readonly kind: ErrorKind = "server";
}

/** The gateway said it is unavailable before processing (HTTP 503, websms 5003). Safe to try again later. */
export class ServiceUnavailableError extends ServerError {
  override readonly kind = "service_unavailable";

  override get retryable(): boolean {
    return true;
  }
}

export interface NetworkErrorInit extends SmsKitErrorInit {
  /**
   * False when the failure certainly happened before the request reached the gateway
   * (connection refused, DNS failure); true when it may have arrived.
   */
  mayHaveReachedGateway: boolean;
}

/** No HTTP answer arrived: the connection failed or was reset. */
export class NetworkError extends SmsKitError {
  override readonly kind = "network";
  readonly mayHaveReachedGateway: boolean;

  constructor(init: NetworkErrorInit) {
    super(init);
    this.mayHaveReachedGateway = init.mayHaveReachedGateway;
  }

  override get retryable(): boolean {
    return !this.mayHaveReachedGateway;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), mayHaveReachedGateway: this.mayHaveReachedGateway };
  }
}

/** No answer arrived within the client's timeout. */
export class TimeoutError extends SmsKitError {
  override readonly kind = "timeout";
  readonly timeoutMs: number | undefined;

  constructor(init: SmsKitErrorInit & { timeoutMs?: number | undefined }) {
    super(init);
    this.timeoutMs = init.timeoutMs;
  }
}

/**
 * A non-idempotent request (a send) went out and no answer came back: the gateway may or may not
 * have accepted it. smskit never resends such a request on its own, because that can deliver the
 * same SMS twice. `cause` is the underlying {@link TimeoutError} or {@link NetworkError}.
 */
export class UnknownOutcomeError extends SmsKitError {
  override readonly kind = "unknown_outcome";
}

/** The gateway answered with something its spec does not describe (not JSON, wrong shape, too large). */
export class UnexpectedResponseError extends SmsKitError {
  override readonly kind = "unexpected_response";
}

/**
 * An option is missing or wrong (a credential, `baseUrl`, `timeoutMs`, …), found when the client is
 * built, before any request. The message names the option and never quotes a secret.
 */
export class ConfigurationError extends SmsKitError {
  override readonly kind = "configuration";
}

/**
 * The gateway answered a send with a redirect (3xx). smskit never follows one for a send: the
 * credentials would go to another address, and a POST would turn into a GET without the message.
 * The gateway did not take the message. `location` is the redirect target, redacted.
 */
export class RedirectError extends SmsKitError {
  override readonly kind = "redirect";
  readonly location: string | undefined;

  constructor(init: SmsKitErrorInit & { location?: string | undefined }) {
    super(init);
    this.location = init.location;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), location: this.location };
  }
}

/**
 * The recipient asked not to receive messages (replied STOP, say), as the messenger's `isOptedOut`
 * check reports. Never retried and never failed over: no gateway may send it.
 */
export class OptedOutError extends SmsKitError {
  override readonly kind = "opted_out";
}

export function isSmsKitError(value: unknown): value is SmsKitError {
  return value instanceof SmsKitError;
}

export interface ProviderAttempt {
  provider: string;
  error: SmsKitError;
}

/**
 * Every provider the facade tried failed with an error that allowed moving on (throttled,
 * unavailable, unreachable). None of them accepted the message. `attempts` lists each failure in
 * the order tried.
 */
export class AllProvidersFailedError extends SmsKitError {
  override readonly kind = "all_providers_failed";
  readonly attempts: readonly ProviderAttempt[];

  constructor(attempts: readonly ProviderAttempt[]) {
    const summary = attempts.map((attempt) => `${attempt.provider}: ${attempt.error.message}`).join("; ");
    super({ provider: "smskit", message: `[smskit] every provider failed (${summary})` });
    this.attempts = attempts;
  }

  /** True when every failure was transient, so the same message may be tried again later. */
  override get retryable(): boolean {
    return this.attempts.length > 0 && this.attempts.every((attempt) => attempt.error.retryable);
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      attempts: this.attempts.map(({ provider, error }) => ({ provider, error: error.toJSON() })),
    };
  }
}
