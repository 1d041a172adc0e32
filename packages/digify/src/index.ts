export { type DigifyAdapterOptions, digify } from "./adapter.js";
export {
  createDigifyClient,
  DIGIFY_PRODUCTION_URL,
  type DigifyClient,
  type DigifyClientOptions,
  type DigifyCompanyPath,
  type DigifyCompanyResponse,
  type DigifyCompanySearchQuery,
  type DigifyCompanySearchResponse,
  type DigifyEmailLogResponse,
  type DigifyEmailMessage,
  type DigifyHealth,
  type DigifyLogQuery,
  type DigifyReadiness,
  type DigifySendRequest,
  type DigifySendResponse,
  type DigifySmsLogResponse,
  type DigifySmsMessage,
  type DigifySmsResult,
} from "./client.js";
export { classifyDigifyAnswer } from "./errors.js";
export type { components, paths } from "./generated/schema.js";
