/**
 * The bench's gateway server must answer as the specs promise, or the bench would time clients on
 * answers they would never get (or that a stricter client would refuse). Each answer is validated
 * against the response schema of `specs/<gateway>/openapi.yaml`, and the real clients and the
 * facade must accept what the server process answers, for one message and for batches.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { root } from "../lib/paths.ts";
import { answer } from "./answers.ts";
import { type GatewayServer, startGatewayServer } from "./start.ts";

/** The spec as one JSON Schema document, so `#/components/schemas/…` resolves inside it. */
function validatorFor(gateway: string, schema: string) {
  const spec = parse(readFileSync(join(root, "specs", gateway, "openapi.yaml"), "utf8")) as Record<
    string,
    unknown
  >;
  // OpenAPI keywords (discriminator, example, xml) are not JSON Schema: not strict.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ ...spec, $id: "spec" });
  return ajv.compile({ $ref: `spec#/components/schemas/${schema}` });
}

const numbers = (count: number) =>
  Array.from({ length: count }, (_, index) => `479${String(index).padStart(7, "0")}`);

const CASES = [
  {
    gateway: "digify",
    schema: "SendMessagesResponse",
    request: (count: number) => ({
      url: "/api/v1/messages/send",
      body: JSON.stringify({
        messages: numbers(count).map((destAddr, index) => ({
          type: "sms",
          destAddr,
          msg: "Hei",
          id: `ref-${index}`,
        })),
      }),
    }),
    perMessage: (body: { results: unknown[] }) => body.results.length,
  },
  {
    gateway: "websms",
    schema: "SmsSendResponse",
    request: (count: number) => ({
      url: "/smsmessaging/text",
      body: JSON.stringify({
        recipientAddressList: numbers(count),
        messageContent: "Hei",
        clientMessageId: "ref",
      }),
    }),
    perMessage: (body: { smsCount: number }) => body.smsCount,
  },
  {
    gateway: "f24",
    schema: "SendSmsExtResponse",
    request: (count: number) => ({
      url: "/SendSMSExt",
      body: JSON.stringify({
        Messages: numbers(count).map((number) => ({
          Sender: "SMSKIT",
          Recipient: `+${number}`,
          Content: "Hei",
        })),
      }),
    }),
    perMessage: (body: { Recipients: unknown[] }) => body.Recipients.length,
  },
  {
    gateway: "smartswitch",
    schema: "MessageDataDocument",
    request: (count: number) => ({
      url: `/api/message?_login=bench&_password=secret&${numbers(count)
        .map((number, index) => `destination_number=${number}&body=Hei&require_dlr=1&request_id=${index}`)
        .join("&")}`,
      body: "",
    }),
    perMessage: (body: { data: unknown }) => (Array.isArray(body.data) ? body.data.length : 1),
  },
] as const;

describe("the bench server's answers", () => {
  for (const testCase of CASES) {
    const validate = validatorFor(testCase.gateway, testCase.schema);
    for (const count of [1, 100]) {
      it(`${testCase.gateway}: ${count} message(s) get a ${testCase.schema} with one result each`, () => {
        const { route, answer: reply } = answer({ method: "POST", ...testCase.request(count) });
        expect(route).toBe(testCase.gateway);
        expect(reply.status).toBe(200);
        const body = JSON.parse(reply.body);
        expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
        expect(testCase.perMessage(body as never)).toBe(count);
      });
    }
  }

  it("Digify echoes each message's id on its own result, in order", () => {
    const { answer: reply } = answer({ method: "POST", ...CASES[0].request(3) });
    expect(
      (JSON.parse(reply.body) as { results: Array<{ id?: string }> }).results.map((item) => item.id),
    ).toEqual(["ref-0", "ref-1", "ref-2"]);
  });

  it("refuses what no gateway would take: unknown paths, GET, bodies without messages", () => {
    expect(answer({ method: "POST", url: "/nowhere", body: "" }).answer.status).toBe(404);
    expect(answer({ method: "GET", url: "/SendSMSExt", body: "" }).answer.status).toBe(404);
    expect(answer({ method: "POST", url: "/SendSMSExt", body: "{}" }).answer.status).toBe(400);
    expect(answer({ method: "POST", url: "/api/v1/messages/send", body: "not json" }).answer.status).toBe(
      400,
    );
    expect(
      answer({ method: "POST", url: "/api/message?destination_number=4790000000", body: "" }).answer.status,
    ).toBe(400);
  });
});

describe("the bench server process, through the real clients", () => {
  let server: GatewayServer;
  beforeAll(async () => {
    server = await startGatewayServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("every gateway client and twilio and Vonage accept its answers (the bench's candidates)", async () => {
    const { prepare } = await import("../sections/candidates.ts");
    const { ready, failed } = await prepare(server.url, ["digify", "websms", "f24", "smartswitch"]);
    expect(failed).toEqual([]);
    expect(ready.map((candidate) => candidate.id)).toContain("smartswitch.facade");
    expect(ready.map((candidate) => candidate.id)).toContain("twilio.sdk");
    expect(ready.map((candidate) => candidate.id)).toContain("vonage.sdk");
  });

  it("sendMany of 250 messages through each adapter: every outcome ok, in as few requests as the adapter allows", async () => {
    const smskit = await import("smskit");
    const base = server.url;
    const adapters = [
      smskit.digify({ accessToken: "secret-token-0123456789", baseUrl: base }),
      smskit.websms({ accessToken: "secret-token-0123456789", baseUrl: base }),
      smskit.f24({ accessKey: "key", accessToken: "token", baseUrl: base, defaultFrom: "SMSKIT" }),
      smskit.smartSwitch({ login: "bench", password: "secret", baseUrl: base }),
    ];
    for (const provider of adapters) {
      const before = (await server.stats())[provider.name] ?? 0;
      const outcomes = await smskit
        .createMessenger({ providers: [provider] })
        .sendMany(numbers(250).map((number) => ({ to: `+${number}`, text: "Hei fra benken" })));
      expect(outcomes.filter((outcome) => !outcome.ok)).toEqual([]);
      expect(outcomes).toHaveLength(250);
      const requests = ((await server.stats())[provider.name] ?? 0) - before;
      expect(requests).toBe(Math.ceil(250 / provider.capabilities.maxRecipientsPerRequest));
    }
  });
});
