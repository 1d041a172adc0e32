export {
  AllProvidersFailedError,
  AuthenticationError,
  ConfigurationError,
  type EmailResult,
  type Encoding,
  estimateSegments,
  InsufficientCreditError,
  InvalidRecipientError,
  InvalidSenderError,
  isSmsKitError,
  MessageRejectedError,
  NetworkError,
  NotFoundError,
  OptedOutError,
  type OutgoingEmail,
  type OutgoingSms,
  type ProviderCapabilities,
  RateLimitError,
  RedirectError,
  type SegmentEstimate,
  type SendOutcome,
  type SendResult,
  type SendStatus,
  ServerError,
  ServiceUnavailableError,
  SmsKitError,
  type SmsProvider,
  TimeoutError,
  toE164,
  UnexpectedResponseError,
  UnknownOutcomeError,
  ValidationError,
} from "@smskit/core";
export { type DigifyAdapterOptions, digify } from "@smskit/digify";
export { type F24AdapterOptions, f24 } from "@smskit/f24";
export { type SmartSwitchAdapterOptions, smartSwitch } from "@smskit/smartswitch";
export { WEBSMS_ACKNOWLEDGEMENT, type WebsmsAdapterOptions, websms } from "@smskit/websms";
export {
  type DeliveryReport,
  type DeliveryReportProvider,
  type DeliveryStatus,
  parseDeliveryReport,
} from "./delivery-reports.js";
export { type DryRunOptions, type DryRunProvider, dryRun } from "./dry-run.js";
export {
  createMessenger,
  type EmailInput,
  type MessageFor,
  type Messenger,
  type MessengerOptions,
  type SendManyOptions,
} from "./messenger.js";
export {
  failover,
  roundRobin,
  type Strategy,
  type StrategyContext,
  type StrategyName,
} from "./strategies.js";
export {
  type SmsInput,
  type ValidateSmsOptions,
  type ValidSms,
  validateSmsInput,
} from "./validate.js";
