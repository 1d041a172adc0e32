/**
 * Credential redaction. Every error message, log line and `toString()` that smskit builds passes
 * through a {@link Redactor}, because gateways put secrets in places ordinary SDKs never scrub:
 * SmartSwitch sends credentials in the query string, and a gateway or proxy that echoes the request
 * line back (in a 401, a 502 page, a validation message) echoes them in whatever encoding it saw.
 */

export const REDACTED = "***";

/** Query parameter names whose values are always secret, whatever gateway they belong to. */
const SECRET_QUERY_PARAMS = new Set([
  "accesstoken",
  "access_token",
  "token",
  "api_key",
  "apikey",
  "key",
  "password",
  "_password",
  "passwd",
  "secret",
  "_login",
  "login",
  "username",
  "user",
]);

export interface Redactor {
  /** Replaces every known secret, in any encoding a gateway or proxy may echo, in free text. */
  text(value: string): string;
  /** Redacts user-info, secret query parameters and known secret values from a URL. */
  url(value: string | URL): string;
}

const NAMED_ENTITIES: Record<string, string[]> = {
  "&": ["amp"],
  "<": ["lt"],
  ">": ["gt"],
  '"': ["quot"],
  "'": ["apos", "#39"],
};

/** The control characters JSON writes as a backslash and a letter. */
const JSON_SHORT_ESCAPES: Record<string, string> = { "\b": "b", "\f": "f", "\n": "n", "\r": "r", "\t": "t" };

const escapeRegExp = (value: string): string => value.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");

/** A hex number matched in either case and with any leading zeros: `2f` → `0*2[fF]`. */
function hexAnyCase(value: number, width = 2): string {
  const digits = value.toString(16).padStart(width, "0");
  return [...digits]
    .map((digit) => (/[a-f]/.test(digit) ? `[${digit}${digit.toUpperCase()}]` : digit))
    .join("");
}

/** `%` itself, or `%25` when a proxy encoded the encoding once more. */
const PERCENT = "(?:%25|%)";

/**
 * Every way one character of a secret may come back: as itself; percent-encoded (UTF-8, or
 * ISO-8859-1 as the websms simple endpoints send it) in either case; `+` for a space (form
 * encoding); as an HTML entity, decimal, hex or named; as a JSON `\uXXXX` escape or a
 * backslash escape.
 */
function characterPattern(character: string): string {
  const alternatives = new Set<string>([escapeRegExp(character)]);
  const codePoint = character.codePointAt(0) as number;
  const utf8 = new TextEncoder().encode(character);
  alternatives.add([...utf8].map((byte) => `${PERCENT}${hexAnyCase(byte)}`).join(""));
  if (codePoint <= 0xff) alternatives.add(`${PERCENT}${hexAnyCase(codePoint)}`);
  if (character === " ") alternatives.add("\\+");
  alternatives.add(`&#0*${codePoint};`);
  alternatives.add(`&#[xX]0*${hexAnyCase(codePoint, 1)};`);
  for (const name of NAMED_ENTITIES[character] ?? []) alternatives.add(`&${name};`);
  // JSON escapes UTF-16 units, so a character beyond the BMP is a pair of them.
  let jsonEscape = "";
  for (let index = 0; index < character.length; index++) {
    jsonEscape += `\\\\u${hexAnyCase(character.charCodeAt(index), 4)}`;
  }
  alternatives.add(jsonEscape);
  if (character === '"' || character === "\\" || character === "/")
    alternatives.add(`\\\\${escapeRegExp(character)}`);
  const shortEscape = JSON_SHORT_ESCAPES[character];
  if (shortEscape !== undefined) alternatives.add(`\\\\${shortEscape}`);
  return `(?:${[...alternatives].join("|")})`;
}

/** One pattern that matches the secret with every character in any of its echoed forms, mixed. */
function secretPattern(secret: string): RegExp {
  return new RegExp([...secret].map(characterPattern).join(""), "g");
}

/**
 * Builds a redactor that knows the literal secrets of one client. Knowing the values (not only
 * parameter names) catches a token that a gateway echoes back inside an error message. Secrets
 * shorter than three characters are not matched in free text (they would redact ordinary words);
 * they are still removed from URLs by parameter name.
 */
export function createRedactor(secrets: ReadonlyArray<string | undefined>): Redactor {
  // Longest first, so a secret that contains another is replaced whole.
  const literals = [
    ...new Set(secrets.filter((s): s is string => typeof s === "string" && s.length >= 3)),
  ].sort((a, b) => b.length - a.length);
  let patterns: RegExp[] | undefined;

  const text = (value: string): string => {
    // Built on first use: most clients never fail, and never need them.
    patterns ??= literals.map(secretPattern);
    let out = value;
    for (const pattern of patterns) out = out.replace(pattern, REDACTED);
    return out;
  };

  const url = (value: string | URL): string => {
    const raw = String(value);
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      return text(raw);
    }
    if (parsed.username) parsed.username = REDACTED;
    if (parsed.password) parsed.password = REDACTED;
    if (parsed.search) {
      const kept = new URLSearchParams();
      for (const [name, item] of parsed.searchParams) {
        kept.append(name, SECRET_QUERY_PARAMS.has(name.toLowerCase()) ? REDACTED : item);
      }
      parsed.search = kept.toString();
    }
    // URLSearchParams re-encodes "***" as %2A%2A%2A; keep the marker readable in logs.
    return text(parsed.toString().replace(/%2A%2A%2A/g, REDACTED));
  };

  return { text, url };
}

/** Replaces secrets inside every string of a parsed body (and in object keys, which echo too). */
export function redactDeep(value: unknown, redactor: Redactor, depth = 0): unknown {
  if (typeof value === "string") return redactor.text(value);
  // A hostile answer can nest arbitrarily deep; past this depth nothing is kept rather than risk a stack overflow.
  if (depth > 32) return REDACTED;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redactor, depth + 1));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [redactor.text(key), redactDeep(item, redactor, depth + 1)]),
    );
  }
  return value;
}
