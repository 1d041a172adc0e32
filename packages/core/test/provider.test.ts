import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  InvalidSenderError,
  matchResults,
  type OutgoingSms,
  parseSender,
  partitionBatch,
  UnknownOutcomeError,
  unmentionedOutcome,
  ValidationError,
} from "../src/index.js";

describe("matchResults", () => {
  const item = (ref: string | undefined, n: number) => ({ ref, n });
  const refOf = (entry: { ref: string | undefined }) => entry.ref;

  it("matches by the echoed reference, not the position, when the gateway echoes one", () => {
    const items = [item("b", 1), item("a", 2)];
    expect(matchResults(["a", "b"], items, refOf, "reference").map((entry) => entry?.n)).toEqual([2, 1]);
  });

  it("gives the n-th message with a reference the n-th item echoing it, and leaves the rest unmatched", () => {
    const items = [item("x", 1), item("y", 2), item("x", 3)];
    expect(matchResults(["x", "x", "x", "z"], items, refOf, "reference").map((entry) => entry?.n)).toEqual([
      1,
      3,
      undefined,
      undefined,
    ]);
  });

  it("falls back to the position only when no item echoes anything and the counts agree", () => {
    expect(
      matchResults(["a", "b"], [item(undefined, 1), item(undefined, 2)], refOf, "reference").map((e) => e?.n),
    ).toEqual([1, 2]);
    expect(matchResults(["a", "b"], [item(undefined, 1)], refOf, "reference").map((e) => e?.n)).toEqual([
      undefined,
      undefined,
    ]);
  });

  it("trusts the documented order when the counts agree, and the echo otherwise", () => {
    expect(matchResults(["a", "b"], [item("z", 1), item("y", 2)], refOf, "order").map((e) => e?.n)).toEqual([
      1, 2,
    ]);
    expect(
      matchResults(["a", "b", "c"], [item("c", 1), item("a", 2)], refOf, "order").map((e) => e?.n),
    ).toEqual([2, undefined, 1]);
  });

  it("never gives one item to two messages", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("a", "b", "c"), { maxLength: 20 }),
        fc.array(fc.option(fc.constantFrom("a", "b", "c"), { nil: undefined }), { maxLength: 20 }),
        fc.constantFrom("reference" as const, "order" as const),
        (sent, echoed, trust) => {
          const items = echoed.map((ref, n) => item(ref, n));
          const matched = matchResults(sent, items, refOf, trust).filter((entry) => entry !== undefined);
          return new Set(matched).size === matched.length && matched.length <= sent.length;
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("partitionBatch", () => {
  it("fails only the messages that cannot be built, in place", () => {
    const messages: OutgoingSms[] = [
      { to: "+1", text: "ok" },
      { to: "+2", text: "bad" },
      { to: "+3", text: "ok" },
    ];
    const { outcomes, valid } = partitionBatch(messages, (message) => {
      if (message.text === "bad") throw new ValidationError({ provider: "x", message: "bad" });
      return message.to;
    });
    expect(valid.map((entry) => [entry.index, entry.payload])).toEqual([
      [0, "+1"],
      [2, "+3"],
    ]);
    expect(outcomes[1]?.ok === false && outcomes[1].error).toBeInstanceOf(ValidationError);
    expect(outcomes[0]).toBeUndefined();
  });

  it("lets a bug through instead of calling it a message's failure", () => {
    expect(() =>
      partitionBatch([{ to: "+1", text: "x" }], () => {
        throw new TypeError("bug");
      }),
    ).toThrow(TypeError);
  });
});

describe("parseSender", () => {
  it("tells names from numbers, and international numbers only by their +", () => {
    expect(parseSender("x", "ACME")).toEqual({ kind: "name", name: "ACME" });
    expect(parseSender("x", "+4712345678")).toEqual({
      kind: "number",
      digits: "4712345678",
      international: true,
    });
    expect(parseSender("x", "4712345678")).toEqual({
      kind: "number",
      digits: "4712345678",
      international: false,
    });
    expect(parseSender("x", "1234")).toEqual({ kind: "number", digits: "1234", international: false });
  });

  it("refuses what no gateway can send as a sender", () => {
    for (const from of ["", "  ", "TWELVE-CHARS", "+1234567890123456", 42, null, { name: "x" }]) {
      expect(() => parseSender("x", from)).toThrow(InvalidSenderError);
    }
  });
});

describe("unmentionedOutcome", () => {
  it("calls a message the answer leaves out an unknown outcome, never a failure to resend", () => {
    const outcome = unmentionedOutcome("x", { to: "+4712345678", text: "hi" });
    expect(outcome.ok === false && outcome.error).toBeInstanceOf(UnknownOutcomeError);
  });
});
