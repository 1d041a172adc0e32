export { errorFromHttpStatus, httpFailureInit, type ProviderErrorFields } from "./classify.js";
export {
  type ApiClient,
  type ApiClientConfig,
  assertSecureBaseUrl,
  type CommonClientOptions,
  createApiClient,
  type ErrorClassifier,
  type HttpFailure,
  redactDeep,
  unwrap,
  unwrapWithResponse,
} from "./client.js";
export {
  AllProvidersFailedError,
  AuthenticationError,
  type ErrorKind,
  InsufficientCreditError,
  InvalidRecipientError,
  InvalidSenderError,
  isSmsKitError,
  MessageRejectedError,
  NetworkError,
  type NetworkErrorInit,
  NotFoundError,
  OptedOutError,
  type ProviderAttempt,
  RateLimitError,
  type RateLimitErrorInit,
  type RequestInfo,
  ServerError,
  ServiceUnavailableError,
  SmsKitError,
  type SmsKitErrorInit,
  TimeoutError,
  UnexpectedResponseError,
  UnknownOutcomeError,
  ValidationError,
} from "./errors.js";
export { e164Digits, isE164, toE164 } from "./phone.js";
export {
  assertBatchSize,
  type EmailResult,
  type OutgoingEmail,
  type OutgoingSms,
  type ProviderCapabilities,
  type SendOutcome,
  type SendResult,
  type SendStatus,
  type SmsProvider,
  sendOneThroughBatch,
} from "./provider.js";
export { createRateLimiter, type RateLimit, type RateLimiter, type RateLimiterClock } from "./rate-limit.js";
export { createRedactor, REDACTED, type Redactor } from "./redact.js";
export { type Encoding, estimateSegments, isGsm7, type SegmentEstimate } from "./segments.js";
export {
  createTransport,
  type FetchLike,
  type Logger,
  parseRetryAfter,
  type RetryOptions,
  requestInfoOf,
  type TransportOptions,
} from "./transport.js";
