/**
 * Credential redaction. Every error message, log line and `toString()` that smskit builds passes
 * through a {@link Redactor}, because gateways put secrets in places ordinary SDKs never scrub:
 * SmartSwitch and Digify accept credentials in the query string, websms in URL user-info.
 */

export const REDACTED = "***";

/** Query parameter names whose values are always secret, whatever gateway they belong to. */
const SECRET_QUERY_PARAMS = new Set(
  [
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
  ].map((name) => name.toLowerCase()),
);

/** Header names whose values are always secret. */
const SECRET_HEADERS = new Set([
  "authorization",
  "proxy-authorization",
  "x-access-token",
  "accesstoken",
  "accesskey",
  "x-api-key",
  "api-key",
  "cookie",
  "set-cookie",
]);

export interface Redactor {
  /** Replaces every known secret value in free text (messages echoed back by a gateway, causes). */
  text(value: string): string;
  /** Redacts user-info, secret query parameters and known secret values from a URL. */
  url(value: string | URL): string;
  /** Returns a plain object of headers with secret values replaced. */
  headers(headers: Headers | Record<string, string>): Record<string, string>;
}

/**
 * Builds a redactor that knows the literal secrets of one client. Knowing the literal values (not
 * only parameter names) catches a token that a gateway echoes back inside an error message.
 */
export function createRedactor(secrets: ReadonlyArray<string | undefined>): Redactor {
  // Longest first, so a secret that contains another is replaced whole.
  const literals = [
    ...new Set(secrets.filter((s): s is string => typeof s === "string" && s.length >= 3)),
  ].sort((a, b) => b.length - a.length);
  const encodedForms = (secret: string): string[] => {
    const forms = new Set([
      secret,
      encodeURIComponent(secret),
      encodeURIComponent(secret).replace(/%20/g, "+"),
    ]);
    return [...forms];
  };

  const text = (value: string): string => {
    let out = value;
    for (const secret of literals) {
      for (const form of encodedForms(secret)) out = out.split(form).join(REDACTED);
    }
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

  const headers = (input: Headers | Record<string, string>): Record<string, string> => {
    const out: Record<string, string> = {};
    const entries = input instanceof Headers ? [...input.entries()] : Object.entries(input);
    for (const [name, value] of entries) {
      out[name] = SECRET_HEADERS.has(name.toLowerCase()) ? REDACTED : text(value);
    }
    return out;
  };

  return { text, url, headers };
}
