import { type CommonClientOptions, createApiClient, unwrap } from "@smskit/core";
import { classifyDigifyError } from "./errors.js";
import type { components, paths } from "./generated/schema.js";

export const DIGIFY_PRODUCTION_URL = "https://apiaccess.digify.no";

export interface DigifyClientOptions extends CommonClientOptions {
  /** The system's AccessToken (22 characters, case-sensitive). Sent as `Authorization: Bearer`, never in the URL. */
  accessToken: string;
}

type Schemas = components["schemas"];
export type DigifySendRequest = Schemas["SendMessagesRequest"];
export type DigifySendResponse = Schemas["SendMessagesResponse"];
export type DigifySmsMessage = Schemas["SmsMessage"];
export type DigifyEmailMessage = Schemas["EmailMessage"];
export type DigifyLogQuery = NonNullable<paths["/api/v1/logs/sms"]["get"]["parameters"]["query"]>;
export type DigifySmsLogResponse = Schemas["SmsLogListResponse"];
export type DigifyEmailLogResponse = Schemas["EmailLogListResponse"];
export type DigifyCompanySearchQuery = paths["/api/v1/companies/search"]["get"]["parameters"]["query"];
export type DigifyCompanySearchResponse = Schemas["CompanySearchResponse"];
export type DigifyCompanyPath = paths["/api/v1/companies/{orgNr}"]["get"]["parameters"]["path"];
export type DigifyCompanyResponse = Schemas["CompanyDetailsResponse"];
export type DigifyHealth = Schemas["HealthyResponse"];
export type DigifyReadiness = Schemas["ReadyResponse"];

/** Operations the gateway serves without a token; sending one there would only spread it. */
const PUBLIC_PATHS = new Set(["/health", "/ready"]);

/**
 * A typed client for the Digify Unified Messaging API. Each helper resolves to the operation's typed
 * 200 body or throws a typed error from `@smskit/core` carrying Digify's own error code.
 *
 * @example
 * const digify = createDigifyClient({ accessToken: process.env.DIGIFY_ACCESS_TOKEN! });
 * await digify.send({ messages: [{ type: "sms", destAddr: "4712345678", msg: "Hei!" }] });
 *
 * @throws {TypeError} when `accessToken` is empty or `baseUrl` is plain http to a non-loopback host.
 */
export function createDigifyClient(options: DigifyClientOptions) {
  const { accessToken } = options;
  if (typeof accessToken !== "string" || accessToken.trim() === "") {
    throw new TypeError("[digify] accessToken is required");
  }
  const client = createApiClient<paths>({
    ...options,
    provider: "digify",
    baseUrl: options.baseUrl ?? DIGIFY_PRODUCTION_URL,
    secrets: [accessToken],
    authenticate(request, schemaPath) {
      if (PUBLIC_PATHS.has(schemaPath)) return undefined;
      request.headers.set("Authorization", `Bearer ${accessToken}`);
      return request;
    },
  });
  const { api } = client;

  return {
    /** The typed openapi-fetch client, for anything the helpers below do not cover. */
    api,
    /** Sends a batch of SMS and e-mail messages (`POST /api/v1/messages/send`). */
    send: (body: DigifySendRequest) =>
      unwrap(client, api.POST("/api/v1/messages/send", { body }), classifyDigifyError),
    /** One page of the SMS log. */
    smsLogs: (query: DigifyLogQuery = {}) =>
      unwrap(client, api.GET("/api/v1/logs/sms", { params: { query } }), classifyDigifyError),
    /** One page of the e-mail log. */
    emailLogs: (query: DigifyLogQuery = {}) =>
      unwrap(client, api.GET("/api/v1/logs/email", { params: { query } }), classifyDigifyError),
    /** Norwegian companies by 9-digit organisation number or name prefix (at most 5). */
    searchCompanies: (query: DigifyCompanySearchQuery) =>
      unwrap(client, api.GET("/api/v1/companies/search", { params: { query } }), classifyDigifyError),
    /** The full register entry for one organisation number. */
    getCompany: (path: DigifyCompanyPath) =>
      unwrap(client, api.GET("/api/v1/companies/{orgNr}", { params: { path } }), classifyDigifyError),
    /** Liveness; an unhealthy gateway (503) throws `ServiceUnavailableError` with the body attached. */
    health: () => unwrap(client, api.GET("/health"), classifyDigifyError),
    /** Readiness. */
    ready: () => unwrap(client, api.GET("/ready"), classifyDigifyError),
  };
}

export type DigifyClient = ReturnType<typeof createDigifyClient>;
