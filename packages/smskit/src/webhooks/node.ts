/**
 * node:http / Express adapter, through `@remix-run/node-fetch-server` (a maintained adapter; it
 * hands the handler a lazy body stream with backpressure, so the size limit holds without
 * buffering — see the body-limit tests).
 */
import type { RequestListener } from "node:http";
// `#node-fetch-server` is @remix-run/node-fetch-server under the `node` condition (Node, Bun, Deno) and
// a stub elsewhere, so that bundling `smskit/webhooks` for Workers or browsers never meets node:net.
import { createRequestListener } from "#node-fetch-server";

export interface NodeListenerOptions {
  /** Host of the request URL the handler sees; default: the `Host` header. */
  host?: string;
  /** `http:` or `https:`; default: from the connection. */
  protocol?: string;
  /** Trust `Forwarded` / `X-Forwarded-*` (only behind a proxy that overwrites them). */
  trustProxy?: boolean;
}

/**
 * Turns a `(Request) => Promise<Response>` handler into a listener for `http.createServer(…)` or an
 * Express route (`app.post("/webhooks/:provider", toNodeListener(handler))`; do not put
 * `express.json()` in front of it: the handler reads the body itself).
 */
export function toNodeListener(
  handler: (request: Request) => Response | Promise<Response>,
  options: NodeListenerOptions = {},
): RequestListener {
  if (typeof handler !== "function")
    throw new TypeError("toNodeListener needs a (request) => Response handler");
  // The adapter's default error handler logs the error, which may quote the request URL and so the
  // token: answer a plain 500 instead.
  return createRequestListener((request: Request) => handler(request), {
    ...options,
    onError: () => new Response("Internal Server Error", { status: 500 }),
  });
}
