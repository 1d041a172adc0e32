/**
 * The one failover step behind `send`, `sendMany` and `sendEmail`: jobs go to their next provider,
 * jobs bound for the same provider share requests, and a job whose provider proved it did not take
 * the message (a retryable error) moves on to the next one. Provider health is shared by every call
 * of one messenger: a provider that refused is cooled down, skipped by everything that comes after
 * within the same call, and when its cool-down ends only one request probes it (half-open) while
 * the others go elsewhere or wait for that probe.
 */
import {
  AllProvidersFailedError,
  type ProviderAttempt,
  SmsKitError,
  type SmsProvider,
  UnknownOutcomeError,
  ValidationError,
} from "@smskit/core";

export type Outcome<Result> = { ok: true; result: Result } | { ok: false; error: SmsKitError };

export interface Job {
  /** Providers this job may use, first choice first. */
  order: readonly SmsProvider[];
  /** Index into `order` of the next provider to consider. */
  next: number;
  attempts: ProviderAttempt[];
  /** Set when the current provider was chosen although it is cooling down (nothing else was left). */
  forced?: boolean;
}

interface Circuit {
  coolingUntil: number;
  /** The refusal that started the cool-down. */
  error: SmsKitError;
  /** Set while one request probes the provider after its cool-down; settles when that request does. */
  probe: Promise<void> | undefined;
}

export interface Health {
  /** Whether a job may use the provider now, and whether that use is the half-open probe. */
  state(provider: SmsProvider): "healthy" | "cooling" | "probe" | "probing";
  /** Resolves when the running probe of this provider settles. */
  probeSettled(provider: SmsProvider): Promise<void>;
  /** Marks the start of the probe; returns the function that ends it. */
  startProbe(provider: SmsProvider): () => void;
  cool(provider: SmsProvider, error: SmsKitError): void;
  recover(provider: SmsProvider): void;
  /** The refusal behind the current cool-down. */
  refusal(provider: SmsProvider): SmsKitError | undefined;
  /** When the provider comes out of its cool-down (0 when healthy). */
  coolingUntil(provider: SmsProvider): number;
}

export function createHealth(cooldownMs: number, now: () => number): Health {
  const circuits = new Map<string, Circuit>();
  return {
    state(provider) {
      const circuit = circuits.get(provider.name);
      if (circuit === undefined) return "healthy";
      if (circuit.probe !== undefined) return "probing";
      return now() < circuit.coolingUntil ? "cooling" : "probe";
    },
    probeSettled: (provider) => circuits.get(provider.name)?.probe ?? Promise.resolve(),
    startProbe(provider) {
      const circuit = circuits.get(provider.name);
      if (circuit === undefined) return () => undefined;
      let end!: () => void;
      circuit.probe = new Promise<void>((resolve) => {
        end = resolve;
      });
      return () => {
        if (circuits.get(provider.name) === circuit) circuit.probe = undefined;
        end();
      };
    },
    cool(provider, error) {
      const circuit = circuits.get(provider.name);
      circuits.set(provider.name, { coolingUntil: now() + cooldownMs, error, probe: circuit?.probe });
    },
    recover(provider) {
      circuits.delete(provider.name);
    },
    refusal: (provider) => circuits.get(provider.name)?.error,
    coolingUntil: (provider) => circuits.get(provider.name)?.coolingUntil ?? 0,
  };
}

/** Failover is for answers that prove the gateway did not take the message; never for a maybe. */
export function movesOn(error: SmsKitError): boolean {
  return error.retryable;
}

export function failureOf(attempts: readonly ProviderAttempt[]): SmsKitError {
  if (attempts.length === 1) return (attempts[0] as ProviderAttempt).error;
  if (attempts.length === 0) {
    return new ValidationError({
      provider: "smskit",
      code: "NO_PROVIDER",
      message: "[smskit] no provider can take this message",
    });
  }
  return new AllProvidersFailedError(attempts);
}

/**
 * A failure that is not an `SmsKitError` (a bug in a custom provider) may have happened after the
 * gateway took the message, so it is an unknown outcome, never a failure that invites a resend.
 */
export function toSmsKitError(provider: string, error: unknown): SmsKitError {
  if (error instanceof SmsKitError) return error;
  return new UnknownOutcomeError({
    provider,
    message: `[${provider}] the provider failed with ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}; whether it sent the message is unknown`,
    cause: error,
  });
}

export interface DeliveryPlan<J extends Job, Result> {
  health: Health;
  /** Splits one provider's share of jobs into the requests it takes. */
  requestsFor(provider: SmsProvider, jobs: J[]): J[][];
  /** Sends one request; one outcome per job, in order. May throw: then every job of it failed so. */
  send(provider: SmsProvider, jobs: J[]): Promise<Array<Outcome<Result>>>;
  /** Called once per job with its final outcome. */
  settle(job: J, outcome: Outcome<Result>): void;
  /** Requests in flight at once. */
  concurrency: number;
}

/** Runs jobs until every one has its final outcome. Time and memory are linear in the number of jobs. */
export async function deliver<J extends Job, Result>(
  jobs: readonly J[],
  plan: DeliveryPlan<J, Result>,
): Promise<void> {
  const { health } = plan;
  // Providers that refused during this call are not asked again by any job of it, and why.
  const refusedDuringCall = new Map<string, SmsKitError>();
  let pending: J[] = [...jobs];

  /** The provider a job goes to next, or undefined when none is left; may wait for a running probe. */
  const nextProvider = async (job: J): Promise<SmsProvider | undefined> => {
    for (;;) {
      const remaining = job.order.slice(job.next).filter((provider) => !refusedDuringCall.has(provider.name));
      if (remaining.length === 0) return undefined;
      const usable = remaining.find((provider) => {
        const state = health.state(provider);
        return state === "healthy" || state === "probe";
      });
      if (usable !== undefined) {
        job.next = job.order.indexOf(usable) + 1;
        job.forced = false;
        return usable;
      }
      const probed = remaining.find((provider) => health.state(provider) === "probing");
      if (probed !== undefined) {
        await health.probeSettled(probed);
        continue;
      }
      // Everything left is cooling from earlier calls: the soonest to recover is still tried,
      // so one refusal does not shut the messenger for a whole cool-down.
      let soonest = remaining[0] as SmsProvider;
      for (const provider of remaining) {
        if (health.coolingUntil(provider) < health.coolingUntil(soonest)) soonest = provider;
      }
      job.next = job.order.indexOf(soonest) + 1;
      job.forced = true;
      return soonest;
    }
  };

  /** Moves a request's jobs on without sending: their provider refused (or cooled) since they were assigned. */
  const moveOn = (provider: SmsProvider, request: J[], error: SmsKitError, retry: J[]) => {
    refusedDuringCall.set(provider.name, error);
    for (const job of request) job.attempts.push({ provider: provider.name, error });
    retry.push(...request);
  };

  const runRequest = async (provider: SmsProvider, request: J[], retry: J[]): Promise<void> => {
    let endProbe: (() => void) | undefined;
    for (;;) {
      const refused = refusedDuringCall.get(provider.name);
      if (refused !== undefined) return moveOn(provider, request, refused, retry);
      const state = health.state(provider);
      if (state === "probing") {
        await health.probeSettled(provider);
        continue;
      }
      if (state === "cooling" && !request.every((job) => job.forced)) {
        return moveOn(provider, request, health.refusal(provider) as SmsKitError, retry);
      }
      if (state === "probe") endProbe = health.startProbe(provider);
      break;
    }
    let outcomes: Array<Outcome<Result>>;
    try {
      outcomes = await plan.send(provider, request);
    } catch (error) {
      const failure = toSmsKitError(provider.name, error);
      outcomes = request.map(() => ({ ok: false, error: failure }));
    }
    let refusal: SmsKitError | undefined;
    let accepted = false;
    request.forEach((job, position) => {
      const outcome = outcomes[position] ?? {
        ok: false as const,
        error: new UnknownOutcomeError({
          provider: provider.name,
          code: "NOT_IN_ANSWER",
          message: `[${provider.name}] the provider reported no outcome for this message; whether it was sent is unknown`,
        }),
      };
      if (!outcome.ok && movesOn(outcome.error)) {
        refusal ??= outcome.error;
        job.attempts.push({ provider: provider.name, error: outcome.error });
        retry.push(job);
        return;
      }
      if (outcome.ok) accepted = true;
      plan.settle(job, outcome);
    });
    if (refusal !== undefined) {
      health.cool(provider, refusal);
      refusedDuringCall.set(provider.name, refusal);
    } else if (accepted) {
      health.recover(provider);
    }
    endProbe?.();
  };

  while (pending.length > 0) {
    const shares = new Map<SmsProvider, J[]>();
    for (const job of pending) {
      const provider = await nextProvider(job);
      if (provider === undefined) {
        plan.settle(job, { ok: false, error: failureOf(job.attempts) });
        continue;
      }
      const share = shares.get(provider);
      if (share === undefined) shares.set(provider, [job]);
      else share.push(job);
    }
    const requests: Array<[SmsProvider, J[]]> = [];
    for (const [provider, share] of shares) {
      for (const request of plan.requestsFor(provider, share)) requests.push([provider, request]);
    }
    const retry: J[] = [];
    let cursor = 0;
    const worker = async () => {
      while (cursor < requests.length) {
        const [provider, request] = requests[cursor++] as [SmsProvider, J[]];
        await runRequest(provider, request, retry);
      }
    };
    await Promise.all(Array.from({ length: Math.min(plan.concurrency, requests.length) }, worker));
    pending = retry;
  }
}
