/**
 * The README's Hono and Express examples, run as they are (the README quotes these files, checked
 * below), and the whole opt-out loop: an inbound STOP through the webhook → the store → the
 * messenger refuses the next send with OptedOutError, and no request reaches any gateway (counted
 * at a proxy in front of each Prism mock).
 */
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import { WEBSMS_ACKNOWLEDGEMENT } from "@smskit/websms";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type FaultProxy, startFaultProxy } from "../../../../tools/fault-proxy/proxy.js";
import {
  AllProvidersFailedError,
  createMessenger,
  OptedOutError,
  smartSwitch,
  websms,
} from "../../src/index.js";
import { createWebhookHandler } from "../../src/webhooks/index.js";
import {
  deliveredReport,
  inboundText,
  jsonBody,
  smartSwitchExamples,
  TOKEN,
  websmsExamples,
} from "../webhooks/fixtures.js";

const servers: Server[] = [];
const proxies: FaultProxy[] = [];

async function listen(server: Server): Promise<string> {
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function proxyFor(provider: string): Promise<FaultProxy> {
  const proxy = await startFaultProxy(inject("mockUrls")[provider] as string);
  proxies.push(proxy);
  return proxy;
}

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
  await Promise.all(proxies.map((proxy) => proxy.close()));
});

const postJson = (url: string, body: unknown) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: jsonBody(body) });

describe("README: Hono example (webhook → store → messenger)", () => {
  let example: typeof import("../../examples/webhooks-hono.js");
  let hooks: string;
  let websmsGateway: FaultProxy;

  beforeAll(async () => {
    websmsGateway = await proxyFor("websms");
    process.env.WEBHOOK_TOKEN = TOKEN;
    process.env.WEBSMS_ACCESS_TOKEN = "ws-token-123";
    process.env.WEBSMS_BASE_URL = websmsGateway.url;
    example = await import("../../examples/webhooks-hono.js");
    hooks = `${await listen(createAdaptorServer({ fetch: example.app.fetch }) as Server)}/webhooks`;
  });

  it("records delivery states by clientRef", async () => {
    const response = await postJson(`${hooks}/websms?token=${TOKEN}`, {
      ...deliveredReport,
      clientMessageId: "otp-42",
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(WEBSMS_ACKNOWLEDGEMENT);
    const receipt = await fetch(`${hooks}/smartswitch?token=${TOKEN}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "message_id=1561371433517&message_state=undeliverable",
    });
    expect(receipt.status).toBe(200);
    expect(example.lastStatus.get("otp-42")).toBe("delivered");
    expect(example.lastStatus.get("1561371433517")).toBe("failed");
  });

  it("a STOP reply stops the next send before it reaches the gateway", async () => {
    const sender = "+4367612345678";
    const sent = await example.messenger.send({ to: sender, text: "Your code is 123456" });
    expect(sent.provider).toBe("websms");
    expect(websmsGateway.forwarded).toBe(1);

    const stop = await postJson(`${hooks}/websms?token=${TOKEN}`, {
      ...inboundText,
      textMessageContent: " Stop ",
    });
    expect(stop.status).toBe(200);
    expect(example.optedOut.has(sender)).toBe(true);

    const refused = await example.messenger
      .send({ to: "+43 676 12345678", text: "Another code" })
      .catch((e) => e);
    expect(refused).toBeInstanceOf(OptedOutError);
    expect(refused).toMatchObject({ kind: "opted_out", retryable: false });
    expect(websmsGateway.forwarded).toBe(1);
  });

  it("refuses a caller without the token", async () => {
    expect((await postJson(`${hooks}/websms`, inboundText)).status).toBe(401);
  });
});

describe("README: Express example", () => {
  let example: typeof import("../../examples/webhooks-express.js");
  let hooks: string;

  beforeAll(async () => {
    process.env.WEBHOOK_TOKEN = TOKEN;
    example = await import("../../examples/webhooks-express.js");
    hooks = `${await listen(createServer(example.app))}/webhooks`;
  });

  it("receives every webhook example of both specs", async () => {
    for (const { value } of websmsExamples) {
      expect((await postJson(`${hooks}/websms?token=${TOKEN}`, value)).status).toBe(200);
    }
    for (const { value } of smartSwitchExamples) {
      const response = await fetch(`${hooks}/smartswitch?token=${TOKEN}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(value as Record<string, string>),
      });
      expect(response.status).toBe(200);
    }
    expect(example.received.map((event) => event.raw)).toEqual([
      ...websmsExamples.map((example) => example.value),
      ...smartSwitchExamples.map((example) => example.value),
    ]);
  });

  it("refuses a caller without the token", async () => {
    expect((await postJson(`${hooks}/websms?token=nope-nope-nope-nope`, inboundText)).status).toBe(401);
  });
});

describe("the opt-out loop with two gateways", () => {
  it("an opted-out number is refused by the messenger: never retried, never failed over, no gateway called", async () => {
    const [websmsGateway, smartSwitchGateway] = await Promise.all([
      proxyFor("websms"),
      proxyFor("smartswitch"),
    ]);
    const stopped = new Set<string>();
    const handler = createWebhookHandler({
      providers: ["websms"],
      authenticate: { token: TOKEN },
      onEvent: (event) => {
        if (event.type === "inbound" && event.optOut) stopped.add(event.from);
      },
    });
    const hooks = await listen(
      createServer((await import("../../src/webhooks/index.js")).toNodeListener(handler)),
    );
    const messenger = createMessenger({
      providers: [
        websms({ accessToken: "ws-token-123", baseUrl: websmsGateway.url, retry: false }),
        smartSwitch({
          login: "ss-login",
          password: "ss-password",
          baseUrl: smartSwitchGateway.url,
          retry: false,
        }),
      ],
      isOptedOut: (to) => stopped.has(to),
    });
    // websms is throttled, so a normal send fails over to SmartSwitch: the loop must not.
    websmsGateway.enqueue({ kind: "status", status: 429, headers: { "retry-after": "1" } });
    await messenger.send({ to: "+4799999999", text: "hei" });
    expect([websmsGateway.forwarded, smartSwitchGateway.forwarded]).toEqual([0, 1]);

    const response = await postJson(`${hooks}/hooks/websms?token=${TOKEN}`, {
      ...inboundText,
      senderAddress: "4712345678",
      textMessageContent: "AVMELD",
    });
    expect(response.status).toBe(200);
    const refused = await messenger.send({ to: "+47 12 34 56 78", text: "tilbud" }).catch((e) => e);
    expect(refused).toBeInstanceOf(OptedOutError);
    expect(refused).not.toBeInstanceOf(AllProvidersFailedError);
    const outcomes = await messenger.sendMany([{ to: "+4712345678", text: "tilbud" }]);
    expect(outcomes[0]).toMatchObject({ ok: false, error: { kind: "opted_out" } });
    expect([websmsGateway.forwarded, smartSwitchGateway.forwarded]).toEqual([0, 1]);
  });
});

describe("README quotes the tested examples", () => {
  const readme = readFileSync(new URL("../../../../README.md", import.meta.url), "utf8");
  it.each(["webhooks-hono.ts", "webhooks-express.ts"])("contains examples/%s verbatim", (file) => {
    const code = readFileSync(new URL(`../../examples/${file}`, import.meta.url), "utf8");
    expect(readme).toContain(`\`\`\`ts\n${code}\`\`\``);
  });
});
