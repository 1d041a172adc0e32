export {
  type Answer,
  type AnswerClassifier,
  errorFromHttpStatus,
  httpFailureInit,
  isRecord,
  malformedAnswer,
  type Operation,
  type ProviderErrorFields,
  parseRetryAfter,
} from "./answer.js";
export {
  type ApiClient,
  type CommonClientOptions,
  createApiClient,
  dataOf,
  type GatewayDefinition,
  requireCredential,
} from "./client.js";
export { type Clock, realClock, realTimer } from "./clock.js";
export {
  AllProvidersFailedError,
  AuthenticationError,
  ConfigurationError,
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
  RedirectError,
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
export { e164Digits, isE164, toE164, withoutPlus } from "./phone.js";
export {
  assertBatchSize,
  assertNotScheduled,
  checkOutgoing,
  type EmailResult,
  matchResults,
  type OutgoingEmail,
  type OutgoingSms,
  type ProviderCapabilities,
  parseSender,
  partitionBatch,
  type Sender,
  type SenderRules,
  type SendOutcome,
  type SendResult,
  type SendStatus,
  type SmsProvider,
  sendOneThroughBatch,
  unmentionedOutcome,
} from "./provider.js";
export { createRateLimiter, type RateLimit, type RateLimiter, type RateLimiterClock } from "./rate-limit.js";
export { createRedactor, REDACTED, type Redactor, redactDeep } from "./redact.js";
export {
  type Encoding,
  estimateSegments,
  hasLoneSurrogate,
  isGsm7,
  type SegmentEstimate,
} from "./segments.js";
export {
  classifyFetchFailure,
  type FetchLike,
  type Logger,
  type RetryOptions,
  retryDelay,
  shouldRetry,
} from "./transport.js";
export { checkBaseUrl, isLoopbackHost, isSecureUrl } from "./url.js";
