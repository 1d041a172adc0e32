import {
  type CommonClientOptions,
  ConfigurationError,
  createApiClient,
  dataOf,
  InvalidRecipientError,
  parseSender,
  requireCredential,
  type Sender,
  ValidationError,
} from "@smskit/core";
import { classifySmartSwitchAnswer } from "./errors.js";
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
  /** E.164, e.g. `+4712345678`; sent as `destination_number` without the `+`. */
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

export interface SmartSwitchSendReport {
  /**
   * The answer's resources, always as a list. SmartSwitch documents one per recipient in the order
   * sent; `smartSwitch()` turns them into per-message outcomes.
   */
  messages: unknown[];
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
/** The spec's `destination_number` pattern, after the `+`. */
const E164 = /^\+([1-9]\d{6,14})$/;

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

const nth = (index: number, count: number) => `recipient ${index + 1} of ${count}`;

/** A recipient's own group of query arguments, checked against the spec. */
function groupOf(
  recipient: SmartSwitchRecipient,
  index: number,
  count: number,
): { destination: string; sender: Sender | undefined } {
  const destination = typeof recipient?.to === "string" ? E164.exec(recipient.to)?.[1] : undefined;
  if (destination === undefined) {
    throw new InvalidRecipientError({
      provider: PROVIDER,
      code: "INVALID_DESTINATION_NUMBER",
      details: { field: `recipients[${index}].to` },
      message: `[smartswitch] ${nth(index, count)}: to must be E.164 (+ then 7 to 15 digits, e.g. +4712345678)`,
    });
  }
  if (typeof recipient.body !== "string" || (recipient.body === "" && recipient.stealthPing !== true)) {
    throw new ValidationError({
      provider: PROVIDER,
      code: "INVALID_BODY",
      details: { field: `recipients[${index}].body` },
      message: `[smartswitch] ${nth(index, count)}: body must be a non-empty text (empty only for a stealth ping)`,
    });
  }
  return {
    destination,
    sender: recipient.from === undefined ? undefined : parseSender(PROVIDER, recipient.from),
  };
}

/** The query for `sendMessages`: every per-recipient argument for every recipient, so the groups stay aligned. */
export function queryOf(recipients: readonly SmartSwitchRecipient[]): SmartSwitchSendQuery {
  const count = recipients.length;
  const groups = recipients.map((recipient, index) => groupOf(recipient, index, count));
  const kinds = new Set(groups.map((group) => group.sender?.kind ?? "none"));
  if (kinds.size > 1) {
    throw misaligned(
      `senders differ in kind (${[...kinds].join(", ")}); in one call either every recipient has a sender name, or every one a sender number, or none has a sender, because it is not documented which recipient a lone source_name or source_number belongs to`,
    );
  }
  const query: SmartSwitchSendQuery = {
    destination_number: groups.map((group) => group.destination),
    body: recipients.map((recipient) => recipient.body),
    require_dlr: recipients.map((recipient) => (recipient.requireDlr === true ? 1 : 0)),
    stealth_ping: recipients.map((recipient) => (recipient.stealthPing === true ? 1 : 0)),
  };
  const senders = groups.map((group) => group.sender);
  if (senders[0]?.kind === "name")
    query.source_name = senders.map((sender) => (sender?.kind === "name" ? sender.name : ""));
  if (senders[0]?.kind === "number")
    query.source_number = senders.map((sender) => (sender?.kind === "number" ? sender.digits : ""));
  if (recipients.some((recipient) => recipient.requestId !== undefined)) {
    // The gateway's own two-recipient example echoes "1", "2" when no request_id was sent, so
    // recipients without one get their 1-based position; request_id is only echoed, never used to
    // match, so a collision with a caller's value is harmless.
    query.request_id = recipients.map((recipient, index) => recipient.requestId ?? String(index + 1));
  }
  return query;
}

/** The SmartSwitch HTTP API client: the typed `api`, and `sendMessages` for ordered multi-recipient sends. */
export function createSmartSwitchClient(options: SmartSwitchClientOptions) {
  const given = (options ?? {}) as Partial<SmartSwitchClientOptions>;
  const login = requireCredential(PROVIDER, "login", given.login, "query");
  const password = requireCredential(PROVIDER, "password", given.password, "query");
  const maxUrlLength = given.maxUrlLength ?? DEFAULT_MAX_URL_LENGTH;
  if (!Number.isSafeInteger(maxUrlLength) || maxUrlLength < 100) {
    throw new ConfigurationError({
      provider: PROVIDER,
      code: "INVALID_OPTION",
      details: { option: "maxUrlLength" },
      message: "[smartswitch] maxUrlLength must be a whole number of at least 100",
    });
  }
  const credentials = `_login=${encodeURIComponent(login)}&_password=${encodeURIComponent(password)}`;
  const client = createApiClient<paths>(
    {
      provider: PROVIDER,
      baseUrlRequired:
        "every operator runs its own SmartSwitch server, so there is no default; use the URL your operator gives you (e.g. https://sms.your-operator.example)",
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
      classify: classifySmartSwitchAnswer,
    },
    options,
  );
  const { api } = client;
  const fixedLength = `${client.baseUrl}/api/message?${credentials}`.length;

  /** The URL length a call with these recipients builds, credentials included. */
  const urlLength = (recipients: readonly SmartSwitchRecipient[]): number =>
    fixedLength + 1 + serializeRecipientGroups(queryOf(recipients)).length;

  return {
    /**
     * The typed openapi-fetch client. It adds `_login`/`_password` itself and writes the query of
     * `/api/message` group by group (`serializeRecipientGroups`); failures throw the same typed errors.
     */
    api,
    maxUrlLength,
    urlLength,
    /**
     * Sends to one or several recipients in one `POST /api/message`. Resolves to the answer's
     * resources as a list (one per recipient, in order, as SmartSwitch documents); a resource's
     * `attributes.status` is `"error"` for a recipient that was not sent. Throws when the request
     * as a whole failed, or before sending when the input is invalid or the URL too long.
     */
    async sendMessages(recipients: readonly SmartSwitchRecipient[]): Promise<SmartSwitchSendReport> {
      if (!Array.isArray(recipients) || recipients.length === 0) {
        throw new ValidationError({
          provider: PROVIDER,
          code: "NO_RECIPIENTS",
          details: { field: "recipients" },
          message: "[smartswitch] sendMessages needs at least one recipient",
        });
      }
      const query = queryOf(recipients);
      const length = fixedLength + 1 + serializeRecipientGroups(query).length;
      if (length > maxUrlLength) {
        throw new ValidationError({
          provider: PROVIDER,
          code: "URL_TOO_LONG",
          details: { urlLength: length, maxUrlLength },
          message: `[smartswitch] the request URL would be ${length} characters, over the limit of ${maxUrlLength} (maxUrlLength); SmartSwitch takes every argument in the URL, so send fewer recipients or shorter texts per call`,
        });
      }
      const document = (await dataOf(
        client,
        api.POST("/api/message", { params: { query } }),
      )) as SmartSwitchMessageDataDocument;
      const data = (document as { data: unknown }).data;
      return { messages: Array.isArray(data) ? data : [data], raw: document };
    },
  };
}

export type SmartSwitchClient = ReturnType<typeof createSmartSwitchClient>;
