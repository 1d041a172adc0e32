/**
 * A loopback stand-in for Digify's send and SMS-log endpoints that counts what arrives, per
 * `clientRef` (Digify's `id`), at the moment it arrives. It can answer 429 + Retry-After on cue and
 * hold requests from one worker (to kill that worker with requests in flight). Requests are only
 * parsed as far as the queue's tests need; a shared fake gateway built from the specs
 * (`smskit/testing`) can replace this file once it exists.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";

export interface Arrival {
  /** performance.now() at arrival. */
  at: number;
  worker: string;
  clientRefs: string[];
  status: number;
}

interface LogEntry {
  messageId: number;
  destAddr: string;
  msg: string;
  msgCount: number;
  status: string;
  createdAt: string;
  sendWhen: string;
  sourceAddr: string;
}

export interface FakeGateway {
  url: string;
  arrivals: Arrival[];
  /** Accepted (200) per clientRef. */
  accepted: Map<string, number>;
  /** Every SMS request per clientRef, accepted or not. */
  received: Map<string, number>;
  acceptedBy: Map<string, string>;
  log: LogEntry[];
  /** The next send request is answered 429 with `Retry-After: seconds`. */
  throttleNext(seconds: number): void;
  /** From now on, requests from this worker are received (and logged) but never answered. */
  holdFrom(worker: string): void;
  /** Resolves once `predicate` holds after some arrival. */
  until(predicate: () => boolean): Promise<void>;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => {
      body += chunk;
    });
    request.on("end", () => resolve(body));
    request.on("error", reject);
  });
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  response.writeHead(status, { "content-type": "application/json", ...headers });
  response.end(JSON.stringify(body));
}

export async function startFakeGateway(): Promise<FakeGateway> {
  const arrivals: Arrival[] = [];
  const accepted = new Map<string, number>();
  const received = new Map<string, number>();
  const acceptedBy = new Map<string, string>();
  const log: LogEntry[] = [];
  const held: ServerResponse[] = [];
  const waiters: Array<{ predicate: () => boolean; resolve: () => void }> = [];
  let throttleSeconds: number | undefined;
  let holdWorker: string | undefined;
  let nextId = 1000;

  const notify = () => {
    for (const waiter of [...waiters]) {
      if (waiter.predicate()) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };

  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    if (request.method === "GET" && url.pathname === "/api/v1/logs/sms") {
      const start = Date.parse(url.searchParams.get("startDate") ?? "") || Number.NEGATIVE_INFINITY;
      const end = Date.parse(url.searchParams.get("endDate") ?? "") || Number.POSITIVE_INFINITY;
      const limit = Number(url.searchParams.get("limit") ?? 10);
      const offset = Number(url.searchParams.get("offset") ?? 0);
      const matching = log
        .filter((entry) => {
          const created = Date.parse(entry.createdAt);
          return created >= start && created <= end;
        })
        .reverse();
      const data = matching.slice(offset, offset + limit);
      json(response, 200, {
        status: "success",
        data,
        pagination: { total: matching.length, limit, offset, hasMore: offset + limit < matching.length },
      });
      return;
    }
    if (request.method !== "POST" || url.pathname !== "/api/v1/messages/send") {
      json(response, 404, { status: "error", error: { code: "NOT_FOUND", message: "no such path" } });
      return;
    }
    const at = performance.now();
    const worker = String(request.headers["x-worker"] ?? "");
    const body = JSON.parse(await readBody(request)) as {
      messages: Array<{ id?: string; destAddr: string; msg: string; sourceAddr?: string }>;
    };
    const clientRefs = body.messages.map((message) => message.id ?? "");
    for (const ref of clientRefs) received.set(ref, (received.get(ref) ?? 0) + 1);
    if (throttleSeconds !== undefined) {
      const seconds = throttleSeconds;
      throttleSeconds = undefined;
      arrivals.push({ at, worker, clientRefs, status: 429 });
      json(
        response,
        429,
        {
          status: "error",
          error: { code: "RATE_LIMIT_EXCEEDED", message: "Rate limit exceeded", retryAfter: seconds },
        },
        { "retry-after": String(seconds) },
      );
      notify();
      return;
    }
    arrivals.push({ at, worker, clientRefs, status: 200 });
    const now = new Date().toISOString();
    const results = body.messages.map((message) => {
      const ref = message.id ?? "";
      accepted.set(ref, (accepted.get(ref) ?? 0) + 1);
      acceptedBy.set(ref, worker);
      const messageId = nextId++;
      log.push({
        messageId,
        destAddr: message.destAddr,
        msg: message.msg,
        msgCount: 1,
        status: "queued",
        createdAt: now,
        sendWhen: now,
        sourceAddr: message.sourceAddr ?? "smskit",
      });
      return { id: ref, type: "sms", status: "queued", messageId, msgCount: 1 };
    });
    if (holdWorker !== undefined && worker === holdWorker) {
      held.push(response);
      notify();
      return;
    }
    json(response, 200, {
      status: "success",
      simulationMode: false,
      results,
      summary: { total: results.length, sms: results.length, email: 0, creditsUsed: results.length },
    });
    notify();
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };

  return {
    url: `http://127.0.0.1:${port}`,
    arrivals,
    accepted,
    received,
    acceptedBy,
    log,
    throttleNext(seconds) {
      throttleSeconds = seconds;
    },
    holdFrom(worker) {
      holdWorker = worker;
    },
    until(predicate) {
      if (predicate()) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
    async close() {
      for (const response of held) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The most arrivals inside any window of `windowMs` (half-open), over accepted and refused requests alike. */
export function maxInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end += 1) {
    while ((sorted[end] as number) - (sorted[start] as number) >= windowMs) start += 1;
    best = Math.max(best, end - start + 1);
  }
  return best;
}
