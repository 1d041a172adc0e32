import {
  type CommonClientOptions,
  createApiClient,
  redactDeep,
  UnexpectedResponseError,
  unwrap,
} from "@smskit/core";
import { classifyF24Error } from "./errors.js";
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

function requireText(name: string, value: unknown, why = ""): asserts value is string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new TypeError(`[f24] ${name} is required${why}`);
  }
}

function isSendResponse(value: unknown): value is F24SendResponse {
  if (!value || typeof value !== "object") return false;
  const { Recipients, BatchId } = value as { Recipients?: unknown; BatchId?: unknown };
  return (
    Array.isArray(Recipients) &&
    Recipients.every((item) => item !== null && typeof item === "object") &&
    typeof BatchId === "string"
  );
}

/**
 * A typed client for the F24 Norge Message API. `baseUrl` is the customer-specific endpoint F24 gives
 * you. `sendSmsExt` resolves to the typed 200 body (check `Recipients[].Valid`) or throws a typed error.
 *
 * @example
 * const f24 = createF24Client({ accessKey, accessToken, baseUrl: "https://your-f24-endpoint" });
 * await f24.sendSmsExt({ Messages: [{ Sender: "ACME", Recipient: "+4712345678", Content: "Hei!" }] });
 */
export function createF24Client(options: F24ClientOptions) {
  const { accessKey, accessToken, baseUrl } = options;
  requireText("accessKey", accessKey);
  requireText("accessToken", accessToken);
  requireText(
    "baseUrl",
    baseUrl,
    ": F24 gives every customer its own API URL (ask support.norge@f24.com) and publishes no default",
  );
  const client = createApiClient<paths>({
    ...options,
    provider: "f24",
    baseUrl,
    secrets: [accessKey, accessToken],
    authenticate(request) {
      // F24 wants both headers on every call; one alone is answered 401.
      request.headers.set("AccessKey", accessKey);
      request.headers.set("AccessToken", accessToken);
      return request;
    },
  });
  const { api } = client;

  return {
    /** The typed openapi-fetch client, for anything the helper below does not cover. */
    api,
    /**
     * Queues SMS messages (`POST /SendSMSExt`) and resolves to F24's 200 body as it came.
     * A 200 may still refuse single recipients: check `Recipients[].Valid` (the `f24()` adapter
     * turns those into `InvalidRecipientError` outcomes). F24 does not de-duplicate, so a send
     * whose answer is lost is never repeated: it fails with `UnknownOutcomeError`.
     */
    async sendSmsExt(body: F24SendRequest): Promise<F24SendResponse> {
      const data: unknown = await unwrap(client, api.POST("/SendSMSExt", { body }), classifyF24Error);
      if (!isSendResponse(data)) {
        throw new UnexpectedResponseError({
          provider: "f24",
          status: 200,
          message:
            "[f24] SendSMSExt answered 200 without the documented Recipients and BatchId; the messages may have been queued",
          body: redactDeep(data, client.redactor),
        });
      }
      return data;
    },
  };
}

export type F24Client = ReturnType<typeof createF24Client>;
