import { ServiceUnavailableError, SmsKitError, TimeoutError, ValidationError } from "@smskit/core";
import { validateSmsInput } from "smskit";
import { type Backend, connect, createRedisBackend, memoryBackend } from "./backend.js";
import { reconcileUnknown } from "./reconcile.js";
import { outcomeOf, type StoredMessage } from "./runner.js";
import {
  FINAL_STATES,
  type QueuedSmsInput,
  type SmsCounts,
  type SmsQueue,
  type SmsQueueOptions,
} from "./types.js";

/**
 * Redis could not be reached (or went away) while queueing or reading. Retryable: enqueueing again
 * with the same `clientRef` is always safe, because a message is queued at most once per `clientRef`.
 */
export class QueueUnavailableError extends ServiceUnavailableError {}

const DEFAULT_ATTEMPTS = 8;
const DEFAULT_BACKOFF_MS = 2_000;

function invalid(code: string, field: string, message: string): ValidationError {
  return new ValidationError({
    provider: "smskit",
    code,
    details: { field },
    message: `[smskit] ${message}`,
  });
}

function parseSendAt(value: unknown, now: number): number | undefined {
  if (value === undefined) return undefined;
  const time =
    value instanceof Date ? value.getTime() : typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(time)) {
    throw invalid(
      "INVALID_SEND_AT",
      "sendAt",
      `sendAt must be a Date or an ISO 8601 string, got ${String(value)}`,
    );
  }
  if (time < now) {
    throw invalid("SEND_AT_IN_PAST", "sendAt", `sendAt ${new Date(time).toISOString()} is in the past`);
  }
  return time;
}

function randomUuid(): string {
  return globalThis.crypto.randomUUID();
}

function positive(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
    throw new TypeError(`[queue] ${name} must be a positive whole number, got ${String(value)}`);
  }
  return value;
}

/**
 * A durable SMS queue: `enqueue` validates a message exactly as `messenger.send` would and queues it
 * once per `clientRef`; workers (`createSmsWorker`, usually other processes) send it.
 *
 * @example
 * const queue = createSmsQueue({ connection: "redis://127.0.0.1:6379" });
 * await queue.enqueue({ to: "+4712345678", text: "Hei!", clientRef: "order-42" });
 * (await queue.outcome("order-42"))?.state; // "queued" … "sent"
 *
 * @throws {TypeError} for a malformed option.
 */
export function createSmsQueue(options: SmsQueueOptions = {}): SmsQueue {
  const name = options.name ?? "sms";
  if (typeof name !== "string" || name === "" || name.includes(":")) {
    throw new TypeError('[queue] name must be a non-empty string without ":"');
  }
  const attempts = positive("attempts", options.attempts, DEFAULT_ATTEMPTS);
  const backoffMs = positive("backoffMs", options.backoffMs, DEFAULT_BACKOFF_MS);
  const now = options.now ?? Date.now;
  const createClientRef = options.createClientRef ?? randomUuid;
  const redis = options.connection === undefined ? undefined : connect(options.connection, false);
  const backend: Backend = redis ? createRedisBackend(redis, name) : memoryBackend(name);
  const { store } = backend;

  /** Redis errors become one typed, retryable error that names no credential. */
  const guarded = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (error instanceof SmsKitError || error instanceof TypeError) throw error;
      throw new QueueUnavailableError({
        provider: "redis",
        code: "REDIS_UNAVAILABLE",
        message: `[queue] ${what} failed: Redis (${redis?.description ?? "memory"}) did not answer (${(error as Error).message}). Nothing is lost by trying again with the same clientRef.`,
        cause: error,
      });
    }
  };

  const prepare = (input: QueuedSmsInput): { message: StoredMessage; delayMs: number } => {
    const valid = validateSmsInput(
      input,
      options.maxSegments === undefined ? {} : { maxSegments: options.maxSegments },
    );
    const time = now();
    const sendAt = parseSendAt((input as { sendAt?: unknown }).sendAt, time);
    const message: StoredMessage = {
      clientRef: valid.clientRef ?? createClientRef(),
      to: valid.to,
      text: valid.text,
    };
    if (valid.from !== undefined) message.from = valid.from;
    if (valid.provider !== undefined) message.provider = valid.provider;
    if (sendAt !== undefined) message.sendAt = sendAt;
    return { message, delayMs: sendAt === undefined ? 0 : Math.max(0, sendAt - time) };
  };

  const write = async (prepared: Array<{ message: StoredMessage; delayMs: number }>) => {
    // Skip what the log already has; the job goes first, so a lost connection between the two writes
    // leaves a job whose worker writes the record, never a record without a job.
    const existing = await Promise.all(prepared.map(({ message }) => store.get(message.clientRef)));
    const seen = new Set<string>();
    const freshIndexes: number[] = [];
    prepared.forEach(({ message }, index) => {
      if (existing[index] || seen.has(message.clientRef)) return;
      seen.add(message.clientRef);
      freshIndexes.push(index);
    });
    const fresh = freshIndexes.map((index) => prepared[index] as (typeof prepared)[number]);
    await backend.addJobs(
      fresh.map(({ message, delayMs }) => ({ clientRef: message.clientRef, data: message, delayMs })),
      { attempts, backoffMs },
    );
    const created = await store.create(
      fresh.map(({ message, delayMs }) => ({
        clientRef: message.clientRef,
        state: delayMs > 0 ? "scheduled" : "queued",
        message: JSON.stringify(message),
        now: now(),
        sendAt: message.sendAt,
      })),
    );
    const made = new Map(freshIndexes.map((index, position) => [index, created[position]]));
    const firstState = new Map(
      fresh.map(({ message }, position) => [message.clientRef, created[position]?.state]),
    );
    return prepared.map(({ message }, index) => {
      const result = made.get(index);
      if (result?.created) return { clientRef: message.clientRef, duplicate: false, state: result.state };
      const state = existing[index]?.state ?? result?.state ?? firstState.get(message.clientRef) ?? "queued";
      return { clientRef: message.clientRef, duplicate: true, state };
    });
  };

  const counts = () => guarded("counting", () => store.counts());

  const queue: SmsQueue = {
    name,
    async enqueue(input) {
      const prepared = prepare(input);
      const [result] = await guarded("enqueue", () => write([prepared]));
      return result as NonNullable<typeof result>;
    },
    async enqueueMany(inputs) {
      if (!Array.isArray(inputs)) throw new TypeError("[queue] enqueueMany takes an array of messages");
      const prepared: Array<{ index: number; value: ReturnType<typeof prepare> }> = [];
      const outcomes: Awaited<ReturnType<SmsQueue["enqueueMany"]>> = new Array(inputs.length);
      inputs.forEach((input, index) => {
        try {
          prepared.push({ index, value: prepare(input) });
        } catch (error) {
          if (!(error instanceof SmsKitError)) throw error;
          outcomes[index] = { ok: false, error };
        }
      });
      const results = await guarded("enqueue", () => write(prepared.map((item) => item.value)));
      prepared.forEach((item, position) => {
        outcomes[item.index] = { ok: true, ...(results[position] as (typeof results)[number]) };
      });
      return outcomes;
    },
    async outcome(clientRef) {
      const record = await guarded("reading an outcome", () => store.get(clientRef));
      return record && outcomeOf(record);
    },
    counts,
    async waitUntilDrained({ timeoutMs = 60_000, pollMs = 100 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const current = await counts();
        if (current.queued + current.scheduled + current.sending === 0) return current;
        if (Date.now() > deadline) {
          throw new TimeoutError({
            provider: "queue",
            code: "NOT_DRAINED",
            timeoutMs,
            message: `[queue] not drained after ${timeoutMs} ms: ${describeCounts(current)}`,
          });
        }
        await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
    },
    reconcile(reconcileOptions = {}) {
      return guarded("reconcile", () =>
        reconcileUnknown({
          store,
          backend,
          digify: options.digify,
          windowMs: reconcileOptions.windowMs,
          now,
        }),
      );
    },
    async recordDeliveryReport(report) {
      if (report === null || typeof report !== "object" || typeof report.provider !== "string") {
        throw new TypeError("[queue] recordDeliveryReport takes a delivery report ({ provider, status, … })");
      }
      return guarded("recording a delivery report", async () => {
        const clientRef =
          (typeof report.clientRef === "string" && report.clientRef !== "" ? report.clientRef : undefined) ??
          (typeof report.providerMessageId === "string"
            ? await store.byProviderId(report.provider, report.providerMessageId)
            : undefined);
        if (clientRef === undefined) return false;
        const record = await store.get(clientRef);
        if (!record) return false;
        const time = now();
        const status = String(report.status);
        const set = {
          delivery: status,
          ...(typeof report.providerMessageId === "string" && record.providerMessageId === undefined
            ? { providerMessageId: report.providerMessageId }
            : {}),
        };
        if (record.state === "unknown" && (status === "delivered" || status === "pending")) {
          await store.transition([
            {
              clientRef,
              from: ["unknown"],
              to: "sent",
              now: time,
              set: {
                ...set,
                provider: report.provider,
                reason: `resolved by a ${status} delivery report from ${report.provider}`,
              },
            },
          ]);
        } else if (record.state === "unknown" && (status === "failed" || status === "expired")) {
          await store.transition([
            {
              clientRef,
              from: ["unknown"],
              to: "failed",
              now: time,
              set: {
                ...set,
                provider: report.provider,
                reason: `the gateway took it, then reported it ${status}`,
              },
            },
          ]);
        } else {
          await store.transition([{ clientRef, from: [record.state], to: record.state, now: time, set }]);
        }
        return true;
      });
    },
    async resendUnknown(clientRef) {
      const record = await guarded("reading an outcome", () => store.get(clientRef));
      if (record?.state !== "unknown") {
        throw invalid(
          "NOT_UNKNOWN",
          "clientRef",
          `${clientRef} is ${record ? record.state : "not in the queue"}; only an unknown message can be resent`,
        );
      }
      await guarded("resend", async () => {
        const message = JSON.parse(record.message) as StoredMessage;
        delete message.sendAt;
        await backend.removeJob(clientRef);
        const [result] = await store.transition([
          {
            clientRef,
            from: ["unknown"],
            to: "queued",
            now: now(),
            set: { reason: "resent by resendUnknown: it may now arrive twice" },
            unset: ["token", "error"],
          },
        ]);
        if (!result?.ok) return;
        await backend.addJobs([{ clientRef, data: message, delayMs: 0 }], { attempts, backoffMs });
      });
    },
    async close() {
      await backend.close();
    },
  };
  return queue;
}

export function describeCounts(counts: SmsCounts): string {
  return Object.entries(counts)
    .map(([state, count]) => `${count} ${state}`)
    .join(", ");
}

export function isFinal(state: string): boolean {
  return (FINAL_STATES as readonly string[]).includes(state);
}
