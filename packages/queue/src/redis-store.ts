/**
 * The send log in Redis. Each record is a hash `smskit:<queue>:m:<clientRef>`; one set per state
 * (`smskit:<queue>:s:<state>`) keeps `counts()` O(1) and lets reconciliation walk `unknown`. Every
 * change runs as one Lua script, so the check of the current state and the write are atomic across
 * every process on the same Redis (single Redis; keys are not hash-tagged for Cluster).
 */
import type { Redis } from "ioredis";
import type { StoredError } from "./error-json.js";
import type { NewRecord, RecordFields, SmsRecord, Store, Transition, TransitionResult } from "./store.js";
import { emptyCounts } from "./store.js";
import { SMS_STATES, type SmsState } from "./types.js";

const CREATE = `
local state = redis.call('HGET', KEYS[1], 's')
if state then return {0, state} end
redis.call('HSET', KEYS[1], 's', ARGV[2], 'm', ARGV[3], 'a', 0, 'c', ARGV[4], 'u', ARGV[4])
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'w', ARGV[5]) end
redis.call('SADD', KEYS[2], ARGV[1])
return {1, ARGV[2]}
`;

/**
 * KEYS: record, then the six state sets in SMS_STATES order. A claim that already holds (same state,
 * same token) succeeds again: ioredis resends a script whose answer a dropped connection lost, and
 * the replay must not read as "someone else claimed it", which would strand the message in `sending`.
 */
const TRANSITION = `
local state = redis.call('HGET', KEYS[1], 's')
if not state then return {0, ''} end
local claim = cjson.decode(ARGV[7]).k
if claim and state == ARGV[3] and redis.call('HGET', KEYS[1], 'k') == claim then return {1, state} end
if not string.find(ARGV[2], ',' .. state .. ',', 1, true) then return {0, state} end
if ARGV[4] ~= '' and redis.call('HGET', KEYS[1], 'k') ~= ARGV[4] then return {0, state} end
local states = {'queued', 'scheduled', 'sending', 'sent', 'failed', 'unknown'}
for i, name in ipairs(states) do
  if name == state then redis.call('SREM', KEYS[i + 1], ARGV[1]) end
  if name == ARGV[3] then redis.call('SADD', KEYS[i + 1], ARGV[1]) end
end
redis.call('HSET', KEYS[1], 's', ARGV[3], 'u', ARGV[6])
if ARGV[5] == '1' then redis.call('HINCRBY', KEYS[1], 'a', 1) end
for _, field in ipairs(cjson.decode(ARGV[8])) do redis.call('HDEL', KEYS[1], field) end
for field, value in pairs(cjson.decode(ARGV[7])) do redis.call('HSET', KEYS[1], field, value) end
return {1, ARGV[3]}
`;

const FIELD: Record<keyof RecordFields, string> = {
  provider: "p",
  providerMessageId: "i",
  error: "e",
  reason: "r",
  delivery: "d",
  sendingAt: "t",
  token: "k",
  sendAt: "w",
};

type ScriptCaller = (...args: Array<string | number>) => Promise<[number, string]>;

function encodeFields(fields: RecordFields = {}): string {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    out[FIELD[name as keyof RecordFields]] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return JSON.stringify(out);
}

function decode(clientRef: string, hash: Record<string, string>): SmsRecord | undefined {
  if (hash.s === undefined) return undefined;
  const number = (value: string | undefined) => (value === undefined ? undefined : Number(value));
  const record: SmsRecord = {
    clientRef,
    state: hash.s as SmsState,
    message: hash.m ?? "{}",
    attempts: Number(hash.a ?? 0),
    createdAt: Number(hash.c ?? 0),
    updatedAt: Number(hash.u ?? 0),
  };
  const sendAt = number(hash.w);
  if (sendAt !== undefined) record.sendAt = sendAt;
  const sendingAt = number(hash.t);
  if (sendingAt !== undefined) record.sendingAt = sendingAt;
  if (hash.k !== undefined) record.token = hash.k;
  if (hash.p !== undefined) record.provider = hash.p;
  if (hash.i !== undefined) record.providerMessageId = hash.i;
  if (hash.r !== undefined) record.reason = hash.r;
  if (hash.d !== undefined) record.delivery = hash.d;
  if (hash.e !== undefined) record.error = JSON.parse(hash.e) as StoredError;
  return record;
}

export function createRedisStore(redis: Redis, queueName: string): Store {
  const prefix = `smskit:${queueName}`;
  const recordKey = (clientRef: string) => `${prefix}:m:${clientRef}`;
  const setKey = (state: SmsState) => `${prefix}:s:${state}`;
  const stateKeys = SMS_STATES.map(setKey);
  const providerKey = (provider: string, id: string) => `${prefix}:pm:${provider}:${id}`;
  if (!("smskitCreate" in redis)) {
    redis.defineCommand("smskitCreate", { numberOfKeys: 2, lua: CREATE });
    redis.defineCommand("smskitTransition", { numberOfKeys: 1 + SMS_STATES.length, lua: TRANSITION });
  }
  // One pipeline per call: a batch of 100 claims is one round trip, each script still atomic.
  const run = async <Row>(rows: Row[], call: (pipeline: Record<string, ScriptCaller>, row: Row) => void) => {
    if (rows.length === 0) return [];
    const pipeline = redis.pipeline();
    for (const row of rows) call(pipeline as unknown as Record<string, ScriptCaller>, row);
    const results = (await pipeline.exec()) ?? [];
    return results.map(([error, value]) => {
      if (error) throw error;
      return value as [number, string];
    });
  };

  return {
    async create(records: readonly NewRecord[]) {
      const results = await run([...records], (pipeline, record) =>
        pipeline.smskitCreate?.(
          recordKey(record.clientRef),
          setKey(record.state),
          record.clientRef,
          record.state,
          record.message,
          record.now,
          record.sendAt ?? "",
        ),
      );
      return results.map(([created, state]) => ({ created: created === 1, state: state as SmsState }));
    },
    async get(clientRef) {
      return decode(clientRef, await redis.hgetall(recordKey(clientRef)));
    },
    async transition(changes: readonly Transition[]): Promise<TransitionResult[]> {
      const results = await run([...changes], (pipeline, change) =>
        pipeline.smskitTransition?.(
          recordKey(change.clientRef),
          ...stateKeys,
          change.clientRef,
          `,${change.from.join(",")},`,
          change.to,
          change.token ?? "",
          change.attempt ? "1" : "0",
          change.now,
          encodeFields(change.set),
          JSON.stringify((change.unset ?? []).map((name) => FIELD[name])),
        ),
      );
      return results.map(([ok, state]) => ({
        ok: ok === 1,
        state: state === "" ? undefined : (state as SmsState),
      }));
    },
    async counts() {
      const pipeline = redis.pipeline();
      for (const key of stateKeys) pipeline.scard(key);
      const results = (await pipeline.exec()) ?? [];
      const counts = emptyCounts();
      results.forEach(([error, value], index) => {
        if (error) throw error;
        counts[SMS_STATES[index] as SmsState] = Number(value);
      });
      return counts;
    },
    async *inState(state) {
      let cursor = "0";
      do {
        const [next, members] = await redis.sscan(setKey(state), cursor, "COUNT", 500);
        cursor = next;
        if (members.length > 0) yield members;
      } while (cursor !== "0");
    },
    async indexProviderId(provider, providerMessageId, clientRef) {
      await redis.set(providerKey(provider, providerMessageId), clientRef);
    },
    async byProviderId(provider, providerMessageId) {
      return (await redis.get(providerKey(provider, providerMessageId))) ?? undefined;
    },
    async close() {},
  };
}
