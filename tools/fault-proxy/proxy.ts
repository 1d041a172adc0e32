/**
 * A loopback HTTP proxy in front of a Prism mock that misbehaves on cue, for reliability tests over
 * real sockets: throttling, outages, connections reset before or after the gateway took the
 * request, and answers too slow to wait for. `forwarded` counts the requests that reached the
 * gateway, which is how a test proves a message was (not) sent twice.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Fault =
  /** Answer this status without forwarding (the gateway never saw the request). */
  | { kind: "status"; status: number; headers?: Record<string, string>; body?: string }
  /** Drop the connection without forwarding: the request never reached the gateway. */
  | { kind: "reset-before" }
  /** Forward, let the gateway answer, then drop the connection: accepted, but the answer is lost. */
  | { kind: "reset-after" }
  /**
   * Forward, then hold the gateway's answer back until the client gives up and closes the
   * connection (its timeout): a slow answer without a timer, so no test depends on machine speed.
   */
  | { kind: "hold" }
  | { kind: "pass" };

export interface FaultProxy {
  url: string;
  /** Faults for the next requests, one per request, in order; afterwards requests pass through. */
  enqueue(...faults: Fault[]): void;
  /** Requests forwarded to the gateway, counted when forwarding starts (before the gateway answers). */
  readonly forwarded: number;
  /** Resolves when `count` requests in all have been forwarded. */
  forwardedAtLeast(count: number): Promise<void>;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const queue: Fault[] = [];
  let forwarded = 0;
  const waiters: Array<{ count: number; resolve: () => void }> = [];

  const forward = async (request: IncomingMessage, body: Buffer): Promise<Response> => {
    // Counted before the gateway answers: a client that gives up early must still see it counted.
    forwarded += 1;
    for (const waiter of waiters.filter((item) => item.count <= forwarded)) waiter.resolve();
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined && !["host", "connection", "content-length"].includes(name)) {
        headers.set(name, Array.isArray(value) ? value.join(", ") : value);
      }
    }
    return fetch(`${upstream}${request.url ?? "/"}`, {
      method: request.method ?? "GET",
      headers,
      ...(body.length > 0 ? { body: new Uint8Array(body) } : {}),
    });
  };

  const reply = async (answer: Response, response: ServerResponse) => {
    const text = Buffer.from(await answer.arrayBuffer());
    const headers: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      if (name !== "content-encoding" && name !== "transfer-encoding" && name !== "content-length")
        headers[name] = value;
    });
    response.writeHead(answer.status, headers).end(text);
  };

  const server = createServer(async (request, response) => {
    const fault = queue.shift() ?? { kind: "pass" };
    const body = await readBody(request);
    try {
      switch (fault.kind) {
        case "status":
          response.writeHead(fault.status, fault.headers ?? {}).end(fault.body ?? "");
          return;
        case "reset-before":
          request.socket.destroy();
          return;
        case "reset-after":
          await (await forward(request, body)).arrayBuffer();
          request.socket.destroy();
          return;
        case "hold": {
          const answer = await forward(request, body);
          await answer.arrayBuffer();
          if (!request.socket.destroyed)
            await new Promise<void>((resolve) => request.socket.once("close", () => resolve()));
          return;
        }
        case "pass":
          await reply(await forward(request, body), response);
      }
    } catch (error) {
      if (!response.headersSent) response.writeHead(502).end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    enqueue: (...faults) => queue.push(...faults),
    get forwarded() {
      return forwarded;
    },
    forwardedAtLeast: (count) =>
      forwarded >= count
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push({ count, resolve })),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
