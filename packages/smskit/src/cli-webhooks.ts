/**
 * `smskit webhooks serve`: the webhook handler on node:http for local development (point a tunnel
 * at it, or post to it by hand), printing each event as one line or as JSON lines. The token is
 * never printed: log lines show the path without the query.
 */
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import type { CliIo } from "./cli-run.js";
import { createWebhookHandler, MIN_TOKEN_LENGTH, type SmsEvent, toNodeListener } from "./webhooks/index.js";

export const WEBHOOKS_USAGE = "smskit webhooks serve --port <n> --token <secret> [--host <address>] [--json]";

export interface WebhooksCliIo extends CliIo {
  /** Stops the server (tests); without it SIGINT or SIGTERM does. */
  signal?: AbortSignal;
}

class WebhooksUsageError extends Error {}

function base64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function jsonLine(event: SmsEvent): string {
  return JSON.stringify(event, (_key, value: unknown) =>
    value instanceof Uint8Array ? base64(value) : value,
  );
}

function textLine(event: SmsEvent): string {
  if (event.type === "delivery") {
    const details = [
      event.clientRef === undefined ? undefined : `clientRef ${event.clientRef}`,
      event.recipient,
      event.at?.toISOString(),
    ].filter((detail) => detail !== undefined);
    const gatewayWord = event.providerStatus === event.status ? "" : ` (${event.providerStatus})`;
    return `delivery ${event.provider} ${event.providerMessageId}: ${event.status}${gatewayWord}${details.length > 0 ? ` — ${details.join(", ")}` : ""}`;
  }
  const content =
    event.text !== undefined
      ? JSON.stringify(event.text)
      : `binary, ${event.binary?.segments.length ?? 0} segment(s)`;
  return `inbound ${event.provider} ${event.from} → ${event.to}: ${content}${event.optOut ? " [opt-out]" : ""}`;
}

async function reasonOf(response: Response): Promise<string> {
  const text = await response.clone().text();
  try {
    const body = JSON.parse(text) as { statusMessage?: unknown };
    return typeof body.statusMessage === "string" ? body.statusMessage : text;
  } catch {
    return text;
  }
}

function portOf(value: string | undefined): number {
  if (value === undefined) throw new WebhooksUsageError("--port is required");
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535)
    throw new WebhooksUsageError("--port must be a number from 0 to 65535");
  return port;
}

async function serve(args: string[], io: WebhooksCliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      port: { type: "string" },
      token: { type: "string" },
      host: { type: "string", default: "127.0.0.1" },
      json: { type: "boolean", default: false },
    },
  });
  if (positionals.length !== 1 || positionals[0] !== "serve") {
    throw new WebhooksUsageError(`webhooks takes one subcommand: serve`);
  }
  const port = portOf(values.port);
  const token = values.token ?? io.env.SMSKIT_WEBHOOK_TOKEN;
  if (token === undefined || token === "") {
    throw new WebhooksUsageError(
      "--token (or SMSKIT_WEBHOOK_TOKEN) is required: there is no unauthenticated mode",
    );
  }
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new WebhooksUsageError(
      `the token must be at least ${MIN_TOKEN_LENGTH} characters (a random secret)`,
    );
  }

  const handler = createWebhookHandler({
    providers: ["websms", "smartswitch"],
    authenticate: { token },
    onEvent: (event) => io.stdout(values.json ? jsonLine(event) : textLine(event)),
  });
  const logged = async (request: Request): Promise<Response> => {
    const response = await handler(request);
    if (response.status >= 400) {
      // The path only: the query holds the token.
      const { pathname } = new URL(request.url);
      io.stderr(
        `smskit webhooks: ${response.status} ${request.method} ${pathname}: ${await reasonOf(response)}`,
      );
    }
    return response;
  };

  const server = createServer(toNodeListener(logged));
  server.listen(port, values.host);
  try {
    await Promise.race([
      once(server, "listening"),
      once(server, "error").then(([error]) => Promise.reject(error)),
    ]);
  } catch (error) {
    io.stderr(`smskit webhooks: cannot listen on ${values.host}:${port}: ${(error as Error).message}`);
    return 1;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  io.stderr(
    `smskit webhooks: listening on http://${host}:${address.port} — POST to /websms?token=… or /smartswitch?token=… (Ctrl-C stops)`,
  );

  await new Promise<void>((resolve) => {
    if (io.signal) {
      if (io.signal.aborted) resolve();
      io.signal.addEventListener("abort", () => resolve(), { once: true });
      return;
    }
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  server.closeAllConnections();
  server.close();
  await once(server, "close");
  return 0;
}

/** `smskit webhooks …`; resolves to the exit code (0 stopped, 1 could not listen, 2 usage). */
export async function runWebhooksCommand(args: string[], io: WebhooksCliIo): Promise<number> {
  try {
    return await serve(args, io);
  } catch (error) {
    if (error instanceof WebhooksUsageError || (error instanceof TypeError && "code" in error)) {
      io.stderr(`smskit webhooks: ${error.message} (smskit webhooks --help)`);
      return 2;
    }
    throw error;
  }
}
