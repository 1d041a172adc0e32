/**
 * Webhook bodies read from the specs themselves (every example of every webhook), so a new
 * example in a spec is tested without touching this file, plus request helpers for the tests.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";

export const TOKEN = "whk_test_0123456789abcdef";

export interface WebhookExample {
  webhook: string;
  name: string;
  mediaType: string;
  value: Record<string, unknown>;
}

type Json = Record<string, unknown>;

function specOf(provider: string): Json {
  const url = new URL(`../../../../specs/${provider}/openapi.yaml`, import.meta.url);
  return parse(readFileSync(url, "utf8")) as Json;
}

function dereference(spec: Json, value: unknown): unknown {
  if (value === null || typeof value !== "object" || !("$ref" in value)) return value;
  const path = String((value as { $ref: string }).$ref)
    .replace(/^#\//, "")
    .split("/");
  return path.reduce<unknown>((node, key) => (node as Json)[key], spec);
}

export function webhookExamples(provider: "websms" | "smartswitch"): WebhookExample[] {
  const spec = specOf(provider);
  const found: WebhookExample[] = [];
  for (const [webhook, item] of Object.entries(spec.webhooks as Json)) {
    const content = ((item as Json).post as { requestBody: { content: Json } }).requestBody.content;
    for (const [mediaType, media] of Object.entries(content)) {
      for (const [name, example] of Object.entries(((media as Json).examples ?? {}) as Json)) {
        const { value } = dereference(spec, example) as { value: Json };
        found.push({ webhook, name, mediaType, value });
      }
    }
  }
  return found;
}

export const websmsExamples = webhookExamples("websms");
export const smartSwitchExamples = webhookExamples("smartswitch");

function example(name: string): Json {
  const found = websmsExamples.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`the websms spec has no webhook example "${name}"`);
  return found.value;
}

export const deliveredReport = example("delivered");
export const expiredReport = example("undelivered");
export const inboundText = example("text");
export const inboundBinary = example("binary");

export function jsonBody(value: unknown): string {
  return JSON.stringify(value);
}

export interface PostOptions {
  token?: string | null;
  contentType?: string | null;
  headers?: Record<string, string>;
  method?: string;
  query?: string;
}

/** A request as the gateway sends it: POST to `/hooks/<provider>?token=…`. */
export function webhookRequest(provider: string, body: BodyInit | null, options: PostOptions = {}): Request {
  const token = options.token === undefined ? TOKEN : options.token;
  const params = new URLSearchParams(options.query ?? "");
  if (token !== null) params.append("token", token);
  const query = params.size > 0 ? `?${params}` : "";
  const defaultType = provider === "smartswitch" ? "application/x-www-form-urlencoded" : "application/json";
  const contentType = options.contentType === undefined ? defaultType : options.contentType;
  const headers = new Headers(options.headers);
  if (contentType !== null) headers.set("content-type", contentType);
  const method = options.method ?? "POST";
  return new Request(`http://hooks.example/hooks/${provider}${query}`, {
    method,
    headers,
    ...(method === "GET" || method === "HEAD" ? {} : { body, duplex: "half" }),
  } as RequestInit);
}

/** A body stream that counts what the handler pulled from it: `endless` never ends by itself. */
export function countingStream(chunk: Uint8Array, chunks = Number.POSITIVE_INFINITY) {
  const counter = { pulled: 0, cancelled: false };
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (sent >= chunks) {
          controller.close();
          return;
        }
        sent++;
        counter.pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
      cancel() {
        counter.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, counter };
}

/** A promise to resolve by hand: lets a test hold `onEvent` open while other requests arrive. */
export function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}
