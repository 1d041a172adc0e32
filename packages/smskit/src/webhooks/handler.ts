/**
 * `createWebhookHandler`: one Web-standard `(Request) => Promise<Response>` for every gateway that
 * calls back, so it runs unchanged in Hono, Next.js route handlers, Bun.serve, Deno.serve and
 * Cloudflare Workers (and on node:http or Express through `toNodeListener`).
 *
 * Order of checks: method → credentials → gateway → content type → size → shape → dedupe →
 * `onEvent`. Nothing is parsed before the caller is authenticated, and a body is never read past
 * `maxBodyBytes`.
 */
import { isSmsKitError } from "@smskit/core";
import { WEBSMS_ACKNOWLEDGEMENT } from "@smskit/websms";
import { type Authenticate, createAuthenticator } from "./auth.js";
import { readBoundedBody } from "./body.js";
import { type DedupeStore, memoryDedupe } from "./dedupe.js";
import type { DeliveryEvent, SmsEvent, WebhookProvider } from "./events.js";
import { createOptOutMatcher } from "./opt-out.js";
import { parseWebhookEvent } from "./parse.js";

export const WEBHOOK_PROVIDERS: readonly WebhookProvider[] = Object.freeze(["websms", "smartswitch"]);
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** What `queue` must offer: `@smskit/queue`'s queue fits (`recordDeliveryReport` resolves `unknown` outcomes). */
export interface DeliveryReportSink {
  recordDeliveryReport(event: DeliveryEvent): unknown | Promise<unknown>;
}

export interface WebhookFailure {
  /** The gateway of the URL, when it named one. */
  provider?: WebhookProvider;
  /** What failed: your `onEvent`, the `queue`, the `dedupe` store or your `authenticate` function. */
  stage: "onEvent" | "queue" | "dedupe" | "authenticate" | "handler";
  /** The event, when it had been parsed. */
  event?: SmsEvent;
}

export interface WebhookHandlerOptions {
  /** Which gateways this handler accepts; the last path segment of the URL names one (`…/websms`). */
  providers: readonly WebhookProvider[];
  /** Required: `{ token }`, `{ basic: { username, password } }` or `(request) => boolean`. */
  authenticate: Authenticate;
  /**
   * Called once per event (a redelivery does not call it again). Throw to answer 500: the event is
   * not remembered, so the gateway's redelivery is processed.
   */
  onEvent: (event: SmsEvent) => unknown | Promise<unknown>;
  /** Where processed events are remembered. Default: in memory ({@link memoryDedupe}). */
  dedupe?: DedupeStore;
  /** Larger bodies get 413 without being read. Default 64 KiB. */
  maxBodyBytes?: number;
  /** Gets every delivery event after `onEvent`, e.g. `@smskit/queue`; a throw answers 500 like `onEvent`. */
  queue?: DeliveryReportSink;
  /** Inbound texts equal to one of these (ignoring case and whitespace) get `optOut: true`. */
  optOutKeywords?: readonly string[];
  /**
   * Told about every 500: what your `onEvent`, the queue or the store threw. For your logs; the
   * gateway only sees a generic message. Never carries the token.
   */
  onError?: (error: unknown, failure: WebhookFailure) => void;
}

export type WebhookHandler = (request: Request) => Promise<Response>;

const WEBSMS_CODES: Record<number, number> = { 400: 4000, 401: 4001, 404: 4000, 413: 4000, 415: 4000 };

function isProvider(value: string | undefined): value is WebhookProvider {
  return value === "websms" || value === "smartswitch";
}

function reply(
  provider: WebhookProvider | undefined,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  const common = { "Cache-Control": "no-store", ...headers };
  if (provider === "websms") {
    // websms reads the acknowledgement object; failures use its own codes (4000, 4001, 5000, 5003).
    const statusCode = WEBSMS_CODES[status] ?? (status === 503 ? 5003 : 5000);
    return Response.json({ statusCode, statusMessage: message }, { status, headers: common });
  }
  return new Response(message, {
    status,
    headers: { "Content-Type": "text/plain; charset=utf-8", ...common },
  });
}

function acknowledge(provider: WebhookProvider): Response {
  if (provider === "websms")
    return Response.json(WEBSMS_ACKNOWLEDGEMENT, { headers: { "Cache-Control": "no-store" } });
  return new Response(null, { status: 200, headers: { "Cache-Control": "no-store" } });
}

interface MediaType {
  type: string;
  charset: string | undefined;
}

function mediaTypeOf(header: string | null): MediaType | undefined {
  if (header === null) return undefined;
  const [type = "", ...parameters] = header.split(";");
  let charset: string | undefined;
  for (const parameter of parameters) {
    const [name = "", value = ""] = parameter.split("=");
    if (name.trim().toLowerCase() === "charset")
      charset = value
        .trim()
        .replace(/^"(.*)"$/, "$1")
        .toLowerCase();
  }
  return { type: type.trim().toLowerCase(), charset };
}

const ACCEPTED_TYPES: Record<WebhookProvider, readonly string[]> = {
  websms: ["application/json"],
  // The default is a form; operators can switch the callback to JSON.
  smartswitch: ["application/x-www-form-urlencoded", "application/json"],
};

function decoderFor(media: MediaType): TextDecoder | undefined {
  // JSON is UTF-8 by definition (RFC 8259); a form may name its charset.
  if (media.charset === undefined) return new TextDecoder("utf-8", { fatal: true });
  if (media.type === "application/json" && media.charset !== "utf-8" && media.charset !== "utf8")
    return undefined;
  try {
    return new TextDecoder(media.charset, { fatal: true });
  } catch {
    return undefined;
  }
}

function positiveInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
    throw new TypeError(`${name} must be a positive integer`);
  }
  return value;
}

function checkedProviders(value: unknown): ReadonlySet<WebhookProvider> {
  if (!Array.isArray(value) || value.length === 0) {
    throw new TypeError(`providers must be a non-empty array of ${WEBHOOK_PROVIDERS.join(", ")}`);
  }
  for (const name of value) {
    if (!isProvider(name)) {
      throw new TypeError(
        `providers: ${JSON.stringify(name)} sends no webhooks; choose from ${WEBHOOK_PROVIDERS.join(", ")}`,
      );
    }
  }
  return new Set(value);
}

function lastPathSegment(url: URL): string | undefined {
  return url.pathname
    .split("/")
    .filter((segment) => segment !== "")
    .at(-1);
}

/**
 * Builds the webhook endpoint. Mount it on any path ending in the gateway's name
 * (`/webhooks/websms`, `/webhooks/smartswitch`) and give that URL, with `?token=…`, to the gateway.
 *
 * @throws {TypeError} for missing or malformed options (there is no unauthenticated mode).
 */
export function createWebhookHandler(options: WebhookHandlerOptions): WebhookHandler {
  if (options === null || typeof options !== "object")
    throw new TypeError("createWebhookHandler needs options");
  const providers = checkedProviders(options.providers);
  const authenticator = createAuthenticator(options.authenticate);
  if (typeof options.onEvent !== "function") throw new TypeError("onEvent must be a function");
  const { onEvent, queue, onError } = options;
  if (queue !== undefined && typeof queue?.recordDeliveryReport !== "function") {
    throw new TypeError("queue must have a recordDeliveryReport(event) method");
  }
  const dedupe = options.dedupe ?? memoryDedupe();
  if (typeof dedupe?.mark !== "function" || typeof dedupe.settle !== "function") {
    throw new TypeError("dedupe must have mark(key) and settle(key, outcome) methods");
  }
  const maxBodyBytes = positiveInteger("maxBodyBytes", options.maxBodyBytes, DEFAULT_MAX_BODY_BYTES);
  const isOptOut = createOptOutMatcher(options.optOutKeywords);

  const report = (error: unknown, failure: WebhookFailure) => {
    try {
      onError?.(error, failure);
    } catch {
      // A failing logger must not turn one 500 into an unhandled rejection.
    }
  };
  const failed = (error: unknown, failure: WebhookFailure) => {
    report(error, failure);
    return reply(failure.provider, 500, "the event could not be processed; please deliver it again");
  };

  const handle = async (request: Request): Promise<Response> => {
    // Early answers leave the body unread. Servers close such a connection rather than drain it
    // (node:http, Express and Hono measured in servers.test.ts: a 256 MB upload stops after ~4 MB).
    if (request.method !== "POST") {
      return reply(undefined, 405, "only POST is accepted", { Allow: "POST" });
    }
    const url = new URL(request.url);
    const named = lastPathSegment(url);
    const provider = isProvider(named) && providers.has(named) ? named : undefined;

    let authenticated: boolean;
    try {
      authenticated = await authenticator.check(request);
    } catch (error) {
      return failed(error, { stage: "authenticate", ...(provider ? { provider } : {}) });
    }
    if (!authenticated) {
      return reply(provider, 401, "missing or wrong credentials", authenticator.challenge);
    }
    if (provider === undefined) {
      return reply(undefined, 404, `no webhook here; the path must end in ${[...providers].join(" or ")}`);
    }

    const media = mediaTypeOf(request.headers.get("content-type"));
    const accepted = ACCEPTED_TYPES[provider];
    const decoder = media && accepted.includes(media.type) ? decoderFor(media) : undefined;
    if (media === undefined || decoder === undefined) {
      return reply(provider, 415, `expected Content-Type ${accepted.join(" or ")} (UTF-8)`);
    }
    const body = await readBoundedBody(request, maxBodyBytes);
    if (!body.ok) return reply(provider, body.status, body.reason);
    let text: string;
    try {
      text = decoder.decode(body.bytes);
    } catch {
      return reply(provider, 400, `the body is not valid ${media.charset ?? "UTF-8"} text`);
    }

    let event: SmsEvent;
    try {
      event = await parseWebhookEvent(provider, text, media.type, isOptOut);
    } catch (error) {
      if (isSmsKitError(error)) return reply(provider, 400, error.message);
      return failed(error, { provider, stage: "handler" });
    }

    let mark: Awaited<ReturnType<DedupeStore["mark"]>>;
    try {
      mark = await dedupe.mark(event.id);
    } catch (error) {
      return failed(error, { provider, stage: "dedupe", event });
    }
    if (mark !== "marked" && mark !== "in-progress" && mark !== "seen") {
      const error = new TypeError(
        `dedupe.mark must resolve to "marked", "in-progress" or "seen", got ${typeof mark}`,
      );
      return failed(error, { provider, stage: "dedupe", event });
    }
    if (mark === "seen") return acknowledge(provider);
    if (mark === "in-progress") {
      return reply(provider, 503, "this event is being processed; deliver it again later", {
        "Retry-After": "5",
      });
    }

    let stage: "onEvent" | "queue" = "onEvent";
    try {
      await onEvent(event);
      if (queue !== undefined && event.type === "delivery") {
        stage = "queue";
        await queue.recordDeliveryReport(event);
      }
    } catch (error) {
      try {
        await dedupe.settle(event.id, "failed");
      } catch (settleError) {
        // The lease then runs out on its own and the redelivery is processed.
        report(settleError, { provider, stage: "dedupe", event });
      }
      return failed(error, { provider, stage, event });
    }
    try {
      await dedupe.settle(event.id, "processed");
    } catch (error) {
      // Processed, but not remembered: a redelivery after the lease would run onEvent again.
      report(error, { provider, stage: "dedupe", event });
    }
    return acknowledge(provider);
  };

  return async (request) => {
    try {
      return await handle(request);
    } catch (error) {
      return failed(error, { stage: "handler" });
    }
  };
}
