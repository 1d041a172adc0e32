export { type WebsmsAdapterOptions, websms } from "./adapter.js";
export {
  createWebsmsClient,
  toSimpleForm,
  WEBSMS_PRODUCTION_URL,
  type WebsmsAccepted,
  type WebsmsBinaryRequest,
  type WebsmsClient,
  type WebsmsClientOptions,
  type WebsmsCredentials,
  type WebsmsPasswordCredentials,
  type WebsmsSimpleOptions,
  type WebsmsTextRequest,
  type WebsmsTokenCredentials,
} from "./client.js";
export {
  classifyWebsmsAnswer,
  parseSimpleResponse,
  WEBSMS_ACCEPTED_CODES,
  WEBSMS_ERROR_CODES,
  type WebsmsAcceptedCode,
  type WebsmsErrorCode,
  type WebsmsErrorStatusCode,
  type WebsmsSendResponse,
  type WebsmsStatusCode,
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
