/**
 * One gateway answer as every provider's classifier sees it, and the helpers that turn it into a
 * typed error. Each client declares once how its gateway's answers are classified (status + body
 * → success, or a typed error, including errors inside a 2xx); the transport asks that classifier
 * about every answer, so a retry decision and the error the caller sees come from the same place.
 */
import {
  AuthenticationError,
  InsufficientCreditError,
  NotFoundError,
  RateLimitError,
  type RequestInfo,
  ServerError,
  ServiceUnavailableError,
  type SmsKitError,
  type SmsKitErrorInit,
  UnexpectedResponseError,
  UnknownOutcomeError,
  ValidationError,
} from "./errors.js";
import { type Redactor, redactDeep } from "./redact.js";

/** The operation a request belongs to, as the spec names it. */
export interface Operation {
  method: string;
  /** The spec's path template, e.g. `/api/v1/messages/send`. */
  path: string;
  /** Whether it sends a message: never repeated after an ambiguous failure. */
  sends: boolean;
}

export interface Answer {
  provider: string;
  operation: Operation;
  status: number;
  headers: Headers;
  /** The body as text (bounded by `maxResponseBytes`). */
  text: string;
  /** The body parsed as JSON; `undefined` when it is empty or not JSON. */
  readonly json: unknown;
  /** The request, with every credential removed. */
  readonly request: RequestInfo;
  /** `json` (or `text` when not JSON) with every credential removed, for attaching to errors. */
  readonly redactedBody: unknown;
  redactor: Redactor;
}

/** Decides what an answer means: `undefined` for success, or the typed error it stands for. */
export type AnswerClassifier = (answer: Answer) => SmsKitError | undefined;

export function createAnswer(
  init: Pick<Answer, "provider" | "operation" | "status" | "headers" | "text" | "redactor"> & { url: string },
): Answer {
  let parsed: { value: unknown } | undefined;
  let request: RequestInfo | undefined;
  let redacted: { value: unknown } | undefined;
  const json = (): unknown => {
    if (parsed === undefined) {
      let value: unknown;
      const trimmed = init.text.trim();
      if (trimmed !== "") {
        try {
          value = JSON.parse(trimmed);
        } catch {
          value = undefined;
        }
      }
      parsed = { value };
    }
    return parsed.value;
  };
  return {
    provider: init.provider,
    operation: init.operation,
    status: init.status,
    headers: init.headers,
    text: init.text,
    redactor: init.redactor,
    get json() {
      return json();
    },
    // Redacted on first use only: an answer that is a success never needs it.
    get request() {
      request ??= { method: init.operation.method, url: init.redactor.url(init.url) };
      return request;
    },
    get redactedBody() {
      redacted ??= { value: redactDeep(json() ?? init.text, init.redactor) };
      return redacted.value;
    },
  };
}

/** Parses `Retry-After` (delta seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // An HTTP date names its day and month; Date.parse would also read "-1" or "7" as years.
  if (!/[A-Za-z]/.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export interface ProviderErrorFields {
  code?: string | number | undefined;
  message?: string | undefined;
  details?: unknown;
  /** When the body says how long to wait (Digify `retryAfter`), in milliseconds; the header wins otherwise. */
  retryAfterMs?: number | undefined;
}

interface MockViolation {
  location?: unknown;
  message?: unknown;
}

/**
 * Prism (our contract mocks, and users' own) answers every invalid request with the spec's canned
 * example and puts the real reasons in `sl-violations`; without this the error would repeat a
 * reason that has nothing to do with the request.
 */
function mockViolations(headers: Headers): string[] | undefined {
  const header = headers.get("sl-violations");
  if (header === null) return undefined;
  try {
    const parsed = JSON.parse(header) as MockViolation[];
    if (!Array.isArray(parsed)) return undefined;
    return parsed.map((violation) =>
      [Array.isArray(violation.location) ? violation.location.join(".") : undefined, violation.message]
        .filter((part): part is string => typeof part === "string" && part !== "")
        .join(": "),
    );
  } catch {
    return undefined;
  }
}

/** The fields every error built from an answer carries, so a provider can pick the class itself. */
export function httpFailureInit(answer: Answer, fields: ProviderErrorFields = {}): SmsKitErrorInit {
  const { provider, status, redactor } = answer;
  const providerMessage = fields.message === undefined ? undefined : redactor.text(fields.message);
  const violations = mockViolations(answer.headers)?.map((violation) => redactor.text(violation));
  // Details come from the answer too (validation findings echo what was sent): redacted like the body.
  const details = fields.details === undefined ? undefined : redactDeep(fields.details, redactor);
  const codePart = fields.code === undefined ? "" : ` ${fields.code}`;
  const messagePart = providerMessage ? `: ${providerMessage}` : "";
  const mockPart = violations && violations.length > 0 ? ` [mock: ${violations.join("; ")}]` : "";
  const { request } = answer;
  return {
    provider,
    status,
    code: fields.code,
    providerMessage,
    details:
      violations === undefined
        ? details
        : { violations, ...(details === undefined ? {} : { gateway: details }) },
    body: answer.redactedBody,
    request,
    message: `[${provider}] HTTP ${status}${codePart}${messagePart}${mockPart} (${request.method} ${request.url})`,
  };
}

/**
 * The error class an HTTP status stands for, when the gateway's own code does not say more.
 * Providers call this after pulling code and message out of their error envelope.
 */
export function errorFromHttpStatus(answer: Answer, fields: ProviderErrorFields = {}): SmsKitError {
  const { status } = answer;
  const init = httpFailureInit(answer, fields);
  if (status === 401 || status === 403) return new AuthenticationError(init);
  if (status === 402) return new InsufficientCreditError(init);
  if (status === 404) return new NotFoundError(init);
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(answer.headers.get("retry-after")) ?? fields.retryAfterMs;
    return new RateLimitError({ ...init, retryAfterMs });
  }
  if (status === 503) return new ServiceUnavailableError(init);
  if (status >= 500) return new ServerError(init);
  if (status >= 400) return new ValidationError(init);
  return new UnexpectedResponseError(init);
}

/**
 * A 2xx answer that does not have the shape the spec promises. For a send the gateway may have
 * accepted the message, so it is an {@link UnknownOutcomeError} (never resent, never "accepted"
 * with holes); for a read it is an {@link UnexpectedResponseError}.
 */
export function malformedAnswer(answer: Answer, what: string): SmsKitError {
  const { provider, status, request } = answer;
  const init: SmsKitErrorInit = {
    provider,
    status,
    request,
    body: answer.redactedBody,
    code: "MALFORMED_ANSWER",
    message: answer.operation.sends
      ? `[${provider}] HTTP ${status} but ${what}; the gateway may have accepted the message, so it is not repeated (${request.method} ${request.url})`
      : `[${provider}] HTTP ${status} but ${what} (${request.method} ${request.url})`,
  };
  return answer.operation.sends ? new UnknownOutcomeError(init) : new UnexpectedResponseError(init);
}

/** Whether a value is a plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
