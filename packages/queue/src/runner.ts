/**
 * What a worker does with one job, whichever engine (BullMQ or memory) hands it over: look at the
 * send log, wait for a gateway batch, claim `sending` atomically right before the gateway request,
 * and record the one final outcome. Never sends a message whose log says it may already be out.
 */
import {
  type OutgoingSms,
  RateLimitError,
  type SendOutcome,
  ServiceUnavailableError,
  SmsKitError,
  type SmsProvider,
  UnknownOutcomeError,
  ValidationError,
} from "@smskit/core";
import { createMessenger, type Messenger, type SmsInput, validateSmsInput } from "smskit";
import { fromStoredError, provedNotTaken, toStoredError } from "./error-json.js";
import type { Limiter } from "./limiter.js";
import type { SmsRecord, Store } from "./store.js";
import type { SmsOutcome, SmsWorkerOptions, WorkerEvent } from "./types.js";

/** The message as stored in the log and in the job: validated, `to` in E.164, `sendAt` in ms. */
export interface StoredMessage {
  clientRef: string;
  to: string;
  text: string;
  from?: string | Readonly<Record<string, string>>;
  provider?: string;
  sendAt?: number;
}

export interface JobInput {
  clientRef: string;
  data: unknown;
  /** Attempts that already failed in a way that proved the gateway did not take the message. */
  attemptsMade: number;
  maxAttempts: number;
}

export type Directive =
  | { kind: "done" }
  /** Try again after the engine's backoff (the gateway certainly did not take it). */
  | { kind: "retry"; error: SmsKitError }
  /** Shutting down before anything was sent: back to the queue, no attempt counted. */
  | { kind: "requeue" }
  | { kind: "malformed"; reason: string };

export class ShutdownSignal extends Error {
  constructor() {
    super("[queue] the worker is shutting down");
  }
}

const MAX_STORED_MESSAGE = 10_000;

export const STALLED_REASON =
  "a worker was sending it and stopped before it recorded the gateway's answer (its job stalled: the process died or lost Redis); it may or may not have reached the gateway, so it is not sent again";

export function outcomeOf(record: SmsRecord): SmsOutcome {
  const outcome: SmsOutcome = {
    clientRef: record.clientRef,
    state: record.state,
    attempts: record.attempts,
    updatedAt: new Date(record.updatedAt),
  };
  if (record.provider !== undefined) outcome.provider = record.provider;
  if (record.providerMessageId !== undefined) outcome.providerMessageId = record.providerMessageId;
  if (record.error !== undefined) outcome.error = fromStoredError(record.error);
  if (record.reason !== undefined) outcome.reason = record.reason;
  if (record.sendAt !== undefined) outcome.sendAt = new Date(record.sendAt);
  if (record.delivery !== undefined)
    outcome.delivery = record.delivery as NonNullable<SmsOutcome["delivery"]>;
  return outcome;
}

interface Claim {
  token: string;
  status: "claimed" | "released" | "refused";
}

interface Pending {
  clientRef: string;
  input: SmsInput;
  resolve: (outcome: SendOutcome) => void;
}

export interface RunnerOptions {
  store: Store;
  limiter: Limiter;
  options: SmsWorkerOptions;
  workerId: string;
  now?: () => number;
}

export interface Runner {
  process(job: JobInput): Promise<Directive>;
  /** A job BullMQ gave up on without running it (stalled too often): its `sending` becomes `unknown`. */
  orphaned(clientRef: string): Promise<void>;
  /** Flushes waiting batches, aborts limiter waits; jobs not yet sent are requeued. */
  shutdown(): void;
}

function randomToken(workerId: string): string {
  return `${workerId}:${Math.random().toString(36).slice(2, 12)}`;
}

export function createRunner({ store, limiter, options, workerId, now = Date.now }: RunnerOptions): Runner {
  const abort = new AbortController();
  const claims = new Map<string, Claim>();
  const limits = options.limits ?? {};
  const defaultRetryAfterMs = options.defaultRetryAfterMs ?? 1_000;

  const emit = (record: SmsRecord | undefined) => {
    if (!record || !options.onOutcome) return;
    const event: WorkerEvent = { clientRef: record.clientRef, outcome: outcomeOf(record) };
    try {
      options.onOutcome(event);
    } catch (error) {
      options.onError?.(error as Error);
    }
  };
  const emitLatest = async (clientRef: string) => {
    if (options.onOutcome) emit(await store.get(clientRef));
  };

  const claimAll = async (provider: string, messages: readonly OutgoingSms[]): Promise<boolean[]> => {
    const time = now();
    const tokens = messages.map(() => randomToken(workerId));
    let results: Awaited<ReturnType<Store["transition"]>>;
    try {
      results = await store.transition(
        messages.map((message, index) => ({
          clientRef: message.clientRef as string,
          from: ["queued", "scheduled"],
          to: "sending",
          attempt: true,
          now: time,
          set: { token: tokens[index] as string, sendingAt: time, ...(provider ? { provider } : {}) },
          unset: ["error", "reason"],
        })),
      );
    } catch (cause) {
      // The log could not be written, so nothing is sent. The claims may have landed: undo them
      // (best effort) and retry the jobs; a claim that stays is found later and kept as unknown.
      const error = new ServiceUnavailableError({
        provider: "queue",
        code: "LOG_UNAVAILABLE",
        message: "[queue] the send log could not record the claim; nothing was sent",
        cause,
      });
      for (const [index, message] of messages.entries()) {
        claims.set(message.clientRef as string, { token: tokens[index] as string, status: "claimed" });
      }
      await releaseAll(
        messages.map((message) => message.clientRef as string),
        error,
      ).catch(() => {});
      throw error;
    }
    return results.map((result, index) => {
      const clientRef = messages[index]?.clientRef as string;
      claims.set(clientRef, { token: tokens[index] as string, status: result.ok ? "claimed" : "refused" });
      return result.ok;
    });
  };

  const releaseAll = async (clientRefs: readonly string[], error: SmsKitError) => {
    const time = now();
    const changes = clientRefs.flatMap((clientRef) => {
      const claim = claims.get(clientRef);
      if (claim?.status !== "claimed") return [];
      claim.status = "released";
      return [
        {
          clientRef,
          from: ["sending" as const],
          to: "queued" as const,
          token: claim.token,
          now: time,
          set: { error: toStoredError(error) },
        },
      ];
    });
    await store.transition(changes);
  };

  /** The adapter behind the messenger: limit and pause first, then the claim, then the gateway. */
  const guard = (provider: SmsProvider): SmsProvider => {
    const per = limits[provider.name]?.per ?? "request";
    const sendBatch = async (messages: readonly OutgoingSms[]): Promise<SendOutcome[]> => {
      const lease = await limiter.acquire(
        provider.name,
        per === "message" ? messages.length : 1,
        abort.signal,
      );
      let pauseMs = 0;
      try {
        const claimed = await claimAll(provider.name, messages);
        const toSend = messages.filter((_, index) => claimed[index]);
        let answers: SendOutcome[] = [];
        if (toSend.length > 0) {
          try {
            answers = await provider.sendBatch(toSend);
          } catch (error) {
            if (error instanceof RateLimitError) pauseMs = error.retryAfterMs ?? defaultRetryAfterMs;
            if (error instanceof SmsKitError && error.retryable) {
              await releaseAll(
                toSend.map((message) => message.clientRef as string),
                error,
              );
            }
            throw error;
          }
        }
        const retryable: string[] = [];
        let answerIndex = 0;
        const outcomes = messages.map((message, index): SendOutcome => {
          if (!claimed[index]) {
            return {
              ok: false,
              error: new ValidationError({
                provider: "queue",
                code: "NOT_CLAIMED",
                message: `[queue] ${message.clientRef} is no longer waiting to be sent; not sent again`,
              }),
            };
          }
          const answer = answers[answerIndex++] ?? {
            ok: false as const,
            error: new UnknownOutcomeError({
              provider: provider.name,
              message: `[${provider.name}] the gateway's answer had no result for this message`,
            }),
          };
          if (!answer.ok && answer.error.retryable) {
            retryable.push(message.clientRef as string);
            if (answer.error instanceof RateLimitError) {
              pauseMs = Math.max(pauseMs, answer.error.retryAfterMs ?? defaultRetryAfterMs);
            }
          }
          return answer;
        });
        for (const clientRef of retryable) {
          const answer = outcomes[messages.findIndex((message) => message.clientRef === clientRef)];
          if (answer && !answer.ok) await releaseAll([clientRef], answer.error);
        }
        return outcomes;
      } finally {
        await lease.release({ pauseMs });
      }
    };
    const send = async (message: OutgoingSms) => {
      const [outcome] = await sendBatch([message]);
      if (!outcome) throw new TypeError("sendBatch returned no outcome");
      if (!outcome.ok) throw outcome.error;
      return outcome.result;
    };
    return { ...provider, name: provider.name, capabilities: provider.capabilities, send, sendBatch };
  };

  let messenger: Messenger;
  let plain = false;
  if (options.providers && options.providers.length > 0) {
    messenger = createMessenger({
      ...(options.strategy === undefined ? {} : { strategy: options.strategy }),
      ...(options.cooldownMs === undefined ? {} : { cooldownMs: options.cooldownMs }),
      ...(options.maxSegments === undefined ? {} : { maxSegments: options.maxSegments }),
      ...(options.isOptedOut === undefined ? {} : { isOptedOut: options.isOptedOut }),
      providers: options.providers.map(guard),
    });
  } else if (options.messenger) {
    messenger = options.messenger;
    plain = true;
    if (options.limits && Object.keys(options.limits).length > 0) {
      throw new TypeError(
        "[queue] limits need `providers`: a messenger's gateway requests are not visible to the worker",
      );
    }
  } else {
    throw new TypeError("[queue] createSmsWorker needs `providers` or a `messenger`");
  }

  const capacity = Math.max(
    1,
    Math.min(
      options.batch?.maxSize ?? 100,
      ...messenger.providers.map((provider) => {
        const limit = limits[provider.name];
        const cap = provider.capabilities.maxRecipientsPerRequest;
        return limit?.per === "message" ? Math.min(cap, limit.limit) : cap;
      }),
    ),
  );
  const lingerMs = options.batch?.lingerMs ?? 10;
  let pending: Pending[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;

  const sendGroup = async (group: Pending[]) => {
    const inputs = group.map((item) => item.input);
    let outcomes: SendOutcome[];
    try {
      if (plain) {
        // A messenger of the user's: claim the whole batch before handing it over.
        const claimed = await claimAll(
          "",
          inputs.map((input) => ({ to: input.to, text: input.text, clientRef: input.clientRef as string })),
        );
        const toSend = inputs.filter((_, index) => claimed[index]);
        const sent = toSend.length > 0 ? await messenger.sendMany(toSend) : [];
        let next = 0;
        outcomes = inputs.map((input, index) =>
          claimed[index]
            ? (sent[next++] as SendOutcome)
            : {
                ok: false,
                error: new ValidationError({
                  provider: "queue",
                  code: "NOT_CLAIMED",
                  message: `[queue] ${input.clientRef} is no longer waiting to be sent`,
                }),
              },
        );
        const retryable = outcomes.flatMap((outcome, index) =>
          !outcome.ok && provedNotTaken(outcome.error) ? [index] : [],
        );
        for (const index of retryable) {
          const outcome = outcomes[index];
          if (outcome && !outcome.ok) await releaseAll([inputs[index]?.clientRef as string], outcome.error);
        }
      } else {
        outcomes = await messenger.sendMany(inputs);
      }
    } catch (error) {
      const failure =
        error instanceof SmsKitError
          ? error
          : // Not a typed failure (a bug in a custom provider): whether it sent anything is unknown.
            new UnknownOutcomeError({ provider: "queue", message: `[queue] ${String(error)}`, cause: error });
      outcomes = inputs.map(() => ({ ok: false, error: failure }));
    }
    for (const [index, item] of group.entries()) item.resolve(outcomes[index] as SendOutcome);
  };

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    while (pending.length > 0) {
      const group = pending.slice(0, capacity);
      pending = pending.slice(capacity);
      void sendGroup(group);
    }
  };

  const submit = (clientRef: string, input: SmsInput) =>
    new Promise<SendOutcome>((resolve) => {
      pending.push({ clientRef, input, resolve });
      if (pending.length >= capacity || abort.signal.aborted) flush();
      else timer ??= setTimeout(flush, lingerMs);
    });

  const finish = async (clientRef: string, outcome: SendOutcome, job: JobInput): Promise<Directive> => {
    const claim = claims.get(clientRef);
    claims.delete(clientRef);
    const time = now();
    if (!claim) {
      // Never handed to a gateway: refused before the request (opted out, no such provider) or shutting down.
      if (!outcome.ok && abort.signal.aborted && isShutdown(outcome.error)) return { kind: "requeue" };
      const error = outcome.ok
        ? new UnknownOutcomeError({ provider: "queue", message: "[queue] sent without a claim" })
        : outcome.error;
      await store.transition([
        {
          clientRef,
          from: ["queued", "scheduled"],
          to: "failed",
          now: time,
          set: { error: toStoredError(error) },
        },
      ]);
      await emitLatest(clientRef);
      return { kind: "done" };
    }
    if (claim.status === "refused") return { kind: "done" };
    if (claim.status === "released") {
      const error = outcome.ok ? undefined : outcome.error;
      if (job.attemptsMade + 1 < job.maxAttempts && !abort.signal.aborted) {
        return {
          kind: "retry",
          error: error ?? new ServiceUnavailableError({ provider: "queue", message: "[queue] retry" }),
        };
      }
      if (abort.signal.aborted && job.attemptsMade + 1 < job.maxAttempts) return { kind: "requeue" };
      await store.transition([
        {
          clientRef,
          from: ["queued"],
          to: "failed",
          now: time,
          ...(error ? { set: { error: toStoredError(error) } } : {}),
        },
      ]);
      await emitLatest(clientRef);
      return { kind: "done" };
    }
    const final = outcome.ok
      ? {
          to: "sent" as const,
          set: {
            provider: outcome.result.provider,
            ...(outcome.result.providerMessageId === undefined
              ? {}
              : { providerMessageId: outcome.result.providerMessageId }),
          },
        }
      : outcome.error instanceof UnknownOutcomeError || mayHaveBeenTaken(outcome.error)
        ? {
            to: "unknown" as const,
            set: {
              error: toStoredError(outcome.error),
              reason: "the gateway's answer was lost; it may or may not have been sent",
            },
          }
        : { to: "failed" as const, set: { error: toStoredError(outcome.error) } };
    // `unknown` too: a stalled re-run may have marked it so while this worker was still waiting for the answer.
    await store.transition([
      {
        clientRef,
        from: ["sending", "unknown"],
        to: final.to,
        token: claim.token,
        now: time,
        set: final.set,
      },
    ]);
    if (outcome.ok && outcome.result.providerMessageId !== undefined) {
      await store.indexProviderId(outcome.result.provider, outcome.result.providerMessageId, clientRef);
    }
    await emitLatest(clientRef);
    return { kind: "done" };
  };

  async function process(job: JobInput): Promise<Directive> {
    const { clientRef } = job;
    let record = await store.get(clientRef);
    let message: StoredMessage;
    try {
      message = parseJobData(job.data, clientRef);
    } catch (error) {
      const reason = `malformed job: ${(error as Error).message}`;
      if (!record) {
        await store.create([
          {
            clientRef,
            state: "queued",
            message: safeJson(job.data).slice(0, MAX_STORED_MESSAGE),
            now: now(),
          },
        ]);
      }
      await store.transition([
        {
          clientRef,
          from: ["queued", "scheduled"],
          to: "failed",
          now: now(),
          set: {
            reason,
            error: toStoredError(
              error instanceof SmsKitError
                ? error
                : new ValidationError({
                    provider: "queue",
                    code: "MALFORMED_JOB",
                    message: `[queue] ${reason}`,
                  }),
            ),
          },
        },
      ]);
      await emitLatest(clientRef);
      return { kind: "malformed", reason };
    }
    if (!record) {
      // A job without a log record: an enqueue that lost Redis between the two writes, or a job added by hand.
      await store.create([{ clientRef, state: "queued", message: JSON.stringify(message), now: now() }]);
      record = await store.get(clientRef);
    }
    if (!record) return { kind: "done" };
    if (record.state === "sending") {
      const [result] = await store.transition([
        { clientRef, from: ["sending"], to: "unknown", now: now(), set: { reason: STALLED_REASON } },
      ]);
      if (result?.ok) await emitLatest(clientRef);
      return { kind: "done" };
    }
    if (record.state !== "queued" && record.state !== "scheduled") return { kind: "done" };
    if (abort.signal.aborted) return { kind: "requeue" };
    const input: SmsInput = {
      to: message.to,
      text: message.text,
      clientRef,
      ...(message.from === undefined ? {} : { from: message.from }),
      ...(message.provider === undefined ? {} : { provider: message.provider }),
    };
    const outcome = await submit(clientRef, input);
    return finish(clientRef, outcome, job);
  }

  return {
    process,
    async orphaned(clientRef) {
      const [result] = await store.transition([
        { clientRef, from: ["sending"], to: "unknown", now: now(), set: { reason: STALLED_REASON } },
      ]);
      if (result?.ok) await emitLatest(clientRef);
    },
    shutdown() {
      if (!abort.signal.aborted) abort.abort(new ShutdownSignal());
      flush();
    },
  };
}

function isShutdown(error: SmsKitError): boolean {
  return error.cause instanceof ShutdownSignal || error instanceof ShutdownSignal;
}

/** A failure after the request went out whose answer does not prove the gateway refused it. */
function mayHaveBeenTaken(error: SmsKitError): boolean {
  return error.kind === "network" || error.kind === "timeout" || error.kind === "server";
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Re-checks what a job carries: Redis is shared, and anyone who can write to it can write a job. */
export function parseJobData(data: unknown, clientRef: string): StoredMessage {
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new ValidationError({
      provider: "queue",
      code: "MALFORMED_JOB",
      message: `[queue] the job's data is not a message object (${data === null ? "null" : typeof data})`,
    });
  }
  const record = data as Record<string, unknown>;
  // sendAt is the job's own schedule (a delayed job, in ms): by now it has passed, so it is not the
  // message's to validate again.
  const { sendAt: _schedule, ...fields } = record;
  const valid = validateSmsInput({ ...fields, clientRef });
  const message: StoredMessage = { clientRef, to: valid.to, text: valid.text };
  if (valid.from !== undefined) message.from = valid.from;
  if (valid.provider !== undefined) message.provider = valid.provider;
  if (record.sendAt !== undefined) message.sendAt = Number(record.sendAt);
  return message;
}
