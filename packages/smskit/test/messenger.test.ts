import {
  AllProvidersFailedError,
  AuthenticationError,
  ConfigurationError,
  InvalidRecipientError,
  NetworkError,
  OptedOutError,
  type OutgoingSms,
  RateLimitError,
  type SendOutcome,
  ServerError,
  ServiceUnavailableError,
  type SmsKitError,
  type SmsProvider,
  UnknownOutcomeError,
  ValidationError,
} from "@smskit/core";
import { describe, expect, it } from "vitest";
import { createMessenger, dryRun, roundRobin, validateSmsInput } from "../src/index.js";
import { randomClientRef } from "../src/messenger.js";

type Behaviour = (message: OutgoingSms) => SmsKitError | undefined;

/** A provider whose answers a test scripts; it records every message it was asked to send. */
function fake(
  name: string,
  behaviour: Behaviour = () => undefined,
  capabilities: Partial<SmsProvider["capabilities"]> = {},
) {
  const calls: OutgoingSms[][] = [];
  const resultFor = (message: OutgoingSms) => ({
    provider: name,
    to: message.to,
    status: "queued" as const,
    providerMessageId: `${name}-${message.to}`,
    clientRef: message.clientRef,
    segments: 1,
    encoding: "GSM-7" as const,
    raw: {},
  });
  const provider: SmsProvider & { calls: OutgoingSms[][] } = {
    name,
    capabilities: {
      email: false,
      maxRecipientsPerRequest: 100,
      distinctTextsPerRequest: true,
      ...capabilities,
    },
    calls,
    async send(message) {
      calls.push([message]);
      const error = behaviour(message);
      if (error) throw error;
      return resultFor(message);
    },
    async sendBatch(messages) {
      calls.push([...messages]);
      const first = messages[0];
      const error = first && behaviour(first);
      if (error) throw error;
      return messages.map((message): SendOutcome => ({ ok: true, result: resultFor(message) }));
    },
  };
  return provider;
}

const throttled = (provider: string) =>
  new RateLimitError({ provider, message: "throttled", retryAfterMs: 1000 });
const sms = { to: "+4712345678", text: "hello" };

describe("failover", () => {
  it("moves to the next provider on a transient error and skips the failed one during its cool-down", async () => {
    let time = 0;
    const a = fake("a", () => throttled("a"));
    const b = fake("b");
    const messenger = createMessenger({ providers: [a, b], cooldownMs: 60_000, now: () => time });
    const first = await messenger.send(sms);
    expect(first.provider).toBe("b");
    expect(first.attempts?.map((attempt) => [attempt.provider, attempt.error.kind])).toEqual([
      ["a", "rate_limit"],
    ]);
    expect(a.calls).toHaveLength(1);

    time = 59_999;
    expect((await messenger.send(sms)).attempts).toEqual([]);
    await messenger.send(sms);
    expect(a.calls).toHaveLength(1); // still cooling down

    time = 60_000;
    await messenger.send(sms);
    expect(a.calls).toHaveLength(2); // tried again after the cool-down
  });

  it.each([
    ["ServiceUnavailableError", new ServiceUnavailableError({ provider: "a", message: "down", status: 503 })],
    [
      "a refused connection",
      new NetworkError({ provider: "a", message: "refused", mayHaveReachedGateway: false }),
    ],
  ])("fails over on %s", async (_, error) => {
    const messenger = createMessenger({ providers: [fake("a", () => error), fake("b")] });
    expect((await messenger.send(sms)).provider).toBe("b");
  });

  it.each([
    ["bad credentials", new AuthenticationError({ provider: "a", message: "nope", status: 401 })],
    ["an invalid recipient", new InvalidRecipientError({ provider: "a", message: "bad number", code: 4002 })],
    [
      "a server error that may have accepted the message",
      new ServerError({ provider: "a", message: "500", status: 500 }),
    ],
    ["an unknown outcome", new UnknownOutcomeError({ provider: "a", message: "timeout" })],
    [
      "a reset connection",
      new NetworkError({ provider: "a", message: "reset", mayHaveReachedGateway: true }),
    ],
  ])("never fails over on %s: the error reaches the caller and nothing is resent", async (_, error) => {
    const b = fake("b");
    const messenger = createMessenger({ providers: [fake("a", () => error), b] });
    await expect(messenger.send(sms)).rejects.toBe(error);
    expect(b.calls).toHaveLength(0);
  });

  it("reports every attempt when all providers fail transiently", async () => {
    const messenger = createMessenger({
      providers: [fake("a", () => throttled("a")), fake("b", () => throttled("b"))],
    });
    const error = (await messenger.send(sms).catch((e: unknown) => e)) as AllProvidersFailedError;
    expect(error).toBeInstanceOf(AllProvidersFailedError);
    expect(error.attempts.map((attempt) => attempt.provider)).toEqual(["a", "b"]);
    expect(error.retryable).toBe(true);
  });

  it("throws the provider's own error when there is only one", async () => {
    const messenger = createMessenger({ providers: [fake("a", () => throttled("a"))] });
    await expect(messenger.send(sms)).rejects.toBeInstanceOf(RateLimitError);
  });

  it("still tries the providers when all of them are cooling down, soonest to recover first", async () => {
    let time = 0;
    let failing = new Set(["a", "b"]);
    const a = fake("a", () => (failing.has("a") ? throttled("a") : undefined));
    const b = fake("b", () => (failing.has("b") ? throttled("b") : undefined));
    const messenger = createMessenger({ providers: [a, b], now: () => time });
    await messenger.send(sms).catch(() => undefined); // a and b both cool until 60 000
    time = 30_000;
    failing = new Set(["b"]);
    await messenger.send(sms).catch(() => undefined); // a is tried first (soonest); it succeeds
    failing = new Set(["a"]);
    await messenger.send(sms).catch(() => undefined); // a throttles again: now until 90 000; b until 60 000
    time = 40_000;
    failing = new Set();
    // Both cooling: b recovers first (60 000 < 90 000), although a comes first in the configuration.
    expect((await messenger.send(sms)).provider).toBe("b");
  });

  it("keeps the same clientRef across failover attempts", async () => {
    const a = fake("a", () => throttled("a"));
    const b = fake("b");
    await createMessenger({ providers: [a, b], createClientRef: () => "ref-1" }).send(sms);
    expect([a.calls[0]?.[0]?.clientRef, b.calls[0]?.[0]?.clientRef]).toEqual(["ref-1", "ref-1"]);
  });
});

describe("round robin and custom strategies", () => {
  it("spreads sends in turn and falls back the same way", async () => {
    const providers = [fake("a"), fake("b"), fake("c")];
    const messenger = createMessenger({ providers, strategy: "round-robin" });
    const used = [];
    for (let i = 0; i < 4; i++) used.push((await messenger.send(sms)).provider);
    expect(used).toEqual(["a", "b", "c", "a"]);
  });

  it("skips a cooling provider in the rotation", async () => {
    const b = fake("b", () => throttled("b"));
    const messenger = createMessenger({ providers: [fake("a"), b, fake("c")], strategy: roundRobin() });
    const used = [];
    for (let i = 0; i < 4; i++) used.push((await messenger.send(sms)).provider);
    expect(used).toEqual(["a", "c", "a", "c"]);
    expect(b.calls).toHaveLength(1);
  });

  it("accepts a function that orders providers per message", async () => {
    const messenger = createMessenger({
      providers: [fake("norway"), fake("austria")],
      strategy: ({ available, message }) =>
        message.to.startsWith("+43") ? [...available].reverse() : available,
    });
    expect((await messenger.send({ to: "+4369912345678", text: "servus" })).provider).toBe("austria");
    expect((await messenger.send(sms)).provider).toBe("norway");
  });

  it("sends through a pinned provider only", async () => {
    const a = fake("a", () => throttled("a"));
    const messenger = createMessenger({ providers: [a, fake("b")] });
    await expect(messenger.send({ ...sms, provider: "a" })).rejects.toBeInstanceOf(RateLimitError);
    await expect(messenger.send({ ...sms, provider: "zzz" })).rejects.toThrow(/no provider named "zzz"/);
  });

  it("gives each provider its own sender when from is a map", async () => {
    const a = fake("a", () => throttled("a"));
    const b = fake("b");
    await createMessenger({ providers: [a, b] }).send({ ...sms, from: { a: "ACME", b: "4799999999" } });
    expect([a.calls[0]?.[0]?.from, b.calls[0]?.[0]?.from]).toEqual(["ACME", "4799999999"]);
  });
});

describe("validation before the network", () => {
  const provider = fake("a");
  const messenger = createMessenger({ providers: [provider], maxSegments: 2 });

  it.each([
    ["a national number", { to: "12345678", text: "x" }, InvalidRecipientError],
    ["an empty text", { to: "+4712345678", text: "" }, ValidationError],
    ["a text over the segment limit", { to: "+4712345678", text: "x".repeat(307) }, ValidationError],
  ])("refuses %s with a typed error", async (_, input, type) => {
    await expect(messenger.send(input)).rejects.toBeInstanceOf(type);
    expect(provider.calls).toHaveLength(0);
  });

  it("normalises the recipient before any provider sees it", async () => {
    await messenger.send({ to: "0047 123 45 678", text: "x" });
    expect(provider.calls[0]?.[0]?.to).toBe("+4712345678");
  });

  it("says which characters forced UCS-2 when a text is too long", async () => {
    const error = await createMessenger({ providers: [provider], maxSegments: 1 })
      .send({ to: "+4712345678", text: `${"x".repeat(80)}’` })
      .catch((e: unknown) => e);
    expect((error as Error).message).toContain('UCS-2 because of "’"');
  });
});

describe("sendMany", () => {
  it("batches up to each provider's limit and returns one outcome per message in order", async () => {
    const a = fake("a", undefined, { maxRecipientsPerRequest: 2 });
    const messages = ["+4711111111", "+4722222222", "+4733333333"].map((to) => ({ to, text: "hi" }));
    const outcomes = await createMessenger({ providers: [a] }).sendMany(messages);
    expect(a.calls.map((call) => call.length)).toEqual([2, 1]);
    expect(outcomes.map((outcome) => outcome.ok && outcome.result.to)).toEqual(
      messages.map((message) => message.to),
    );
  });

  it("puts only identical texts in one request for a provider that takes one text per request", async () => {
    const single = fake("single", undefined, { distinctTextsPerRequest: false });
    const outcomes = await createMessenger({ providers: [single] }).sendMany([
      { to: "+4711111111", text: "A" },
      { to: "+4722222222", text: "B" },
      { to: "+4733333333", text: "A" },
    ]);
    expect(single.calls.map((call) => call.map((message) => message.text))).toEqual([["A", "A"], ["B"]]);
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
  });

  it("reports an invalid message in its place and still sends the others", async () => {
    const a = fake("a");
    const outcomes = await createMessenger({ providers: [a] }).sendMany([
      { to: "+4711111111", text: "ok" },
      { to: "not a number", text: "x" },
      { to: "+4733333333", text: "ok" },
    ]);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false, true]);
    expect(outcomes[1]?.ok === false && outcomes[1].error).toBeInstanceOf(InvalidRecipientError);
    expect(a.calls.flat()).toHaveLength(2);
  });

  it("moves a throttled request to the next provider", async () => {
    const a = fake("a", () => throttled("a"));
    const b = fake("b");
    const outcomes = await createMessenger({ providers: [a, b] }).sendMany([
      sms,
      { ...sms, to: "+4798765432" },
    ]);
    expect(outcomes.map((outcome) => outcome.ok && outcome.result.provider)).toEqual(["b", "b"]);
  });

  it("keeps a provider's per-message failures as they are", async () => {
    const partial: SmsProvider = {
      ...fake("p"),
      async sendBatch(messages) {
        return messages.map(
          (message, index): SendOutcome =>
            index === 1
              ? { ok: false, error: new InvalidRecipientError({ provider: "p", message: "unknown number" }) }
              : {
                  ok: true,
                  result: {
                    provider: "p",
                    to: message.to,
                    status: "accepted",
                    segments: 1,
                    encoding: "GSM-7",
                    raw: {},
                  },
                },
        );
      },
    };
    const outcomes = await createMessenger({ providers: [partial] }).sendMany([sms, sms, sms]);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false, true]);
  });

  it("never resends a request whose outcome is unknown", async () => {
    const a = fake("a", () => new UnknownOutcomeError({ provider: "a", message: "timeout" }));
    const b = fake("b");
    const outcomes = await createMessenger({ providers: [a, b] }).sendMany([sms]);
    expect(outcomes[0]?.ok === false && outcomes[0].error).toBeInstanceOf(UnknownOutcomeError);
    expect(b.calls).toHaveLength(0);
  });
});

describe("sendEmail and the dry-run provider", () => {
  it("sends e-mail only through providers that can", async () => {
    const mail = dryRun({ name: "mail" });
    const messenger = createMessenger({ providers: [fake("sms-only"), mail] });
    const result = await messenger.sendEmail({
      to: "a@example.com",
      from: "b@example.com",
      subject: "Hi",
      text: "x",
    });
    expect(result.provider).toBe("mail");
    expect(mail.emails).toHaveLength(1);
  });

  it("refuses e-mail when no provider can send it, or the address is not one", async () => {
    await expect(
      createMessenger({ providers: [fake("a")] }).sendEmail({
        to: "a@example.com",
        from: "b@example.com",
        subject: "x",
        text: "x",
      }),
    ).rejects.toThrow(/no configured provider sends e-mail/);
    await expect(
      createMessenger({ providers: [dryRun()] }).sendEmail({
        to: "nobody",
        from: "b@example.com",
        subject: "x",
        text: "x",
      }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it("records and logs instead of sending", async () => {
    const lines: string[] = [];
    const provider = dryRun({ log: (line) => lines.push(line) });
    const result = await createMessenger({ providers: [provider] }).send({ ...sms, text: "Hei 😀" });
    expect(result).toMatchObject({
      provider: "dry-run",
      status: "simulated",
      encoding: "UCS-2",
      segments: 1,
    });
    expect(provider.sent).toHaveLength(1);
    expect(lines[0]).toContain("+4712345678");
  });
});

describe("randomClientRef", () => {
  it("makes a UUID v4 also where crypto.randomUUID is missing (browser pages over plain http)", () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const original = globalThis.crypto.randomUUID;
    try {
      Object.defineProperty(globalThis.crypto, "randomUUID", { value: undefined, configurable: true });
      const refs = new Set(Array.from({ length: 100 }, () => randomClientRef()));
      expect(refs.size).toBe(100);
      for (const ref of refs) expect(ref).toMatch(uuid);
    } finally {
      Object.defineProperty(globalThis.crypto, "randomUUID", { value: original, configurable: true });
    }
    expect(randomClientRef()).toMatch(uuid);
  });
});

describe("opt-out", () => {
  it("refuses a send to an opted-out number with OptedOutError, without asking any provider", async () => {
    const a = fake("a");
    const b = fake("b");
    const asked: string[] = [];
    const messenger = createMessenger({
      providers: [a, b],
      isOptedOut: async (to) => {
        asked.push(to);
        return to === "+4712345678";
      },
    });
    const error = await messenger.send({ to: "+47 123 45 678", text: "hi" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OptedOutError);
    expect((error as OptedOutError).retryable).toBe(false);
    expect(asked).toEqual(["+4712345678"]);
    expect(a.calls).toHaveLength(0);
    expect(b.calls).toHaveLength(0);
    const [refused, sent] = await messenger.sendMany([sms, { to: "+4798765432", text: "hi" }]);
    expect(refused?.ok === false && refused.error).toBeInstanceOf(OptedOutError);
    expect(sent?.ok).toBe(true);
    expect(a.calls.flat().map((message) => message.to)).toEqual(["+4798765432"]);
  });
});

describe("validateSmsInput", () => {
  it("normalises what send accepts", () => {
    const valid = validateSmsInput({
      to: "0047 123 45 678",
      text: "hei",
      from: { a: "ACME" },
      clientRef: "r-1",
    });
    expect(valid).toMatchObject({ to: "+4712345678", text: "hei", clientRef: "r-1" });
    expect(valid.segments.segments).toBe(1);
  });

  it.each([
    ["a null sender", { ...sms, from: null }, "from"],
    ["a numeric sender", { ...sms, from: 4712345678 }, "from"],
    ["a non-string sender in the map", { ...sms, from: { f24: 123 } }, "from.f24"],
    ["an object as clientRef", { ...sms, clientRef: { id: 1 } }, "clientRef"],
    ["a lone surrogate in the text", { ...sms, text: "hi \uD83D" }, "text"],
    ["a text that is not a string", { ...sms, text: 42 }, "text"],
  ])("refuses %s with a ValidationError naming the field", (_, input, field) => {
    const error = (() => {
      try {
        validateSmsInput(input);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).details).toEqual({ field });
  });

  it("refuses a message that is not an object", () => {
    for (const input of [null, 42, "text", [sms]])
      expect(() => validateSmsInput(input)).toThrow(ValidationError);
  });

  it("refuses a maxSegments that is not a positive whole number, as a ConfigurationError", () => {
    for (const maxSegments of [Number.NaN, 0, -1, 1.5, Number.POSITIVE_INFINITY]) {
      expect(() => validateSmsInput(sms, { maxSegments })).toThrow(ConfigurationError);
      expect(() => createMessenger({ providers: [fake("a")], maxSegments })).toThrow(ConfigurationError);
    }
  });
});

/** A provider whose sendBatch reports each message through `outcomeFor`, counting requests and those in flight. */
function perMessage(
  name: string,
  outcomeFor: (message: OutgoingSms) => SmsKitError | undefined = () => undefined,
) {
  const state = { requests: 0, inFlight: 0, maxInFlight: 0, release: [] as Array<() => void>, hold: false };
  const provider: SmsProvider<string> & { state: typeof state } = {
    name,
    capabilities: { email: false, maxRecipientsPerRequest: 2, distinctTextsPerRequest: true },
    state,
    async send(message) {
      const [outcome] = await provider.sendBatch([message]);
      if (!outcome?.ok) throw outcome?.error;
      return outcome.result;
    },
    async sendBatch(messages) {
      state.requests += 1;
      state.inFlight += 1;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      if (state.hold) await new Promise<void>((resolve) => state.release.push(resolve));
      state.inFlight -= 1;
      return messages.map((message): SendOutcome => {
        const error = outcomeFor(message);
        return error
          ? { ok: false, error }
          : {
              ok: true,
              result: {
                provider: name,
                to: message.to,
                status: "queued",
                clientRef: message.clientRef,
                segments: 1,
                encoding: "GSM-7",
                raw: {},
              },
            };
      });
    },
  };
  return provider;
}

const six = Array.from({ length: 6 }, (_, index) => ({ to: `+4712345${600 + index}`, text: `m${index}` }));

describe("one failover step for send, sendMany and sendEmail", () => {
  it("skips a provider that throttled earlier in the same sendMany: it is asked once, not once per request", async () => {
    const a = perMessage("a", (message) => throttled(message.to));
    const b = perMessage("b");
    const outcomes = await createMessenger({ providers: [a, b] }).sendMany(six);
    expect(outcomes.every((outcome) => outcome.ok && outcome.result.provider === "b")).toBe(true);
    expect(a.state.requests).toBe(1);
    expect(b.state.requests).toBe(3);
    for (const outcome of outcomes)
      expect(outcome.ok && outcome.result.attempts?.map((attempt) => attempt.provider)).toEqual(["a"]);
  });

  it("fails a message over when its own outcome proves the gateway did not take it, inside a batch that went", async () => {
    const a = perMessage("a", (message) => (message.to.endsWith("601") ? throttled("a") : undefined));
    const b = perMessage("b");
    const outcomes = await createMessenger({ providers: [a, b] }).sendMany(six.slice(0, 2));
    expect(outcomes.map((outcome) => outcome.ok && outcome.result.provider)).toEqual(["a", "b"]);
  });

  it("reports the refusal when no provider is left, without asking the cooling one again", async () => {
    const a = perMessage("a", () => throttled("a"));
    const outcomes = await createMessenger({ providers: [a] }).sendMany(six);
    expect(a.state.requests).toBe(1);
    expect(outcomes.every((outcome) => !outcome.ok && outcome.error instanceof RateLimitError)).toBe(true);
  });

  it("asks a provider that is cooling from an earlier call once per sendMany, not once per request", async () => {
    let time = 0;
    const a = perMessage("a", () => throttled("a"));
    const messenger = createMessenger({ providers: [a], now: () => time });
    await messenger.send(sms).catch(() => undefined);
    time = 1000; // still cooling: nothing else is left, so it is tried, once
    const outcomes = await messenger.sendMany(six);
    expect(a.state.requests).toBe(2);
    expect(outcomes.every((outcome) => !outcome.ok && outcome.error instanceof RateLimitError)).toBe(true);
  });

  it("lets one request probe a provider whose cool-down ended; the others go on to the next provider", async () => {
    let time = 0;
    let aFails = true;
    const a = perMessage("a", () => (aFails ? throttled("a") : undefined));
    const b = perMessage("b");
    const messenger = createMessenger({ providers: [a, b], now: () => time });
    await messenger.send(sms);
    time = 60_000;
    aFails = false;
    a.state.hold = true;
    const probe = messenger.send(sms);
    await new Promise((resolve) => setImmediate(resolve));
    expect(a.state.inFlight).toBe(1);
    const others = await Promise.all([messenger.send(sms), messenger.send(sms)]);
    expect(others.map((result) => result.provider)).toEqual(["b", "b"]);
    expect(a.state.requests).toBe(2); // the first throttled send and the probe, nothing else
    for (const release of a.state.release) release();
    expect((await probe).provider).toBe("a");
    a.state.hold = false;
    expect((await messenger.send(sms)).provider).toBe("a");
  });

  it("sends one request at a time by default, and as many as asked with concurrency", async () => {
    for (const [concurrency, expected] of [
      [undefined, 1],
      [3, 3],
    ] as const) {
      const a = perMessage("a");
      a.state.hold = true;
      const sending = createMessenger({ providers: [a] }).sendMany(
        six,
        concurrency === undefined ? {} : { concurrency },
      );
      while (a.state.inFlight < expected) await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      expect(a.state.inFlight).toBe(expected);
      while (a.state.release.length > 0 || a.state.inFlight > 0) {
        for (const release of a.state.release.splice(0)) release();
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect((await sending).every((outcome) => outcome.ok)).toBe(true);
      expect(a.state.maxInFlight).toBe(expected);
    }
  });

  it("calls a custom provider's non-smskit failure an unknown outcome: never retried, never failed over", async () => {
    const broken: SmsProvider = {
      ...fake("broken"),
      async send() {
        throw new Error("socket hang up");
      },
    };
    const b = fake("b");
    const error = await createMessenger({ providers: [broken, b] })
      .send(sms)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(b.calls).toHaveLength(0);
  });

  it("refuses what is not a list of messages, and a strategy that returns strangers", async () => {
    const messenger = createMessenger({ providers: [fake("a")] });
    for (const input of [null, {}, 42, "x"]) {
      await expect(messenger.sendMany(input as never)).rejects.toBeInstanceOf(ValidationError);
    }
    await expect(messenger.sendMany([sms], { concurrency: 0 })).rejects.toBeInstanceOf(ConfigurationError);
    const stranger = fake("stranger");
    const odd = createMessenger({ providers: [fake("a")], strategy: () => [stranger] });
    await expect(odd.send(sms)).rejects.toBeInstanceOf(ConfigurationError);
  });

  it("knows its providers' names at compile time and lists them at run time", async () => {
    const messenger = createMessenger({
      providers: [dryRun({ name: "digify" }), dryRun({ name: "websms" })],
    });
    // @ts-expect-error "digfy" is not a configured provider
    const error = await messenger.send({ ...sms, provider: "digfy" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toContain("configured: digify, websms");
    expect((await messenger.send({ ...sms, provider: "websms" })).provider).toBe("websms");
  });
});

describe("sendAt", () => {
  const later = new Date(Date.UTC(2030, 0, 1, 12));
  it("goes only to a provider that schedules, with the time passed on", async () => {
    const a = fake("a");
    const b = fake("b", () => undefined, { scheduling: true });
    const result = await createMessenger({ providers: [a, b] }).send({ ...sms, sendAt: later });
    expect(result.provider).toBe("b");
    expect(b.calls[0]?.[0]?.sendAt).toEqual(later);
    expect(a.calls).toHaveLength(0);
  });

  it("refuses a time in the past, a non-date, and a messenger that cannot schedule, before any provider", async () => {
    const a = fake("a");
    const messenger = createMessenger({ providers: [a], now: () => later.getTime() });
    for (const sendAt of [new Date(later.getTime() - 1), "tomorrow", new Date(Number.NaN), 42]) {
      await expect(messenger.send({ ...sms, sendAt } as never)).rejects.toBeInstanceOf(ValidationError);
    }
    await expect(
      messenger.send({ ...sms, sendAt: new Date(later.getTime() + 60_000) }),
    ).rejects.toMatchObject({
      code: "SCHEDULING_UNSUPPORTED",
    });
    expect(a.calls).toHaveLength(0);
  });
});
