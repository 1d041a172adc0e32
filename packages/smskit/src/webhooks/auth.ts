/**
 * Authentication of webhook calls. websms and SmartSwitch sign nothing, so the caller proves itself
 * with a secret it was given: a token in the callback URL (`?token=…`), HTTP Basic credentials
 * (websms accepts `https://user:pass@host/…` as `notificationCallbackUrl`), or your own check.
 *
 * Secrets are compared in constant time, also when the lengths differ: both the expected and the
 * presented value go through HMAC-SHA-256 under a random per-handler key, and the two 32-byte MACs
 * are compared with an XOR loop that always runs to the end. What the attacker controls (the
 * length of what they send) only changes the time of hashing their own input; nothing depends on
 * how much of the secret they guessed. Web Crypto, not node:crypto, so the handler runs on
 * Workers, Deno and Bun as well.
 */

export type Authenticate =
  | {
      /** A random secret (at least 16 characters) that you put in the callback URL as `?token=…`. */
      token: string;
    }
  | {
      /** Checked against `Authorization: Basic …`. */
      basic: { username: string; password: string };
    }
  | ((request: Request) => boolean | Promise<boolean>);

export interface Authenticator {
  /** Resolves true only for the right credentials; rejects when a custom check throws. */
  check(request: Request): Promise<boolean>;
  /** Headers a 401 carries (`WWW-Authenticate` for Basic). */
  challenge: Readonly<Record<string, string>>;
}

export const MIN_TOKEN_LENGTH = 16;

const encoder = new TextEncoder();

function equalInConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  // Both are HMAC outputs, so the lengths are equal (32) and public.
  let difference = a.length ^ b.length;
  for (let index = 0; index < a.length; index++) difference |= (a[index] ?? 0) ^ (b[index] ?? 0);
  return difference === 0;
}

function secretMatcher(
  secret: Uint8Array<ArrayBuffer>,
): (presented: Uint8Array<ArrayBuffer>) => Promise<boolean> {
  const keyAndExpected = (async () => {
    const key = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    return { key, expected: new Uint8Array(await crypto.subtle.sign("HMAC", key, secret)) };
  })();
  return async (presented) => {
    const { key, expected } = await keyAndExpected;
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, presented));
    return equalInConstantTime(mac, expected);
  };
}

function basicCredentials(request: Request): Uint8Array<ArrayBuffer> | undefined {
  const header = request.headers.get("authorization");
  const match = header === null ? null : /^Basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i.exec(header);
  if (!match) return undefined;
  let decoded: string;
  try {
    decoded = atob(match[1] as string);
  } catch {
    return undefined;
  }
  // atob yields one char per byte; keep the bytes (the credentials may be UTF-8).
  return Uint8Array.from(decoded, (char) => char.charCodeAt(0));
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value !== "";
}

/** @throws {TypeError} for a missing or malformed `authenticate` option: there is no unauthenticated mode. */
export function createAuthenticator(option: Authenticate): Authenticator {
  if (typeof option === "function") {
    return { check: async (request) => (await option(request)) === true, challenge: {} };
  }
  if (option !== null && typeof option === "object" && "token" in option) {
    const { token } = option;
    if (!nonEmptyString(token) || token.length < MIN_TOKEN_LENGTH) {
      throw new TypeError(
        `authenticate.token must be a random secret of at least ${MIN_TOKEN_LENGTH} characters`,
      );
    }
    const matches = secretMatcher(encoder.encode(token));
    return {
      check: async (request) => {
        const presented = new URL(request.url).searchParams.getAll("token");
        // Two tokens is ambiguous (which one did a proxy check?), so it is refused like a wrong one.
        if (presented.length !== 1) return false;
        return matches(encoder.encode(presented[0] as string));
      },
      challenge: {},
    };
  }
  if (option !== null && typeof option === "object" && "basic" in option) {
    const { username, password } = option.basic ?? {};
    if (!nonEmptyString(username) || username.includes(":") || !nonEmptyString(password)) {
      throw new TypeError(
        "authenticate.basic needs a non-empty username without ':' and a non-empty password",
      );
    }
    // The pair is compared as one value, so the time does not tell a right username from a wrong one.
    const matches = secretMatcher(encoder.encode(`${username}:${password}`));
    return {
      check: async (request) => {
        const presented = basicCredentials(request);
        return presented !== undefined && matches(presented);
      },
      challenge: { "WWW-Authenticate": 'Basic realm="smskit webhooks", charset="UTF-8"' },
    };
  }
  throw new TypeError(
    "authenticate is required: { token }, { basic: { username, password } } or a function (request) => boolean",
  );
}
