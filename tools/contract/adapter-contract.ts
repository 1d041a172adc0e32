/**
 * The contract every provider adapter must pass (Symfony Notifier's idea): the same cases run
 * against each gateway's Prism mock, so a new provider cannot quietly behave differently.
 * A provider package calls `describeAdapterContract(...)` from one of its test files.
 */

import { createServer } from "node:net";
import {
  AuthenticationError,
  type FetchLike,
  InvalidRecipientError,
  NetworkError,
  RateLimitError,
  type SmsProvider,
  ValidationError,
} from "@smskit/core";
import { describe, expect, inject, it } from "vitest";
import { observedFetch } from "../mock/observe.js";

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

export function describeAdapterContract(contract: AdapterContractCase): void {
  const setup = (prefer?: string) => {
    const observed = observedFetch(prefer === undefined ? {} : { prefer });
    const baseUrl = inject("mockUrls")[contract.name];
    if (!baseUrl) throw new Error(`no mock for ${contract.name}: add it to the globalSetup`);
    const provider = contract.create({ baseUrl, fetch: observed.fetch, retry: false });
    return { provider, observed };
  };
  const expectNoSecrets = (error: unknown) => {
    const text = [String(error), (error as Error).stack, JSON.stringify(error)].join("\n");
    for (const secret of contract.secrets) expect(text).not.toContain(secret);
  };

  describe(`SmsProvider contract: ${contract.name}`, () => {
    it("names itself and states its capabilities", () => {
      const { provider } = setup();
      expect(provider.name).toBe(contract.name);
      expect(provider.capabilities.maxRecipientsPerRequest).toBeGreaterThanOrEqual(1);
      expect(typeof provider.capabilities.email).toBe("boolean");
      expect(typeof provider.sendEmail === "function").toBe(provider.capabilities.email);
    });

    it("sends one GSM-7 SMS with a request the spec accepts", async () => {
      const { provider, observed } = setup();
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
      const { provider, observed } = setup();
      const result = await provider.send({ to: "+4712345678", text: "Hei 😀 på deg" });
      expect(observed.last.violations).toEqual([]);
      expect(result.encoding).toBe("UCS-2");
    });

    it("sends a batch and reports one outcome per message, in order", async () => {
      const { provider, observed } = setup();
      const messages = [
        { to: "+4712345678", text: "first" },
        { to: "+4798765432", text: provider.capabilities.distinctTextsPerRequest ? "second" : "first" },
      ];
      const outcomes = await provider.sendBatch(messages);
      expect(observed.exchanges.flatMap((exchange) => exchange.violations)).toEqual([]);
      expect(outcomes).toHaveLength(2);
      for (const [index, outcome] of outcomes.entries()) {
        if (outcome.ok) expect(outcome.result.to).toBe(messages[index]?.to);
        else expect(outcome.error.provider).toBe(contract.name);
      }
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

    it("refuses a recipient that is not E.164, before sending", async () => {
      const { provider, observed } = setup();
      await expect(provider.send({ to: "12345", text: "x" })).rejects.toBeInstanceOf(InvalidRecipientError);
      expect(observed.exchanges).toHaveLength(0);
    });

    it("turns bad credentials into AuthenticationError without leaking them", async () => {
      const { provider } = setup(contract.preferAuthFailure);
      const error = await provider.send({ to: "+4712345678", text: "x" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as AuthenticationError).provider).toBe(contract.name);
      expect((error as AuthenticationError).retryable).toBe(false);
      expectNoSecrets(error);
    });

    if (contract.preferThrottled !== undefined) {
      const prefer = contract.preferThrottled;
      it("turns throttling into a retryable RateLimitError", async () => {
        const { provider } = setup(prefer);
        const error = await provider.send({ to: "+4712345678", text: "x" }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(RateLimitError);
        expect((error as RateLimitError).retryable).toBe(true);
      });
    }

    it("reports an unreachable gateway as a NetworkError that never reached it", async () => {
      const baseUrl = `http://127.0.0.1:${await closedPort()}`;
      const provider = contract.create({ baseUrl, fetch: (request) => fetch(request), retry: false });
      const error = await provider.send({ to: "+4712345678", text: "x" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NetworkError);
      expect((error as NetworkError).mayHaveReachedGateway).toBe(false);
      expectNoSecrets(error);
    });
  });
}
