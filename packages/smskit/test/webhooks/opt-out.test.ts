import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createOptOutMatcher, DEFAULT_OPT_OUT_KEYWORDS, isOptOutText } from "../../src/webhooks/index.js";

describe("opt-out keywords", () => {
  it("defaults to STOP, STOPP, AVMELD and UNSUBSCRIBE", () => {
    expect(DEFAULT_OPT_OUT_KEYWORDS).toEqual(["STOP", "STOPP", "AVMELD", "UNSUBSCRIBE"]);
    expect(Object.isFrozen(DEFAULT_OPT_OUT_KEYWORDS)).toBe(true);
  });

  it("ignores case and any whitespace around and inside a keyword", () => {
    const whitespace = fc.constantFrom(" ", "\t", "\n", "\r\n", "\u00a0", "\u200b", "\u3000", "");
    fc.assert(
      fc.property(
        fc.constantFrom(...DEFAULT_OPT_OUT_KEYWORDS),
        fc.array(fc.boolean(), { minLength: 11, maxLength: 11 }),
        fc.array(whitespace, { minLength: 12, maxLength: 12 }),
        (keyword, upper, gaps) => {
          const letters = [...keyword].map((letter, index) => (upper[index] ? letter : letter.toLowerCase()));
          const text = gaps[0] + letters.map((letter, index) => letter + (gaps[index + 1] ?? "")).join("");
          return isOptOutText(text);
        },
      ),
    );
  });

  it("never matches a text with other letters in it", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...DEFAULT_OPT_OUT_KEYWORDS),
        fc.stringMatching(/^[A-OQRT-Za-oqrt-z]{1,5}$/),
        (keyword, extra) => !isOptOutText(`${keyword} ${extra}`) && !isOptOutText(`${extra} ${keyword}`),
      ),
    );
  });

  it("takes a custom list", () => {
    const matches = createOptOutMatcher(["Slutt"]);
    expect([matches("SLUTT"), matches("slutt "), matches("STOP"), matches(undefined)]).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });
});
