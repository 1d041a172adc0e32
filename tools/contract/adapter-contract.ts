/**
 * The contract every provider adapter must pass (Symfony Notifier's idea): the same cases run
 * against each gateway, so a new provider cannot quietly behave differently. A provider package
 * calls `describeAdapterContract(...)` from its `test/contract.test.ts`.
 *
 * The cases that need a gateway run against its Prism mock, which answers from the spec's fixed
 * examples: an answer there may legitimately not mention a message we sent (the example echoes
 * another number or id), and the only honest outcome for such a message is "unknown". Against a
 * realistic gateway (`realistic: true`, e.g. the fakes of `smskit/testing`) every message of a
 * valid batch must come back sent, matched to its own recipient and reference.
 */
import { createServer } from "node:net";
import {
  AuthenticationError,
  type FetchLike,
  InvalidRecipientError,
  InvalidSenderError,
  NetworkError,
  RateLimitError,
  RedirectError,
  type SendOutcome,
  type SmsProvider,
  UnknownOutcomeError,
  ValidationError,
} from "@smskit/core";
import { describe, expect, inject, it } from "vitest";
import { observedFetch, scriptedFetch } from "../testing/fetch.js";
import { expectNoLeak, rejection } from "../testing/leaks.js";

export interface AdapterContractCase {
  /** The provider's `name`, and its key in `inject("mockUrls")`. */
  name: string;
  /** Builds the adapter with test credentials; must pass `baseUrl`, `fetch` and `retry` through. */
  create(options: { baseUrl: string; fetch: FetchLike; retry: false }): SmsProvider;
  /** Every credential `create` uses: none may appear in an error. */
  secrets: string[];
  /** `Prefer` value that makes the mock answer "bad credentials". */
  preferAuthFailure: string;
  /** `Prefer` value that makes the mock answer "throttled", when the gateway documents throttling. */
  preferThrottled?: string;
  /** `Prefer` value for a success answer that fits any single message, when the default example does not. */
  preferSuccess?: string;
}

/**
 * Where the contract's requests go. The default is the provider's Prism mock; smskit's tests pass a
 * fake gateway from `smskit/testing`. `connect` gives one test its base URL and a recording fetch
 * (as `observedFetch` does), answering `prefer` (one of the case's `prefer…` values) as Prism would.
 */
export interface ContractTarget {
  label: string;
  /** True when the gateway answers what was sent (not fixed examples): then every valid message must come back sent. */
  realistic?: boolean;
  connect(prefer?: string): {
    baseUrl: string;
    observed: Pick<ReturnType<typeof observedFetch>, "fetch" | "exchanges" | "last">;
  };
}

function prismTarget(name: string): ContractTarget {
  return {
    label: "Prism",
    connect(prefer) {
      const baseUrl = inject("mockUrls")[name];
      if (!baseUrl) throw new Error(`no mock for ${name}: add it to the globalSetup`);
      return { baseUrl, observed: observedFetch(prefer === undefined ? {} : { prefer }) };
    },
  };
}

const STATUSES = ["accepted", "queued", "simulated"];

/** A loopback port nothing listens on, so the connection is refused (fetch blocks some low ports outright). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function describeAdapterContract(
  contract: AdapterContractCase,
  target: ContractTarget = prismTarget(contract.name),
): void {
  const setup = (prefer?: string) => {
    const { baseUrl, observed } = target.connect(prefer);
    const provider = contract.create({ baseUrl, fetch: observed.fetch, retry: false });
    return { provider, observed };
  };
  const offline = (...answers: Parameters<typeof scriptedFetch>) => {
    const scripted = scriptedFetch(...answers);
    return {
      provider: contract.create({ baseUrl: "https://gateway.test", fetch: scripted.fetch, retry: false }),
      scripted,
    };
  };
  /** Sent with the right recipient and reference, or (only against fixed examples) honestly unknown. */
  const expectTruthful = (outcome: SendOutcome | undefined, message: { to: string; clientRef?: string }) => {
    if (outcome?.ok) {
      expect(outcome.result.to).toBe(message.to);
      expect(outcome.result.clientRef).toBe(message.clientRef);
      expect(STATUSES).toContain(outcome.result.status);
      return;
    }
    if (target.realistic) expect.fail(`a valid message failed: ${outcome?.error.message}`);
    expect(outcome?.error).toBeInstanceOf(UnknownOutcomeError);
  };

  describe(`SmsProvider contract: ${contract.name}${target.label === "Prism" ? "" : ` (${target.label})`}`, () => {
    it("names itself and states its capabilities", () => {
      const { provider } = setup();
      expect(provider.name).toBe(contract.name);
      expect(provider.capabilities.maxRecipientsPerRequest).toBeGreaterThanOrEqual(1);
      expect(typeof provider.capabilities.email).toBe("boolean");
      expect(typeof provider.sendEmail === "function").toBe(provider.capabilities.email);
    });

    it("sends one GSM-7 SMS with a request the spec accepts", async () => {
      const { provider, observed } = setup(contract.preferSuccess);
      const result = await provider.send({
        to: "+4712345678",
        text: "Hello from smskit",
        from: "smskit",
        clientRef: "ref-1",
      });
      expect(observed.exchanges.map((exchange) => exchange.violations)).toEqual([[]]);
      expect(result.provider).toBe(contract.name);
      expect(result.to).toBe("+4712345678");
      expect(STATUSES).toContain(result.status);
      expect(result.segments).toBeGreaterThanOrEqual(1);
      expect(result.encoding).toBe("GSM-7");
      expect(result.clientRef).toBe("ref-1");
      expect(result.raw).toBeDefined();
    });

    it("reports UCS-2 for text outside the GSM alphabet", async () => {
      const { provider, observed } = setup(contract.preferSuccess);
      const result = await provider.send({ to: "+4712345678", text: "Hei 😀 på deg", from: "smskit" });
      expect(observed.last.violations).toEqual([]);
      expect(result.encoding).toBe("UCS-2");
    });

    it("sends a batch and reports each message truthfully, in order", async () => {
      const { provider, observed } = setup();
      const messages = [
        { to: "+4712345678", text: "first", from: "smskit", clientRef: "batch-1" },
        {
          to: "+4798765432",
          text: provider.capabilities.distinctTextsPerRequest ? "second" : "first",
          from: "smskit",
          clientRef: provider.capabilities.distinctTextsPerRequest ? "batch-2" : "batch-1",
        },
      ];
      const outcomes = await provider.sendBatch(messages);
      expect(observed.exchanges.length).toBeGreaterThan(0);
      expect(observed.exchanges.flatMap((exchange) => exchange.violations)).toEqual([]);
      expect(outcomes).toHaveLength(2);
      for (const [index, outcome] of outcomes.entries()) {
        expectTruthful(outcome, messages[index] as (typeof messages)[number]);
      }
    });

    it("fails only the message with an invalid sender; the others still go", async () => {
      const { provider, observed } = setup();
      if (!provider.capabilities.distinctTextsPerRequest) return; // one sender per request: nothing to isolate
      const messages = [
        { to: "+4712345678", text: "first", from: "smskit", clientRef: "isolated-1" },
        { to: "+4798765432", text: "second", from: "MUCH-TOO-LONG-SENDER", clientRef: "isolated-2" },
      ];
      const [first, second] = await provider.sendBatch(messages);
      expect(second?.ok === false && second.error).toBeInstanceOf(InvalidSenderError);
      expectTruthful(first, messages[0] as (typeof messages)[number]);
      expect(observed.exchanges.flatMap((exchange) => exchange.violations)).toEqual([]);
      expect(
        observed.exchanges.every(
          (exchange) =>
            !exchange.requestBody.includes("MUCH-TOO-LONG") && !exchange.url.includes("MUCH-TOO-LONG"),
        ),
      ).toBe(true);
    });

    it("refuses a batch larger than the gateway takes, before sending", async () => {
      const { provider, observed } = setup();
      const tooMany = Array.from({ length: provider.capabilities.maxRecipientsPerRequest + 1 }, () => ({
        to: "+4712345678",
        text: "x",
      }));
      await expect(provider.sendBatch(tooMany)).rejects.toBeInstanceOf(ValidationError);
      expect(observed.exchanges).toHaveLength(0);
    });

    it("refuses a recipient that is not an international number, before sending", async () => {
      const { provider, observed } = setup();
      for (const to of ["12345", "+47 123", "+4712345678901234", "not-a-number"]) {
        expect(await rejection(provider.send({ to, text: "x", from: "smskit" }))).toBeInstanceOf(
          InvalidRecipientError,
        );
      }
      expect(observed.exchanges).toHaveLength(0);
    });

    it("turns bad credentials into AuthenticationError without leaking them", async () => {
      const { provider } = setup(contract.preferAuthFailure);
      const error = await rejection(provider.send({ to: "+4712345678", text: "x", from: "smskit" }));
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as AuthenticationError).provider).toBe(contract.name);
      expect((error as AuthenticationError).retryable).toBe(false);
      expectNoLeak(error, contract.secrets);
    });

    if (contract.preferThrottled !== undefined) {
      const prefer = contract.preferThrottled;
      it("turns throttling into a retryable RateLimitError", async () => {
        const { provider } = setup(prefer);
        const error = await rejection(provider.send({ to: "+4712345678", text: "x", from: "smskit" }));
        expect(error).toBeInstanceOf(RateLimitError);
        expect((error as RateLimitError).retryable).toBe(true);
      });
    }

    it("reports an unreachable gateway as a NetworkError that never reached it", async () => {
      const url = `http://127.0.0.1:${await closedPort()}`;
      const provider = contract.create({
        baseUrl: url,
        fetch: (request, init) => fetch(request, init),
        retry: false,
      });
      const error = await rejection(provider.send({ to: "+4712345678", text: "x", from: "smskit" }));
      expect(error).toBeInstanceOf(NetworkError);
      expect((error as NetworkError).mayHaveReachedGateway).toBe(false);
      expectNoLeak(error, contract.secrets);
    });

    it.each([
      ["an empty body", () => new Response("", { status: 200 })],
      ["{}", () => Response.json({})],
      ["null", () => Response.json(null)],
      ["[]", () => Response.json([])],
      [
        "HTML",
        () => new Response("<html>proxy</html>", { status: 200, headers: { "content-type": "text/html" } }),
      ],
    ])("reports a 2xx with %s as an unknown outcome, never as sent", async (_, answer) => {
      const { provider, scripted } = offline(answer);
      const error = await rejection(provider.send({ to: "+4712345678", text: "x", from: "smskit" }));
      expect(error).toBeInstanceOf(UnknownOutcomeError);
      expect(scripted.requests).toHaveLength(1);
      expectNoLeak(error, contract.secrets);
    });

    it.each([301, 302, 303, 307, 308])("never follows a %i redirect with a message", async (status) => {
      const { provider, scripted } = offline(
        () =>
          new Response(null, {
            status,
            headers: { location: "http://[::ffff:127.0.0.1]:9/steal?token=redirect-secret-42" },
          }),
      );
      const error = await rejection(provider.send({ to: "+4712345678", text: "x", from: "smskit" }));
      expect(error).toBeInstanceOf(RedirectError);
      expect((error as RedirectError).retryable).toBe(false);
      expect((error as RedirectError).location).toContain("[::ffff:7f00:1]");
      expect(scripted.requests).toHaveLength(1);
      expectNoLeak(error, [...contract.secrets, "redirect-secret-42"]);
    });
  });
}
