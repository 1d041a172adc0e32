/**
 * Loopback HTTP servers that misbehave on purpose, for tests that attack the clients over real
 * sockets. Requests are counted when they arrive (before any answer), so "never twice" is proven
 * at the server whatever the timing.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Arrival {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  /** Filled once the body is in. */
  body: string;
}

export type Handler = (
  request: IncomingMessage,
  response: ServerResponse,
  arrival: Arrival,
) => void | Promise<void>;

export interface TestServer {
  url: string;
  port: number;
  /** Every request, in order of arrival. */
  arrivals: Arrival[];
  /** Resolves when the n-th request (1-based) has arrived. */
  arrived(count: number): Promise<void>;
  close(): Promise<void>;
}

export async function startServer(handler: Handler, host = "127.0.0.1"): Promise<TestServer> {
  const arrivals: Arrival[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const server = createServer(async (request, response) => {
    const arrival: Arrival = {
      method: request.method ?? "",
      url: request.url ?? "",
      headers: request.headers,
      body: "",
    };
    arrivals.push(arrival);
    for (const waiter of waiters.filter((item) => item.count <= arrivals.length)) waiter.resolve();
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    await new Promise<void>((resolve) => {
      request.on("end", resolve);
      request.on("error", () => resolve());
    });
    arrival.body = Buffer.concat(chunks).toString();
    try {
      await handler(request, response, arrival);
    } catch {
      response.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  const hostPart = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${hostPart}:${port}`,
    port,
    arrivals,
    arrived: (count) =>
      arrivals.length >= count
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push({ count, resolve })),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
