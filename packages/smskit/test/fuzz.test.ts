/**
 * The facade under arbitrary input, through the four real adapters: every call ends in a result
 * or an SmsKitError (never a TypeError or URIError), and input that validateSmsInput refuses never
 * reaches a gateway. Requests are counted at the injected fetch.
 */
import { isSmsKitError } from "@smskit/core";
import fc from "fast-check";
import { describe, it } from "vitest";
import { createMessenger, digify, f24, smartSwitch, validateSmsInput, websms } from "../src/index.js";

const RUNS = { numRuns: 2000 };

function messengerCountingRequests() {
  const counter = { requests: 0 };
  // Every gateway answers 503: the point is what reaches the network, not what comes back.
  const fetch = async () => {
    counter.requests += 1;
    return new Response("unavailable", { status: 503 });
  };
  const common = { fetch, retry: false as const };
  const messenger = createMessenger({
    providers: [
      websms({ accessToken: "ws-token-123", ...common }),
      digify({ accessToken: "tok_0123456789abcdefghij", ...common }),
      f24({ accessKey: "k-123", accessToken: "t-123", baseUrl: "https://f24.test", ...common }),
      smartSwitch({ login: "login", password: "password", baseUrl: "https://ss.test", ...common }),
    ],
  });
  return { messenger, counter };
}

const hostileString = fc.oneof(
  fc.string({ unit: "binary" }),
  fc.string({ unit: "grapheme" }),
  fc.constantFrom(
    "\uD83D",
    "\uDE00x",
    "%",
    "%E0%A4%A",
    "\u0000",
    "+47 123 45 678",
    "0047 12345678",
    "+4712345678",
  ),
  fc.string({ minLength: 1500, maxLength: 3000 }),
);
const phone = fc.oneof(
  hostileString,
  fc.integer({ min: 1_000_000, max: 99_999_999_999_999 }).map((n) => `+${n}`),
  fc.anything(),
);
const message = fc.record(
  {
    to: phone,
    text: fc.oneof(hostileString, fc.anything()),
    from: fc.oneof(
      hostileString,
      fc.anything(),
      fc.dictionary(
        fc.constantFrom("websms", "digify", "f24", "smartswitch"),
        fc.oneof(hostileString, fc.anything()),
      ),
    ),
    clientRef: fc.oneof(hostileString, fc.anything()),
    provider: fc.oneof(fc.constantFrom("websms", "digify", "f24", "smartswitch", "digfy"), fc.anything()),
  },
  { requiredKeys: [] },
);
const anyMessage = fc.oneof(message, fc.anything());

const refused = (input: unknown) => {
  try {
    validateSmsInput(input);
    return false;
  } catch {
    return true;
  }
};

describe("the facade under arbitrary input", () => {
  it("send: a result or an SmsKitError, and no request for input it refuses", async () => {
    await fc.assert(
      fc.asyncProperty(anyMessage, async (input) => {
        const { messenger, counter } = messengerCountingRequests();
        try {
          await messenger.send(input as never);
        } catch (error) {
          if (!isSmsKitError(error)) throw error;
        }
        return !refused(input) || counter.requests === 0;
      }),
      RUNS,
    );
  });

  it("sendMany: one outcome per message, each a result or an SmsKitError; refused messages never sent", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(anyMessage, { maxLength: 8 }), async (inputs) => {
        const { messenger, counter } = messengerCountingRequests();
        const outcomes = await messenger.sendMany(inputs as never);
        if (outcomes.length !== inputs.length) return false;
        for (const outcome of outcomes) if (!outcome.ok && !isSmsKitError(outcome.error)) return false;
        return inputs.some((input) => !refused(input)) || counter.requests === 0;
      }),
      RUNS,
    );
  });

  it("sendMany refuses anything that is not an array with an SmsKitError", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.anything().filter((value) => !Array.isArray(value)),
        async (input) => {
          const { messenger, counter } = messengerCountingRequests();
          try {
            await messenger.sendMany(input as never);
            return false;
          } catch (error) {
            return isSmsKitError(error) && counter.requests === 0;
          }
        },
      ),
      RUNS,
    );
  });
});
