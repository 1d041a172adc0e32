/**
 * `smskit/webhooks`: receive delivery reports and inbound SMS from websms and SmartSwitch with one
 * Web-standard handler.
 */
export { type Authenticate, MIN_TOKEN_LENGTH } from "./auth.js";
export {
  type DedupeStore,
  type DedupeTimes,
  type MarkResult,
  type MemoryDedupeOptions,
  memoryDedupe,
  type RedisDedupeClient,
  type RedisDedupeOptions,
  redisDedupe,
} from "./dedupe.js";
export type {
  DeliveryEvent,
  DeliveryStatus,
  InboundBinaryContent,
  InboundEvent,
  SmartSwitchDeliveryEvent,
  SmsEvent,
  WebhookProvider,
  WebsmsDeliveryEvent,
} from "./events.js";
export {
  createWebhookHandler,
  DEFAULT_MAX_BODY_BYTES,
  type DeliveryReportSink,
  WEBHOOK_PROVIDERS,
  type WebhookFailure,
  type WebhookHandler,
  type WebhookHandlerOptions,
} from "./handler.js";
export { type NodeListenerOptions, toNodeListener } from "./node.js";
export { createOptOutMatcher, DEFAULT_OPT_OUT_KEYWORDS, isOptOutText } from "./opt-out.js";
