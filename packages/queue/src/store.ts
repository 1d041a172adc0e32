/**
 * The send log: one record per `clientRef`, the queue's own truth about every message (BullMQ jobs
 * come and go; this record is what makes "never twice" and `outcome()` hold). Every change is one
 * atomic compare-and-set on the state, so two processes can never both move a message to `sending`.
 */
import type { StoredError } from "./error-json.js";
import { SMS_STATES, type SmsCounts, type SmsState } from "./types.js";

export interface SmsRecord {
  clientRef: string;
  state: SmsState;
  /** The validated message as JSON (what a worker sends). */
  message: string;
  attempts: number;
  createdAt: number;
  updatedAt: number;
  sendAt?: number;
  /** When it last went to `sending`: reconciliation searches gateway logs around it. */
  sendingAt?: number;
  /** Who holds the `sending` claim, so only that worker's late answer may overwrite a stall's `unknown`. */
  token?: string;
  provider?: string;
  providerMessageId?: string;
  error?: StoredError;
  reason?: string;
  delivery?: string;
}

export type RecordFields = Partial<
  Pick<
    SmsRecord,
    "provider" | "providerMessageId" | "error" | "reason" | "delivery" | "sendingAt" | "token" | "sendAt"
  >
>;

export interface Transition {
  clientRef: string;
  from: readonly SmsState[];
  to: SmsState;
  /** Only when the record's claim token is this one. */
  token?: string;
  /** Count one more attempt. */
  attempt?: boolean;
  now: number;
  set?: RecordFields;
  unset?: ReadonlyArray<keyof RecordFields>;
}

export interface TransitionResult {
  ok: boolean;
  /** The state after the call (unchanged when `ok` is false); undefined when there is no record. */
  state: SmsState | undefined;
}

export interface NewRecord {
  clientRef: string;
  state: "queued" | "scheduled";
  message: string;
  now: number;
  sendAt?: number | undefined;
}

export interface Store {
  /** Creates records that do not exist yet; an existing one is left as it is (`created: false`). */
  create(records: readonly NewRecord[]): Promise<Array<{ created: boolean; state: SmsState }>>;
  get(clientRef: string): Promise<SmsRecord | undefined>;
  transition(transitions: readonly Transition[]): Promise<TransitionResult[]>;
  counts(): Promise<SmsCounts>;
  /** Every `clientRef` in a state (reconciliation walks `unknown` and `sending`). */
  inState(state: SmsState): AsyncIterable<string[]>;
  /** Remembers which message a gateway id belongs to, for delivery reports that carry no clientRef. */
  indexProviderId(provider: string, providerMessageId: string, clientRef: string): Promise<void>;
  byProviderId(provider: string, providerMessageId: string): Promise<string | undefined>;
  close(): Promise<void>;
}

export function emptyCounts(): SmsCounts {
  return Object.fromEntries(SMS_STATES.map((state) => [state, 0])) as SmsCounts;
}

/** The same contract in a process's memory, for the embedded queue. */
export function createMemoryStore(): Store {
  const records = new Map<string, SmsRecord>();
  const providerIds = new Map<string, string>();

  return {
    async create(list) {
      return list.map((record) => {
        const existing = records.get(record.clientRef);
        if (existing) return { created: false, state: existing.state };
        records.set(record.clientRef, {
          clientRef: record.clientRef,
          state: record.state,
          message: record.message,
          attempts: 0,
          createdAt: record.now,
          updatedAt: record.now,
          ...(record.sendAt === undefined ? {} : { sendAt: record.sendAt }),
        });
        return { created: true, state: record.state };
      });
    },
    async get(clientRef) {
      const record = records.get(clientRef);
      return record && structuredClone(record);
    },
    async transition(list) {
      return list.map((change) => {
        const record = records.get(change.clientRef);
        if (!record) return { ok: false, state: undefined };
        // A replayed claim (same state, same token) holds, as in the Redis store.
        if (
          change.set?.token !== undefined &&
          record.state === change.to &&
          record.token === change.set.token
        ) {
          return { ok: true, state: record.state };
        }
        if (
          !change.from.includes(record.state) ||
          (change.token !== undefined && record.token !== change.token)
        ) {
          return { ok: false, state: record.state };
        }
        record.state = change.to;
        record.updatedAt = change.now;
        if (change.attempt) record.attempts += 1;
        for (const field of change.unset ?? []) delete record[field];
        Object.assign(record, structuredClone(change.set ?? {}));
        return { ok: true, state: record.state };
      });
    },
    async counts() {
      const counts = emptyCounts();
      for (const record of records.values()) counts[record.state] += 1;
      return counts;
    },
    async *inState(state) {
      yield [...records.values()]
        .filter((record) => record.state === state)
        .map((record) => record.clientRef);
    },
    async indexProviderId(provider, providerMessageId, clientRef) {
      providerIds.set(`${provider}\n${providerMessageId}`, clientRef);
    },
    async byProviderId(provider, providerMessageId) {
      return providerIds.get(`${provider}\n${providerMessageId}`);
    },
    async close() {},
  };
}
