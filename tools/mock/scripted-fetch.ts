/**
 * The injected `fetch` of unit tests (openapi-fetch's style: nothing global is mocked). It answers
 * each request with the next scripted answer and keeps every request for assertions.
 */

export type ScriptedAnswer = (request: Request) => Response | Promise<Response>;

export function recording(...answers: ScriptedAnswer[]) {
  const requests: Request[] = [];
  const fetch = async (request: Request): Promise<Response> => {
    requests.push(request);
    const answer = answers[requests.length - 1];
    if (!answer) throw new Error(`unexpected request #${requests.length}: ${request.method} ${request.url}`);
    return answer(request);
  };
  return { fetch, requests };
}

/** A JSON answer, as the gateways send them. */
export const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
