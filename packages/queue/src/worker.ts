import { DelayedError, UnrecoverableError, Worker } from "bullmq";
import { connect, type MemoryConsumer, memoryBackend } from "./backend.js";
import { clientRefOf } from "./job-id.js";
import { checkLimits, createRedisLimiter } from "./limiter.js";
import { createRedisStore } from "./redis-store.js";
import { createRunner, type Directive } from "./runner.js";
import type { SmsWorker, SmsWorkerOptions } from "./types.js";

const DEFAULT_CONCURRENCY = 50;

function positive(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
    throw new TypeError(`[queue] ${name} must be a positive whole number, got ${String(value)}`);
  }
  return value;
}

function workerId(): string {
  const pid = typeof process === "object" ? process.pid : 0;
  return `${pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * A worker: takes queued messages, groups those for the same gateway into batches, and sends them
 * within the limits shared by every worker on the same Redis. Run as many as you like, in as many
 * processes as you like.
 *
 * @example
 * const worker = createSmsWorker({
 *   connection: "redis://127.0.0.1:6379",
 *   providers: [digify({ accessToken, retry: false })],
 *   limits: { digify: { limit: 60, intervalMs: 60_000, per: "message" } },
 *   handleSignals: true,
 * });
 *
 * @throws {TypeError} for malformed options (no providers, a bad limit).
 */
export function createSmsWorker(options: SmsWorkerOptions): SmsWorker {
  const name = options.name ?? "sms";
  if (typeof name !== "string" || name === "" || name.includes(":")) {
    throw new TypeError('[queue] name must be a non-empty string without ":"');
  }
  checkLimits(options.limits);
  const concurrency = positive("concurrency", options.concurrency, DEFAULT_CONCURRENCY);
  const id = workerId();
  const onError = (error: Error) => options.onError?.(error);
  let closing: Promise<void> | undefined;
  const cleanups: Array<() => void> = [];

  let worker: SmsWorker;
  if (options.connection === undefined) {
    const backend = memoryBackend(name);
    Object.assign(backend.limits, options.limits ?? {});
    const runner = createRunner({ store: backend.store, limiter: backend.limiter, options, workerId: id });
    const consumer: MemoryConsumer = {
      concurrency,
      active: 0,
      closing: false,
      run: (job) => runner.process(job),
    };
    const detach = backend.attach(consumer);
    worker = {
      ready: async () => {},
      close: () => {
        closing ??= (async () => {
          consumer.closing = true;
          runner.shutdown();
          await backend.idle(consumer);
          detach();
          for (const cleanup of cleanups) cleanup();
        })();
        return closing;
      },
    };
  } else {
    const connection = connect(options.connection, true);
    const store = createRedisStore(connection.redis, name);
    const limiter = createRedisLimiter(connection.redis, name, options.limits);
    const runner = createRunner({ store, limiter, options, workerId: id });
    const bull = new Worker(
      name,
      async (job, token): Promise<void> => {
        const directive: Directive = await runner.process({
          clientRef: clientRefOf(job.id ?? ""),
          data: job.data,
          attemptsMade: job.attemptsMade,
          maxAttempts: job.opts.attempts ?? 1,
        });
        switch (directive.kind) {
          case "done":
            return;
          case "retry":
            throw new Error(directive.error.message);
          case "requeue":
            await job.moveToDelayed(Date.now(), token);
            throw new DelayedError();
          case "malformed":
            throw new UnrecoverableError(directive.reason);
        }
      },
      {
        connection: connection.redis,
        concurrency,
        lockDuration: positive("lockDuration", options.lockDuration, 30_000),
        stalledInterval: positive("stalledInterval", options.stalledInterval, 15_000),
        maxStalledCount: 1,
      },
    );
    bull.on("error", onError);
    bull.on("failed", (job, error) => {
      // BullMQ fails a job that stalled too often without running it again: its `sending` must not stay.
      if (job && /stalled more than allowable limit/.test(error.message)) {
        runner.orphaned(clientRefOf(job.id ?? "")).catch(onError);
      }
    });
    connection.redis.on("error", onError);
    worker = {
      ready: async () => {
        await bull.waitUntilReady();
      },
      close: () => {
        closing ??= (async () => {
          const closed = bull.close();
          runner.shutdown();
          await closed;
          for (const cleanup of cleanups) cleanup();
          if (connection.owned) connection.redis.disconnect();
        })();
        return closing;
      },
    };
  }

  if (options.handleSignals && typeof process === "object") {
    const stop = () => {
      void worker.close();
    };
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
    cleanups.push(() => {
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
    });
  }
  return worker;
}
