/**
 * What a hostile gateway or proxy sends back, for tests that attack the clients: the credentials
 * it saw echoed in every encoding, and answers that never end.
 */
import type { ServerResponse } from "node:http";
import { encodedForms } from "./leaks.js";

/** `encodedForms` plus the mixed and doubled encodings proxies produce. */
export function echoedForms(secret: string): string[] {
  const percent = encodeURIComponent(secret);
  return [
    ...encodedForms(secret),
    percent.replace(/'/g, "%27"),
    encodeURIComponent(percent),
    secret.replace(/'/g, "&#x27;").replace(/&(?!#)/g, "&#38;"),
  ];
}

/** The echo of a request line with its credentials, every form on its own line. */
export function echoBody(requestLine: string, secrets: readonly string[]): string {
  return [requestLine, ...secrets.flatMap(echoedForms)].join("\n");
}

/** Header values carry Latin-1 only and no line breaks: the forms that can travel in one. */
export function echoHeader(secrets: readonly string[]): string {
  return secrets
    .flatMap(echoedForms)
    .filter((form) => /^[\x20-\x7e\x80-\xff]*$/.test(form))
    .join(" ");
}

export interface Flood {
  /** Bytes handed to the socket so far. */
  readonly written: number;
  /** Resolves when the flood stopped: `true` when the client closed the connection first. */
  readonly stopped: Promise<boolean>;
}

/**
 * Answers with a body that goes on until the client closes the connection (or `capBytes`, a safety
 * net so a client that buffers everything cannot exhaust the test's memory). Writes wait for the
 * socket to drain, so only a client that stops reading ends it early.
 */
export function flood(
  response: ServerResponse,
  options: { status?: number; headers?: Record<string, string>; capBytes?: number } = {},
): Flood {
  const cap = options.capBytes ?? 64 * 1024 * 1024;
  const chunk = Buffer.alloc(16 * 1024, "x");
  let written = 0;
  response.writeHead(options.status ?? 200, { "content-type": "application/json", ...options.headers });
  // A write racing the client's close fails; that is the point of the flood, not an error.
  response.on("error", () => undefined);
  const closed = new Promise<void>((resolve) => response.once("close", () => resolve()));
  const stopped = (async () => {
    while (written < cap) {
      if (response.destroyed || response.writableEnded) return true;
      written += chunk.length;
      if (!response.write(chunk)) {
        const drained = new Promise<void>((resolve) => response.once("drain", () => resolve()));
        await Promise.race([drained, closed]);
      }
    }
    response.end();
    return false;
  })();
  return {
    get written() {
      return written;
    },
    stopped,
  };
}
