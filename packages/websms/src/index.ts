export { type WebsmsAdapterOptions, websms } from "./adapter.js";
export {
  createWebsmsClient,
  parseSimpleResponse,
  toSimpleForm,
  WEBSMS_PRODUCTION_URL,
  type WebsmsAccepted,
  type WebsmsBinaryRequest,
  type WebsmsClient,
  type WebsmsClientOptions,
  type WebsmsCredentials,
  type WebsmsPasswordCredentials,
  type WebsmsSendResponse,
  type WebsmsSimpleOptions,
  type WebsmsStatusCode,
  type WebsmsTextRequest,
  type WebsmsTokenCredentials,
} from "./client.js";
export {
  classifyWebsmsError,
  isRefusedBeforeAcceptingCode,
  WEBSMS_ACCEPTED_CODES,
  WEBSMS_ERROR_CODES,
  type WebsmsErrorCode,
  type WebsmsStatusContext,
  websmsStatusError,
} from "./errors.js";
export type { components, paths, webhooks } from "./generated/schema.js";
export {
  parseWebsmsNotification,
  WEBSMS_ACKNOWLEDGEMENT,
  type WebsmsDeliveryReport,
  type WebsmsInboundBinary,
  type WebsmsInboundMessage,
  type WebsmsInboundText,
  type WebsmsNotification,
  type WebsmsNotificationAcknowledgement,
} from "./webhooks.js";
