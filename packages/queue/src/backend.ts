/**
 * Where jobs live: BullMQ on Redis, or an in-process stand-in with the same semantics for one process
 * (a job is handed to one worker slot at a time, retried with exponential backoff, delayed until
 * `sendAt`). Both sit behind the same send log, so the guarantees are the same code.
 */
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { jobIdFor } from "./job-id.js";
import { createMemoryLimiter, type Limiter } from "./limiter.js";
import { createRedisStore } from "./redis-store.js";
import type { Directive, JobInput, StoredMessage } from "./runner.js";
import { createMemoryStore, type Store } from "./store.js";
import type { ProviderLimit, RedisConnection } from "./types.js";

export interface NewJob {
  clientRef: string;
  data: StoredMessage;
  delayMs: number;
}

export interface JobOptions {
  attempts: number;
  backoffMs: number;
}

export interface Backend {
  store: Store;
  addJobs(jobs: readonly NewJob[], options: JobOptions): Promise<void>;
  removeJob(clientRef: string): Promise<void>;
  /** Whether the job still runs or waits to run; false when it finished or is gone. */
  jobPending(clientRef: string): Promise<boolean>;
  close(): Promise<void>;
}

/** Removes credentials from a Redis URL before it appears in an error or a log line. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    return parsed.toString();
  } catch {
    return "<redis url>";
  }
}

export interface OwnedRedis {
  redis: Redis;
  owned: boolean;
  description: string;
}

export function connect(connection: RedisConnection, forWorker: boolean): OwnedRedis {
  if (typeof connection === "string") {
    const redis = new Redis(connection, {
      // Workers wait out a Redis restart; a producer should hear about it instead of hanging.
      maxRetriesPerRequest: forWorker ? null : 1,
      connectTimeout: 5_000,
      lazyConnect: false,
    });
    // ioredis reconnects by itself; the errors that matter reach the caller through its commands.
    redis.on("error", () => {});
    return { redis, owned: true, description: redactRedisUrl(connection) };
  }
  if (typeof connection !== "object" || connection === null || typeof connection.duplicate !== "function") {
    throw new TypeError("[queue] connection must be a Redis URL or an ioredis instance");
  }
  return { redis: connection, owned: false, description: "the given ioredis connection" };
}

export function createRedisBackend(connection: OwnedRedis, name: string): Backend {
  const { redis } = connection;
  const store = createRedisStore(redis, name);
  let queue: Queue | undefined;
  const bull = () => {
    queue ??= new Queue(name, { connection: redis });
    return queue;
  };
  return {
    store,
    async addJobs(jobs, options) {
      if (jobs.length === 0) return;
      await bull().addBulk(
        jobs.map((job) => ({
          name: "sms",
          data: job.data,
          opts: {
            jobId: jobIdFor(job.clientRef),
            ...(job.delayMs > 0 ? { delay: job.delayMs } : {}),
            attempts: options.attempts,
            backoff: { type: "exponential", delay: options.backoffMs },
            removeOnComplete: { count: 10_000 },
            removeOnFail: { count: 10_000 },
          },
        })),
      );
    },
    async removeJob(clientRef) {
      await bull().remove(jobIdFor(clientRef));
    },
    async jobPending(clientRef) {
      const state = await bull().getJobState(jobIdFor(clientRef));
      return state === "active" || state === "waiting" || state === "delayed" || state === "prioritized";
    },
    async close() {
      await queue?.close();
      if (connection.owned) redis.disconnect();
    },
  };
}

interface MemoryJob extends JobInput {
  backoffMs: number;
}

export interface MemoryConsumer {
  concurrency: number;
  active: number;
  closing: boolean;
  run(job: JobInput): Promise<Directive>;
}

export interface MemoryBackend extends Backend {
  limits: Record<string, ProviderLimit>;
  limiter: Limiter;
  attach(consumer: MemoryConsumer): () => void;
  /** Resolves when no job is running in this consumer. */
  idle(consumer: MemoryConsumer): Promise<void>;
}

function createMemoryBackend(): MemoryBackend {
  const store = createMemoryStore();
  const limits: Record<string, ProviderLimit> = {};
  const jobs = new Map<string, MemoryJob>();
  const ready: string[] = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const consumers = new Set<MemoryConsumer>();
  const idleWaiters = new Map<MemoryConsumer, Array<() => void>>();

  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timer.unref?.();
    timers.add(timer);
  };

  const makeReady = (clientRef: string) => {
    ready.push(clientRef);
    dispatch();
  };

  const settle = (consumer: MemoryConsumer, job: MemoryJob, directive: Directive) => {
    consumer.active -= 1;
    if (directive.kind === "retry") {
      job.attemptsMade += 1;
      later(job.backoffMs * 2 ** (job.attemptsMade - 1), () => makeReady(job.clientRef));
    } else if (directive.kind === "requeue") {
      ready.unshift(job.clientRef);
    } else {
      jobs.delete(job.clientRef);
    }
    if (consumer.active === 0) {
      for (const resolve of idleWaiters.get(consumer) ?? []) resolve();
      idleWaiters.delete(consumer);
    }
    dispatch();
  };

  function dispatch(): void {
    for (;;) {
      const consumer = [...consumers].find(
        (candidate) => !candidate.closing && candidate.active < candidate.concurrency,
      );
      if (!consumer || ready.length === 0) return;
      const clientRef = ready.shift() as string;
      const job = jobs.get(clientRef);
      if (!job) continue;
      consumer.active += 1;
      consumer.run(job).then(
        (directive) => settle(consumer, job, directive),
        (error: unknown) =>
          settle(consumer, job, {
            kind: "malformed",
            reason: error instanceof Error ? error.message : String(error),
          }),
      );
    }
  }

  return {
    store,
    limits,
    limiter: createMemoryLimiter(limits),
    async addJobs(list, options) {
      for (const job of list) {
        if (jobs.has(job.clientRef)) continue;
        jobs.set(job.clientRef, {
          clientRef: job.clientRef,
          data: structuredClone(job.data),
          attemptsMade: 0,
          maxAttempts: options.attempts,
          backoffMs: options.backoffMs,
        });
        if (job.delayMs > 0) later(job.delayMs, () => makeReady(job.clientRef));
        else ready.push(job.clientRef);
      }
      dispatch();
    },
    async removeJob(clientRef) {
      jobs.delete(clientRef);
    },
    async jobPending(clientRef) {
      return jobs.has(clientRef);
    },
    attach(consumer) {
      consumers.add(consumer);
      dispatch();
      return () => {
        consumers.delete(consumer);
        dispatch();
      };
    },
    idle(consumer) {
      if (consumer.active === 0) return Promise.resolve();
      return new Promise((resolve) =>
        idleWaiters.set(consumer, [...(idleWaiters.get(consumer) ?? []), resolve]),
      );
    },
    async close() {},
  };
}

const memoryBackends = new Map<string, MemoryBackend>();

/** The embedded queue of this process for a name: a queue and its workers find each other by name. */
export function memoryBackend(name: string): MemoryBackend {
  let backend = memoryBackends.get(name);
  if (!backend) {
    backend = createMemoryBackend();
    memoryBackends.set(name, backend);
  }
  return backend;
}

/** Forgets an embedded queue (tests). */
export function resetMemoryQueue(name = "sms"): void {
  memoryBackends.delete(name);
}
