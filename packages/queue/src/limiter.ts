/**
 * Per-provider limits shared by every worker, and the shared pause after a 429.
 *
 * Why not BullMQ's limiter: it is one fixed window per queue (up to twice the limit lands in a
 * sliding second, measured in the toolchain notes), and a queue's messages go to several gateways,
 * each with its own limit. This is a sliding-window log with leases, one per gateway request:
 * a request takes a slot before it is sent, and the slot's time is set to when its answer came back.
 * A slot frees `intervalMs` after that. Because the gateway sees a request between the moment it
 * took its slot and the moment its answer returned, the `limit + 1`-th request can only reach the
 * gateway a full interval after the first one did: no window of `intervalMs` at the gateway sees
 * more than `limit`, whatever the network or the machine's load does to timing. What this costs is
 * the request's round trip per slot (a few ms on a fast gateway).
 *
 * Clocks: the Redis script reads Redis's own `TIME`, so workers on machines with skewed clocks agree.
 */
import type { Redis } from "ioredis";
import type { ProviderLimit } from "./types.js";

export interface Lease {
  /** Ends the request's hold on its slots; `pauseMs` pauses the provider for every worker (a 429). */
  release(options?: { pauseMs?: number }): Promise<void>;
}

export interface Limiter {
  /** Waits for `units` slots of `provider` (and for any pause to end). Rejects with `signal.reason` when aborted. */
  acquire(provider: string, units: number, signal: AbortSignal): Promise<Lease>;
}

/** A lease whose worker died is counted for this long before it lapses. */
const LEASE_MAX_MS = 120_000;
/** An in-flight lease blocks a waiter; it usually ends within a round trip, so look again this soon. */
const IN_FLIGHT_POLL_MS = 20;

/**
 * ARGV[6..]: the units each waiter of one process wants, in line order. Grants the longest prefix
 * that fits in one step (a freed burst of slots costs one round trip, not one per slot); returns
 * {granted, 0}, or {0, ms to wait} for the first waiter (a pause, or the slot that frees next).
 */
const ACQUIRE = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then return {0, paused, now, 0} end
local limit = tonumber(ARGV[1])
if limit == 0 then return {#ARGV - 5, 0, now, 0} end
local interval = tonumber(ARGV[2])
local leaseMax = tonumber(ARGV[4])
-- Expired leases stay until a grant reuses their slot: when it freed tells how long it sat unused.
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - interval, 'WITHSCORES')
local free = #expired / 2
local used = redis.call('ZCARD', KEYS[1]) - free
local granted = 0
local reused = 0
local idle = 0
for i = 6, #ARGV do
  local units = tonumber(ARGV[i])
  if used + units > limit then break end
  for u = 1, units do
    if reused < free then
      reused = reused + 1
      idle = idle + (now - (tonumber(expired[reused * 2]) + interval))
      redis.call('ZREM', KEYS[1], expired[reused * 2 - 1])
    end
    redis.call('ZADD', KEYS[1], now + leaseMax, ARGV[3] .. ':' .. (i - 5) .. ':' .. u)
  end
  used = used + units
  granted = granted + 1
end
if granted > 0 then
  redis.call('PEXPIRE', KEYS[1], interval + leaseMax + 1000)
  return {granted, 0, now, idle}
end
local need = used + tonumber(ARGV[6]) - limit
local entry = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - interval), '+inf', 'WITHSCORES', 'LIMIT', need - 1, 1)
local score = tonumber(entry[2])
local wait = score + interval - now
if score > now then wait = math.min(wait, tonumber(ARGV[5])) end
return {0, math.max(wait, 1), now, 0}
`;

/** KEYS[3]: statistics (time slots were held by requests in flight). */
const RELEASE = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
for i = 1, tonumber(ARGV[2]) do
  local member = ARGV[1] .. ':' .. i
  local score = redis.call('ZSCORE', KEYS[1], member)
  if score then
    redis.call('HINCRBY', KEYS[3], 'heldSlotMs', math.max(0, now - (tonumber(score) - tonumber(ARGV[4]))))
    redis.call('ZADD', KEYS[1], 'XX', now, member)
  end
end
local pause = tonumber(ARGV[3])
if pause > 0 and redis.call('PTTL', KEYS[2]) < pause then
  redis.call('SET', KEYS[2], '1', 'PX', pause)
end
return 0
`;

export function checkLimits(limits: Readonly<Record<string, ProviderLimit>> | undefined): void {
  for (const [provider, limit] of Object.entries(limits ?? {})) {
    for (const field of ["limit", "intervalMs"] as const) {
      const value = limit?.[field];
      if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
        throw new TypeError(
          `[queue] limits.${provider}.${field} must be a positive whole number, got ${String(value)}`,
        );
      }
    }
    if (limit.per !== undefined && limit.per !== "request" && limit.per !== "message") {
      throw new TypeError(`[queue] limits.${provider}.per must be "request" or "message"`);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

function leaseId(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

type Call = (...args: Array<string | number>) => Promise<unknown>;

interface Waiter {
  units: number;
  signal: AbortSignal;
  resolve: (lease: Lease) => void;
  reject: (error: unknown) => void;
}

/** Most waiters one request to Redis asks slots for. */
const MAX_WAITERS_PER_CALL = 100;

export function createRedisLimiter(
  redis: Redis,
  queueName: string,
  limits: Readonly<Record<string, ProviderLimit>> = {},
): Limiter {
  if (!("smskitAcquire" in redis)) {
    redis.defineCommand("smskitAcquire", { numberOfKeys: 2, lua: ACQUIRE });
    redis.defineCommand("smskitRelease", { numberOfKeys: 3, lua: RELEASE });
  }
  const commands = redis as unknown as { smskitAcquire: Call; smskitRelease: Call };
  const keys = (provider: string) => [
    `smskit:${queueName}:lim:${provider}`,
    `smskit:${queueName}:pause:${provider}`,
  ];
  // One line per provider per process, served by one loop: waiters do not each poll Redis (a herd
  // that wakes together whenever a slot frees), and slots that free together are granted together.
  // Measured on 2 busy cores: one Redis call per waiter per slot lost 5-20 % of the allowed rate.
  const lines = new Map<string, Waiter[]>();
  const statsKey = (provider: string) => `smskit:${queueName}:lim:${provider}:stats`;

  const leaseFor = (provider: string, member: string, units: number): Lease => ({
    async release(options = {}) {
      await commands.smskitRelease(
        ...keys(provider),
        statsKey(provider),
        member,
        units,
        Math.ceil(options.pauseMs ?? 0),
        LEASE_MAX_MS,
      );
    },
  });

  const serve = async (provider: string, line: Waiter[]) => {
    const limit = limits[provider];
    let expectedFree: number | undefined;
    let fresh = true;
    try {
      while (line.length > 0) {
        for (let index = line.length - 1; index >= 0; index -= 1) {
          const waiter = line[index] as Waiter;
          if (waiter.signal.aborted) {
            line.splice(index, 1);
            waiter.reject(waiter.signal.reason);
          }
        }
        if (line.length === 0) break;
        const asking = line.slice(0, MAX_WAITERS_PER_CALL);
        const base = leaseId();
        const units = asking.map((waiter) => (limit ? waiter.units : 0));
        const [granted, wait, redisNow, freedIdle] = (await commands.smskitAcquire(
          ...keys(provider),
          limit?.limit ?? 0,
          limit?.intervalMs ?? 0,
          base,
          LEASE_MAX_MS,
          IN_FLIGHT_POLL_MS,
          ...units,
        )) as [number, number, number, number];
        if (granted > 0 && limit) {
          // How long the slots just granted sat free and unused: after a sleep, only what this process
          // overslept (its timer and round trip on a busy machine, not the limit's rule); on the first
          // call of a new line, since the slot freed (this process had no message waiting for it).
          const idle =
            expectedFree === undefined
              ? fresh
                ? freedIdle
                : 0
              : Math.max(0, redisNow - expectedFree) * Math.min(granted, limit.limit);
          if (idle > 0) void redis.hincrby(statsKey(provider), "idleSlotMs", idle).catch(() => undefined);
        }
        expectedFree = granted === 0 ? redisNow + wait : undefined;
        fresh = false;
        for (let index = 0; index < granted; index += 1) {
          const waiter = asking[index] as Waiter;
          line.splice(line.indexOf(waiter), 1);
          waiter.resolve(leaseFor(provider, `${base}:${index + 1}`, units[index] as number));
        }
        if (granted === 0) await sleep(wait, (line[0] as Waiter).signal).catch(() => undefined);
      }
    } catch (error) {
      for (const waiter of line.splice(0)) waiter.reject(error);
    } finally {
      lines.delete(provider);
      // Someone may have joined while the last call was out.
      if (line.length > 0) {
        lines.set(provider, line);
        void serve(provider, line);
      }
    }
  };

  return {
    acquire(provider, units, signal) {
      return new Promise<Lease>((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason);
        const existing = lines.get(provider);
        const waiter: Waiter = { units, signal, resolve, reject };
        if (existing) {
          existing.push(waiter);
          return;
        }
        const line = [waiter];
        lines.set(provider, line);
        void serve(provider, line);
      });
    },
  };
}

/** The same algorithm in memory, for the embedded queue; `now` is injectable for tests. */
export function createMemoryLimiter(
  limits: Readonly<Record<string, ProviderLimit>> = {},
  now: () => number = Date.now,
): Limiter {
  const slots = new Map<string, number[]>();
  const pausedUntil = new Map<string, number>();
  const waitFor = (provider: string, units: number): number => {
    const time = now();
    const paused = (pausedUntil.get(provider) ?? 0) - time;
    if (paused > 0) return paused;
    const limit = limits[provider];
    if (!limit) return 0;
    const live = (slots.get(provider) ?? [])
      .filter((end) => end > time - limit.intervalMs)
      .sort((a, b) => a - b);
    slots.set(provider, live);
    if (live.length + units <= limit.limit) return 0;
    const blocker = live[live.length + units - limit.limit - 1] as number;
    const wait = blocker === Number.POSITIVE_INFINITY ? IN_FLIGHT_POLL_MS : blocker + limit.intervalMs - time;
    return Math.max(wait, 1);
  };
  return {
    async acquire(provider, units, signal) {
      for (;;) {
        if (signal.aborted) throw signal.reason;
        const wait = waitFor(provider, units);
        if (wait === 0) break;
        await sleep(wait, signal);
      }
      const held: number[] = [];
      if (limits[provider]) {
        const list = slots.get(provider) ?? [];
        for (let index = 0; index < units; index += 1) list.push(Number.POSITIVE_INFINITY);
        slots.set(provider, list);
        held.push(units);
      }
      return {
        async release(options = {}) {
          const list = slots.get(provider) ?? [];
          for (let index = 0; index < (held[0] ?? 0); index += 1) {
            const at = list.indexOf(Number.POSITIVE_INFINITY);
            if (at !== -1) list[at] = now();
          }
          const pauseMs = options.pauseMs ?? 0;
          if (pauseMs > 0) {
            pausedUntil.set(provider, Math.max(pausedUntil.get(provider) ?? 0, now() + pauseMs));
          }
        },
      };
    },
  };
}
