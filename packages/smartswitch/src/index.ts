export { type SmartSwitchAdapterOptions, smartSwitch } from "./adapter.js";
export {
  createSmartSwitchClient,
  type SmartSwitchClient,
  type SmartSwitchClientOptions,
  type SmartSwitchErrorsDocument,
  type SmartSwitchMessageDataDocument,
  type SmartSwitchMessageResource,
  type SmartSwitchRecipient,
  type SmartSwitchSendQuery,
  type SmartSwitchSendReport,
  type SmartSwitchSendResponse,
  serializeRecipientGroups,
} from "./client.js";
export { classifySmartSwitchAnswer, type SmartSwitchErrorObject } from "./errors.js";
export type { components, operations, paths, webhooks } from "./generated/schema.js";
export {
  parseSmartSwitchDeliveryReceipt,
  SMARTSWITCH_DELIVERY_STATES,
  type SmartSwitchDeliveryReceipt,
  type SmartSwitchDeliveryReceiptBody,
  type SmartSwitchDeliveryState,
} from "./webhooks.js";
