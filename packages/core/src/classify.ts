import type { HttpFailure } from "./client.js";
import {
  AuthenticationError,
  InsufficientCreditError,
  NotFoundError,
  RateLimitError,
  ServerError,
  ServiceUnavailableError,
  type SmsKitError,
  type SmsKitErrorInit,
  UnexpectedResponseError,
  ValidationError,
} from "./errors.js";
import { parseRetryAfter } from "./transport.js";

export interface ProviderErrorFields {
  code?: string | number | undefined;
  message?: string | undefined;
  details?: unknown;
  /** When the body says how long to wait (Digify `retryAfter`), in milliseconds; the header wins otherwise. */
  retryAfterMs?: number | undefined;
}

/** The fields every error built from an HTTP answer carries, so a provider can pick the class itself. */
export function httpFailureInit(failure: HttpFailure, fields: ProviderErrorFields = {}): SmsKitErrorInit {
  const { provider, status, request } = failure;
  const providerMessage = fields.message === undefined ? undefined : failure.redactor.text(fields.message);
  const codePart = fields.code === undefined ? "" : ` ${fields.code}`;
  const messagePart = providerMessage ? `: ${providerMessage}` : "";
  const where = request ? ` (${request.method} ${request.url})` : "";
  return {
    provider,
    status,
    code: fields.code,
    providerMessage,
    details: fields.details,
    body: failure.body,
    request,
    message: `[${provider}] HTTP ${status}${codePart}${messagePart}${where}`,
  };
}

/**
 * The error class an HTTP status stands for, when the gateway's own code does not say more.
 * Providers call this after pulling code and message out of their error envelope.
 */
export function errorFromHttpStatus(failure: HttpFailure, fields: ProviderErrorFields = {}): SmsKitError {
  const { status } = failure;
  const init = httpFailureInit(failure, fields);
  if (status === 401 || status === 403) return new AuthenticationError(init);
  if (status === 402) return new InsufficientCreditError(init);
  if (status === 404) return new NotFoundError(init);
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(failure.headers.get("retry-after")) ?? fields.retryAfterMs;
    return new RateLimitError({ ...init, retryAfterMs });
  }
  if (status === 503) return new ServiceUnavailableError(init);
  if (status >= 500) return new ServerError(init);
  if (status >= 400) return new ValidationError(init);
  return new UnexpectedResponseError(init);
}
