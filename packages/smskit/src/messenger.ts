import {
  AllProvidersFailedError,
  type EmailResult,
  OptedOutError,
  type OutgoingEmail,
  type OutgoingSms,
  type ProviderAttempt,
  type SendOutcome,
  type SendResult,
  SmsKitError,
  type SmsProvider,
  ValidationError,
} from "@smskit/core";
import { resolveStrategy, type Strategy, type StrategyName } from "./strategies.js";
import { DEFAULT_MAX_SEGMENTS, positiveInteger, type SmsInput, validateSmsInput } from "./validate.js";

export type { SmsInput } from "./validate.js";

export interface MessengerOptions {
  /** The gateways to send through, in order of preference. Names must be unique. */
  providers: readonly SmsProvider[];
  /** `"failover"` (default), `"round-robin"`, or your own ordering function. */
  strategy?: StrategyName | Strategy;
  /** How long a provider that failed transiently is skipped. Default 60 s. */
  cooldownMs?: number;
  /** Longest text accepted, in segments; longer texts are refused before sending. Default 10. */
  maxSegments?: number;
  /** Makes a `clientRef` for messages that have none. Default: a random UUID v4. */
  createClientRef?: () => string;
  /** Clock for the cool-down; injected by tests. */
  now?: () => number;
  /**
   * Asked before every SMS with the E.164 recipient; `true` refuses the message with
   * {@link OptedOutError} (never retried, never failed over). Wire it to where your webhook stores
   * STOP replies (see `smskit/webhooks`).
   */
  isOptedOut?: (to: string) => boolean | Promise<boolean>;
}

export interface EmailInput extends Omit<OutgoingEmail, "clientRef"> {
  clientRef?: string;
  provider?: string;
}

export interface Messenger {
  readonly providers: readonly SmsProvider[];
  /** Sends one SMS, failing over on transient errors. Throws a typed error. */
  send(message: SmsInput): Promise<SendResult>;
  /** Sends many SMS in as few gateway requests as each provider allows; one outcome per message, in order. */
  sendMany(messages: readonly SmsInput[]): Promise<SendOutcome[]>;
  /** Sends an e-mail through a provider that can (Digify). */
  sendEmail(email: EmailInput): Promise<EmailResult>;
}

interface Prepared {
  index: number;
  input: SmsInput;
  to: string;
  clientRef: string;
}

const DEFAULT_COOLDOWN_MS = 60_000;

function smskitError(code: string, message: string): ValidationError {
  return new ValidationError({ provider: "smskit", code, message: `[smskit] ${message}` });
}

/** Failover is for answers that prove the gateway did not take the message; never for a maybe. */
function movesOn(error: unknown): error is SmsKitError {
  return error instanceof SmsKitError && error.retryable;
}

function failureOf(attempts: readonly ProviderAttempt[]): SmsKitError {
  if (attempts.length === 1) return (attempts[0] as ProviderAttempt).error;
  return new AllProvidersFailedError(attempts);
}

/**
 * One `send()` over several gateways.
 *
 * @example
 * const messenger = createMessenger({
 *   providers: [websms({ accessToken }), digify({ accessToken: digifyToken })],
 *   strategy: "failover",
 * });
 * const result = await messenger.send({ to: "+4712345678", text: "Hei!", clientRef: "order-42" });
 *
 * @throws {TypeError} when `providers` is empty or two providers share a name.
 */
export function createMessenger(options: MessengerOptions): Messenger {
  const providers = [...options.providers];
  if (providers.length === 0) throw new TypeError("[smskit] createMessenger needs at least one provider");
  const names = new Set(providers.map((provider) => provider.name));
  if (names.size !== providers.length) throw new TypeError("[smskit] provider names must be unique");
  const strategy = resolveStrategy(options.strategy);
  const cooldownMs = options.cooldownMs ?? DEFAULT_COOLDOWN_MS;
  const maxSegments = positiveInteger("maxSegments", options.maxSegments, DEFAULT_MAX_SEGMENTS);
  const now = options.now ?? Date.now;
  const createClientRef = options.createClientRef ?? randomClientRef;
  const coolingUntil = new Map<string, number>();

  const cool = (provider: SmsProvider) => coolingUntil.set(provider.name, now() + cooldownMs);
  const recover = (provider: SmsProvider) => coolingUntil.delete(provider.name);

  /** Healthy providers in configuration order; when all are cooling down, the soonest to recover first. */
  const available = (candidates: readonly SmsProvider[]): SmsProvider[] => {
    const time = now();
    const healthy = candidates.filter((provider) => (coolingUntil.get(provider.name) ?? 0) <= time);
    if (healthy.length > 0) return healthy;
    return [...candidates].sort((a, b) => (coolingUntil.get(a.name) ?? 0) - (coolingUntil.get(b.name) ?? 0));
  };

  const pinned = (
    name: string | undefined,
    candidates: readonly SmsProvider[],
  ): SmsProvider[] | undefined => {
    if (name === undefined) return undefined;
    const provider = candidates.find((candidate) => candidate.name === name);
    if (!provider) throw smskitError("UNKNOWN_PROVIDER", `no provider named "${name}" can take this message`);
    return [provider];
  };

  const outgoingFor = (prepared: Prepared, provider: SmsProvider): OutgoingSms => {
    const { from, text } = prepared.input;
    const sender = typeof from === "string" || from === undefined ? from : from[provider.name];
    return { to: prepared.to, text, from: sender, clientRef: prepared.clientRef };
  };

  const prepare = async (input: SmsInput, index: number): Promise<Prepared> => {
    const valid = validateSmsInput(input, { maxSegments });
    if (options.isOptedOut !== undefined && (await options.isOptedOut(valid.to))) {
      throw new OptedOutError({
        provider: "smskit",
        code: "OPTED_OUT",
        message: `[smskit] ${valid.to} has opted out of messages; nothing was sent`,
      });
    }
    return { index, input, to: valid.to, clientRef: valid.clientRef ?? createClientRef() };
  };

  const orderFor = (prepared: Prepared): SmsProvider[] => {
    const only = pinned(prepared.input.provider, providers);
    if (only) return only;
    const candidates = available(providers);
    const message = outgoingFor(prepared, candidates[0] as SmsProvider);
    return [...strategy({ available: candidates, all: providers, message })];
  };

  /** Tries providers in order, moving on only past failures that prove nothing was accepted. */
  async function inTurn<Result>(
    order: readonly SmsProvider[],
    attempt: (provider: SmsProvider) => Promise<Result>,
  ): Promise<{ result: Result; attempts: ProviderAttempt[] }> {
    const attempts: ProviderAttempt[] = [];
    for (const provider of order) {
      try {
        const result = await attempt(provider);
        recover(provider);
        return { result, attempts };
      } catch (error) {
        if (!movesOn(error)) throw error;
        cool(provider);
        attempts.push({ provider: provider.name, error });
      }
    }
    throw attempts.length > 0
      ? failureOf(attempts)
      : smskitError("NO_PROVIDER", "the strategy chose no provider");
  }

  async function send(input: SmsInput): Promise<SendResult> {
    const prepared = await prepare(input, 0);
    const { result, attempts } = await inTurn(orderFor(prepared), (provider) =>
      provider.send(outgoingFor(prepared, provider)),
    );
    return { ...result, attempts };
  }

  /** Splits one provider's share into requests it accepts: same text (and sender) unless it takes mixed texts. */
  const requestsFor = (provider: SmsProvider, share: readonly Prepared[]): Prepared[][] => {
    const { maxRecipientsPerRequest, distinctTextsPerRequest } = provider.capabilities;
    const groups = new Map<string, Prepared[]>();
    for (const prepared of share) {
      const outgoing = outgoingFor(prepared, provider);
      const key = distinctTextsPerRequest ? "" : JSON.stringify([outgoing.text, outgoing.from ?? null]);
      groups.set(key, [...(groups.get(key) ?? []), prepared]);
    }
    const requests: Prepared[][] = [];
    for (const group of groups.values()) {
      for (let start = 0; start < group.length; start += maxRecipientsPerRequest) {
        requests.push(group.slice(start, start + maxRecipientsPerRequest));
      }
    }
    return requests;
  };

  async function sendMany(inputs: readonly SmsInput[]): Promise<SendOutcome[]> {
    const outcomes: Array<SendOutcome | undefined> = new Array(inputs.length);
    const queues = new Map<Prepared, SmsProvider[]>();
    const attempts = new Map<Prepared, ProviderAttempt[]>();
    for (const [index, input] of inputs.entries()) {
      try {
        const prepared = await prepare(input, index);
        queues.set(prepared, orderFor(prepared));
        attempts.set(prepared, []);
      } catch (error) {
        outcomes[index] = { ok: false, error: error instanceof SmsKitError ? error : toSmsKitError(error) };
      }
    }

    while (queues.size > 0) {
      // Each message goes to the next provider in its own order; messages bound for the same provider share requests.
      const shares = new Map<SmsProvider, Prepared[]>();
      for (const [prepared, queue] of queues) {
        const provider = queue.shift();
        if (!provider) {
          queues.delete(prepared);
          outcomes[prepared.index] = { ok: false, error: failureOf(attempts.get(prepared) ?? []) };
          continue;
        }
        shares.set(provider, [...(shares.get(provider) ?? []), prepared]);
      }
      for (const [provider, share] of shares) {
        for (const request of requestsFor(provider, share)) {
          try {
            const results = await provider.sendBatch(
              request.map((prepared) => outgoingFor(prepared, provider)),
            );
            recover(provider);
            for (const [position, prepared] of request.entries()) {
              queues.delete(prepared);
              const outcome = results[position];
              outcomes[prepared.index] = outcome?.ok
                ? { ok: true, result: { ...outcome.result, attempts: attempts.get(prepared) ?? [] } }
                : (outcome ?? {
                    ok: false,
                    error: new SmsKitError({
                      provider: provider.name,
                      message: `[${provider.name}] no outcome reported`,
                    }),
                  });
            }
          } catch (error) {
            if (movesOn(error)) {
              cool(provider);
              for (const prepared of request)
                attempts.get(prepared)?.push({ provider: provider.name, error });
              continue; // these messages stay queued for their next provider
            }
            for (const prepared of request) {
              queues.delete(prepared);
              outcomes[prepared.index] = { ok: false, error: toSmsKitError(error) };
            }
          }
        }
      }
    }
    return outcomes as SendOutcome[];
  }

  async function sendEmail(input: EmailInput): Promise<EmailResult> {
    for (const [field, value] of [
      ["to", input.to],
      ["from", input.from],
    ] as const) {
      if (typeof value !== "string" || !/^[^\s@]+@[^\s@]+$/.test(value)) {
        throw smskitError("INVALID_EMAIL", `"${String(value)}" is not an e-mail address (${field})`);
      }
    }
    const capable = providers.filter((provider) => provider.capabilities.email && provider.sendEmail);
    if (capable.length === 0) throw smskitError("NO_EMAIL_PROVIDER", "no configured provider sends e-mail");
    const order = pinned(input.provider, capable) ?? available(capable);
    const email: OutgoingEmail = { ...input, clientRef: input.clientRef ?? createClientRef() };
    const { result } = await inTurn(order, (provider) =>
      (provider.sendEmail as NonNullable<SmsProvider["sendEmail"]>)(email),
    );
    return result;
  }

  return { providers, send, sendMany, sendEmail };
}

/**
 * A UUID v4. `crypto.randomUUID` exists only in secure contexts (a browser page served over plain
 * http has none), while `getRandomValues` exists everywhere `fetch` does.
 */
export function randomClientRef(): string {
  const { crypto } = globalThis;
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Keeps a foreign failure (a bug in a custom provider) typed, so sendMany's outcomes stay uniform. */
function toSmsKitError(error: unknown): SmsKitError {
  if (error instanceof SmsKitError) return error;
  return new SmsKitError({
    provider: "smskit",
    message: `[smskit] ${error instanceof Error ? error.message : String(error)}`,
    cause: error,
  });
}
