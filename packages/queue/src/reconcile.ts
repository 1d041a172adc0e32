/**
 * Resolving `unknown`: only with evidence from a gateway. Digify keeps an SMS log
 * (`GET /api/v1/logs/sms`, by creation date); an entry to the same recipient with the same text,
 * created around the moment the worker started sending, proves the message went out. A log entry
 * vouches for one message only, and never for one whose gateway id another message already has.
 * Delivery reports recorded for the message (websms echoes the clientRef) resolve it too. Nothing
 * else does: an `unknown` no gateway confirms stays `unknown`.
 */
import { e164Digits } from "@smskit/core";
import { createDigifyClient, type DigifyClient, type DigifySmsLogResponse } from "@smskit/digify";
import type { Backend } from "./backend.js";
import { STALLED_REASON, type StoredMessage } from "./runner.js";
import type { SmsRecord, Store } from "./store.js";
import type { DigifyReconcileConfig, ReconcileResult } from "./types.js";

const DEFAULT_WINDOW_MS = 10 * 60_000;
const PAGE = 100;
/** A log larger than this for one window is not walked to the end; what is left stays unknown. */
const MAX_PAGES = 200;

type LogEntry = DigifySmsLogResponse["data"][number];

export interface ReconcileInput {
  store: Store;
  backend: Backend;
  digify: DigifyReconcileConfig | DigifyClient | undefined;
  windowMs: number | undefined;
  now: () => number;
}

function digifyClientOf(config: ReconcileInput["digify"]): DigifyClient | undefined {
  if (config === undefined) return undefined;
  if ("smsLogs" in config && typeof config.smsLogs === "function") return config;
  const { accessToken, baseUrl, fetch } = config as DigifyReconcileConfig;
  return createDigifyClient({
    accessToken,
    ...(baseUrl === undefined ? {} : { baseUrl }),
    ...(fetch === undefined ? {} : { fetch }),
  });
}

async function collect(store: Store, state: "unknown" | "sending"): Promise<SmsRecord[]> {
  const records: SmsRecord[] = [];
  for await (const refs of store.inState(state)) {
    for (const clientRef of refs) {
      const record = await store.get(clientRef);
      if (record?.state === state) records.push(record);
    }
  }
  return records;
}

export async function reconcileUnknown(input: ReconcileInput): Promise<ReconcileResult> {
  const { store, backend, now } = input;
  const windowMs = input.windowMs ?? DEFAULT_WINDOW_MS;
  const result: ReconcileResult = { checked: 0, sent: 0, failed: 0, unknown: 0, orphaned: 0 };

  // `sending` whose job no longer runs (BullMQ gave up on a stalled job, or it was removed by hand).
  for (const record of await collect(store, "sending")) {
    if (await backend.jobPending(record.clientRef)) continue;
    const [moved] = await store.transition([
      {
        clientRef: record.clientRef,
        from: ["sending"],
        to: "unknown",
        now: now(),
        set: { reason: STALLED_REASON },
      },
    ]);
    if (moved?.ok) result.orphaned += 1;
  }

  const unknown = await collect(store, "unknown");
  result.checked = unknown.length;
  const resolved = new Set<string>();

  for (const record of unknown) {
    const status = record.delivery;
    if (status === undefined || status === "unknown") continue;
    const to = status === "failed" || status === "expired" ? "failed" : "sent";
    const [moved] = await store.transition([
      {
        clientRef: record.clientRef,
        from: ["unknown"],
        to,
        now: now(),
        set: { reason: `resolved by a ${status} delivery report` },
      },
    ]);
    if (moved?.ok) {
      resolved.add(record.clientRef);
      result[to] += 1;
    }
  }

  const client = digifyClientOf(input.digify);
  const candidates = unknown.filter(
    (record) =>
      !resolved.has(record.clientRef) && (record.provider === undefined || record.provider === "digify"),
  );
  if (client && candidates.length > 0) {
    const times = candidates.map((record) => record.sendingAt ?? record.updatedAt);
    const from = Math.min(...times) - windowMs;
    const until = Math.max(...times) + windowMs;
    const entries: LogEntry[] = [];
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const response = await client.smsLogs({
        limit: PAGE,
        offset: page * PAGE,
        startDate: new Date(from).toISOString(),
        endDate: new Date(until).toISOString(),
      });
      entries.push(...response.data);
      if (!response.pagination.hasMore || response.data.length === 0) break;
    }
    const used = new Set<string>();
    for (const entry of entries) {
      const owner = await store.byProviderId("digify", String(entry.messageId));
      if (owner !== undefined) used.add(String(entry.messageId));
    }
    for (const record of candidates) {
      const message = JSON.parse(record.message) as StoredMessage;
      const at = record.sendingAt ?? record.updatedAt;
      const destAddr = e164Digits(message.to);
      const match = entries.find((entry) => {
        if (used.has(String(entry.messageId))) return false;
        if (entry.destAddr.replace(/^\+/, "") !== destAddr || entry.msg !== message.text) return false;
        const created = Date.parse(entry.createdAt);
        return !Number.isFinite(created) || Math.abs(created - at) <= windowMs;
      });
      if (!match) continue;
      const messageId = String(match.messageId);
      const [moved] = await store.transition([
        {
          clientRef: record.clientRef,
          from: ["unknown"],
          to: "sent",
          now: now(),
          set: {
            provider: "digify",
            providerMessageId: messageId,
            reason: `found in Digify's SMS log (messageId ${messageId})`,
          },
        },
      ]);
      if (moved?.ok) {
        used.add(messageId);
        await store.indexProviderId("digify", messageId, record.clientRef);
        resolved.add(record.clientRef);
        result.sent += 1;
      }
    }
  }
  result.unknown = unknown.length - resolved.size;
  return result;
}
