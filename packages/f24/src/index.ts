export { type F24AdapterOptions, f24 } from "./adapter.js";
export {
  createF24Client,
  type F24Client,
  type F24ClientOptions,
  type F24ErrorDetail,
  type F24ErrorResponse,
  type F24OutgoingMessage,
  type F24RecipientResult,
  type F24SendRequest,
  type F24SendResponse,
} from "./client.js";
export { classifyF24Answer } from "./errors.js";
export type { components, paths } from "./generated/schema.js";
