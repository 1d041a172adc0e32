/**
 * The injected `fetch` of unit tests (openapi-fetch's style: nothing global is mocked), and the
 * observing fetch of contract tests against Prism.
 */
/** The fetch every smskit client takes (the same as @smskit/core's FetchLike; not imported, so core's own tests can use this file). */
export type FetchLike = (request: Request, init?: { signal?: AbortSignal }) => Promise<Response>;

/** One scripted answer: a Response, a thrown error, a request that never gets an answer, or a function of the request. */
export type ScriptedStep = Response | Error | "hang" | ((request: Request) => Response | Promise<Response>);

export interface RecordedRequest {
  method: string;
  url: string;
  headers: Headers;
  body: string;
}

/**
 * A fetch that answers each request with the next step and records every request (its body read
 * at arrival), so a test can count requests and assert what was sent. A request beyond the
 * script fails the test loudly instead of hanging.
 */
export function scriptedFetch(...steps: ScriptedStep[]) {
  const requests: RecordedRequest[] = [];
  const fetch: FetchLike = async (request, init) => {
    const body = request.body === null ? "" : await request.clone().text();
    requests.push({ method: request.method, url: request.url, headers: new Headers(request.headers), body });
    const step = steps[requests.length - 1];
    if (step === undefined)
      throw new Error(`unexpected request #${requests.length}: ${request.method} ${request.url}`);
    if (step === "hang") {
      return new Promise<Response>((_, reject) => {
        const signal = init?.signal ?? request.signal;
        signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      });
    }
    if (step instanceof Error) throw step;
    if (step instanceof Response) return step.clone();
    return step(request);
  };
  return {
    fetch,
    requests,
    /** The only request of a single-request test. */
    get last(): RecordedRequest {
      const request = requests.at(-1);
      if (!request) throw new Error("no request was sent");
      return request;
    },
  };
}

/** A JSON answer, as the gateways send them. */
export const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

/** The error undici throws when a connection fails with a system error code. */
export function connectionError(code: string): TypeError {
  return Object.assign(new TypeError("fetch failed"), {
    cause: Object.assign(new Error(`connect ${code}`), { code }),
  });
}

export interface Exchange {
  method: string;
  url: string;
  status: number;
  /** Parsed `sl-violations`, empty when Prism found the request valid. */
  violations: Array<{ location?: string[]; code?: string; message?: string }>;
  requestHeaders: Headers;
  requestBody: string;
}

/**
 * A fetch for contract tests: forwards to the real network (the Prism mock), can ask Prism for a
 * specific response with `Prefer`, and records what Prism thought of each request. Prism reports
 * every way a request breaks the spec in the `sl-violations` header, so "no violations" is how a
 * test proves the client sent exactly what the spec describes.
 */
export function observedFetch(options: { prefer?: string } = {}) {
  const exchanges: Exchange[] = [];
  const fetch: FetchLike = async (request, init) => {
    const outgoing = new Request(request, init?.signal ? { signal: init.signal } : {});
    if (options.prefer) outgoing.headers.set("Prefer", options.prefer);
    const requestBody = outgoing.body === null ? "" : await outgoing.clone().text();
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
