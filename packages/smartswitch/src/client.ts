import {
  type CommonClientOptions,
  createApiClient,
  e164Digits,
  InvalidRecipientError,
  InvalidSenderError,
  isSmsKitError,
  MessageRejectedError,
  type RequestInfo,
  redactDeep,
  requestInfoOf,
  type SmsKitError,
  UnexpectedResponseError,
  unwrapWithResponse,
  ValidationError,
} from "@smskit/core";
import { classifySmartSwitchError, errorObjectsOf } from "./errors.js";
import type { components, operations, paths } from "./generated/schema.js";

const PROVIDER = "smartswitch";

type Schemas = components["schemas"];
/** The query of `POST /api/message` without the credentials (the client adds those). */
export type SmartSwitchSendQuery = operations["sendMessage"]["parameters"]["query"];
export type SmartSwitchSendResponse = Schemas["SendMessageResponse"];
export type SmartSwitchMessageDataDocument = Schemas["MessageDataDocument"];
export type SmartSwitchMessageResource = Schemas["MessageResource"];
export type SmartSwitchErrorsDocument = Schemas["ErrorsDocument"];

export interface SmartSwitchClientOptions extends CommonClientOptions {
  /** Login of the user or company personal account. Travels in the URL as `_login` and is redacted everywhere. */
  login: string;
  /** Password of that account. Travels in the URL as `_password` and is redacted everywhere. */
  password: string;
  /**
   * Your operator's SmartSwitch server, e.g. `https://sms.your-operator.example`. Required: every
   * operator runs its own server and there is no public one.
   */
  baseUrl: string;
  /**
   * Longest request URL `sendMessages` builds, credentials included; a longer one is refused before
   * sending. Default 8000: nginx's default request-line buffer is 8 KiB and Apache's limit 8190.
   */
  maxUrlLength?: number;
}

/** One recipient of {@link SmartSwitchClient.sendMessages}: one group of per-recipient arguments. */
export interface SmartSwitchRecipient {
  /** E.164, e.g. `+4712345678` (`0047…` and spaces are normalised); sent as `destination_number` without `+`. */
  to: string;
  /** The text; empty only for a stealth ping. */
  body: string;
  /**
   * Sender. Digits with an optional leading `+` (at most 15) go out as `source_number` without the
   * `+`; anything else is a name (at most 11 characters) and goes out as `source_name`. In one call
   * either every recipient has a `from` of the same kind or none has one.
   */
  from?: string | undefined;
  /** Ask for a delivery receipt (`require_dlr`). Default false. */
  requireDlr?: boolean | undefined;
  /** Send a silent "stealth ping" that the handset does not show (`stealth_ping`). Default false. */
  stealthPing?: boolean | undefined;
  /** Echoed back as `meta.request_id`. The gateway does not de-duplicate on it. */
  requestId?: string | undefined;
}

/** A recipient the gateway reported as `ok`: sent, and the balance charged. */
export interface SmartSwitchRecipientSent {
  ok: true;
  /** As given. */
  to: string;
  /** What was sent as `destination_number`. */
  destinationNumber: string;
  /** The gateway's message id; delivery receipts carry it as `message_id`. */
  id: string;
  segments: number;
  /** The gateway's `meta.request_id`, when it sent one. */
  requestId: string | undefined;
  resource: SmartSwitchMessageResource;
}

/**
 * A recipient that was not sent, or whose fate the answer does not tell. `error` is a
 * {@link MessageRejectedError} for `status: "error"` (not sent, not charged) and an
 * {@link UnexpectedResponseError} when the answer has no usable result for this recipient.
 */
export interface SmartSwitchRecipientFailed {
  ok: false;
  to: string;
  destinationNumber: string;
  error: SmsKitError;
  /** The gateway's resource object for this recipient, when there is one. */
  resource: SmartSwitchMessageResource | undefined;
}

export type SmartSwitchRecipientResult = SmartSwitchRecipientSent | SmartSwitchRecipientFailed;

export interface SmartSwitchSendReport {
  /** True only when every recipient was sent. A call can fail for some recipients and not others. */
  allSent: boolean;
  /** One result per recipient, in the order given; check `ok` before using a result. */
  results: SmartSwitchRecipientResult[];
  /** The gateway's document, as received. */
  raw: SmartSwitchMessageDataDocument;
}

/** Per-recipient arguments in the order of the source's example; `destination_number` opens a group. */
const GROUP_PARAMETERS = [
  "destination_number",
  "body",
  "source_name",
  "source_number",
  "require_dlr",
  "stealth_ping",
  "request_id",
] as const satisfies ReadonlyArray<keyof SmartSwitchSendQuery>;

const DEFAULT_MAX_URL_LENGTH = 8000;
const MAX_SENDER_NAME = 11;
const SENDER_NUMBER = /^\+?(\d{1,15})$/;
/** The spec's `destination_number` pattern. */
const DESTINATION_NUMBER = /^[1-9]\d{6,14}$/;

function misaligned(message: string): ValidationError {
  return new ValidationError({
    provider: PROVIDER,
    code: "RECIPIENT_GROUPS_MISALIGNED",
    message: `[smartswitch] ${message}`,
  });
}

/**
 * Serializes the query of `POST /api/message` recipient group by recipient group
 * (`destination_number=A&body=x&require_dlr=1&destination_number=B&body=y&require_dlr=1`), the only
 * order the SmartSwitch documentation shows. openapi-fetch's default writes all values of one name
 * first, which the documentation never shows. The client uses it for every call, `api` included.
 *
 * @throws {ValidationError} code `RECIPIENT_GROUPS_MISALIGNED` when an argument does not have exactly
 * one value per `destination_number`, or is not a per-recipient argument of the spec.
 */
export function serializeRecipientGroups(query: SmartSwitchSendQuery): string {
  const known = new Set<string>(GROUP_PARAMETERS);
  const unknown = Object.keys(query).filter((name) => !known.has(name));
  if (unknown.length > 0) throw misaligned(`unknown query arguments: ${unknown.join(", ")}`);
  const recipients = query.destination_number.length;
  const columns: Array<[string, ReadonlyArray<string | number>]> = [];
  for (const name of GROUP_PARAMETERS) {
    const values = query[name];
    if (values === undefined) continue;
    const list: ReadonlyArray<string | number> = Array.isArray(values) ? values : [values];
    if (list.length !== recipients) {
      throw misaligned(
        `${name} has ${list.length} values for ${recipients} recipients; the server pairs values with recipients by position, so give one per recipient or none`,
      );
    }
    columns.push([name, list]);
  }
  const pairs: string[] = [];
  for (let index = 0; index < recipients; index++) {
    for (const [name, values] of columns) pairs.push(`${name}=${encodeURIComponent(String(values[index]))}`);
  }
  return pairs.join("&");
}

function credentialsQuery(login: string, password: string): string {
  return `_login=${encodeURIComponent(login)}&_password=${encodeURIComponent(password)}`;
}

/** Recipient `index` (0-based) of a call, for messages. */
const nth = (index: number, count: number) => `recipient ${index + 1} of ${count}`;

function destinationOf(recipient: SmartSwitchRecipient, index: number, count: number): string {
  let digits: string;
  try {
    digits = e164Digits(recipient.to);
  } catch (error) {
    throw new InvalidRecipientError({
      provider: PROVIDER,
      code: isSmsKitError(error) ? error.code : "INVALID_E164",
      message: `[smartswitch] ${nth(index, count)}: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
  if (!DESTINATION_NUMBER.test(digits)) {
    throw new InvalidRecipientError({
      provider: PROVIDER,
      code: "INVALID_DESTINATION_NUMBER",
      message: `[smartswitch] ${nth(index, count)}: ${digits.length} digits, SmartSwitch takes 7 to 15`,
    });
  }
  return digits;
}

type Sender = { kind: "none" } | { kind: "source_name" | "source_number"; value: string };

function senderOf(from: string | undefined, index: number, count: number): Sender {
  if (from === undefined) return { kind: "none" };
  const invalid = (code: string, reason: string) =>
    new InvalidSenderError({
      provider: PROVIDER,
      code,
      message: `[smartswitch] ${nth(index, count)}: sender ${JSON.stringify(String(from).slice(0, 40))} ${reason}`,
    });
  if (typeof from !== "string") throw invalid("INVALID_SENDER", "is not a string");
  if (from.trim() === "") throw invalid("INVALID_SENDER", "is empty");
  const number = SENDER_NUMBER.exec(from);
  if (number) return { kind: "source_number", value: number[1] as string };
  if (/^\+?\d+$/.test(from)) throw invalid("SENDER_TOO_LONG", "has more than 15 digits");
  if (from.length > MAX_SENDER_NAME) {
    throw invalid("SENDER_TOO_LONG", `is longer than ${MAX_SENDER_NAME} characters, the GSM limit for names`);
  }
  return { kind: "source_name", value: from };
}

/** The query for `sendMessages`: every per-recipient argument for every recipient, so the groups stay aligned. */
function queryOf(recipients: readonly SmartSwitchRecipient[]): {
  query: SmartSwitchSendQuery;
  destinations: string[];
} {
  const count = recipients.length;
  const destinations = recipients.map((recipient, index) => destinationOf(recipient, index, count));
  const senders = recipients.map((recipient, index) => senderOf(recipient.from, index, count));
  const kinds = new Set(senders.map((sender) => sender.kind));
  if (kinds.size > 1) {
    throw misaligned(
      `senders differ in kind (${[...kinds].join(", ")}); in one call either every recipient has a sender name, or every one a sender number, or none has a sender, because it is not documented which recipient a lone source_name or source_number belongs to`,
    );
  }
  const bodies = recipients.map((recipient, index) => {
    if (typeof recipient.body !== "string") {
      throw new ValidationError({
        provider: PROVIDER,
        code: "INVALID_BODY",
        message: `[smartswitch] ${nth(index, count)}: body must be a string`,
      });
    }
    if (recipient.body === "" && recipient.stealthPing !== true) {
      throw new ValidationError({
        provider: PROVIDER,
        code: "EMPTY_BODY",
        message: `[smartswitch] ${nth(index, count)}: body is empty (allowed only for a stealth ping)`,
      });
    }
    return recipient.body;
  });
  const query: SmartSwitchSendQuery = {
    destination_number: destinations,
    body: bodies,
    require_dlr: recipients.map((recipient) => (recipient.requireDlr === true ? 1 : 0)),
    stealth_ping: recipients.map((recipient) => (recipient.stealthPing === true ? 1 : 0)),
  };
  const kind = senders[0]?.kind ?? "none";
  if (kind !== "none") {
    query[kind] = senders.map((sender) => (sender.kind === "none" ? "" : sender.value));
  }
  if (recipients.some((recipient) => recipient.requestId !== undefined)) {
    // The gateway's own two-recipient example echoes "1", "2" when no request_id was sent, so
    // recipients without one get their 1-based position; request_id is only echoed, never used to
    // match, so a collision with a caller's value is harmless.
    query.request_id = recipients.map((recipient, index) => recipient.requestId ?? String(index + 1));
  }
  return { query, destinations };
}

function isResource(value: unknown): value is SmartSwitchMessageResource {
  if (!value || typeof value !== "object") return false;
  const { id, attributes } = value as { id?: unknown; attributes?: unknown };
  if (typeof id !== "string" || id === "" || !attributes || typeof attributes !== "object") return false;
  const { destination_number, segments, status } = attributes as Record<string, unknown>;
  return (
    typeof destination_number === "string" &&
    typeof segments === "number" &&
    Number.isInteger(segments) &&
    segments >= 0 &&
    (status === "ok" || status === "error")
  );
}

function destinationOfItem(item: unknown): string | undefined {
  const attributes = (item as { attributes?: { destination_number?: unknown } } | null)?.attributes;
  return typeof attributes?.destination_number === "string" ? attributes.destination_number : undefined;
}

/**
 * The answer item for each recipient. The gateway documents one item per recipient in request order,
 * so with as many items as recipients the position decides (a `destination_number` that differs,
 * e.g. because the switch rewrote the number, is only logged: reporting a charged message as failed
 * invites sending it twice). With a different count positions prove nothing, so an item is matched
 * by `destination_number` only, and a recipient without one gets no item.
 */
function itemsByRecipient(
  destinations: readonly string[],
  items: readonly unknown[],
): { matched: Array<unknown | undefined>; positional: boolean } {
  if (items.length === destinations.length) return { matched: [...items], positional: true };
  const unclaimed = new Set(items.keys());
  const matched = destinations.map((destination) => {
    for (const index of unclaimed) {
      if (destinationOfItem(items[index]) === destination) {
        unclaimed.delete(index);
        return items[index];
      }
    }
    return undefined;
  });
  return { matched, positional: false };
}

/** The SmartSwitch HTTP API client: the typed `api`, and `sendMessages` for ordered multi-recipient sends. */
export function createSmartSwitchClient(options: SmartSwitchClientOptions) {
  const { login, password, baseUrl } = options;
  if (typeof login !== "string" || login.trim() === "") {
    throw new TypeError("[smartswitch] login is required");
  }
  if (typeof password !== "string" || password === "") {
    throw new TypeError("[smartswitch] password is required");
  }
  if (typeof baseUrl !== "string" || baseUrl.trim() === "") {
    throw new TypeError(
      "[smartswitch] baseUrl is required: every operator runs its own SmartSwitch server, so there is no default; use the URL your operator gives you (e.g. https://sms.your-operator.example)",
    );
  }
  const maxUrlLength = options.maxUrlLength ?? DEFAULT_MAX_URL_LENGTH;
  const credentials = credentialsQuery(login, password);
  const client = createApiClient<paths>({
    ...options,
    provider: PROVIDER,
    baseUrl,
    secrets: [login, password],
    // The only operation's argument order carries meaning, so every call (also through `api`) keeps it.
    querySerializer: (query) => serializeRecipientGroups(query as SmartSwitchSendQuery),
    // Credentials go first, as in every documented example; the query that openapi-fetch built
    // follows unchanged, so its group order is kept.
    authenticate(request) {
      const url = new URL(request.url);
      const rest = url.search.replace(/^\?/, "");
      url.search = rest === "" ? credentials : `${credentials}&${rest}`;
      return new Request(url, request);
    },
  });
  const { api, redactor } = client;

  const unexpected = (message: string, body: unknown, request: RequestInfo | undefined, status: number) =>
    new UnexpectedResponseError({
      provider: PROVIDER,
      status,
      request,
      body: redactDeep(body, redactor),
      message: `[smartswitch] ${message}${request ? ` (${request.method} ${request.url})` : ""}`,
    });

  async function sendMessages(recipients: readonly SmartSwitchRecipient[]): Promise<SmartSwitchSendReport> {
    if (!Array.isArray(recipients) || recipients.length === 0) {
      throw new ValidationError({
        provider: PROVIDER,
        code: "NO_RECIPIENTS",
        message: "[smartswitch] sendMessages needs at least one recipient",
      });
    }
    const { query, destinations } = queryOf(recipients);
    const search = serializeRecipientGroups(query);
    const urlLength = `${baseUrl.replace(/\/+$/, "")}/api/message?${credentials}&${search}`.length;
    if (urlLength > maxUrlLength) {
      throw new ValidationError({
        provider: PROVIDER,
        code: "URL_TOO_LONG",
        message: `[smartswitch] the request URL would be ${urlLength} characters, over the limit of ${maxUrlLength} (maxUrlLength); SmartSwitch takes every argument in the URL, so send fewer recipients or shorter texts per call`,
      });
    }

    const { data: document, response } = await unwrapWithResponse<unknown>(
      client,
      api.POST("/api/message", { params: { query } }),
      classifySmartSwitchError,
    );
    const { status } = response;
    const request = requestInfoOf(response);

    if (errorObjectsOf(document)) {
      throw classifySmartSwitchError({
        provider: PROVIDER,
        status,
        body: redactDeep(document, redactor),
        headers: response.headers,
        request,
        redactor,
      });
    }
    const data = (document as { data?: unknown } | null | undefined)?.data;
    if (!data || typeof data !== "object") {
      throw unexpected("the answer has neither `data` nor `errors`", document, request, status);
    }
    const items: unknown[] = Array.isArray(data) ? data : [data];
    const { matched, positional } = itemsByRecipient(destinations, items);

    const results = recipients.map((recipient, index): SmartSwitchRecipientResult => {
      const destinationNumber = destinations[index] as string;
      const item = matched[index];
      const failed = (
        error: SmsKitError,
        resource?: SmartSwitchMessageResource,
      ): SmartSwitchRecipientFailed => ({
        ok: false,
        to: recipient.to,
        destinationNumber,
        error,
        resource,
      });
      const where = nth(index, recipients.length);
      if (item === undefined) {
        return failed(
          unexpected(
            `the answer has ${items.length} results for ${recipients.length} recipients and none for ${where}; it may or may not have been sent, so do not resend it blindly`,
            document,
            request,
            status,
          ),
        );
      }
      if (!isResource(item)) {
        return failed(
          unexpected(
            `the result for ${where} is not a message resource with id and attributes; it may or may not have been sent`,
            item,
            request,
            status,
          ),
        );
      }
      if (positional && item.attributes.destination_number !== destinationNumber) {
        options.logger?.warn?.(
          `[smartswitch] the result for ${where} names another destination_number than was sent; attributed by position, as the API documents`,
        );
      }
      if (item.attributes.status === "error") {
        return failed(
          new MessageRejectedError({
            provider: PROVIDER,
            status,
            code: "error",
            request,
            body: redactDeep(item, redactor),
            message: `[smartswitch] ${where} was not sent (status "error": not sent, not charged; the gateway gives no reason)`,
          }),
          item,
        );
      }
      return {
        ok: true,
        to: recipient.to,
        destinationNumber,
        id: item.id,
        segments: item.attributes.segments,
        requestId: item.meta?.request_id,
        resource: item,
      };
    });
    return {
      allSent: results.every((result) => result.ok),
      results,
      raw: document as SmartSwitchMessageDataDocument,
    };
  }

  return {
    /**
     * The typed openapi-fetch client. It adds `_login`/`_password` itself and writes the query of
     * `/api/message` group by group (`serializeRecipientGroups`).
     */
    api,
    /**
     * Sends to one or several recipients in one `POST /api/message` and reports each recipient, in
     * order. A call can succeed for some recipients and fail for others: check `allSent`, or `ok` on
     * each result. Throws only when the request as a whole failed (errors document, HTTP error,
     * no answer) or the input is invalid (before sending).
     */
    sendMessages,
  };
}

export type SmartSwitchClient = ReturnType<typeof createSmartSwitchClient>;
