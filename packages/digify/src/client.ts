import {
  type CommonClientOptions,
  createApiClient,
  dataOf,
  InvalidRecipientError,
  InvalidSenderError,
  isRecord,
  requireCredential,
  ValidationError,
} from "@smskit/core";
import { classifyDigifyAnswer } from "./errors.js";
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
export type DigifySmsResult = Schemas["SmsResult"];
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

// The spec's constraints on what is sent, checked before the network (Prism and the gateway
// would refuse them too, but a standalone client must not send "queued" garbage).
const DEST_ADDR = /^[1-9]\d{6,14}$/;
const MAX_SOURCE_ADDR = 15;
const MAX_MSG = 1600;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

function checkSendRequest(body: unknown): void {
  const invalid = (field: string, message: string, type = ValidationError) =>
    new type({
      provider: "digify",
      code: "INVALID_REQUEST",
      details: { field },
      message: `[digify] ${field} ${message}`,
    });
  if (!isRecord(body) || !Array.isArray(body.messages) || body.messages.length === 0) {
    throw invalid("messages", "must be a non-empty array");
  }
  body.messages.forEach((message: unknown, index: number) => {
    const at = `messages[${index}]`;
    if (!isRecord(message)) throw invalid(at, "must be an object");
    if (message.type === "sms") {
      if (typeof message.destAddr !== "string" || !DEST_ADDR.test(message.destAddr)) {
        throw invalid(
          `${at}.destAddr`,
          "must be the number with country code, digits only and no + (e.g. 4712345678)",
          InvalidRecipientError,
        );
      }
      if (typeof message.msg !== "string" || message.msg === "" || message.msg.length > MAX_MSG) {
        throw invalid(`${at}.msg`, `must be a text of 1 to ${MAX_MSG} characters`);
      }
      const { sourceAddr } = message;
      if (
        sourceAddr !== undefined &&
        (typeof sourceAddr !== "string" || sourceAddr === "" || sourceAddr.length > MAX_SOURCE_ADDR)
      ) {
        throw invalid(`${at}.sourceAddr`, `must be 1 to ${MAX_SOURCE_ADDR} characters`, InvalidSenderError);
      }
      if (message.id !== undefined && typeof message.id !== "string")
        throw invalid(`${at}.id`, "must be a string");
    } else if (message.type === "email") {
      for (const field of ["sourceAddr", "destAddr"] as const) {
        const value = message[field];
        if (typeof value !== "string" || !EMAIL.test(value))
          throw invalid(`${at}.${field}`, "must be an e-mail address");
      }
      if (typeof message.subject !== "string" || message.subject === "" || message.subject.length > 500) {
        throw invalid(`${at}.subject`, "must be a text of 1 to 500 characters");
      }
      if (typeof message.body !== "string" || message.body === "")
        throw invalid(`${at}.body`, "must be a non-empty text");
    } else {
      throw invalid(`${at}.type`, 'must be "sms" or "email"');
    }
  });
}

/**
 * A typed client for the Digify Unified Messaging API. Each helper resolves to the operation's typed
 * 200 body or throws a typed error from `@smskit/core` carrying Digify's own error code.
 *
 * @example
 * const digify = createDigifyClient({ accessToken: process.env.DIGIFY_ACCESS_TOKEN! });
 * await digify.send({ messages: [{ type: "sms", destAddr: "4712345678", msg: "Hei!" }] });
 *
 * @throws {ConfigurationError} when `accessToken` is missing or an option is wrong (e.g. a plain-http
 * `baseUrl` to a non-loopback host).
 */
export function createDigifyClient(options: DigifyClientOptions) {
  const accessToken = requireCredential(
    "digify",
    "accessToken",
    (options as Partial<DigifyClientOptions> | undefined)?.accessToken,
    "header",
  );
  const client = createApiClient<paths>(
    {
      provider: "digify",
      defaultBaseUrl: DIGIFY_PRODUCTION_URL,
      secrets: [accessToken],
      authenticate(request, operation) {
        if (PUBLIC_PATHS.has(operation.path)) return undefined;
        request.headers.set("Authorization", `Bearer ${accessToken}`);
        return request;
      },
      classify: classifyDigifyAnswer,
    },
    options,
  );
  const { api } = client;

  return {
    /** The typed openapi-fetch client for anything the helpers below do not cover; failures throw the same typed errors. */
    api,
    /** Sends a batch of SMS and e-mail messages (`POST /api/v1/messages/send`). */
    async send(body: DigifySendRequest): Promise<DigifySendResponse> {
      checkSendRequest(body);
      return dataOf(client, api.POST("/api/v1/messages/send", { body }));
    },
    /** One page of the SMS log. */
    smsLogs: (query: DigifyLogQuery = {}): Promise<DigifySmsLogResponse> =>
      dataOf(client, api.GET("/api/v1/logs/sms", { params: { query } })),
    /** One page of the e-mail log. */
    emailLogs: (query: DigifyLogQuery = {}): Promise<DigifyEmailLogResponse> =>
      dataOf(client, api.GET("/api/v1/logs/email", { params: { query } })),
    /** Norwegian companies by 9-digit organisation number or name prefix (at most 5). */
    searchCompanies: (query: DigifyCompanySearchQuery): Promise<DigifyCompanySearchResponse> =>
      dataOf(client, api.GET("/api/v1/companies/search", { params: { query } })),
    /** The full register entry for one organisation number. */
    getCompany: (path: DigifyCompanyPath): Promise<DigifyCompanyResponse> =>
      dataOf(client, api.GET("/api/v1/companies/{orgNr}", { params: { path } })),
    /** Liveness; an unhealthy gateway (503) throws `ServiceUnavailableError` with the body attached. */
    health: (): Promise<DigifyHealth> => dataOf(client, api.GET("/health")),
    /** Readiness. */
    ready: (): Promise<DigifyReadiness> => dataOf(client, api.GET("/ready")),
  };
}

export type DigifyClient = ReturnType<typeof createDigifyClient>;
