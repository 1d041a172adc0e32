import type { SmsKitError, SmsProvider } from "@smskit/core";
import type { Messenger, MessengerOptions, SmsInput } from "smskit";

/** A message to queue: the facade's {@link SmsInput}, plus when to send it. */
export interface QueuedSmsInput extends SmsInput {
  /** Not before this moment (a `Date` or an ISO 8601 string). In the past, or not a date: `ValidationError`. */
  sendAt?: Date | string;
}

/**
 * Where a message stands. Every enqueued message ends in exactly one of `sent`, `failed` or `unknown`.
 * - `queued`: waiting for a worker (also after a retry that proved the gateway did not take it).
 * - `scheduled`: waiting for its `sendAt`.
 * - `sending`: a worker recorded that it is handing it to a gateway now.
 * - `sent`: a gateway accepted it (`provider`, `providerMessageId`).
 * - `failed`: a gateway (or validation) refused it; `error` says why. Never sent.
 * - `unknown`: it may or may not have been sent (the answer was lost, or the worker died while
 *   sending). Never resent automatically: see `reconcile()` and `resendUnknown()`.
 */
export type SmsState = "queued" | "scheduled" | "sending" | "sent" | "failed" | "unknown";

export const SMS_STATES: readonly SmsState[] = [
  "queued",
  "scheduled",
  "sending",
  "sent",
  "failed",
  "unknown",
];

export const FINAL_STATES: readonly SmsState[] = ["sent", "failed", "unknown"];

export type DeliveryStatus = "delivered" | "failed" | "expired" | "pending" | "unknown";

export interface SmsOutcome {
  clientRef: string;
  state: SmsState;
  provider?: string;
  providerMessageId?: string;
  /** Why it `failed`, or the lost answer behind an `unknown` (typed, credentials already removed). */
  error?: SmsKitError;
  /** Why it is `unknown`, or how an `unknown` was resolved. */
  reason?: string;
  /** How many times a worker handed it to a gateway (or tried to). */
  attempts: number;
  updatedAt: Date;
  sendAt?: Date;
  /** The last delivery report recorded for it. */
  delivery?: DeliveryStatus;
}

export type SmsCounts = Record<SmsState, number>;

export interface EnqueueResult {
  clientRef: string;
  /** True when a message with this `clientRef` was already queued: nothing new was written. */
  duplicate: boolean;
  state: SmsState;
}

export type EnqueueOutcome = ({ ok: true } & EnqueueResult) | { ok: false; error: SmsKitError };

/**
 * A delivery report, structurally: what `parseDeliveryReport` returns and what `smskit/webhooks`
 * emits as a `delivery` event. Extra fields are ignored.
 */
export interface DeliveryReportLike {
  provider: string;
  providerMessageId?: string | undefined;
  clientRef?: string | undefined;
  status: DeliveryStatus;
  at?: Date | undefined;
}

/** A Redis URL (`redis://127.0.0.1:6379`) or an ioredis instance you own (not closed by us). */
export type RedisConnection = string | import("ioredis").Redis;

export interface ReconcileOptions {
  /** Digify's SMS log is searched from this long before a send until this long after it. Default 10 min. */
  windowMs?: number;
}

export interface ReconcileResult {
  /** `unknown` messages looked at. */
  checked: number;
  /** Resolved to `sent` (found in a gateway's log, or a delivery report). */
  sent: number;
  /** Resolved to `failed` by a delivery report. */
  failed: number;
  /** Still `unknown`: no gateway could confirm them. */
  unknown: number;
  /** Messages left `sending` by a job that no longer runs, turned `unknown`. */
  orphaned: number;
}

export interface DigifyReconcileConfig {
  /** The Digify AccessToken (from the environment; never stored in Redis). */
  accessToken: string;
  baseUrl?: string;
  fetch?: (request: Request) => Promise<Response>;
}

export interface SmsQueueOptions {
  /** Redis; omit for the in-memory queue of this process (shared by name with workers created without one). */
  connection?: RedisConnection;
  /** Queue name, also the BullMQ queue name. Default `"sms"`. */
  name?: string;
  /** Longest text accepted, in segments (as the messenger's `maxSegments`). Default 10. */
  maxSegments?: number;
  /** How often a worker tries a message whose send proved not taken (429, 503, refused). Default 8. */
  attempts?: number;
  /** First retry delay; doubles each time. Default 2 000 ms. */
  backoffMs?: number;
  /** For `reconcile()`: how to ask Digify for its SMS log. */
  digify?: DigifyReconcileConfig;
  /** Makes a `clientRef` for messages without one. Default: a random UUID. */
  createClientRef?: () => string;
  /** Clock, for `sendAt` checks. */
  now?: () => number;
}

export interface SmsQueue {
  readonly name: string;
  /** Validates (as `messenger.send` does; same typed errors) and queues one message. */
  enqueue(message: QueuedSmsInput): Promise<EnqueueResult>;
  /** One outcome per message, in order; an invalid message is reported in its place and not queued. */
  enqueueMany(messages: readonly QueuedSmsInput[]): Promise<EnqueueOutcome[]>;
  outcome(clientRef: string): Promise<SmsOutcome | undefined>;
  counts(): Promise<SmsCounts>;
  /** Resolves when nothing is `queued`, `scheduled` or `sending`; rejects with a `TimeoutError` after `timeoutMs`. */
  waitUntilDrained(options?: { timeoutMs?: number; pollMs?: number }): Promise<SmsCounts>;
  /** Resolves `unknown` messages where a gateway can tell (Digify's SMS log, delivery reports). */
  reconcile(options?: ReconcileOptions): Promise<ReconcileResult>;
  /** Records a delivery report; a report for an `unknown` message resolves it. Returns whether a message matched. */
  recordDeliveryReport(report: DeliveryReportLike): Promise<boolean>;
  /**
   * Queues an `unknown` message again. This may deliver it twice: call it only when you have decided
   * that a duplicate is better than a missing message. Throws `ValidationError` unless the state is `unknown`.
   */
  resendUnknown(clientRef: string): Promise<void>;
  close(): Promise<void>;
}

export interface ProviderLimit {
  /** Requests (or messages, with `per: "message"`) allowed in any window of `intervalMs`. */
  limit: number;
  intervalMs: number;
  /** What the gateway counts. Default `"request"`. */
  per?: "request" | "message";
}

export interface WorkerEvent {
  clientRef: string;
  outcome: SmsOutcome;
}

export interface SmsWorkerOptions extends Omit<MessengerOptions, "providers" | "createClientRef"> {
  connection?: RedisConnection;
  name?: string;
  /**
   * The gateways. Prefer adapters built with `retry: false`: the queue retries what a gateway did not
   * take, and a 429 then pauses that gateway for every worker at once.
   */
  providers?: readonly SmsProvider[];
  /** Or a messenger of your own. Its gateway requests are invisible to the worker, so `limits` need `providers`. */
  messenger?: Messenger;
  /** Jobs one worker runs at once (the most messages in flight or waiting for a batch). Default 50. */
  concurrency?: number;
  /** Per provider name, shared by every worker on the same Redis. */
  limits?: Readonly<Record<string, ProviderLimit>>;
  /** Messages waiting in one worker for a gateway batch: flushed when full or after `lingerMs`. */
  batch?: { maxSize?: number; lingerMs?: number };
  /** BullMQ's stall detection: a job whose worker stopped renewing its lock for this long runs again. Default 30 000. */
  lockDuration?: number;
  /** How often workers look for stalled jobs. Default 15 000. */
  stalledInterval?: number;
  /** Pause when a 429 carries no `Retry-After`. Default 1 000 ms. */
  defaultRetryAfterMs?: number;
  /** Stop on SIGTERM/SIGINT (finishing what is in flight). Default false. */
  handleSignals?: boolean;
  onOutcome?: (event: WorkerEvent) => void;
  /** Connection trouble and other errors a worker survives. Default: ignored (ioredis reconnects). */
  onError?: (error: Error) => void;
}

export interface SmsWorker {
  /** Stops taking jobs and resolves once the jobs in flight have finished. */
  close(): Promise<void>;
  /** Resolves once the worker is connected and taking jobs. */
  ready(): Promise<void>;
}
