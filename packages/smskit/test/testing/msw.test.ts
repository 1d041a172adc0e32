/** The fakes as MSW handlers: clients with their default URLs, intercepted by msw's setupServer. */
import { UnknownOutcomeError, ValidationError } from "@smskit/core";
import { createDigifyClient } from "@smskit/digify";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createMessenger, digify, f24, smartSwitch, websms } from "../../src/index.js";
import { createFakeGateway } from "../../src/testing/index.js";
import { handlersFor } from "../../src/testing/msw.js";

const gateways = {
  digify: createFakeGateway("digify"),
  websms: createFakeGateway("websms"),
  f24: createFakeGateway("f24"),
  smartswitch: createFakeGateway("smartswitch"),
};
const F24_URL = "https://f24.example.com/message-api";

const server = setupServer(
  ...handlersFor(gateways.digify),
  ...handlersFor(gateways.websms),
  ...handlersFor(gateways.f24, { baseUrl: F24_URL }),
  ...handlersFor(gateways.smartswitch),
);

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());
beforeEach(() => {
  for (const gateway of Object.values(gateways)) gateway.reset();
});

describe("handlersFor", () => {
  it("serves every gateway at the URL the code already uses, through the same fakes", async () => {
    const messenger = createMessenger({
      providers: [
        digify({ accessToken: "token", retry: false }),
        websms({ accessToken: "token", retry: false }),
        f24({ accessKey: "k", accessToken: "t", baseUrl: F24_URL, defaultFrom: "ACME", retry: false }),
        smartSwitch({ login: "l", password: "p", baseUrl: gateways.smartswitch.baseUrl, retry: false }),
      ],
    });
    for (const provider of ["digify", "websms", "f24", "smartswitch"] as const) {
      const result = await messenger.send({ to: "+4712345678", text: `via ${provider}`, provider });
      expect(result.provider).toBe(provider);
      expect(gateways[provider].sent.map((message) => message.text)).toEqual([`via ${provider}`]);
    }
  });

  it("keeps the fakes' validation and faults", async () => {
    const client = createDigifyClient({ accessToken: "token", retry: false });
    // Through `api`: the client's own checks would refuse this before the network.
    const invalid = await client.api
      .POST("/api/v1/messages/send", {
        body: { messages: [{ type: "sms", destAddr: "4712345678", msg: "x".repeat(1601) }] },
      })
      .catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ValidationError);
    expect(invalid).toMatchObject({ code: "VALIDATION_ERROR" });

    gateways.digify.failNext("lose-answer");
    const lost = await client
      .send({ messages: [{ type: "sms", destAddr: "4712345678", msg: "lost" }] })
      .catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(UnknownOutcomeError);
    expect(gateways.digify.sent.map((message) => message.text)).toEqual(["lost"]);
  });

  it("answers another path under the gateway with the gateway's own not-found", async () => {
    const response = await fetch("https://apiaccess.digify.no/api/v1/unknown", {
      headers: { authorization: "Bearer t" },
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
  });
});
