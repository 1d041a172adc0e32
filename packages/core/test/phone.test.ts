import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidRecipientError } from "../src/errors.js";
import { e164Digits, isE164, toE164 } from "../src/phone.js";

function rejection(input: unknown): InvalidRecipientError {
  try {
    toE164(input as string);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRecipientError);
    return error as InvalidRecipientError;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
}

describe("toE164", () => {
  it.each([
    ["+4712345678", "+4712345678"],
    ["+47 123 45 678", "+4712345678"],
    ["+47-123-45-678", "+4712345678"],
    ["+47.123.45.678", "+4712345678"],
    ["0047 12345678", "+4712345678"],
    ["004712345678", "+4712345678"],
    ["+1 (555) 123-4567", "+15551234567"],
    ["  +46 70 123 45 67\n", "+46701234567"],
    ["+12345678", "+12345678"], // 8 digits, our floor
    ["+123456789012345", "+123456789012345"], // 15 digits, the E.164 ceiling
  ])("accepts %j as %s", (input, expected) => {
    expect(toE164(input)).toBe(expected);
  });

  it.each([
    "12345678",
    "4712345678",
    "+47 (0) 12345678",
    "+44(0)2079460958",
    "+47 1234567a",
    "+47 123 45 678 ext 9",
    "+47/12345678",
    "++4712345678",
    "+47 (12 345678",
    "+1234567", // 7 digits
    "+1234567890123456", // 16 digits
    "+0471234567",
    "000471234567",
    "0 047 12345678",
    "+",
    "00",
    "",
    "   ",
    "+４７１２３４５６７８", // full-width digits
  ])("rejects %j with INVALID_E164 and the input in the message", (input) => {
    const error = rejection(input);
    expect(error).toMatchObject({ provider: "smskit", code: "INVALID_E164", kind: "invalid_recipient" });
    expect(error.message).toContain(JSON.stringify(input));
    expect(error.message).toContain("E.164");
  });

  it("says what form is expected", () => {
    expect(rejection("12345678").message).toBe(
      '"12345678" is not an international phone number: use E.164, + then country code and number, e.g. +4712345678',
    );
    expect(rejection("+47 (0) 12345678").message).toMatch(/trunk prefix "\(0\)", which is ambiguous/);
    expect(rejection("+1234567").message).toMatch(/has 7 digits where 8 to 15 are expected/);
  });

  it.each([null, undefined, 4712345678, {}, ["+4712345678"]])("rejects the non-string %j", (input) => {
    expect(rejection(input)).toMatchObject({ provider: "smskit", code: "INVALID_E164" });
  });

  it("shortens a very long input in the message", () => {
    const message = rejection(`+47 ${"x".repeat(10_000)}`).message;
    expect(message.length).toBeLessThan(200);
  });
});

// A valid number written the ways people write it: + or 00, then groups separated by spaces,
// hyphens or dots, some groups in parentheses.
const writtenNumber = fc
  .tuple(
    fc.integer({ min: 1, max: 9 }),
    fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: 7, maxLength: 14 }),
    fc.constantFrom("+", "00"),
    fc.array(fc.constantFrom("", " ", "-", ".", " - ", "()"), { minLength: 15, maxLength: 15 }),
  )
  .map(([first, rest, prefix, seps]) => {
    const digits = `${first}${rest}`;
    let written = prefix;
    for (const [i, d] of [...digits].entries()) {
      const sep = seps[i] ?? "";
      // "(0)" alone reads as a trunk prefix and is rejected on purpose.
      written += sep === "()" && d !== "0" ? `(${d})` : `${d}${sep === "()" ? "" : sep}`;
    }
    return { written, digits };
  });

describe("properties", () => {
  it("normalises every written form to + and its digits, idempotently", () => {
    fc.assert(
      fc.property(writtenNumber, ({ written, digits }) => {
        const e164 = toE164(written);
        expect(e164).toBe(`+${digits}`);
        expect(toE164(e164)).toBe(e164);
        expect(isE164(e164)).toBe(true);
        expect(e164Digits(written)).toBe(digits);
      }),
      { numRuns: 300 },
    );
  });

  it("either returns a strict E.164 value or throws InvalidRecipientError, for any string", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom(..."+0123456789 -.()a") })),
        (input) => {
          let result: string | undefined;
          try {
            result = toE164(input);
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidRecipientError);
            return;
          }
          expect(isE164(result)).toBe(true);
          expect(toE164(result)).toBe(result);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("e164Digits", () => {
  it("drops the + after validating", () => {
    expect(e164Digits("+4712345678")).toBe("4712345678");
    expect(e164Digits("0047 123 45 678")).toBe("4712345678");
    expect(() => e164Digits("12345678")).toThrow(InvalidRecipientError);
  });
});

describe("isE164", () => {
  it("accepts only normalised values", () => {
    expect(isE164("+4712345678")).toBe(true);
    expect(isE164("+123456789012345")).toBe(true);
    for (const value of [
      "4712345678",
      "+47 12345678",
      "0047123456789",
      "+0471234567",
      "+1234567",
      "+1234567890123456",
      "",
    ]) {
      expect(isE164(value)).toBe(false);
    }
  });
});
