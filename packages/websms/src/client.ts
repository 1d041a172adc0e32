import {
  type CommonClientOptions,
  createApiClient,
  redactDeep,
  requestInfoOf,
  UnexpectedResponseError,
  unwrapWithResponse,
  ValidationError,
} from "@smskit/core";
import {
  classifyWebsmsError,
  isRefusedBeforeAcceptingCode,
  WEBSMS_ACCEPTED_CODES,
  websmsStatusError,
} from "./errors.js";
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
export type WebsmsSendResponse = Schemas["SmsSendResponse"];
export type WebsmsStatusCode = Schemas["SmsStatusCode"];
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

function describeCredentialsError(): TypeError {
  return new TypeError("[websms] give either accessToken, or username and password (not both)");
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
  const { accessToken, username, password } = options as {
    accessToken?: unknown;
    username?: unknown;
    password?: unknown;
  };
  const hasToken = accessToken !== undefined;
  const hasLogin = username !== undefined || password !== undefined;
  if (hasToken === hasLogin) throw describeCredentialsError();
  if (hasToken) {
    if (!isNonEmpty(accessToken)) throw new TypeError("[websms] accessToken must be a non-empty string");
    return { header: `Bearer ${accessToken}`, secrets: [accessToken] };
  }
  if (!isNonEmpty(username) || !isNonEmpty(password)) {
    throw new TypeError("[websms] username and password must both be non-empty strings");
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

/** Decodes one form value: UTF-8 percent-escapes where they are valid, ISO-8859-1 otherwise. */
function decodeFormValue(raw: string): string {
  const spaced = raw.replace(/\+/g, " ");
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
  }
}

function decodeForm(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const pair of text.trim().split("&")) {
    if (pair === "") continue;
    const at = pair.indexOf("=");
    const name = decodeFormValue(at === -1 ? pair : pair.slice(0, at));
    if (!fields.has(name)) fields.set(name, at === -1 ? "" : decodeFormValue(pair.slice(at + 1)));
  }
  return fields;
}

const INTEGER = /^\d+$/;

/**
 * Reads the answer of a simple endpoint: form-encoded `statusCode=2000&statusMessage=OK&…`
 * (numbers as text, an empty or missing id meaning none). A JSON body is accepted as well, because
 * one client library saw these endpoints declared as JSON and the docs are not explicit.
 * Returns `undefined` when the text carries no `statusCode`.
 */
export function parseSimpleResponse(text: string): WebsmsSendResponse | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    try {
      const body: unknown = JSON.parse(trimmed);
      return isSendResponseShape(body) ? body : undefined;
    } catch {
      return undefined;
    }
  }
  const fields = decodeForm(trimmed);
  const statusCode = fields.get("statusCode") ?? "";
  const smsCount = fields.get("smsCount") ?? "";
  if (!INTEGER.test(statusCode) || (smsCount !== "" && !INTEGER.test(smsCount))) return undefined;
  const idOf = (name: string) => {
    const value = fields.get(name);
    return value === undefined || value === "" ? null : value;
  };
  return {
    statusCode: Number(statusCode) as WebsmsStatusCode,
    statusMessage: fields.get("statusMessage") ?? "",
    transferId: idOf("transferId"),
    clientMessageId: idOf("clientMessageId"),
    // Every example carries it; websms reports 0 whenever nothing was generated.
    smsCount: smsCount === "" ? 0 : Number(smsCount),
  };
}

function isSendResponseShape(body: unknown): body is WebsmsSendResponse {
  if (!body || typeof body !== "object" || Array.isArray(body)) return false;
  const { statusCode } = body as { statusCode?: unknown };
  return typeof statusCode === "number" && Number.isInteger(statusCode);
}

/** Reads `statusCode` from a JSON or form-encoded answer without trusting its shape. */
async function statusCodeOf(response: Response): Promise<number | undefined> {
  const text = await response.text();
  return parseSimpleResponse(text)?.statusCode;
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
  const baseUrl = options.baseUrl ?? WEBSMS_PRODUCTION_URL;
  const client = createApiClient<paths>({
    ...options,
    provider: PROVIDER,
    baseUrl,
    secrets: authorization.secrets,
    // Always a header: websms also takes the token as `?access_token=`, but URLs end up in proxy
    // logs, browser histories and error messages, so the query form is never used.
    authenticate(request) {
      request.headers.set("Authorization", authorization.header);
      return request;
    },
    // websms answers throttling (4023) and "service unavailable" (5003) with HTTP 200; both mean
    // nothing was accepted, so the transport may repeat the request like a 429/503.
    //
    isRefusedBeforeAccepting: async (response) => {
      if (!response.ok) return false;
      const statusCode = await statusCodeOf(response);
      return statusCode !== undefined && isRefusedBeforeAcceptingCode(statusCode);
    },
    // Every websms operation sends, `GET /smsmessaging/simple` included, so none is repeated after
    // an ambiguous failure. websms echoes `clientMessageId` but nowhere documents de-duplicating
    // on it, so carrying one does not make a send safe to repeat either.
    isIdempotent: () => false,
  });
  const { api, redactor } = client;

  /** Turns the body of an HTTP 200 into the accepted response, or the typed error of its `statusCode`. */
  const accepted = (
    body: WebsmsSendResponse | undefined,
    raw: unknown,
    response: Response,
  ): WebsmsAccepted => {
    const request = requestInfoOf(response);
    if (!isSendResponseShape(body)) {
      throw new UnexpectedResponseError({
        provider: PROVIDER,
        status: response.status,
        request,
        body: redactDeep(raw, redactor),
        message: `[websms] the answer has no statusCode${request ? ` (${request.method} ${request.url})` : ""}`,
      });
    }
    if (WEBSMS_ACCEPTED_CODES.has(body.statusCode)) return body as WebsmsAccepted;
    throw websmsStatusError(body, {
      status: response.status,
      request,
      headers: response.headers,
      redactor,
      body: raw,
    });
  };

  const sendJson = async (
    call: Promise<{ data?: WebsmsSendResponse; error?: unknown; response: Response }>,
  ): Promise<WebsmsAccepted> => {
    const { data, response } = await unwrapWithResponse(client, call, classifyWebsmsError);
    return accepted(data, data, response);
  };

  const sendForm = async (
    call: Promise<{ data?: unknown; error?: unknown; response: Response }>,
  ): Promise<WebsmsAccepted> => {
    const { data: text, response } = await unwrapWithResponse(client, call, classifyWebsmsError);
    const raw = typeof text === "string" ? text : "";
    return accepted(parseSimpleResponse(raw), raw, response);
  };

  const JSON_HEADERS = { Accept: "application/json" };

  return {
    /**
     * The typed openapi-fetch client, authenticated, with the same retry rule. Its answers are
     * raw: a `statusCode` error inside HTTP 200 comes back as `data`, and the simple endpoints
     * need `parseAs: "text"`. Prefer the helpers below.
     */
    api,
    /** Sends one UTF-8 text to 1–1000 recipients (`POST /smsmessaging/text`). */
    sendText: async (body: WebsmsTextRequest): Promise<WebsmsAccepted> =>
      sendJson(api.POST("/smsmessaging/text", { body, headers: JSON_HEADERS })),
    /** Sends Base64-encoded binary segments to 1–1000 recipients (`POST /smsmessaging/binary`). */
    sendBinary: async (body: WebsmsBinaryRequest): Promise<WebsmsAccepted> =>
      sendJson(api.POST("/smsmessaging/binary", { body, headers: JSON_HEADERS })),
    /**
     * Sends a text through the simple endpoint: an ISO-8859-1 form body (POST, default) or query
     * string (GET). Text outside ISO-8859-1 is refused before sending. The form-encoded answer is
     * returned decoded, with numbers as numbers and absent ids as `null`.
     */
    sendSimple: async (
      request: WebsmsTextRequest,
      simpleOptions: WebsmsSimpleOptions = {},
    ): Promise<WebsmsAccepted> => {
      const encoded = toSimpleForm(request);
      if (simpleOptions.method === "GET") {
        return sendForm(
          api.GET("/smsmessaging/simple", {
            params: { query: request },
            querySerializer: () => encoded,
            parseAs: "text",
          }),
        );
      }
      return sendForm(
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
