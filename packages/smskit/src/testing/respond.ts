/** Small response builders the gateway definitions share. */

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

export function form(status: number, fields: Record<string, string | number | null | undefined>): Response {
  const text = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(
      ([name, value]) =>
        `${encodeURIComponent(name)}=${encodeURIComponent(value === null ? "" : String(value))}`,
    )
    .join("&");
  return new Response(text, { status, headers: { "content-type": "application/x-www-form-urlencoded" } });
}

export const empty = (status: number): Response => new Response(null, { status });

/** `+` and the digits, for numbers a gateway takes without the `+`. */
export const e164Of = (digits: string): string => `+${digits.replace(/^\+/, "")}`;
