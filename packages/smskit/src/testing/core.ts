/**
 * What every fake gateway shares: routing a request to its operation, checking credentials,
 * validating it against the gateway's spec, injecting faults, recording what was accepted, and
 * serving it all as a `fetch` or on a loopback port. Each gateway's file supplies only its answers
 * and its own error forms (a {@link GatewayDefinition}).
 */
import type { OpenApiDocument } from "./openapi.js";
import {
  type MatchedRoute,
  type RequestProblem,
  type RequestValidator,
  type ValidatedRequest,
  validatorFor,
} from "./validator.js";

export type GatewayName = "digify" | "websms" | "f24" | "smartswitch";

/**
 * A failure the next send request meets, in the gateway's own form:
 *
 * - `throttle`: refused for throttling before anything was accepted (Digify 429, websms
 *   `statusCode` 4023 in a 200, F24 and SmartSwitch 429);
 * - `unavailable`: refused as temporarily unavailable (HTTP 503, websms 5003);
 * - `server-error`: the gateway failed (HTTP 500, websms 5000); nothing is recorded;
 * - `unauthorized`: the credentials are refused (HTTP 401 in each gateway's form);
 * - `reject-recipient`: one recipient is refused (F24 `Valid: false`, SmartSwitch `status: "error"`
 *   for that recipient while the others go out; Digify and websms refuse the whole request, as they do
 *   for an invalid number);
 * - `lose-answer`: the gateway accepts and records the messages, then the connection fails before
 *   the answer arrives;
 * - `timeout`: the gateway accepts and records the messages and never answers (until the client
 *   aborts the request).
 */
export type Fault =
  | "throttle"
  | "unavailable"
  | "server-error"
  | "unauthorized"
  | "reject-recipient"
  | "lose-answer"
  | "timeout";

export const FAULTS: readonly Fault[] = Object.freeze([
  "throttle",
  "unavailable",
  "server-error",
  "unauthorized",
  "reject-recipient",
  "lose-answer",
  "timeout",
]);

export interface FaultOptions {
  /**
   * How many send requests in a row meet the fault. Default 1. Clients repeat a throttled or
   * unavailable request by themselves (that is what `retry` is for): give `times` above the client's
   * `maxRetries`, or create the client with `retry: false`, to see the error.
   */
  times?: number;
  /** `reject-recipient`: the recipient to refuse, as E.164 (`+4712345678`). Default: the request's first. */
  recipient?: string;
  /** `throttle`: the wait the gateway asks for, in seconds (`Retry-After`). Default 1. */
  retryAfterSeconds?: number;
}

/** One message a fake gateway accepted. */
export interface SentMessage {
  provider: GatewayName;
  type: "sms" | "email";
  /** E.164 for an SMS (`+4712345678`, whatever form the gateway takes); the address for an e-mail. */
  to: string;
  /** The SMS text, or the e-mail body. */
  text: string;
  subject?: string | undefined;
  from?: string | undefined;
  /** The reference the gateway echoes (Digify `id`, websms `clientMessageId`, SmartSwitch `request_id`). */
  clientRef?: string | undefined;
  /** The gateway's id for it: what the adapter reports as `providerMessageId`. */
  id: string;
  /** SMS segments the gateway counted (0 for an e-mail). */
  segments: number;
  /** Accepted but not to be delivered: Digify simulation mode, websms `test: true`. */
  simulated: boolean;
  at: Date;
  /** The message as it appeared in the gateway request. */
  raw: unknown;
}

/** One request the fake received, valid or not, and what it answered. */
export interface RecordedRequest {
  method: string;
  url: string;
  /** The spec's operation, when the request matched one. */
  operationId: string | undefined;
  /** Ways the request broke the spec; empty for a valid request. */
  problems: readonly RequestProblem[];
  /** The HTTP status answered; undefined when the answer was lost or never sent. */
  status: number | undefined;
  fault: Fault | undefined;
}

export interface ListenOptions {
  /** Default 0: a free port. */
  port?: number;
  /** A loopback address; default `127.0.0.1`. */
  host?: string;
}

export interface ListeningFake {
  /** `http://127.0.0.1:<port>`: give it to a client as `baseUrl`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface DeliveryReportOptions {
  /** Where the report is posted. websms uses the message's `notificationCallbackUrl` when it had one. */
  url?: string;
  /** When the state was reached. Default: the fake's clock. */
  at?: Date;
}

/** What a gateway's handler gets for one valid request. */
export interface HandlerContext<Options> extends ValidatedRequest {
  request: Request;
  route: MatchedRoute;
  options: Options;
  credentials: Record<string, string>;
  /** The fake's clock. */
  now(): Date;
  /** The next number of the fake's id sequence (1, 2, …; restarts at `reset()`). */
  nextId(): number;
  /**
   * Whether a `reject-recipient` fault refuses this recipient (E.164). Ask for each recipient in
   * request order: without a `recipient` option the first one asked about is refused. At most one is.
   */
  rejects(to: string): boolean;
  /** Records an accepted message and returns it. */
  accept(message: Omit<SentMessage, "provider" | "at"> & { at?: Date }): SentMessage;
  sent: readonly SentMessage[];
  /** Per-fake storage for a gateway's own counters (Digify credits, …); cleared by `reset()`. */
  store: Map<string, unknown>;
}

/** What a gateway's error builders get. */
export interface ErrorContext {
  request: Request;
  route: MatchedRoute | undefined;
  mediaType: string | undefined;
}

export type RefusalFault = "throttle" | "unavailable" | "server-error";

export interface GatewayDefinition<P extends GatewayName, Options> {
  provider: P;
  spec: OpenApiDocument;
  /** Operations that send messages: faults apply to these. */
  sendOperations: readonly string[];
  handlers: Readonly<Record<string, (context: HandlerContext<Options>) => Response | Promise<Response>>>;
  /** Operations whose query is percent-encoded in another charset than UTF-8 (websms's simple endpoints). */
  queryCharsets?: Readonly<Record<string, string>>;
  /** Whether the credentials the request carries are the ones `options` demands (when it names some). */
  credentialsAccepted(credentials: Record<string, string>, options: Options): boolean;
  invalid(problems: readonly RequestProblem[], context: ErrorContext): Response;
  unauthorized(context: ErrorContext): Response;
  notFound(context: ErrorContext): Response;
  refuse(fault: RefusalFault, context: ErrorContext & { retryAfterSeconds: number }): Response;
  deliveryReport?(
    message: SentMessage,
    status: string,
    options: DeliveryReportOptions & { at: Date; nextId: () => number },
  ): Request;
}

export interface FakeCommonOptions {
  /** Clock for timestamps (logs, delivery reports). Default: the system clock. */
  now?: () => Date;
  /** Called once per request when the fake has answered it (or lost or stalled the answer). */
  onRequest?: (request: RecordedRequest) => void;
}

export interface FakeGatewayCore<P extends GatewayName, Status extends string> {
  readonly provider: P;
  /**
   * The base URL to give a client together with `fetch`. It is on the reserved `.invalid` domain, so
   * a client given this URL but not the fake's `fetch` fails to connect instead of reaching anything.
   */
  readonly baseUrl: string;
  /** Serves the fake without a network: pass it as a client's or adapter's `fetch` option. */
  readonly fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  /** What the gateway accepted, oldest first (a copy). */
  readonly sent: readonly SentMessage[];
  /** Every request received, oldest first (a copy). */
  readonly requests: readonly RecordedRequest[];
  /** Serves the fake over HTTP on a loopback port (Node, Bun and Deno). */
  listen(options?: ListenOptions): Promise<ListeningFake>;
  /** Forgets everything sent and received, pending faults, and restarts the id sequence. */
  reset(): void;
  /** Makes the next send request (or the next `times`) meet `fault`; several calls queue up in order. */
  failNext(fault: Fault, options?: FaultOptions): void;
  /**
   * The HTTP request the gateway would post to your webhook about a sent message: pass it to your
   * handler. `ref` is a {@link SentMessage}, its `id` or its `clientRef`.
   */
  deliveryReport(ref: SentMessage | string, status: Status, options?: DeliveryReportOptions): Request;
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

interface PendingFault {
  fault: Fault;
  remaining: number;
  options: FaultOptions;
}

type Dispatched = { response: Response } | { lost: true };

function connectionLost(): TypeError {
  // The shape undici gives a connection reset, so clients classify it as they would a real one.
  const cause = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
  return new TypeError("fetch failed", { cause });
}

function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

const digitsOnly = (value: string) => value.replace(/\D/g, "");

/** Builds a fake gateway from its definition. */
export function createFake<P extends GatewayName, Options extends FakeCommonOptions, Status extends string>(
  definition: GatewayDefinition<P, Options>,
  options: Options,
): FakeGatewayCore<P, Status> {
  const validator: RequestValidator = validatorFor(definition.spec);
  const now = options.now ?? (() => new Date());
  const sendOperations = new Set(definition.sendOperations);
  let sent: SentMessage[] = [];
  let requests: RecordedRequest[] = [];
  let faults: PendingFault[] = [];
  let sequence = 0;
  let store = new Map<string, unknown>();

  const takeFault = (): PendingFault | undefined => {
    const [next] = faults;
    if (next === undefined) return undefined;
    next.remaining -= 1;
    if (next.remaining <= 0) faults = faults.slice(1);
    return next;
  };

  async function dispatch(request: Request): Promise<Dispatched> {
    const record: RecordedRequest = {
      method: request.method,
      url: request.url,
      operationId: undefined,
      problems: [],
      status: undefined,
      fault: undefined,
    };
    requests.push(record);
    try {
      return await answerFor(request, record);
    } finally {
      options.onRequest?.({ ...record });
    }
  }

  async function answerFor(request: Request, record: RecordedRequest): Promise<Dispatched> {
    const url = new URL(request.url);
    const answer = (response: Response): Dispatched => {
      record.status = response.status;
      return { response };
    };

    const route = validator.match(request.method, url.pathname);
    const errorContext: ErrorContext = {
      request,
      route,
      mediaType: request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase(),
    };
    if (route === undefined) return answer(definition.notFound(errorContext));
    record.operationId = route.operationId;

    const security = validator.checkSecurity(route, request);
    if (!security.satisfied || !definition.credentialsAccepted(security.credentials, options)) {
      return answer(definition.unauthorized(errorContext));
    }

    const validated = await validator.validate(route, request, definition.queryCharsets?.[route.operationId]);
    record.problems = validated.problems;
    if (validated.problems.length > 0) return answer(definition.invalid(validated.problems, errorContext));

    const pending = sendOperations.has(route.operationId) ? takeFault() : undefined;
    record.fault = pending?.fault;
    if (pending?.fault === "unauthorized") return answer(definition.unauthorized(errorContext));
    if (
      pending?.fault === "throttle" ||
      pending?.fault === "unavailable" ||
      pending?.fault === "server-error"
    ) {
      return answer(
        definition.refuse(pending.fault, {
          ...errorContext,
          retryAfterSeconds: pending.options.retryAfterSeconds ?? 1,
        }),
      );
    }

    let rejectedOne = false;
    const rejectTarget = pending?.fault === "reject-recipient" ? pending.options.recipient : undefined;
    const context: HandlerContext<Options> = {
      ...validated,
      request,
      route,
      options,
      credentials: security.credentials,
      now,
      nextId: () => ++sequence,
      rejects(to) {
        if (pending?.fault !== "reject-recipient" || rejectedOne) return false;
        const hit = rejectTarget === undefined || digitsOnly(rejectTarget) === digitsOnly(to);
        if (hit) rejectedOne = true;
        return hit;
      },
      accept(message) {
        const entry: SentMessage = { ...message, provider: definition.provider, at: message.at ?? now() };
        sent.push(entry);
        return entry;
      },
      get sent() {
        return sent;
      },
      store,
    };
    const handler = definition.handlers[route.operationId];
    if (handler === undefined) return answer(definition.notFound(errorContext));
    const response = await handler(context);

    if (pending?.fault === "lose-answer") {
      await response.body?.cancel();
      return { lost: true };
    }
    if (pending?.fault === "timeout") {
      await response.body?.cancel();
      await untilAborted(request.signal);
    }
    return answer(response);
  }

  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    const outcome = await dispatch(request);
    if ("lost" in outcome) throw connectionLost();
    return outcome.response;
  };

  const findSent = (ref: SentMessage | string): SentMessage => {
    if (typeof ref !== "string") return ref;
    const byId = sent.filter((message) => message.id === ref);
    const matches = byId.length > 0 ? byId : sent.filter((message) => message.clientRef === ref);
    if (matches.length === 0) {
      throw new TypeError(
        `[${definition.provider}] the fake has sent no message with id or clientRef ${JSON.stringify(ref)}`,
      );
    }
    if (matches.length > 1) {
      throw new TypeError(
        `[${definition.provider}] ${matches.length} sent messages have id or clientRef ${JSON.stringify(ref)} (one request to several recipients); pass the SentMessage itself`,
      );
    }
    return matches[0] as SentMessage;
  };

  return {
    provider: definition.provider,
    baseUrl: `https://${definition.provider}.fake.smskit.invalid`,
    fetch,
    get sent() {
      return [...sent];
    },
    get requests() {
      return requests.map((request) => ({ ...request }));
    },
    listen: (listenOptions) => listen(dispatch, listenOptions),
    reset() {
      sent = [];
      requests = [];
      faults = [];
      sequence = 0;
      store = new Map();
    },
    failNext(fault, faultOptions = {}) {
      if (!FAULTS.includes(fault)) {
        throw new TypeError(
          `[${definition.provider}] unknown fault ${JSON.stringify(fault)}; one of ${FAULTS.join(", ")}`,
        );
      }
      const times = faultOptions.times ?? 1;
      if (!Number.isSafeInteger(times) || times < 1) {
        throw new TypeError(
          `[${definition.provider}] failNext times must be a positive whole number, got ${String(times)}`,
        );
      }
      faults.push({ fault, remaining: times, options: faultOptions });
    },
    deliveryReport(ref, status, reportOptions = {}) {
      if (definition.deliveryReport === undefined) {
        throw new TypeError(
          `[${definition.provider}] the gateway documents no delivery-report webhook${definition.provider === "digify" ? "; read the fake's SMS log (GET /api/v1/logs/sms) instead" : ""}`,
        );
      }
      return definition.deliveryReport(findSent(ref), status, {
        ...reportOptions,
        at: reportOptions.at ?? now(),
        nextId: () => ++sequence,
      });
    },
  };
}

// Imported only when listen() runs, and through a variable, so that bundles for browsers (which
// have no server) neither include nor try to resolve the Node modules.
const NODE_HTTP = "node:http";
const FETCH_SERVER = "@remix-run/node-fetch-server";

async function listen(
  dispatch: (request: Request) => Promise<Dispatched>,
  options: ListenOptions = {},
): Promise<ListeningFake> {
  const host = options.host ?? "127.0.0.1";
  if (!LOOPBACK.has(host)) {
    throw new TypeError(
      `a fake gateway listens on loopback only (127.0.0.1, ::1, localhost), not ${JSON.stringify(host)}`,
    );
  }
  const port = options.port ?? 0;
  if (!Number.isSafeInteger(port) || port < 0 || port > 65535) {
    throw new TypeError(`port must be a whole number from 0 to 65535, got ${String(port)}`);
  }
  let http: typeof import("node:http");
  let server: typeof import("@remix-run/node-fetch-server");
  try {
    [http, server] = await Promise.all([import(NODE_HTTP), import(FETCH_SERVER)]);
  } catch (error) {
    throw new TypeError(
      "listen() needs a server runtime (Node, Bun or Deno); in a browser use the fake's fetch instead",
      { cause: error },
    );
  }
  // The Request/Response conversion is @remix-run/node-fetch-server's; the listener is ours only so
  // that a lost answer can drop the connection without a byte of reply.
  const httpServer = http.createServer(async (incoming, outgoing) => {
    try {
      const outcome = await dispatch(server.createRequest(incoming, outgoing));
      if ("lost" in outcome) {
        incoming.socket.destroy();
        return;
      }
      await server.sendResponse(outgoing, outcome.response);
    } catch {
      // the client went away (a timeout fault ends this way) or the answer could not be written
      if (!outgoing.headersSent) incoming.socket.destroy();
      else outgoing.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(port, host, () => {
      httpServer.off("error", reject);
      resolve();
    });
  });
  const address = httpServer.address();
  const boundPort = typeof address === "object" && address !== null ? address.port : port;
  const urlHost = host === "::1" ? "[::1]" : host;
  return {
    url: `http://${urlHost}:${boundPort}`,
    port: boundPort,
    close: () =>
      new Promise<void>((resolve, reject) => {
        httpServer.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive and stalled (timeout fault) connections would otherwise hold close() open.
        httpServer.closeAllConnections?.();
      }),
  };
}
