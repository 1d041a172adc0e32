/**
 * Where a client may send credentials. Plain http only to this machine; https everywhere else.
 */
import { ConfigurationError } from "./errors.js";

/**
 * `localhost`, an IPv4 literal in 127.0.0.0/8, or `[::1]`; nothing else. The WHATWG URL parser
 * has already turned every IPv4 spelling (`127.1`, `0x7f.0.0.1`, `2130706433`) into dotted
 * decimal, so a name that merely starts with "127." (`127.evil.example`) is not mistaken for one.
 */
export function isLoopbackHost(hostname: string): boolean {
  if (hostname === "localhost" || hostname === "[::1]") return true;
  const octets = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(hostname);
  return octets?.slice(1).every((octet) => Number(octet) <= 255) === true;
}

/** Whether credentials may travel to this URL: https, or http to a loopback host. */
export function isSecureUrl(url: URL): boolean {
  return url.protocol === "https:" || (url.protocol === "http:" && isLoopbackHost(url.hostname));
}

/**
 * Parses and checks a client's `baseUrl` at construction. The error never quotes the URL: a
 * mistyped one may carry a password (`https://user:pass@…`) or a token in its query.
 *
 * @throws {ConfigurationError} code `INVALID_BASE_URL`, `BASE_URL_CREDENTIALS` or `INSECURE_BASE_URL`.
 */
export function checkBaseUrl(provider: string, baseUrl: unknown): URL {
  const fail = (code: string, message: string) =>
    new ConfigurationError({
      provider,
      code,
      details: { option: "baseUrl" },
      message: `[${provider}] ${message}`,
    });
  if (typeof baseUrl !== "string" || baseUrl.trim() === "") {
    throw fail("INVALID_BASE_URL", "baseUrl must be an absolute https URL");
  }
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw fail("INVALID_BASE_URL", "baseUrl is not an absolute URL (e.g. https://api.example.com)");
  }
  if (url.username !== "" || url.password !== "") {
    throw fail(
      "BASE_URL_CREDENTIALS",
      "baseUrl must not contain a user name or password; pass credentials as the client's options",
    );
  }
  if (!isSecureUrl(url)) {
    throw fail(
      "INSECURE_BASE_URL",
      `baseUrl must use https (plain http is allowed only for loopback: localhost, 127.0.0.0/8, [::1]); got ${url.protocol}//${url.hostname}`,
    );
  }
  if (url.search !== "" || url.hash !== "") {
    throw fail("INVALID_BASE_URL", "baseUrl must not have a query or fragment");
  }
  return url;
}
