import {
  type CommonClientOptions,
  ConfigurationError,
  createApiClient,
  dataOf,
  hasLoneSurrogate,
  InvalidRecipientError,
  InvalidSenderError,
  isRecord,
  requireCredential,
  ValidationError,
} from "@smskit/core";
import { classifyWebsmsAnswer, parseSimpleResponse, type WebsmsSendResponse } from "./errors.js";
import type { components, paths } from "./generated/schema.js";

export const WEBSMS_PRODUCTION_URL = "https://api.websms.com/rest";

/** An access token from the onlinesms web interface, sent as `Authorization: Bearer`. */
export interface WebsmsTokenCredentials {
  accessToken: string;
  username?: never;
  password?: never;
}

/** The account's user name and password, sent as HTTP Basic. */
export interface WebsmsPasswordCredentials {
  username: string;
  password: string;
  accessToken?: never;
}

export type WebsmsCredentials = WebsmsTokenCredentials | WebsmsPasswordCredentials;

export type WebsmsClientOptions = WebsmsCredentials & CommonClientOptions;

type Schemas = components["schemas"];
export type WebsmsTextRequest = Schemas["TextSmsSendRequest"];
export type WebsmsBinaryRequest = Schemas["BinarySmsSendRequest"];
/** What the helpers return: errors are thrown, so the status is always an acceptance. */
export type WebsmsAccepted = WebsmsSendResponse & { statusCode: 2000 | 2001 };

export interface WebsmsSimpleOptions {
  /**
   * `POST` (default) sends a form body; `GET` puts every field, the text and the numbers
   * included, into the URL, where proxies and server logs keep it.
   */
  method?: "GET" | "POST";
}

const PROVIDER = "websms";

function credentialsError(message: string, option: string, code = "MISSING_CREDENTIAL"): ConfigurationError {
  return new ConfigurationError({
    provider: PROVIDER,
    code,
    details: { option },
    message: `[websms] ${message}`,
  });
}

const isNonEmpty = (value: unknown): value is string => typeof value === "string" && value.trim() !== "";

/** RFC 7617 with UTF-8, which `btoa` alone cannot do for non-Latin-1 passwords. */
function basicToken(username: string, password: string): string {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function authorizationOf(options: WebsmsCredentials): { header: string; secrets: string[] } {
  const { accessToken, username, password } = (options ?? {}) as {
    accessToken?: unknown;
    username?: unknown;
    password?: unknown;
  };
  const hasToken = accessToken !== undefined;
  const hasLogin = username !== undefined || password !== undefined;
  if (hasToken === hasLogin) {
    throw credentialsError("give either accessToken, or username and password (not both)", "accessToken");
  }
  if (hasToken) {
    if (!isNonEmpty(accessToken))
      throw credentialsError("accessToken must be a non-empty string", "accessToken");
    requireCredential(PROVIDER, "accessToken", accessToken, "header");
    return { header: `Bearer ${accessToken}`, secrets: [accessToken] };
  }
  if (!isNonEmpty(username) || !isNonEmpty(password)) {
    throw credentialsError("username and password must both be non-empty strings", "username");
  }
  // RFC 7617: the user-id ends at the first colon, so websms would read another user name.
  if (username.includes(":")) {
    throw credentialsError("username must not contain a colon", "username", "INVALID_CREDENTIAL");
  }
  const token = basicToken(username, password);
  return { header: `Basic ${token}`, secrets: [password, username, token] };
}

// Unreserved characters (RFC 3986) stay as they are; everything else is percent-encoded.
const UNRESERVED = /[A-Za-z0-9\-._~]/;

/**
 * Percent-encodes text as ISO-8859-1, the charset of the simple endpoints (`ü` → `%FC`, where
 * `encodeURIComponent` would send the UTF-8 `%C3%BC`). A space becomes `%20` rather than `+`,
 * which reads the same in a query string and in a form body.
 */
function encodeLatin1(field: string, value: string): string {
  let out = "";
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (code > 0xff) {
      throw new ValidationError({
        provider: PROVIDER,
        code: "NOT_LATIN1",
        message: `[websms] ${field} contains ${JSON.stringify(char)}, which the simple endpoints cannot carry (they are ISO-8859-1); use sendText for full Unicode`,
      });
    }
    out += UNRESERVED.test(char) ? char : `%${code.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/**
 * The fields of a text request as one form string: numbers comma-separated in a single
 * `recipientAddressList` (the spec's `explode: false`), booleans and numbers as written.
 */
export function toSimpleForm(request: WebsmsTextRequest): string {
  const pairs: string[] = [];
  for (const [field, value] of Object.entries(request)) {
    if (value === undefined || value === null) continue;
    const encoded = Array.isArray(value)
      ? value.map((item) => encodeLatin1(field, String(item))).join(",")
      : encodeLatin1(field, String(value));
    pairs.push(`${field}=${encoded}`);
  }
  return pairs.join("&");
}

/** The spec's `RecipientAddress` pattern. */
const RECIPIENT = /^\+?[1-9][0-9]{6,14}$/;
const SENDER_TYPES = new Set(["national", "international", "alphanumeric", "shortcode"]);
/** The spec's `Base64Segment`: standard Base64 with padding, 4 to 188 characters (one SMS, 140 octets). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const isSegment = (value: unknown) =>
  typeof value === "string" && value.length >= 4 && value.length <= 188 && BASE64.test(value);
/** Half of a surrogate pair: JSON carries it as an escape websms cannot turn into any character. */

const invalid = (field: string, message: string, type = ValidationError) =>
  new type({
    provider: PROVIDER,
    code: "INVALID_REQUEST",
    details: { field },
    message: `[websms] ${field} ${message}`,
  });

/** One recipient as the spec's `RecipientAddress` allows it. */
export function checkRecipient(recipient: unknown, field: string): asserts recipient is string {
  if (typeof recipient !== "string" || !RECIPIENT.test(recipient)) {
    throw invalid(
      field,
      "must be an international number, digits only (e.g. 436991234567)",
      InvalidRecipientError,
    );
  }
}

/** The spec's constraints on a text or binary request, checked before the network. */
function checkSendRequest(body: unknown, content: "text" | "binary"): void {
  if (!isRecord(body)) throw invalid("body", "must be an object");
  const list = body.recipientAddressList;
  if (!Array.isArray(list) || list.length === 0 || list.length > 1000) {
    throw invalid("recipientAddressList", "must hold 1 to 1000 numbers", InvalidRecipientError);
  }
  list.forEach((recipient: unknown, index: number) => {
    checkRecipient(recipient, `recipientAddressList[${index}]`);
  });
  if (content === "text") {
    if (typeof body.messageContent !== "string" || body.messageContent === "") {
      throw invalid("messageContent", "must be a non-empty text");
    }
    if (hasLoneSurrogate(body.messageContent)) {
      throw invalid("messageContent", "contains a lone surrogate (half of an emoji), which no SMS can carry");
    }
  } else if (
    !Array.isArray(body.messageContent) ||
    body.messageContent.length === 0 ||
    !body.messageContent.every(isSegment)
  ) {
    throw invalid(
      "messageContent",
      "must be 1 or more Base64 segments of 4 to 188 characters (one SMS each)",
    );
  }
  if (
    body.senderAddress !== undefined &&
    (typeof body.senderAddress !== "string" || body.senderAddress === "")
  ) {
    throw invalid("senderAddress", "must be a non-empty string", InvalidSenderError);
  }
  if (body.senderAddressType !== undefined && !SENDER_TYPES.has(body.senderAddressType as string)) {
    throw invalid("senderAddressType", `must be one of ${[...SENDER_TYPES].join(", ")}`, InvalidSenderError);
  }
  // Echoed into delivery reports, which match on it: anything but a string cannot be matched.
  if (body.clientMessageId !== undefined && typeof body.clientMessageId !== "string") {
    throw invalid("clientMessageId", "must be a string");
  }
}

/**
 * A typed client for the websms REST API. Errors that websms reports inside HTTP 200 (`statusCode`
 * other than 2000/2001) are thrown as typed errors; throttling (4023) and 5003 are retried.
 *
 * @example
 * const websms = createWebsmsClient({ accessToken: process.env.WEBSMS_ACCESS_TOKEN! });
 * await websms.sendText({ recipientAddressList: ["4369912345678"], messageContent: "Servus!" });
 */
export function createWebsmsClient(options: WebsmsClientOptions) {
  const authorization = authorizationOf(options);
  const client = createApiClient<paths>(
    {
      provider: PROVIDER,
      defaultBaseUrl: WEBSMS_PRODUCTION_URL,
      secrets: authorization.secrets,
      // Always a header: websms also takes the token as `?access_token=`, but URLs end up in proxy
      // logs, browser histories and error messages, so the query form is never used.
      authenticate(request) {
        request.headers.set("Authorization", authorization.header);
        return request;
      },
      // Every websms operation sends, `GET /smsmessaging/simple` included, so none is repeated after
      // an ambiguous failure. websms echoes `clientMessageId` but nowhere documents de-duplicating
      // on it, so carrying one does not make a send safe to repeat either.
      sends: () => true,
      classify: classifyWebsmsAnswer,
    },
    options,
  );
  const { api } = client;
  const JSON_HEADERS = { Accept: "application/json" };

  /** The classifier let only accepted answers through; the simple endpoints answer a form, decoded here. */
  const simpleAnswer = async (call: Promise<{ data?: unknown; error?: unknown; response: Response }>) =>
    parseSimpleResponse(String(await dataOf(client, call))) as WebsmsAccepted;

  return {
    /**
     * The typed openapi-fetch client, authenticated, with the same retry rule and the same typed
     * errors (a `statusCode` error inside HTTP 200 is thrown too). The simple endpoints need
     * `parseAs: "text"`. Prefer the helpers below.
     */
    api,
    /** Sends one UTF-8 text to 1–1000 recipients (`POST /smsmessaging/text`). */
    async sendText(body: WebsmsTextRequest): Promise<WebsmsAccepted> {
      checkSendRequest(body, "text");
      return (await dataOf(
        client,
        api.POST("/smsmessaging/text", { body, headers: JSON_HEADERS }),
      )) as WebsmsAccepted;
    },
    /** Sends Base64-encoded binary segments to 1–1000 recipients (`POST /smsmessaging/binary`). */
    async sendBinary(body: WebsmsBinaryRequest): Promise<WebsmsAccepted> {
      checkSendRequest(body, "binary");
      return (await dataOf(
        client,
        api.POST("/smsmessaging/binary", { body, headers: JSON_HEADERS }),
      )) as WebsmsAccepted;
    },
    /**
     * Sends a text through the simple endpoint: an ISO-8859-1 form body (POST, default) or query
     * string (GET). Text outside ISO-8859-1 is refused before sending. The form-encoded answer is
     * returned decoded, with numbers as numbers and absent ids as `null`.
     */
    async sendSimple(
      request: WebsmsTextRequest,
      simpleOptions: WebsmsSimpleOptions = {},
    ): Promise<WebsmsAccepted> {
      checkSendRequest(request, "text");
      const encoded = toSimpleForm(request);
      if (simpleOptions.method === "GET") {
        return simpleAnswer(
          api.GET("/smsmessaging/simple", {
            params: { query: request },
            querySerializer: () => encoded,
            parseAs: "text",
          }),
        );
      }
      return simpleAnswer(
        api.POST("/smsmessaging/simple", {
          body: request,
          bodySerializer: () => encoded,
          headers: { "Content-Type": "application/x-www-form-urlencoded; charset=ISO-8859-1" },
          parseAs: "text",
        }),
      );
    },
  };
}

export type WebsmsClient = ReturnType<typeof createWebsmsClient>;
