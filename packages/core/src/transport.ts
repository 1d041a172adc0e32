/**
 * The fetch every generated client uses underneath openapi-fetch's middleware: a per-attempt
 * timeout and retries that never send the same SMS twice.
 *
 * The rule (DESIGN.md): a request is repeated only when the gateway certainly did not accept it
 * (connection refused, 429, 503, a throttle code in the body), or when the request is idempotent
 * (reads, or a send the gateway de-duplicates). An ambiguous failure of a send — timeout or
 * connection lost after the request went out — becomes an {@link UnknownOutcomeError}.
 */
import { NetworkError, type RequestInfo, TimeoutError, UnknownOutcomeError } from "./errors.js";
import { createRateLimiter, type RateLimit, type RateLimiter } from "./rate-limit.js";
import type { Redactor } from "./redact.js";

export type FetchLike = (request: Request) => Promise<Response>;

export interface RetryOptions {
  /** Further attempts after the first one. Default 2. */
  maxRetries?: number;
  /** First backoff delay; doubles each attempt. Default 500 ms. */
  initialDelayMs?: number;
  /** Upper bound for a computed backoff delay. Default 8 s. */
  maxDelayMs?: number;
  /**
   * A `Retry-After` longer than this is not waited for: the error goes to the caller (who may fail
   * over) with `retryAfterMs` set. Default 60 s.
   */
  maxRetryAfterMs?: number;
}

export interface Logger {
  debug?(message: string): void;
  warn?(message: string): void;
}

export interface TransportOptions {
  provider: string;
  redactor: Redactor;
  fetch?: FetchLike | undefined;
  /** Per attempt. Default 30 s. */
  timeoutMs?: number | undefined;
  retry?: RetryOptions | false | undefined;
  /** Client-side throttle: a rate, or a limiter shared by several clients. Waiting does not count toward the timeout. */
  rateLimit?: RateLimit | RateLimiter | undefined;
  logger?: Logger | undefined;
  /**
   * Whether repeating this request after an ambiguous failure is harmless; `undefined` keeps the
   * default: reads are, everything else is not. A send is only when the gateway de-duplicates on a
   * reference the request carries; a GET that sends (websms `/smsmessaging/simple`) is not.
   */
  isIdempotent?: ((request: Request) => boolean | undefined) | undefined;
  /**
   * Whether an HTTP answer says the gateway refused the request before accepting it, in a way the
   * status alone does not show (websms answers throttling with HTTP 200 and `statusCode` 4023).
   * Receives a clone; reading its body is fine.
   */
  isRefusedBeforeAccepting?: ((response: Response) => Promise<boolean>) | undefined;
  /** Injected by tests so backoff needs no real waiting. */
  sleep?: ((ms: number) => Promise<void>) | undefined;
  random?: (() => number) | undefined;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_RETRY: Required<RetryOptions> = {
  maxRetries: 2,
  initialDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
};

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Error codes that prove the request never left this machine or never reached a server. */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

/** Failures the runtime reports before opening any connection (undici: blocked port, unparsable URL). */
const NOT_SENT_MESSAGES = /^(bad port|invalid url)|failed to parse url/i;

function refusedBeforeSending(error: unknown): boolean {
  const code = errorCode(error);
  if (code !== undefined && NOT_SENT_CODES.has(code)) return true;
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  return cause instanceof Error && NOT_SENT_MESSAGES.test(cause.message);
}

const requestInfoByResponse = new WeakMap<Response, RequestInfo>();

/** The redacted request that produced a response coming out of {@link createTransport}. */
export function requestInfoOf(response: Response): RequestInfo | undefined {
  return requestInfoByResponse.get(response);
}

/** Parses `Retry-After` (delta seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

function errorCode(error: unknown): string | undefined {
  // undici wraps the system error: TypeError("fetch failed") { cause: Error { code: "ECONNREFUSED" } }
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A copy of a caught error with credentials removed from its message; the original may quote the URL. */
function sanitizedCause(error: unknown, redactor: Redactor): Error {
  const message = error instanceof Error ? error.message : String(error);
  const copy = new Error(redactor.text(message));
  copy.name = error instanceof Error ? error.name : "Error";
  const code = errorCode(error);
  if (code) Object.assign(copy, { code });
  return copy;
}

/**
 * Follows the caller's signal and aborts after `ms`. Hand-rolled instead of
 * `AbortSignal.any([signal, AbortSignal.timeout(ms)])`: Node may garbage-collect such a combined
 * signal while a fetch still waits on it, and then the timeout never fires. `settled()` stops the
 * clock once the whole answer is in, so nothing per request outlives the request; the timer is
 * also unref'd, so it never keeps a finished process alive.
 */
function timeoutSignal(
  parent: AbortSignal,
  ms: number,
): { signal: AbortSignal; timedOut(): boolean; settled(): void } {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    parent.removeEventListener("abort", follow);
    controller.abort(new DOMException(`no answer within ${ms} ms`, "TimeoutError"));
  }, ms);
  (timer as { unref?: () => void }).unref?.();
  function follow() {
    clearTimeout(timer);
    controller.abort(parent.reason);
  }
  if (parent.aborted) follow();
  else parent.addEventListener("abort", follow, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    settled() {
      clearTimeout(timer);
      parent.removeEventListener("abort", follow);
    },
  };
}

/** Statuses whose Response may not carry a body. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * Settles with the fetch, or rejects as soon as `signal` aborts. The race is needed because a
 * Request built with `{ signal }` follows that signal only through a weak reference in undici: after
 * a garbage collection the abort may never reach the fetch, and a timeout would never fire.
 */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined); // its own rejection is superseded by the abort
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

export function createTransport(options: TransportOptions): FetchLike {
  const retry =
    options.retry === false ? { ...DEFAULT_RETRY, maxRetries: 0 } : { ...DEFAULT_RETRY, ...options.retry };
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const { provider, redactor, logger } = options;
  const limiter =
    options.rateLimit === undefined
      ? undefined
      : "acquire" in options.rateLimit
        ? options.rateLimit
        : createRateLimiter(options.rateLimit);

  const backoff = (retryIndex: number): number => {
    const base = Math.min(retry.maxDelayMs, retry.initialDelayMs * 2 ** retryIndex);
    return Math.round(base * (1 - 0.25 * random()));
  };

  return async function transport(request: Request): Promise<Response> {
    const fetchImpl = options.fetch ?? globalThis.fetch;
    const info: RequestInfo = { method: request.method, url: redactor.url(request.url) };
    const idempotent = options.isIdempotent?.(request) ?? SAFE_METHODS.has(request.method);
    const describe = `${info.method} ${info.url}`;
    // Read once and reuse: cheaper than cloning (teeing) the stream for every attempt.
    const body = request.body === null ? null : await request.arrayBuffer();

    for (let attempt = 0; ; attempt++) {
      const retriesLeft = attempt < retry.maxRetries;
      await limiter?.acquire(request.signal);
      const attemptSignal = timeoutSignal(request.signal, timeoutMs);
      let response: Response;
      try {
        const attemptRequest = new Request(request, { body, signal: attemptSignal.signal });
        const answer = await untilAborted(fetchImpl(attemptRequest), attemptSignal.signal);
        // The whole answer is read under the same clock, so a stalled body times out too; gateway
        // answers are small. Afterwards the clock stops.
        const payload = await untilAborted(answer.arrayBuffer(), attemptSignal.signal);
        attemptSignal.settled();
        response = new Response(NULL_BODY_STATUSES.has(answer.status) ? null : payload, {
          status: answer.status,
          statusText: answer.statusText,
          headers: answer.headers,
        });
      } catch (error) {
        attemptSignal.settled();
        if (request.signal.aborted) throw error; // the caller cancelled: not ours to classify
        const timedOut = attemptSignal.timedOut();
        const code = errorCode(error);
        const notSent = !timedOut && refusedBeforeSending(error);
        const cause = sanitizedCause(error, redactor);
        const failure = timedOut
          ? new TimeoutError({
              provider,
              message: `[${provider}] no answer within ${timeoutMs} ms (${describe})`,
              request: info,
              timeoutMs,
              cause,
            })
          : new NetworkError({
              provider,
              message: `[${provider}] connection failed${code ? ` (${code})` : ""} (${describe})`,
              request: info,
              code,
              mayHaveReachedGateway: !notSent,
              cause,
            });
        if (!notSent && !idempotent) {
          throw new UnknownOutcomeError({
            provider,
            message: `[${provider}] the request may have reached the gateway, but no answer arrived (${failure.message}); it was not repeated, to avoid sending twice`,
            request: info,
            cause: failure,
          });
        }
        if (!retriesLeft) throw failure;
        const delay = backoff(attempt);
        logger?.warn?.(
          `[${provider}] ${failure.message}; retry ${attempt + 1}/${retry.maxRetries} in ${delay} ms`,
        );
        await sleep(delay);
        continue;
      }

      requestInfoByResponse.set(response, info);
      const refused =
        response.status === 429 ||
        response.status === 503 ||
        (options.isRefusedBeforeAccepting !== undefined &&
          (await options.isRefusedBeforeAccepting(response.clone())));
      const retryableServerError = idempotent && response.status >= 500;
      if (!retriesLeft || !(refused || retryableServerError)) return response;

      const retryAfter = parseRetryAfter(response.headers.get("retry-after"));
      if (retryAfter !== undefined && retryAfter > retry.maxRetryAfterMs) return response;
      const delay = retryAfter ?? backoff(attempt);
      logger?.warn?.(
        `[${provider}] ${describe} answered ${response.status}; retry ${attempt + 1}/${retry.maxRetries} in ${delay} ms`,
      );
      await response.body?.cancel();
      await sleep(delay);
    }
  };
}
