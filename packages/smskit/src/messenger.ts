import {
  ConfigurationError,
  type EmailResult,
  OptedOutError,
  type OutgoingEmail,
  type OutgoingSms,
  type SendOutcome,
  type SendResult,
  SmsKitError,
  type SmsProvider,
  ValidationError,
} from "@smskit/core";
import { createHealth, deliver, type Job, type Outcome } from "./delivery.js";
import { resolveStrategy, type Strategy, type StrategyName } from "./strategies.js";
import {
  DEFAULT_MAX_SEGMENTS,
  positiveInteger,
  type SmsInput,
  type ValidSms,
  validateSmsInput,
} from "./validate.js";

export type { SmsInput } from "./validate.js";

export interface MessengerOptions<Provider extends SmsProvider<string> = SmsProvider> {
  /** The gateways to send through, in order of preference. Names must be unique. */
  providers: readonly Provider[];
  /** `"failover"` (default), `"round-robin"`, or your own ordering function. */
  strategy?: StrategyName | Strategy;
  /** How long a provider that refused a message is skipped. Default 60 s. */
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

export interface SendManyOptions {
  /**
   * Gateway requests in flight at once. Default 1. Each client's `rateLimit` still decides when a
   * request may start, so more in flight never means more than the gateway allows.
   */
  concurrency?: number;
}

/** An {@link SmsInput} whose `provider` must be one of the messenger's providers. */
export type MessageFor<Name extends string> = Omit<SmsInput, "provider" | "from"> & {
  provider?: Name;
  from?: string | Readonly<Partial<Record<Name, string>>>;
};

export interface EmailInput<Name extends string = string> extends Omit<OutgoingEmail, "clientRef"> {
  clientRef?: string;
  provider?: Name;
}

export interface Messenger<Name extends string = string> {
  readonly providers: readonly SmsProvider[];
  /** Sends one SMS, failing over on errors that prove the gateway did not take it. Throws a typed error. */
  send(message: MessageFor<Name>): Promise<SendResult>;
  /** Sends many SMS in as few gateway requests as each provider allows; one outcome per message, in order. */
  sendMany(messages: readonly MessageFor<Name>[], options?: SendManyOptions): Promise<SendOutcome[]>;
  /** Sends an e-mail through a provider that can (Digify). */
  sendEmail(email: EmailInput<Name>): Promise<EmailResult>;
}

interface SmsJob extends Job {
  index: number;
  sms: ValidSms;
  clientRef: string;
}

interface EmailJob extends Job {
  email: OutgoingEmail;
}

const DEFAULT_COOLDOWN_MS = 60_000;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

function smskitError(code: string, field: string, message: string): ValidationError {
  return new ValidationError({
    provider: "smskit",
    code,
    details: { field },
    message: `[smskit] ${message}`,
  });
}

function misconfigured(option: string, message: string): ConfigurationError {
  return new ConfigurationError({
    provider: "smskit",
    code: "INVALID_OPTION",
    details: { option },
    message: `[smskit] ${option} ${message}`,
  });
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
 * @throws {ConfigurationError} when `providers` is empty, two providers share a name, or an option is wrong.
 */
export function createMessenger<Provider extends SmsProvider<string>>(
  options: MessengerOptions<Provider>,
): Messenger<Provider["name"]> {
  type Name = Provider["name"];
  if (options === null || typeof options !== "object") throw misconfigured("options", "must be an object");
  if (!Array.isArray(options.providers) || options.providers.length === 0) {
    throw misconfigured("providers", "must list at least one provider");
  }
  const providers: SmsProvider[] = [...options.providers];
  for (const provider of providers) {
    if (
      provider === null ||
      typeof provider !== "object" ||
      typeof provider.name !== "string" ||
      typeof provider.sendBatch !== "function"
    ) {
      throw misconfigured(
        "providers",
        "must be SmsProvider objects (digify(), websms(), f24(), smartSwitch(), dryRun() …)",
      );
    }
  }
  const names = providers.map((provider) => provider.name);
  if (new Set(names).size !== names.length) throw misconfigured("providers", "must have unique names");
  const strategy = resolveStrategy(options.strategy);
  const cooldownMs = positiveInteger("cooldownMs", options.cooldownMs, DEFAULT_COOLDOWN_MS);
  const maxSegments = positiveInteger("maxSegments", options.maxSegments, DEFAULT_MAX_SEGMENTS);
  const now = options.now ?? Date.now;
  const createClientRef = options.createClientRef ?? randomClientRef;
  const health = createHealth(cooldownMs, now);

  const byName = (name: string | undefined, candidates: readonly SmsProvider[]): SmsProvider | undefined =>
    name === undefined ? undefined : candidates.find((candidate) => candidate.name === name);

  /**
   * Providers not cooling down, in configuration order; all of them when all are cooling (the
   * delivery step then tries the soonest to recover first).
   */
  const available = (candidates: readonly SmsProvider[]): SmsProvider[] => {
    const usable = candidates.filter((provider) => health.state(provider) !== "cooling");
    return usable.length > 0 ? usable : [...candidates];
  };

  const outgoingFor = (job: SmsJob, provider: SmsProvider): OutgoingSms => {
    const { from, text, to, sendAt } = job.sms;
    const sender = typeof from === "string" || from === undefined ? from : from[provider.name];
    return { to, text, from: sender, clientRef: job.clientRef, ...(sendAt === undefined ? {} : { sendAt }) };
  };

  const orderFor = (sms: ValidSms, clientRef: string): readonly SmsProvider[] => {
    // A scheduled message goes only where the gateway itself can hold it.
    const eligible =
      sms.sendAt === undefined
        ? providers
        : providers.filter((provider) => provider.capabilities.scheduling === true);
    if (eligible.length === 0) {
      throw smskitError(
        "SCHEDULING_UNSUPPORTED",
        "sendAt",
        "no configured provider can schedule a message (sendAt); use @smskit/queue",
      );
    }
    if (sms.provider !== undefined) {
      const only = byName(sms.provider, eligible);
      if (only === undefined) {
        throw smskitError(
          "UNKNOWN_PROVIDER",
          "provider",
          `no provider named ${JSON.stringify(sms.provider)}; configured: ${names.join(", ")}`,
        );
      }
      return [only];
    }
    const candidates = available(eligible);
    const message = { to: sms.to, text: sms.text, clientRef };
    const order = strategy({ available: candidates, all: eligible, message });
    if (!Array.isArray(order) || order.some((provider) => !eligible.includes(provider))) {
      throw misconfigured("strategy", "must return some of the configured providers");
    }
    return order;
  };

  const prepare = async (input: unknown, index: number): Promise<SmsJob> => {
    const sms = validateSmsInput(input, { maxSegments, now: now() });
    if (options.isOptedOut !== undefined && (await options.isOptedOut(sms.to))) {
      throw new OptedOutError({
        provider: "smskit",
        code: "OPTED_OUT",
        message: `[smskit] ${sms.to} has opted out of messages; nothing was sent`,
      });
    }
    const clientRef = sms.clientRef ?? createClientRef();
    return { index, sms, clientRef, order: orderFor(sms, clientRef), next: 0, attempts: [] };
  };

  /** Splits one provider's share into requests it accepts: same text (and sender) unless it takes mixed texts. */
  const requestsFor = (provider: SmsProvider, share: SmsJob[]): SmsJob[][] => {
    const { maxRecipientsPerRequest, distinctTextsPerRequest } = provider.capabilities;
    const groups = new Map<string, SmsJob[]>();
    for (const job of share) {
      const outgoing = outgoingFor(job, provider);
      const key = distinctTextsPerRequest ? "" : JSON.stringify([outgoing.text, outgoing.from ?? null]);
      const group = groups.get(key);
      if (group === undefined) groups.set(key, [job]);
      else group.push(job);
    }
    const requests: SmsJob[][] = [];
    for (const group of groups.values()) {
      for (let start = 0; start < group.length; start += maxRecipientsPerRequest) {
        requests.push(group.slice(start, start + maxRecipientsPerRequest));
      }
    }
    return requests;
  };

  const sendSms = async (provider: SmsProvider, jobs: SmsJob[]): Promise<SendOutcome[]> => {
    if (jobs.length === 1) {
      const job = jobs[0] as SmsJob;
      return [{ ok: true, result: await provider.send(outgoingFor(job, provider)) }];
    }
    return provider.sendBatch(jobs.map((job) => outgoingFor(job, provider)));
  };

  async function sendMany(
    inputs: readonly MessageFor<Name>[],
    sendOptions: SendManyOptions = {},
  ): Promise<SendOutcome[]> {
    if (!Array.isArray(inputs)) {
      throw smskitError("INVALID_MESSAGES", "messages", "sendMany takes an array of messages");
    }
    const concurrency = positiveInteger("concurrency", sendOptions?.concurrency, 1);
    const outcomes: SendOutcome[] = new Array(inputs.length);
    const jobs: SmsJob[] = [];
    for (let index = 0; index < inputs.length; index++) {
      try {
        jobs.push(await prepare(inputs[index], index));
      } catch (error) {
        // A failing isOptedOut callback is not this message's fault: it stops the call.
        if (!(error instanceof SmsKitError)) throw error;
        outcomes[index] = { ok: false, error };
      }
    }
    await deliver<SmsJob, SendResult>(jobs, {
      health,
      concurrency,
      requestsFor,
      send: sendSms,
      settle(job, outcome) {
        outcomes[job.index] = outcome.ok
          ? { ok: true, result: { ...outcome.result, attempts: job.attempts } }
          : outcome;
      },
    });
    return outcomes;
  }

  async function send(input: MessageFor<Name>): Promise<SendResult> {
    const job = await prepare(input, 0);
    let outcome: Outcome<SendResult> | undefined;
    await deliver<SmsJob, SendResult>([job], {
      health,
      concurrency: 1,
      requestsFor: (_, share) => [share],
      send: sendSms,
      settle(_, settled) {
        outcome = settled;
      },
    });
    const settled = outcome as Outcome<SendResult>;
    if (!settled.ok) throw settled.error;
    return { ...settled.result, attempts: job.attempts };
  }

  async function sendEmail(input: EmailInput<Name>): Promise<EmailResult> {
    if (input === null || typeof input !== "object")
      throw smskitError("INVALID_EMAIL", "email", "an e-mail must be an object");
    for (const field of ["to", "from"] as const) {
      const value = input[field];
      if (typeof value !== "string" || !EMAIL.test(value)) {
        throw smskitError("INVALID_EMAIL", field, `${field} is not an e-mail address`);
      }
    }
    for (const field of ["subject"] as const) {
      if (typeof input[field] !== "string" || input[field] === "") {
        throw smskitError("INVALID_EMAIL", field, `${field} must be a non-empty text`);
      }
    }
    const capable = providers.filter((provider) => provider.capabilities.email && provider.sendEmail);
    if (capable.length === 0)
      throw smskitError("NO_EMAIL_PROVIDER", "provider", "no configured provider sends e-mail");
    let order: readonly SmsProvider[];
    if (input.provider !== undefined) {
      const only = byName(input.provider, capable);
      if (only === undefined) {
        throw smskitError(
          "UNKNOWN_PROVIDER",
          "provider",
          `no e-mail provider named ${JSON.stringify(input.provider)}`,
        );
      }
      order = [only];
    } else {
      order = available(capable);
    }
    const email: OutgoingEmail = { ...input, clientRef: input.clientRef ?? createClientRef() };
    let outcome: Outcome<EmailResult> | undefined;
    await deliver<EmailJob, EmailResult>([{ email, order, next: 0, attempts: [] }], {
      health,
      concurrency: 1,
      requestsFor: (_, share) => [share],
      async send(provider, [job]) {
        const sendEmail = provider.sendEmail as NonNullable<SmsProvider["sendEmail"]>;
        return [{ ok: true, result: await sendEmail((job as EmailJob).email) }];
      },
      settle(_, settled) {
        outcome = settled;
      },
    });
    const settled = outcome as Outcome<EmailResult>;
    if (!settled.ok) throw settled.error;
    return settled.result;
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
