/**
 * Builds the typed openapi-fetch client every provider package exposes as `api`, and the helper
 * that turns its `{ data, error, response }` into "the typed body, or a typed error".
 */
import createClient, { type Client, type Middleware } from "openapi-fetch";
import { type SmsKitError, UnexpectedResponseError } from "./errors.js";
import type { RateLimit, RateLimiter } from "./rate-limit.js";
import { createRedactor, type Redactor } from "./redact.js";
import {
  createTransport,
  type FetchLike,
  type Logger,
  type RetryOptions,
  requestInfoOf,
} from "./transport.js";

/** The options every provider client accepts besides its credentials. */
export interface CommonClientOptions {
  /** Where the gateway (or a mock of it) lives. */
  baseUrl?: string;
  /** Replaces `globalThis.fetch`, e.g. to record requests in tests or to add a proxy. */
  fetch?: FetchLike;
  /** Per attempt, in milliseconds. Default 30 000. */
  timeoutMs?: number;
  /** Retry policy for answers that prove the gateway did not accept the request; `false` turns retries off. */
  retry?: RetryOptions | false;
  /**
   * Client-side throttle, e.g. `{ limit: 6, intervalMs: 60_000 }`; pass one `createRateLimiter()`
   * to several clients to share a budget. Requests wait their turn instead of being refused.
   */
  rateLimit?: RateLimit | RateLimiter;
  /** Receives retry notices; every line is redacted. */
  logger?: Logger;
}

export interface ApiClientConfig extends CommonClientOptions {
  provider: string;
  baseUrl: string;
  /** Every credential value the client holds, so no error or log line can contain one. */
  secrets: ReadonlyArray<string | undefined>;
  /** Puts the credentials on a request; may return a new Request (e.g. for query-string credentials). */
  authenticate(request: Request, schemaPath: string): Request | undefined;
  /**
   * Whether repeating this request after an ambiguous failure is harmless; `undefined` leaves the
   * default (reads yes, everything else no). A GET that sends an SMS must answer `false`.
   */
  isIdempotent?: (request: Request) => boolean | undefined;
  /** How every call serialises its query, for gateways whose parameter order carries meaning. */
  querySerializer?: (query: Record<string, unknown>) => string;
  isRefusedBeforeAccepting?: (response: Response) => Promise<boolean>;
  /** Test hooks for the backoff clock. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface ApiClient<Paths extends {}> {
  api: Client<Paths>;
  redactor: Redactor;
  provider: string;
}

/** Refuses a base URL that would send credentials in clear text to anything but this machine. */
export function assertSecureBaseUrl(provider: string, baseUrl: string): void {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError(`[${provider}] baseUrl is not an absolute URL: ${JSON.stringify(baseUrl)}`);
  }
  const loopback =
    ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname) || url.hostname.startsWith("127.");
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new TypeError(
      `[${provider}] baseUrl must use https (plain http is allowed only for loopback mock servers): ${url.origin}`,
    );
  }
}

export function createApiClient<Paths extends {}>(config: ApiClientConfig): ApiClient<Paths> {
  assertSecureBaseUrl(config.provider, config.baseUrl);
  const redactor = createRedactor(config.secrets);
  const transport = createTransport({
    provider: config.provider,
    redactor,
    fetch: config.fetch,
    timeoutMs: config.timeoutMs,
    retry: config.retry,
    rateLimit: config.rateLimit,
    logger: config.logger,
    isIdempotent: config.isIdempotent,
    isRefusedBeforeAccepting: config.isRefusedBeforeAccepting,
    sleep: config.sleep,
    random: config.random,
  });
  const api = createClient<Paths>({
    baseUrl: config.baseUrl.replace(/\/+$/, ""),
    fetch: transport,
    ...(config.querySerializer === undefined ? {} : { querySerializer: config.querySerializer }),
  });
  const auth: Middleware = {
    onRequest: ({ request, schemaPath }) => config.authenticate(request, schemaPath),
  };
  api.use(auth);
  return { api, redactor, provider: config.provider };
}

/** What a provider's error classifier receives for a non-2xx answer. */
export interface HttpFailure {
  provider: string;
  status: number;
  /** The parsed JSON body (or raw text when it was not JSON), already redacted. */
  body: unknown;
  headers: Headers;
  request: { method: string; url: string } | undefined;
  redactor: Redactor;
}

export type ErrorClassifier = (failure: HttpFailure) => SmsKitError;

/** Replaces secrets inside every string of a parsed body. */
export function redactDeep(value: unknown, redactor: Redactor): unknown {
  if (typeof value === "string") return redactor.text(value);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redactor));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactDeep(item, redactor)]));
  }
  return value;
}

/**
 * Awaits an openapi-fetch call and returns its typed 2xx body, or throws the provider's typed
 * error. A 2xx body that is not valid JSON becomes an {@link UnexpectedResponseError}.
 */
export async function unwrap<Data>(
  client: ApiClient<never> | { provider: string; redactor: Redactor },
  call: Promise<{ data?: Data; error?: unknown; response: Response }>,
  classify: ErrorClassifier,
): Promise<Data> {
  return (await unwrapWithResponse(client, call, classify)).data;
}

/**
 * {@link unwrap}, also returning the `Response`, for gateways whose 2xx answer still needs
 * classifying (websms `statusCode`, SmartSwitch `errors`) with the request it came from.
 */
export async function unwrapWithResponse<Data>(
  client: ApiClient<never> | { provider: string; redactor: Redactor },
  call: Promise<{ data?: Data; error?: unknown; response: Response }>,
  classify: ErrorClassifier,
): Promise<{ data: Data; response: Response }> {
  let result: { data?: Data; error?: unknown; response: Response };
  try {
    result = await call;
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw new UnexpectedResponseError({
        provider: client.provider,
        message: `[${client.provider}] the gateway answered with a body that is not valid JSON`,
        cause: new SyntaxError(client.redactor.text(error.message)),
      });
    }
    throw error;
  }
  const { response } = result;
  if (response.ok) return { data: result.data as Data, response };
  throw classify({
    provider: client.provider,
    status: response.status,
    body: redactDeep(result.error, client.redactor),
    headers: response.headers,
    request: requestInfoOf(response),
    redactor: client.redactor,
  });
}
