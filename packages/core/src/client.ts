/**
 * Builds the typed openapi-fetch client every provider package exposes as `api`. A provider
 * declares once what is particular to its gateway (a {@link GatewayDefinition}: credentials, which
 * operations send, how its answers are classified); everything else — options, the https rule,
 * redaction, timeouts, retries, the answer cap — is the same for all four and lives here.
 */
import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { AnswerClassifier, Operation } from "./answer.js";
import { type Clock, realClock } from "./clock.js";
import { ConfigurationError, UnexpectedResponseError } from "./errors.js";
import { createRateLimiter, type RateLimit, type RateLimiter } from "./rate-limit.js";
import { createRedactor, type Redactor } from "./redact.js";
import { hasLoneSurrogate } from "./segments.js";
import {
  BODY_SOURCE,
  createTransport,
  type FetchLike,
  type Logger,
  OPERATION,
  type RetryOptions,
} from "./transport.js";
import { checkBaseUrl } from "./url.js";

/** The options every provider client accepts besides its credentials. */
export interface CommonClientOptions {
  /** Where the gateway (or a mock of it) lives: https, or http to a loopback host. */
  baseUrl?: string;
  /** Replaces `globalThis.fetch`, e.g. to record requests in tests or to add a proxy. Called as `fetch(request, { signal })`. */
  fetch?: FetchLike;
  /** Per attempt, in milliseconds: the whole answer must be in by then. Default 30 000. */
  timeoutMs?: number;
  /**
   * For the whole call, in milliseconds: every attempt and every wait between attempts
   * (backoff, `Retry-After`). A retry starts only if its whole `timeoutMs` still fits. Waiting for
   * the client's own `rateLimit` does not count: the call starts when its turn comes. Default 90 000.
   */
  deadlineMs?: number;
  /** Largest answer read, in bytes; a larger one is a typed error (for a send: an unknown outcome). Default 1 MiB. */
  maxResponseBytes?: number;
  /** Retry policy for answers that prove the gateway did not accept the request; `false` turns retries off. */
  retry?: RetryOptions | false;
  /**
   * Client-side throttle, e.g. `{ limit: 6, intervalMs: 60_000 }`: at most `limit` requests start in
   * any `intervalMs`. Pass one `createRateLimiter()` to several clients to share a budget. Requests
   * wait their turn instead of being refused.
   */
  rateLimit?: RateLimit | RateLimiter;
  /** Receives retry notices; every line is redacted. */
  logger?: Logger;
  /** Time for backoff and deadlines; tests inject a fake one. */
  clock?: Clock;
  /** Jitter source for backoff; tests inject a fixed one. */
  random?: () => number;
}

/** What a provider package declares about its gateway, once. */
export interface GatewayDefinition {
  provider: string;
  /** The production URL; absent for gateways where every customer has their own (baseUrl is then required). */
  defaultBaseUrl?: string | undefined;
  /** Said when `baseUrl` is missing and there is no default. */
  baseUrlRequired?: string | undefined;
  /** Every credential value the client holds, so no error or log line can contain one. */
  secrets: ReadonlyArray<string | undefined>;
  /** Puts the credentials on a request; may return a new Request (e.g. for query-string credentials). */
  authenticate(request: Request, operation: Operation): Request | undefined;
  /** Whether an operation sends a message. Default: everything but GET and HEAD. */
  sends?(method: string, path: string): boolean;
  /** How the gateway's answers are classified, 2xx included. */
  classify: AnswerClassifier;
  /** How every call serialises its query, for gateways whose parameter order carries meaning. */
  querySerializer?: ((query: Record<string, unknown>) => string) | undefined;
}

export interface ApiClient<Paths extends {}> {
  api: Client<Paths>;
  redactor: Redactor;
  provider: string;
  /** The checked base URL, without a trailing slash. */
  baseUrl: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_DEADLINE_MS = 90_000;
const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
/** setTimeout's ceiling; a larger delay fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const DEFAULT_RETRY: Required<RetryOptions> = {
  maxRetries: 2,
  initialDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
};

function misconfigured(provider: string, option: string, message: string): ConfigurationError {
  return new ConfigurationError({
    provider,
    code: "INVALID_OPTION",
    details: { option },
    message: `[${provider}] ${option} ${message}`,
  });
}

function wholeNumber(
  provider: string,
  option: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw misconfigured(
      provider,
      option,
      `must be a whole number from ${min} to ${max}, got ${String(value)}`,
    );
  }
  return value;
}

function retryPolicy(provider: string, retry: unknown): Required<RetryOptions> {
  if (retry === false) return { ...DEFAULT_RETRY, maxRetries: 0 };
  if (retry === undefined) return DEFAULT_RETRY;
  if (retry === null || typeof retry !== "object")
    throw misconfigured(provider, "retry", "must be an object or false");
  const given = retry as RetryOptions;
  return {
    maxRetries: wholeNumber(provider, "retry.maxRetries", given.maxRetries, DEFAULT_RETRY.maxRetries, 0, 10),
    initialDelayMs: wholeNumber(
      provider,
      "retry.initialDelayMs",
      given.initialDelayMs,
      DEFAULT_RETRY.initialDelayMs,
      0,
      MAX_TIMER_MS,
    ),
    maxDelayMs: wholeNumber(
      provider,
      "retry.maxDelayMs",
      given.maxDelayMs,
      DEFAULT_RETRY.maxDelayMs,
      0,
      MAX_TIMER_MS,
    ),
    maxRetryAfterMs: wholeNumber(
      provider,
      "retry.maxRetryAfterMs",
      given.maxRetryAfterMs,
      DEFAULT_RETRY.maxRetryAfterMs,
      0,
      MAX_TIMER_MS,
    ),
  };
}

function limiterOf(provider: string, rateLimit: unknown): RateLimiter | undefined {
  if (rateLimit === undefined) return undefined;
  if (
    rateLimit !== null &&
    typeof rateLimit === "object" &&
    typeof (rateLimit as RateLimiter).acquire === "function"
  ) {
    return rateLimit as RateLimiter;
  }
  try {
    return createRateLimiter(rateLimit as RateLimit);
  } catch {
    throw misconfigured(
      provider,
      "rateLimit",
      "must be { limit, intervalMs } with a positive whole limit, or a createRateLimiter()",
    );
  }
}

/** A Request that remembers the serialised body it was built from, so a retry can send it again for free. */
let SourceRequest: typeof Request | undefined;
function sourceRequestClass(): typeof Request {
  SourceRequest ??= class extends Request {
    constructor(input: RequestInfo | URL, init?: RequestInit) {
      super(input, init);
      (this as { [BODY_SOURCE]?: unknown })[BODY_SOURCE] = init?.body ?? null;
    }
  };
  return SourceRequest;
}

/**
 * What fetch lets into a header unchanged: Latin-1 without control characters, no surrounding
 * whitespace (it would be trimmed). Anything else makes every send throw a TypeError that quotes
 * the header's value, so it is refused at construction instead.
 */
const HEADER_SAFE = /^[\x21-\x7e\x80-\xff](?:[\t\x20-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?$/;

/**
 * Checks a credential option where the client is built; the message names the option, never its
 * value. `travels` says where it goes: a header takes only what fetch lets through unchanged, a
 * query string anything `encodeURIComponent` can encode.
 */
export function requireCredential(
  provider: string,
  option: string,
  value: unknown,
  travels: "header" | "query",
  hint = "",
): string {
  const fail = (code: string, message: string) =>
    new ConfigurationError({
      provider,
      code,
      details: { option },
      message: `[${provider}] ${option} ${message}`,
    });
  if (typeof value !== "string" || value.trim() === "") {
    throw fail("MISSING_CREDENTIAL", `is required and must be a non-empty string${hint}`);
  }
  if (travels === "header" && !HEADER_SAFE.test(value)) {
    throw fail(
      "INVALID_CREDENTIAL",
      "must be Latin-1 text without control characters or surrounding spaces, as an HTTP header requires",
    );
  }
  if (travels === "query" && hasLoneSurrogate(value)) {
    throw fail("INVALID_CREDENTIAL", "contains a lone surrogate, which no URL can carry");
  }
  return value;
}

/**
 * @throws {ConfigurationError} for a wrong option (it names the option and never quotes a secret).
 */
export function createApiClient<Paths extends {}>(
  definition: GatewayDefinition,
  options: CommonClientOptions = {},
): ApiClient<Paths> {
  const { provider } = definition;
  if (options === null || typeof options !== "object")
    throw misconfigured(provider, "options", "must be an object");
  // An empty string is what an unset environment variable gives: as missing as undefined.
  if ((options.baseUrl === undefined || options.baseUrl === "") && definition.defaultBaseUrl === undefined) {
    throw new ConfigurationError({
      provider,
      code: "MISSING_BASE_URL",
      details: { option: "baseUrl" },
      message: `[${provider}] baseUrl is required${definition.baseUrlRequired ? `: ${definition.baseUrlRequired}` : ""}`,
    });
  }
  const baseUrl = checkBaseUrl(provider, options.baseUrl ?? definition.defaultBaseUrl).href.replace(
    /\/+$/,
    "",
  );
  if (options.fetch !== undefined && typeof options.fetch !== "function")
    throw misconfigured(provider, "fetch", "must be a function");
  if (options.logger !== undefined && typeof options.logger?.warn !== "function") {
    throw misconfigured(provider, "logger", "must have a warn(message) method");
  }
  const timeoutMs = wholeNumber(
    provider,
    "timeoutMs",
    options.timeoutMs,
    DEFAULT_TIMEOUT_MS,
    1,
    MAX_TIMER_MS,
  );
  const deadlineMs = wholeNumber(
    provider,
    "deadlineMs",
    options.deadlineMs,
    Math.max(DEFAULT_DEADLINE_MS, timeoutMs),
    1,
    MAX_TIMER_MS,
  );
  const maxResponseBytes = wholeNumber(
    provider,
    "maxResponseBytes",
    options.maxResponseBytes,
    DEFAULT_MAX_RESPONSE_BYTES,
    1,
    2 ** 30,
  );
  const redactor = createRedactor(definition.secrets);
  const sends = definition.sends ?? ((method: string) => method !== "GET" && method !== "HEAD");

  const transport = createTransport({
    provider,
    redactor,
    fetch: options.fetch,
    timeoutMs,
    deadlineMs,
    maxResponseBytes,
    retry: retryPolicy(provider, options.retry),
    limiter: limiterOf(provider, options.rateLimit),
    logger: options.logger,
    classify: definition.classify,
    clock: options.clock ?? realClock,
    random: options.random ?? Math.random,
  });
  const api = createClient<Paths>({
    baseUrl,
    fetch: transport as (request: Request) => Promise<Response>,
    Request: sourceRequestClass(),
    // Redirects are the transport's decision: a send never follows one, a read only to the same origin.
    redirect: "manual",
    ...(definition.querySerializer === undefined ? {} : { querySerializer: definition.querySerializer }),
  });
  const tagging: Middleware = {
    onRequest({ request, schemaPath }) {
      const operation: Operation = {
        method: request.method,
        path: schemaPath,
        sends: sends(request.method, schemaPath),
      };
      const tagged = request as Request & { [OPERATION]?: Operation; [BODY_SOURCE]?: unknown };
      tagged[OPERATION] = operation;
      const authenticated = definition.authenticate(request, operation);
      if (authenticated === undefined || authenticated === request) return request;
      // openapi-fetch accepts only an instance of the Request class it was given.
      const RequestClass = sourceRequestClass();
      const replacement = (
        authenticated instanceof RequestClass ? authenticated : new RequestClass(authenticated)
      ) as typeof tagged;
      replacement[OPERATION] = operation;
      replacement[BODY_SOURCE] ??= tagged[BODY_SOURCE];
      return replacement;
    },
  };
  api.use(tagging);
  return { api, redactor, provider, baseUrl };
}

/**
 * The typed 2xx body of an openapi-fetch call made through {@link createApiClient}. Failures never
 * come back as values: the transport throws the typed error the gateway's classifier chose.
 */
export async function dataOf<Data>(
  client: { provider: string; redactor: Redactor },
  call: Promise<{ data?: Data; error?: unknown; response: Response }>,
): Promise<Data> {
  try {
    return (await call).data as Data;
  } catch (error) {
    // The classifier accepted a body openapi-fetch cannot parse: a bug in the classifier, kept typed.
    if (error instanceof SyntaxError) {
      throw new UnexpectedResponseError({
        provider: client.provider,
        code: "MALFORMED_ANSWER",
        message: `[${client.provider}] the gateway answered with a body that is not valid JSON`,
        cause: new SyntaxError(client.redactor.text(error.message)),
      });
    }
    throw error;
  }
}
