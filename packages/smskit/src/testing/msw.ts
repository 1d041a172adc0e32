/**
 * `smskit/testing/msw`: the fake gateways as MSW request handlers, for test suites that already
 * intercept `fetch` with MSW (msw 2 and openapi-msw 2, optional peer dependencies of smskit). The
 * handlers are typed from each gateway's generated `paths` and answer through the same fake as
 * `createFakeGateway`, so `sent`, `failNext` and the validation behave identically.
 *
 * @example
 * import { setupServer } from "msw/node";
 * import { createFakeGateway } from "smskit/testing";
 * import { handlersFor } from "smskit/testing/msw";
 *
 * const digify = createFakeGateway("digify");
 * const server = setupServer(...handlersFor(digify)); // https://apiaccess.digify.no by default
 * server.listen({ onUnhandledRequest: "error" });
 */
import { DIGIFY_PRODUCTION_URL, type paths as DigifyPaths } from "@smskit/digify";
import type { paths as F24Paths } from "@smskit/f24";
import type { paths as SmartSwitchPaths } from "@smskit/smartswitch";
import { WEBSMS_PRODUCTION_URL, type paths as WebsmsPaths } from "@smskit/websms";
import { type HttpHandler, HttpResponse, http } from "msw";
import { createOpenApiHttp } from "openapi-msw";
import type { GatewayName } from "./core.js";
import type { FakeGateway } from "./index.js";

export interface HandlersOptions {
  /**
   * The base URL your code sends to, which the handlers intercept. Default: the gateway's public
   * URL for Digify and websms; the fake's own `baseUrl` for F24 and SmartSwitch, which have none.
   */
  baseUrl?: string;
}

const PUBLIC_URLS: Partial<Record<GatewayName, string>> = {
  digify: DIGIFY_PRODUCTION_URL,
  websms: WEBSMS_PRODUCTION_URL,
};

/** What every handler does: hand the request to the fake, re-addressed to the fake's base URL. */
function forwarder(fake: FakeGateway, baseUrl: string) {
  const base = new URL(baseUrl);
  const basePath = base.pathname.replace(/\/+$/, "");
  return async ({ request }: { request: Request }): Promise<Response> => {
    const url = new URL(request.url);
    const rest = url.pathname.startsWith(basePath) ? url.pathname.slice(basePath.length) : url.pathname;
    const addressed = new Request(`${fake.baseUrl}${rest}${url.search}`, request);
    try {
      return await fake.fetch(addressed);
    } catch (error) {
      // A `lose-answer` fault: the connection fails, as MSW's network error does it.
      if (error instanceof TypeError) return HttpResponse.error();
      throw error;
    }
  };
}

/**
 * MSW handlers for every operation of the fake's gateway under `baseUrl`, plus one that answers
 * any other path under it with the gateway's own "not found".
 */
export function handlersFor(fake: FakeGateway, options: HandlersOptions = {}): HttpHandler[] {
  const baseUrl = (options.baseUrl ?? PUBLIC_URLS[fake.provider] ?? fake.baseUrl).replace(/\/+$/, "");
  const forward = forwarder(fake, baseUrl);
  // openapi-msw types each resolver's answer by its operation; the fake's answer is any of them.
  const through = <Answer>(info: { request: Request; response: { untyped(response: Response): Answer } }) =>
    forward(info).then((response) => info.response.untyped(response));
  const catchAll = http.all(`${baseUrl}/*`, forward);
  switch (fake.provider) {
    case "digify": {
      const api = createOpenApiHttp<DigifyPaths>({ baseUrl });
      return [
        api.post("/api/v1/messages/send", through),
        api.get("/api/v1/logs/sms", through),
        api.get("/api/v1/logs/email", through),
        api.get("/api/v1/companies/search", through),
        api.get("/api/v1/companies/{orgNr}", through),
        api.get("/health", through),
        api.get("/ready", through),
        catchAll,
      ];
    }
    case "websms": {
      const api = createOpenApiHttp<WebsmsPaths>({ baseUrl });
      return [
        api.post("/smsmessaging/text", through),
        api.post("/smsmessaging/binary", through),
        api.get("/smsmessaging/simple", through),
        api.post("/smsmessaging/simple", through),
        catchAll,
      ];
    }
    case "f24": {
      const api = createOpenApiHttp<F24Paths>({ baseUrl });
      return [api.post("/SendSMSExt", through), catchAll];
    }
    case "smartswitch": {
      const api = createOpenApiHttp<SmartSwitchPaths>({ baseUrl });
      return [api.post("/api/message", through), catchAll];
    }
  }
}
