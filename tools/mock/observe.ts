/**
 * A fetch for contract tests: forwards to the real network (the Prism mock), can ask Prism for a
 * specific response with `Prefer`, and records what Prism thought of each request. Prism reports
 * every way a request breaks the spec in the `sl-violations` header, so "no violations" is how a
 * test proves the client sent exactly what the spec describes.
 */

export interface Exchange {
  method: string;
  url: string;
  status: number;
  /** Parsed `sl-violations`, empty when Prism found the request valid. */
  violations: Array<{ location?: string[]; code?: string; message?: string }>;
  requestHeaders: Headers;
  requestBody: string;
}

export function observedFetch(options: { prefer?: string } = {}) {
  const exchanges: Exchange[] = [];
  const fetch = async (request: Request): Promise<Response> => {
    const outgoing = new Request(request);
    if (options.prefer) outgoing.headers.set("Prefer", options.prefer);
    const requestBody = await outgoing.clone().text();
    const response = await globalThis.fetch(outgoing);
    const header = response.headers.get("sl-violations");
    exchanges.push({
      method: outgoing.method,
      url: outgoing.url,
      status: response.status,
      violations: header ? JSON.parse(header) : [],
      requestHeaders: outgoing.headers,
      requestBody,
    });
    return response;
  };
  return {
    fetch,
    exchanges,
    /** The one exchange of a single-request test. */
    get last(): Exchange {
      const exchange = exchanges.at(-1);
      if (!exchange) throw new Error("no request was sent");
      return exchange;
    },
  };
}
