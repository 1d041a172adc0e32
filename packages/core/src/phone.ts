/**
 * Recipient numbers in E.164 form, checked before anything goes over the network so a typo fails
 * fast with one error type instead of each gateway's own rejection (or, worse, a delivery to a
 * number in the wrong country).
 */
import { InvalidRecipientError } from "./errors.js";

const EXPECTED = "use E.164, + then country code and number, e.g. +4712345678";

/**
 * `+` then 8–15 digits, the first 1–9. E.164 caps numbers at 15 digits; the floor of 8 is ours:
 * no real mobile number (country code included) is shorter, and a shorter value is far more
 * likely a local number with the country code missing than a real recipient.
 */
const E164 = /^\+[1-9]\d{7,14}$/;

// Every alternative starts with a different character, so matching stays linear however long
// and malformed the input is.
const WRITTEN_FORM = /^(?:\+|00)(?:\d|[\s.-]|\(\d+\))+$/;

// "+47 (0)22…" mixes the international form with the national trunk prefix; whether the 0 is
// to be dialled depends on the country, so guessing could reach the wrong number.
const TRUNK_PREFIX = /\(\s*0\s*\)/;

/**
 * Normalises a recipient to E.164 (`+4712345678`). Accepts the international forms people
 * write: `+47 123 45 678`, `+47-123-45-678`, `+1 (555) 123-4567`, `0047 12345678`. Rejects
 * national numbers without a country code and the ambiguous `+47 (0)…` trunk-prefix form.
 *
 * @throws {InvalidRecipientError} code `INVALID_E164`, with the input quoted in the message.
 */
export function toE164(input: string): string {
  if (typeof input !== "string") {
    throw invalid(
      `A phone number must be a string, got ${input === null ? "null" : typeof input}: ${EXPECTED}`,
    );
  }
  const trimmed = input.trim();
  const quoted = quote(input);
  if (trimmed === "") throw invalid(`${quoted} is empty: ${EXPECTED}`);
  if (TRUNK_PREFIX.test(trimmed)) {
    throw invalid(`${quoted} contains the trunk prefix "(0)", which is ambiguous: drop it and ${EXPECTED}`);
  }
  if (!trimmed.startsWith("+") && !trimmed.startsWith("00")) {
    throw invalid(`${quoted} is not an international phone number: ${EXPECTED}`);
  }
  if (!WRITTEN_FORM.test(trimmed)) {
    throw invalid(
      `${quoted} may contain only digits, spaces, hyphens, dots and parentheses around digits: ${EXPECTED}`,
    );
  }
  const digits = trimmed.slice(trimmed.startsWith("+") ? 1 : 2).replace(/\D/g, "");
  const e164 = `+${digits}`;
  if (!E164.test(e164)) {
    const reason = digits.startsWith("0")
      ? "has a country code starting with 0"
      : `has ${digits.length} digits where 8 to 15 are expected`;
    throw invalid(`${quoted} ${reason}: ${EXPECTED}`);
  }
  return e164;
}

/** The E.164 number without its `+`, the form websms, Digify and SmartSwitch expect. */
export function e164Digits(e164: string): string {
  return toE164(e164).slice(1);
}

/**
 * The wire form most gateways want: the number without its `+`. Not a check: each client checks
 * its gateway's number format before the network, so an E.164 the facade normalised is validated
 * once more only in the form that is actually sent.
 */
export function withoutPlus(to: string): string {
  return to.startsWith("+") ? to.slice(1) : to;
}

/** Strict check of an already normalised value: `+` then 8–15 digits, no separators. */
export function isE164(input: string): boolean {
  return typeof input === "string" && E164.test(input);
}

function invalid(message: string): InvalidRecipientError {
  return new InvalidRecipientError({ provider: "smskit", code: "INVALID_E164", message });
}

// Phone numbers are not secrets, but an arbitrary string passed by mistake (a whole message
// body, say) should not balloon the error message.
function quote(input: string): string {
  const max = 40;
  return JSON.stringify(input.length > max ? `${input.slice(0, max)}…` : input);
}
