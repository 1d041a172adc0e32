/**
 * Where the webhook handler remembers which events it has processed, so a redelivered report does
 * not reach `onEvent` twice.
 *
 * Two steps, so that neither a concurrent copy nor a crash loses or doubles an event:
 * `mark` atomically claims an event for a short lease (a copy arriving meanwhile is told
 * "in-progress" and answered 503, so the gateway tries again later); `settle` then either keeps it
 * as seen for the TTL (processed) or forgets it (failed, so the redelivery is processed). If the
 * process dies while `onEvent` runs, the lease runs out and the redelivery is processed: at least
 * once, never silently dropped.
 */

export type MarkResult = "marked" | "in-progress" | "seen";

export interface DedupeStore {
  /** Atomically claims `key` unless it is claimed (`"in-progress"`) or done (`"seen"`). */
  mark(key: string): Promise<MarkResult>;
  /** `"processed"`: remember `key` as seen for the TTL. `"failed"`: forget it. */
  settle(key: string, outcome: "processed" | "failed"): Promise<void>;
}

export interface DedupeTimes {
  /** How long a processed event is remembered. Default 72 h (gateways report up to three days late). */
  ttlMs?: number;
  /**
   * How long a claim lasts while `onEvent` runs; after that a copy is processed again. Longer than
   * your slowest `onEvent`. Default 60 s.
   */
  leaseMs?: number;
}

const DEFAULT_TTL_MS = 72 * 60 * 60 * 1000;
const DEFAULT_LEASE_MS = 60_000;

function positiveMs(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new TypeError(`${name} must be a positive integer number of milliseconds`);
  }
  return value;
}

export interface MemoryDedupeOptions extends DedupeTimes {
  /** At most this many keys are kept; the oldest go first. Default 100 000. */
  maxEntries?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/**
 * The default store: one process's memory. Use {@link redisDedupe} when several instances receive
 * webhooks, or when a restart must not forget what was processed.
 */
export function memoryDedupe(options: MemoryDedupeOptions = {}): DedupeStore {
  const ttlMs = positiveMs("ttlMs", options.ttlMs, DEFAULT_TTL_MS);
  const leaseMs = positiveMs("leaseMs", options.leaseMs, DEFAULT_LEASE_MS);
  const maxEntries = positiveMs("maxEntries", options.maxEntries, 100_000);
  const now = options.now ?? Date.now;
  // Insertion order is expiry order for entries of one kind, so sweeping from the front is cheap.
  const entries = new Map<string, { state: "in-progress" | "seen"; expiresAt: number }>();

  const sweep = (at: number) => {
    for (const [key, entry] of entries) {
      if (entry.expiresAt > at && entries.size <= maxEntries) break;
      entries.delete(key);
    }
  };

  return {
    async mark(key) {
      const at = now();
      const entry = entries.get(key);
      if (entry !== undefined && entry.expiresAt > at) return entry.state;
      entries.delete(key);
      entries.set(key, { state: "in-progress", expiresAt: at + leaseMs });
      sweep(at);
      return "marked";
    },
    async settle(key, outcome) {
      entries.delete(key);
      if (outcome === "processed") entries.set(key, { state: "seen", expiresAt: now() + ttlMs });
    },
  };
}

/**
 * The commands {@link redisDedupe} uses, as ioredis spells them (`new Redis(url)` fits). For
 * another client, wrap it in an object with these three methods.
 */
export interface RedisDedupeClient {
  set(key: string, value: string, px: "PX", milliseconds: number, nx: "NX"): Promise<"OK" | null>;
  set(key: string, value: string, px: "PX", milliseconds: number): Promise<"OK" | null>;
  get(key: string): Promise<string | null>;
  del(key: string): Promise<number>;
}

export interface RedisDedupeOptions extends DedupeTimes {
  /** Key prefix. Default `smskit:webhooks:`. */
  prefix?: string;
}

const SEEN = "seen";

/**
 * A store in Redis, shared by every instance: `SET key NX PX lease` claims an event (atomic in
 * Redis, so two instances never both get it), `SET key seen PX ttl` remembers it, `DEL` forgets it.
 * smskit has no Redis dependency: pass your own client.
 */
export function redisDedupe(redis: RedisDedupeClient, options: RedisDedupeOptions = {}): DedupeStore {
  if (redis === null || typeof redis !== "object" || typeof redis.set !== "function") {
    throw new TypeError(
      "redisDedupe needs a Redis client with set, get and del (e.g. new Redis(url) of ioredis)",
    );
  }
  const ttlMs = positiveMs("ttlMs", options.ttlMs, DEFAULT_TTL_MS);
  const leaseMs = positiveMs("leaseMs", options.leaseMs, DEFAULT_LEASE_MS);
  const prefix = options.prefix ?? "smskit:webhooks:";
  return {
    async mark(key) {
      if ((await redis.set(prefix + key, "in-progress", "PX", leaseMs, "NX")) === "OK") return "marked";
      // Expired between the two calls: answer "in-progress", so the gateway simply tries again.
      return (await redis.get(prefix + key)) === SEEN ? "seen" : "in-progress";
    },
    async settle(key, outcome) {
      if (outcome === "processed") await redis.set(prefix + key, SEEN, "PX", ttlMs);
      else await redis.del(prefix + key);
    },
  };
}
