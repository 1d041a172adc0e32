/**
 * The handler behind real servers on loopback, as users run it: node:http through toNodeListener,
 * Express 5 (toNodeListener on a route) and Hono on @hono/node-server. Every spec example, the
 * bad-input answers, the body limit against a sender that keeps pushing, and 100 concurrent copies.
 */
import { once } from "node:events";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import { SMARTSWITCH_DELIVERY_STATES } from "@smskit/smartswitch";
import { WEBSMS_ACKNOWLEDGEMENT } from "@smskit/websms";
import express from "express";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createWebhookHandler,
  type SmsEvent,
  toNodeListener,
  type WebhookHandler,
} from "../../src/webhooks/index.js";
import { deliveredReport, gate, inboundText, jsonBody, TOKEN, websmsExamples } from "./fixtures.js";

const MAX_BODY_BYTES = 64 * 1024;

interface Running {
  url: string;
  server: Server;
}

async function listen(server: Server): Promise<Running> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const frameworks: Record<string, (handler: WebhookHandler) => Server> = {
  "node:http": (handler) => createServer(toNodeListener(handler)),
  "Express 5": (handler) => {
    const app = express();
    app.post("/webhooks/:provider", toNodeListener(handler));
    return createServer(app);
  },
  Hono: (handler) => {
    const app = new Hono();
    app.post("/webhooks/:provider", (c) => handler(c.req.raw));
    return createAdaptorServer({ fetch: app.fetch }) as Server;
  },
};

interface Upload {
  status: number | undefined;
  written: number;
  body: string;
}

/**
 * A sender that keeps pushing `total` bytes (chunked, or with a declared length) and stops as soon
 * as the answer arrives or the server closes the connection: `written` is what the server let in.
 */
function upload(url: string, total: number, headers: Record<string, string> = {}): Promise<Upload> {
  return new Promise((resolve) => {
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let written = 0;
    let settled = false;
    let status: number | undefined;
    const finish = (body = "") => {
      if (settled) return;
      settled = true;
      resolve({ status, written, body });
    };
    const request = httpRequest(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
    });
    request.on("response", (response) => {
      status = response.statusCode;
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (data: string) => {
        body += data;
      });
      response.on("end", () => finish(body));
      response.on("error", () => finish(body));
    });
    // After the answer the server closes the socket: EPIPE/ECONNRESET on our side are expected.
    request.on("error", () => finish());
    request.on("close", () => finish());
    const pump = () => {
      while (!settled && status === undefined && written < total) {
        written += chunk.byteLength;
        if (!request.write(chunk)) {
          request.once("drain", pump);
          return;
        }
      }
      if (written >= total && !settled) request.end();
    };
    request.flushHeaders();
    pump();
  });
}

describe.each(Object.keys(frameworks))("%s", (framework) => {
  const events: SmsEvent[] = [];
  let hold: ReturnType<typeof gate> | undefined;
  let running: Running;
  let base: string;

  beforeAll(async () => {
    const handler = createWebhookHandler({
      providers: ["websms", "smartswitch"],
      authenticate: { token: TOKEN },
      maxBodyBytes: MAX_BODY_BYTES,
      onEvent: async (event) => {
        events.push(event);
        await hold?.opened;
      },
    });
    running = await listen((frameworks[framework] as (handler: WebhookHandler) => Server)(handler));
    base = `${running.url}/webhooks`;
  });

  afterAll(async () => {
    running.server.closeAllConnections();
    running.server.close();
    await once(running.server, "close");
  });

  const post = (provider: string, body: string, contentType: string, token: string | null = TOKEN) =>
    fetch(`${base}/${provider}${token === null ? "" : `?token=${token}`}`, {
      method: "POST",
      headers: { "content-type": contentType },
      body,
    });

  it("acknowledges every websms example of the spec and passes each on once", async () => {
    events.length = 0;
    for (const example of websmsExamples) {
      const response = await post("websms", jsonBody(example.value), "application/json");
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual(WEBSMS_ACKNOWLEDGEMENT);
    }
    expect(events.map((event) => event.raw)).toEqual(websmsExamples.map((example) => example.value));
    expect(events.map((event) => event.type)).toEqual(["delivery", "delivery", "inbound", "inbound"]);
  });

  it.each(SMARTSWITCH_DELIVERY_STATES)(
    "acknowledges a SmartSwitch %s receipt with an empty 200",
    async (state) => {
      events.length = 0;
      const response = await post(
        "smartswitch",
        `message_id=${framework.length}${state.length}&message_state=${state}`,
        "application/x-www-form-urlencoded",
      );
      expect(response.status).toBe(200);
      expect(await response.text()).toBe("");
      expect(events).toMatchObject([{ provider: "smartswitch", providerStatus: state }]);
    },
  );

  it("answers bad requests with 401, 404, 405, 415 and 400", async () => {
    events.length = 0;
    const body = jsonBody(inboundText);
    expect((await post("websms", body, "application/json", null)).status).toBe(401);
    expect((await post("websms", body, "application/json", "wrong-wrong-wrong-wrong")).status).toBe(401);
    expect((await post("twilio", body, "application/json")).status).toBe(404);
    expect((await post("websms", body, "text/plain")).status).toBe(415);
    const malformed = await post("websms", "{nope", "application/json");
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({
      statusCode: 4000,
      statusMessage: expect.stringMatching(/JSON/),
    });
    // Express and Hono route only POST here; node:http hands every method to the handler.
    const get = await fetch(`${base}/websms?token=${TOKEN}`);
    expect(get.status).toBe(framework === "node:http" ? 405 : 404);
    expect(events).toEqual([]);
  });

  it("refuses a declared 10 MB body with 413 before reading it", async () => {
    const result = await upload(`${base}/websms?token=${TOKEN}`, 10 * 1024 * 1024, {
      "content-length": String(10 * 1024 * 1024),
    });
    expect(result.status).toBe(413);
    expect(result.written).toBeLessThan(10 * 1024 * 1024);
  });

  it("cuts off a 256 MB chunked upload after the limit, reading only a bounded part", async () => {
    const total = 256 * 1024 * 1024;
    const result = await upload(`${base}/websms?token=${TOKEN}`, total);
    // What got in is the limit plus socket buffers, never the whole upload.
    expect(result.written).toBeLessThan(32 * 1024 * 1024);
    if (result.status !== undefined) expect(result.status).toBe(413);
    expect(events.filter((event) => event.type === "inbound" && event.raw.notificationId === "huge")).toEqual(
      [],
    );
  });

  it("does not read an unauthenticated 256 MB upload", async () => {
    const total = 256 * 1024 * 1024;
    const result = await upload(`${base}/websms?token=wrong-wrong-wrong-wrong`, total);
    expect(result.written).toBeLessThan(32 * 1024 * 1024);
    if (result.status !== undefined) expect(result.status).toBe(401);
  });

  it("100 concurrent copies of one report call onEvent exactly once", async () => {
    events.length = 0;
    hold = gate();
    const report = jsonBody({ ...deliveredReport, transferId: `concurrent-${framework}` });
    const first = post("websms", report, "application/json");
    // Wait until the first copy is inside onEvent, then send 99 more while it is held there.
    while (events.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const copies = await Promise.all(
      Array.from({ length: 99 }, () => post("websms", report, "application/json")),
    );
    expect(copies.map((response) => response.status)).toEqual(Array(99).fill(503));
    hold.open();
    hold = undefined;
    expect((await first).status).toBe(200);
    expect((await post("websms", report, "application/json")).status).toBe(200);
    expect(events).toHaveLength(1);
    await Promise.all(copies.map((response) => response.body?.cancel()));
  });
});
