/**
 * The fetch every generated client uses underneath openapi-fetch's middleware: a per-attempt
 * timeout, an overall deadline, a bounded answer, and retries that never send the same SMS twice.
 *
 * The rule (DESIGN.md): a request is repeated only when the gateway certainly did not accept it
 * (connection refused, 429, 503, a throttle code in the body), or when repeating it is harmless
 * (reads). An ambiguous failure of a send — timeout or connection lost after the request went out —
 * becomes an {@link UnknownOutcomeError}. The decisions are small pure functions (`shouldRetry`,
 * `retryDelay`, `classifyFetchFailure`) around one short loop, so each can be tested on its own.
 */
import { type AnswerClassifier, createAnswer, errorFromHttpStatus, type Operation } from "./answer.js";
import { type Clock, realTimer } from "./clock.js";
import {
  NetworkError,
  RedirectError,
  ServerError,
  type SmsKitError,
  TimeoutError,
  UnexpectedResponseError,
  UnknownOutcomeError,
} from "./errors.js";
import type { RateLimiter } from "./rate-limit.js";
import type { Redactor } from "./redact.js";
import { isSecureUrl } from "./url.js";

/**
 * Called as `fetch(request, { signal })`: a wrapper must pass the signal on (or the timeout cannot
 * abort the connection; the transport still gives up on time).
 */
export type FetchLike = (request: Request, init?: { signal?: AbortSignal }) => Promise<Response>;

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
  warn(message: string): void;
}

export interface TransportConfig {
  provider: string;
  redactor: Redactor;
  fetch: FetchLike | undefined;
  timeoutMs: number;
  deadlineMs: number;
  maxResponseBytes: number;
  retry: Required<RetryOptions>;
  limiter: RateLimiter | undefined;
  logger: Logger | undefined;
  classify: AnswerClassifier;
  clock: Clock;
  random: () => number;
}

/** How a request names its operation to the transport (set by the client's middleware). */
export const OPERATION = Symbol.for("smskit.operation");
/** The serialised body a request was built from, so a retry needs no read of the original stream. */
export const BODY_SOURCE = Symbol.for("smskit.bodySource");

type TaggedRequest = Request & { [OPERATION]?: Operation; [BODY_SOURCE]?: BodyInit | null };

/** Error codes that prove the request never left this machine or never reached a server. */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);
/** Failures the runtime reports before opening any connection (undici: blocked port, unparsable URL). */
const NOT_SENT_MESSAGES = /^(bad port|invalid url)|failed to parse url/i;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
const MAX_REDIRECTS = 5;

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

function refusedBeforeSending(error: unknown): boolean {
  const code = errorCode(error);
  if (code !== undefined && NOT_SENT_CODES.has(code)) return true;
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  return cause instanceof Error && NOT_SENT_MESSAGES.test(cause.message);
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

class ResponseTooLarge extends Error {}

/**
 * What a failure to get an answer means: a {@link TimeoutError}, or a {@link NetworkError} that
 * says whether the request may have reached the gateway.
 */
export function classifyFetchFailure(
  error: unknown,
  context: {
    provider: string;
    timedOut: boolean;
    timeoutMs: number;
    request: () => { method: string; url: string };
    redactor: Redactor;
  },
): TimeoutError | NetworkError {
  const { provider } = context;
  const request = context.request();
  const where = `(${request.method} ${request.url})`;
  const cause = sanitizedCause(error, context.redactor);
  if (context.timedOut) {
    return new TimeoutError({
      provider,
      message: `[${provider}] no answer within ${context.timeoutMs} ms ${where}`,
      request,
      timeoutMs: context.timeoutMs,
      cause,
    });
  }
  const code = errorCode(error);
  return new NetworkError({
    provider,
    message: `[${provider}] connection failed${code ? ` (${code})` : ""} ${where}`,
    request,
    code,
    mayHaveReachedGateway: !refusedBeforeSending(error),
    cause,
  });
}

/** Whether a failed attempt may be repeated: only when repeating cannot deliver the message twice. */
export function shouldRetry(failure: SmsKitError, context: { idempotent: boolean }): boolean {
  if (failure instanceof NetworkError) return context.idempotent || !failure.mayHaveReachedGateway;
  if (failure instanceof TimeoutError) return context.idempotent;
  // Retryable answers (429, 503, an in-body throttle) prove the gateway did not take the request.
  if (failure.retryable) return true;
  return context.idempotent && failure instanceof ServerError;
}

/**
 * How long to wait before retry number `retryIndex` (0-based): the gateway's `Retry-After` when it
 * sent one, else exponential backoff with up to 25 % jitter. `undefined` means "do not wait that
 * long": the gateway asked for more than `maxRetryAfterMs`, so the caller decides (and may fail over).
 */
export function retryDelay(
  retryIndex: number,
  retryAfterMs: number | undefined,
  options: Required<RetryOptions>,
  random: () => number,
): number | undefined {
  if (retryAfterMs !== undefined) return retryAfterMs > options.maxRetryAfterMs ? undefined : retryAfterMs;
  const base = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** retryIndex);
  return Math.round(base * (1 - 0.25 * random()));
}

/** A send that may have reached the gateway and got no usable answer: never repeated. */
function unknownOutcome(failure: SmsKitError): UnknownOutcomeError {
  return new UnknownOutcomeError({
    provider: failure.provider,
    request: failure.request,
    message: `[${failure.provider}] the request may have reached the gateway, but no answer arrived (${failure.message}); it was not repeated, to avoid sending twice`,
    cause: failure,
  });
}

interface Attempt {
  signal: AbortSignal;
  /** Rejects when the attempt's time is up; raced against each await of the attempt. */
  expired: Promise<never>;
  timedOut(): boolean;
  done(): void;
}

/**
 * One controller and one timer per attempt, nothing else. The timer rejects `expired` itself, so
 * the awaits race a plain promise instead of adding listeners to an AbortSignal (measured: each
 * EventTarget listener pair costs more than the rest of the attempt's bookkeeping together). The
 * race is needed because undici follows a Request's signal only through a weak reference: after a
 * garbage collection an abort may never reach the fetch, and the timeout would never fire.
 */
function startAttempt(parent: AbortSignal | null, ms: number, clock: Clock): Attempt {
  const controller = new AbortController();
  let timedOut = false;
  let expire!: (reason: unknown) => void;
  const expired = new Promise<never>((_, reject) => {
    expire = reject;
  });
  expired.catch(() => undefined);
  const cancel = (clock.timer ?? realTimer)(ms, () => {
    timedOut = true;
    const reason = new DOMException(`no answer within ${ms} ms`, "TimeoutError");
    controller.abort(reason);
    expire(reason);
  });
  const follow = () => {
    controller.abort(parent?.reason);
    expire(parent?.reason);
  };
  if (parent?.aborted) follow();
  else parent?.addEventListener("abort", follow, { once: true });
  return {
    signal: controller.signal,
    expired,
    timedOut: () => timedOut,
    done() {
      cancel();
      parent?.removeEventListener("abort", follow);
    },
  };
}

/** Reads at most `max` bytes; past that the stream is cancelled, so memory stays bounded. */
async function readBounded(response: Response, max: number, expired: Promise<never>): Promise<string> {
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > max) {
    await response.body?.cancel().catch(() => undefined);
    throw new ResponseTooLarge();
  }
  const reader = response.body?.getReader();
  if (reader === undefined) return "";
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await Promise.race([reader.read(), expired]);
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw new ResponseTooLarge();
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return new TextDecoder().decode(chunks[0]);
  const all = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(all);
}

function operationOf(request: TaggedRequest): Operation {
  return (
    request[OPERATION] ?? {
      method: request.method,
      path: new URL(request.url).pathname,
      sends: !["GET", "HEAD", "OPTIONS"].includes(request.method),
    }
  );
}

/** What one exchange with the gateway came to. */
type Exchange =
  | { kind: "answered"; response: Response }
  | { kind: "redirected"; to: string }
  | { kind: "failed"; error: SmsKitError }
  /** Not worth another attempt whatever the retry policy says (a redirected send, an oversized answer). */
  | { kind: "final"; error: SmsKitError };

export function createTransport(config: TransportConfig): FetchLike {
  const { provider, redactor, clock, retry } = config;

  async function exchange(
    request: TaggedRequest,
    operation: Operation,
    budget: number,
    parent: AbortSignal | null,
  ): Promise<Exchange> {
    const requestInfo = () => ({ method: operation.method, url: redactor.url(request.url) });
    const fetchImpl = config.fetch ?? globalThis.fetch;
    const timer = startAttempt(parent, budget, clock);
    try {
      const response = await Promise.race([fetchImpl(request, { signal: timer.signal }), timer.expired]);
      const { status } = response;
      if (REDIRECT_STATUSES.has(status) || response.type === "opaqueredirect") {
        await response.body?.cancel().catch(() => undefined);
        const to = followableRedirect(response, request, operation);
        return to === undefined
          ? { kind: "final", error: redirectError(response, request, operation) }
          : { kind: "redirected", to };
      }
      let text = "";
      if (!NULL_BODY_STATUSES.has(status)) {
        try {
          text = await readBounded(response, config.maxResponseBytes, timer.expired);
        } catch (error) {
          if (error instanceof ResponseTooLarge)
            return { kind: "final", error: tooLarge(operation, requestInfo(), status) };
          throw error;
        }
      }
      const answer = createAnswer({
        provider,
        operation,
        status,
        headers: response.headers,
        text,
        redactor,
        url: request.url,
      });
      const error = config.classify(answer) ?? (response.ok ? undefined : errorFromHttpStatus(answer));
      if (error !== undefined) return { kind: "failed", error };
      return {
        kind: "answered",
        response: new Response(NULL_BODY_STATUSES.has(status) ? null : text, {
          status,
          statusText: response.statusText,
          headers: response.headers,
        }),
      };
    } catch (error) {
      // The caller cancelled: its own reason, untouched.
      if (parent?.aborted && !timer.timedOut()) throw parent.reason;
      return {
        kind: "failed",
        error: classifyFetchFailure(error, {
          provider,
          timedOut: timer.timedOut(),
          timeoutMs: budget,
          request: requestInfo,
          redactor,
        }),
      };
    } finally {
      timer.done();
    }
  }

  return async function transport(input: Request): Promise<Response> {
    const original = input as TaggedRequest;
    const parent = original.signal ?? null;
    const operation = operationOf(original);
    const idempotent = !operation.sends;
    const deadline = clock.now() + config.deadlineMs;
    let source: BodyInit | null | undefined = original[BODY_SOURCE];
    // A body we cannot rebuild from its source is read once, so a retry can send it again.
    if (source === undefined) source = original.body === null ? null : await original.arrayBuffer();
    let url = original.url;
    let redirects = 0;

    for (let attempt = 0; ; attempt++) {
      await config.limiter?.acquire(parent ?? undefined);
      // The first attempt goes out as openapi-fetch built it; only a retry or a redirect pays for a new Request.
      const request: TaggedRequest =
        attempt === 0 && redirects === 0 && !original.bodyUsed
          ? original
          : new Request(url, {
              method: redirects > 0 ? "GET" : original.method,
              headers: original.headers,
              body: redirects > 0 ? null : source,
              redirect: "manual",
            });
      const budget = Math.min(config.timeoutMs, Math.max(1, deadline - clock.now()));
      const result = await exchange(request, operation, budget, parent);
      if (result.kind === "answered") return result.response;
      if (result.kind === "final") throw result.error;
      if (result.kind === "redirected") {
        if (++redirects > MAX_REDIRECTS) {
          throw new UnexpectedResponseError({
            provider,
            code: "TOO_MANY_REDIRECTS",
            message: `[${provider}] more than ${MAX_REDIRECTS} redirects (${operation.method} ${redactor.url(original.url)})`,
          });
        }
        url = result.to;
        attempt -= 1;
        continue;
      }
      const failure = result.error;
      const noAnswer = failure instanceof NetworkError || failure instanceof TimeoutError;
      if (noAnswer && !shouldRetry(failure, { idempotent })) throw unknownOutcome(failure);
      if (attempt >= retry.maxRetries || !shouldRetry(failure, { idempotent })) throw failure;
      const delay = retryDelay(
        attempt,
        (failure as { retryAfterMs?: number }).retryAfterMs,
        retry,
        config.random,
      );
      // Waits and attempts share one deadline; a retry starts only if its whole timeout still fits.
      if (delay === undefined || clock.now() + delay + config.timeoutMs > deadline) throw failure;
      config.logger?.warn(`${failure.message}; retry ${attempt + 1}/${retry.maxRetries} in ${delay} ms`);
      await clock.sleep(delay, parent ?? undefined);
    }
  };

  function tooLarge(
    operation: Operation,
    request: { method: string; url: string },
    status: number,
  ): SmsKitError {
    const error = new UnexpectedResponseError({
      provider,
      status,
      request,
      code: "RESPONSE_TOO_LARGE",
      message: `[${provider}] the answer is larger than ${config.maxResponseBytes} bytes (maxResponseBytes) (${request.method} ${request.url})`,
    });
    return operation.sends ? unknownOutcome(error) : error;
  }

  function followableRedirect(response: Response, from: Request, operation: Operation): string | undefined {
    if (operation.sends) return undefined;
    const location = response.headers.get("location");
    if (location === null) return undefined;
    let target: URL;
    try {
      target = new URL(location, from.url);
    } catch {
      return undefined;
    }
    // Credentials never go to another origin, and never in clear text.
    return target.origin === new URL(from.url).origin && isSecureUrl(target) ? target.href : undefined;
  }

  function redirectError(response: Response, from: Request, operation: Operation): RedirectError {
    const location = response.headers.get("location");
    let redactedLocation: string | undefined;
    if (location !== null) {
      try {
        redactedLocation = redactor.url(new URL(location, from.url));
      } catch {
        redactedLocation = redactor.text(location);
      }
    }
    const request = { method: operation.method, url: redactor.url(from.url) };
    const what = operation.sends
      ? "smskit never follows a redirect with a message, and the gateway did not take it"
      : "smskit follows only same-origin https redirects";
    return new RedirectError({
      provider,
      status: response.status || undefined,
      request,
      location: redactedLocation,
      code: "REDIRECT",
      message: `[${provider}] HTTP ${response.status} redirect${redactedLocation ? ` to ${redactedLocation}` : ""}; ${what}: check baseUrl (${request.method} ${request.url})`,
    });
  }
}
