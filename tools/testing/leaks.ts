/**
 * The one leak assertion: a secret must not appear, in any encoding a gateway or proxy may echo,
 * anywhere a user may see an error — its message, `String()`, JSON, `util.inspect` (depth 10),
 * stack, `body`, and the whole `cause` chain.
 */
import { inspect } from "node:util";
import { expect } from "vitest";

/** The forms a secret takes on the wire and in echoes. */
export function encodedForms(secret: string): string[] {
  const percent = encodeURIComponent(secret);
  const everyByte = [...new TextEncoder().encode(secret)]
    .map((byte) => `%${byte.toString(16).padStart(2, "0")}`)
    .join("");
  const html = secret
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
  return [
    ...new Set([
      secret,
      percent,
      percent.replace(/%[0-9A-F]{2}/g, (code) => code.toLowerCase()),
      percent.replace(/%20/g, "+"),
      everyByte,
      everyByte.replace(/%[0-9a-f]{2}/g, (code) => code.toUpperCase()),
      html,
      JSON.stringify(secret).slice(1, -1),
    ]),
  ];
}

/** Everything of an error a user may print, following `cause` to the end. */
export function renderings(error: unknown): Array<[where: string, text: string]> {
  const out: Array<[string, string]> = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 10; depth++) {
    const at = depth === 0 ? "error" : `cause${depth}`;
    out.push([`${at} String()`, String(current)]);
    out.push([`${at} inspect`, inspect(current, { depth: 10 })]);
    try {
      out.push([`${at} JSON`, JSON.stringify(current) ?? ""]);
    } catch (jsonError) {
      out.push([`${at} JSON`, String(jsonError)]);
    }
    if (current instanceof Error) {
      out.push([`${at} message`, current.message]);
      out.push([`${at} stack`, current.stack ?? ""]);
      const { body, request, details } = current as { body?: unknown; request?: unknown; details?: unknown };
      out.push([`${at} body`, JSON.stringify(body) ?? ""]);
      out.push([`${at} request`, JSON.stringify(request) ?? ""]);
      out.push([`${at} details`, JSON.stringify(details) ?? ""]);
    }
    current = (current as { cause?: unknown }).cause;
  }
  return out;
}

/** Fails naming where and in which form a secret leaked. */
export function expectNoLeak(error: unknown, secrets: readonly string[]): void {
  const views = renderings(error);
  for (const secret of secrets) {
    for (const form of encodedForms(secret)) {
      for (const [where, text] of views) {
        if (text.includes(form))
          expect.fail(`secret leaked in ${where} as ${JSON.stringify(form)}: ${text.slice(0, 300)}`);
      }
    }
  }
}

/** Awaits a promise that must reject, and returns what it rejected with. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return expect.fail("expected the promise to reject, but it resolved");
}
