import {
  type CommonClientOptions,
  createApiClient,
  dataOf,
  hasLoneSurrogate,
  InvalidRecipientError,
  InvalidSenderError,
  isRecord,
  requireCredential,
  ValidationError,
} from "@smskit/core";
import { classifyF24Answer } from "./errors.js";
import type { components, paths } from "./generated/schema.js";

export interface F24ClientOptions extends CommonClientOptions {
  /** Access key issued by F24. Sent in the `AccessKey` header, together with `accessToken`. */
  accessKey: string;
  /** Access token issued by F24. Sent in the `AccessToken` header, together with `accessKey`. */
  accessToken: string;
  /**
   * The API URL F24 gave you (support.norge@f24.com), without the method name. F24 publishes no
   * public endpoint, so there is no default.
   */
  baseUrl: string;
}

type Schemas = components["schemas"];
export type F24SendRequest = Schemas["SendSmsExtRequest"];
export type F24OutgoingMessage = Schemas["OutgoingMessage"];
export type F24SendResponse = Schemas["SendSmsExtResponse"];
export type F24RecipientResult = Schemas["RecipientResult"];
export type F24ErrorResponse = Schemas["ErrorResponse"];
export type F24ErrorDetail = Schemas["ErrorDetail"];

/** The spec's `Recipient` pattern: E.164 with its `+`. */
const RECIPIENT = /^\+[1-9]\d{6,14}$/;
/** Half of a surrogate pair: JSON carries it as an escape F24 cannot turn into any character. */
const invalid = (field: string, message: string, type = ValidationError) =>
  new type({
    provider: "f24",
    code: "INVALID_REQUEST",
    details: { field },
    message: `[f24] ${field} ${message}`,
  });

/** One entry of `Messages` as the spec constrains it; `at` names it in the error. */
export function checkOutgoingMessage(message: unknown, at: string): asserts message is F24OutgoingMessage {
  if (!isRecord(message)) throw invalid(at, "must be an object");
  if (typeof message.Sender !== "string" || message.Sender.trim() === "") {
    throw invalid(`${at}.Sender`, "is required: F24 has no account default sender", InvalidSenderError);
  }
  if (typeof message.Recipient !== "string" || !RECIPIENT.test(message.Recipient)) {
    throw invalid(`${at}.Recipient`, "must be E.164 with its + (e.g. +4712345678)", InvalidRecipientError);
  }
  if (typeof message.Content !== "string" || message.Content === "")
    throw invalid(`${at}.Content`, "must be a non-empty text");
  if (hasLoneSurrogate(message.Content)) {
    throw invalid(`${at}.Content`, "contains a lone surrogate (half of an emoji), which no SMS can carry");
  }
}

function checkSendRequest(body: unknown): void {
  if (!isRecord(body) || !Array.isArray(body.Messages) || body.Messages.length === 0) {
    throw invalid("Messages", "must be a non-empty array");
  }
  body.Messages.forEach((message: unknown, index: number) => {
    checkOutgoingMessage(message, `Messages[${index}]`);
  });
}

/**
 * A typed client for the F24 Norge Message API. `baseUrl` is the customer-specific endpoint F24 gives
 * you. `sendSmsExt` resolves to the typed 200 body or throws a typed error.
 *
 * @example
 * const f24 = createF24Client({ accessKey, accessToken, baseUrl: "https://your-f24-endpoint" });
 * await f24.sendSmsExt({ Messages: [{ Sender: "ACME", Recipient: "+4712345678", Content: "Hei!" }] });
 *
 * @throws {ConfigurationError} when a credential or `baseUrl` is missing or wrong.
 */
export function createF24Client(options: F24ClientOptions) {
  const given = (options ?? {}) as Partial<F24ClientOptions>;
  const accessKey = requireCredential("f24", "accessKey", given.accessKey, "header");
  const accessToken = requireCredential("f24", "accessToken", given.accessToken, "header");
  const client = createApiClient<paths>(
    {
      provider: "f24",
      baseUrlRequired:
        "F24 gives every customer its own API URL (ask support.norge@f24.com) and publishes no default",
      secrets: [accessKey, accessToken],
      authenticate(request) {
        // F24 wants both headers on every call; one alone is answered 401.
        request.headers.set("AccessKey", accessKey);
        request.headers.set("AccessToken", accessToken);
        return request;
      },
      classify: classifyF24Answer,
    },
    options,
  );
  const { api } = client;

  return {
    /** The typed openapi-fetch client, for anything the helper below does not cover; failures throw the same typed errors. */
    api,
    /**
     * Queues SMS messages (`POST /SendSMSExt`) and resolves to F24's 200 body. A 200 may still
     * refuse single recipients: `Recipients[].Valid` is `false` for them (the `f24()` adapter turns
     * those into per-message `InvalidRecipientError` outcomes). F24 does not de-duplicate, so a send
     * whose answer is lost is never repeated: it fails with `UnknownOutcomeError`.
     */
    async sendSmsExt(body: F24SendRequest): Promise<F24SendResponse> {
      checkSendRequest(body);
      return dataOf(client, api.POST("/SendSMSExt", { body }));
    },
  };
}

export type F24Client = ReturnType<typeof createF24Client>;
