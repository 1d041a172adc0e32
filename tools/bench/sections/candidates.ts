/**
 * The calls the per-call sections compare, all against the same loopback server (server/).
 *
 * Per gateway four candidates send the same request bytes, so that their differences are what
 * each layer adds:
 *   raw     `fetch` + `response.json()`, nothing else;
 *   bare    an openapi-fetch client POSTing the same body to the same path (the baseline, 1.00×);
 *   client  the gateway package's client (`createDigifyClient().send`, …);
 *   facade  `createMessenger({ providers: [adapter] }).send`, whose adapter sends that request.
 * The client calls carry the clientRef the facade would add, so that both send the same bytes.
 * twilio's and Vonage's SDKs, and a raw fetch of their requests, are measured beside them.
 *
 * Every candidate is called once before it is timed and must return what a successful send
 * returns; a candidate that fails is reported with its error rather than timed.
 */
import { Agent } from "node:http";
import type RequestClient from "twilio/lib/base/RequestClient.js";
import type { Gateway } from "../lib/paths.ts";
import { moduleUrl } from "../lib/paths.ts";

export type Op = () => Promise<unknown>;
type RequestOptions<TData> = RequestClient.RequestOptions<TData>;

export interface Candidate {
  id: string;
  label: string;
  op: Op;
}

export interface Failed {
  id: string;
  label: string;
  error: string;
}

export const TEXT = "Hei fra smskit! Din kode er 481516.";
export const TO = "+4712345678";
const TO_DIGITS = "4712345678";
/** The length of the UUID the facade makes for each message. */
const CLIENT_REF = "0b8f4a52-4d1c-4f9e-9a51-6f0e3c2d7a18";
const SECRET = "bench-secret-0123456789";
const F24_SENDER = "SMSKIT";

interface OpenapiFetch {
  default: (options: { baseUrl: string }) => {
    POST(
      path: string,
      init: {
        body?: unknown;
        headers?: Record<string, string>;
        params?: { query?: Record<string, unknown> };
      },
    ): Promise<{ data?: unknown; error?: unknown }>;
  };
}

/** What every caller sends per gateway, so raw fetch and bare openapi-fetch send the same bytes. */
const REQUESTS: Record<
  Gateway,
  { path: string; headers: Record<string, string>; body?: unknown; query?: Record<string, string[]> }
> = {
  digify: {
    path: "/api/v1/messages/send",
    headers: { Authorization: `Bearer ${SECRET}` },
    body: { messages: [{ type: "sms", destAddr: TO_DIGITS, msg: TEXT, id: CLIENT_REF }] },
  },
  websms: {
    path: "/smsmessaging/text",
    headers: { Authorization: `Bearer ${SECRET}`, Accept: "application/json" },
    body: { recipientAddressList: [TO_DIGITS], messageContent: TEXT, clientMessageId: CLIENT_REF },
  },
  f24: {
    path: "/SendSMSExt",
    headers: { AccessKey: SECRET, AccessToken: SECRET },
    body: { Messages: [{ Sender: F24_SENDER, Recipient: TO, Content: TEXT }] },
  },
  smartswitch: {
    path: "/api/message",
    headers: {},
    query: {
      _login: ["bench"],
      _password: [SECRET],
      destination_number: [TO_DIGITS],
      body: [TEXT],
      require_dlr: ["1"],
      stealth_ping: ["0"],
      request_id: [CLIENT_REF],
    },
  },
};

const queryString = (query: Record<string, string[]>): string =>
  Object.entries(query)
    .flatMap(([name, values]) => values.map((value) => `${name}=${encodeURIComponent(value)}`))
    .join("&");

function expect(condition: unknown, what: string): void {
  if (!condition) throw new Error(`unexpected answer: ${what}`);
}

function rawFetch(base: string, gateway: Gateway): Op {
  const request = REQUESTS[gateway];
  const url = `${base}${request.path}${request.query ? `?${queryString(request.query)}` : ""}`;
  const init: RequestInit = {
    method: "POST",
    headers:
      request.body === undefined
        ? request.headers
        : { ...request.headers, "Content-Type": "application/json" },
    ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
  };
  return async () => {
    const response = await fetch(url, init);
    const body = (await response.json()) as unknown;
    expect(response.ok && body, `${gateway} raw fetch: HTTP ${response.status}`);
    return body;
  };
}

async function bareOpenapiFetch(base: string, gateway: Gateway): Promise<Op> {
  const { default: createClient } = (await import(moduleUrl("openapi-fetch"))) as OpenapiFetch;
  const client = createClient({ baseUrl: base });
  const request = REQUESTS[gateway];
  return async () => {
    const { data, error } = await client.POST(request.path, {
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      ...(request.query === undefined ? {} : { params: { query: request.query } }),
    });
    expect(error === undefined && data, `${gateway} openapi-fetch: ${JSON.stringify(error)}`);
    return data;
  };
}

async function gatewayClient(base: string, gateway: Gateway): Promise<Op> {
  switch (gateway) {
    case "digify": {
      const { createDigifyClient } = await import("@smskit/digify");
      const client = createDigifyClient({ accessToken: SECRET, baseUrl: base });
      const body = REQUESTS.digify.body as Parameters<typeof client.send>[0];
      return async () => {
        const answer = await client.send(body);
        expect(answer.results.length === 1, "digify results");
        return answer;
      };
    }
    case "websms": {
      const { createWebsmsClient } = await import("@smskit/websms");
      const client = createWebsmsClient({ accessToken: SECRET, baseUrl: base });
      const body = REQUESTS.websms.body as Parameters<typeof client.sendText>[0];
      return async () => {
        const answer = await client.sendText(body);
        expect(answer.statusCode === 2000, "websms statusCode");
        return answer;
      };
    }
    case "f24": {
      const { createF24Client } = await import("@smskit/f24");
      const client = createF24Client({ accessKey: SECRET, accessToken: SECRET, baseUrl: base });
      const body = REQUESTS.f24.body as Parameters<typeof client.sendSmsExt>[0];
      return async () => {
        const answer = await client.sendSmsExt(body);
        expect(answer.Recipients.length === 1, "f24 Recipients");
        return answer;
      };
    }
    case "smartswitch": {
      const { createSmartSwitchClient } = await import("@smskit/smartswitch");
      const client = createSmartSwitchClient({ login: "bench", password: SECRET, baseUrl: base });
      const recipients = [{ to: TO, body: TEXT, requireDlr: true, requestId: CLIENT_REF }];
      return async () => {
        const answer = await client.sendMessages(recipients);
        expect(
          (answer.messages as Array<{ attributes?: { status?: string } }>).every(
            (item) => item.attributes?.status === "ok",
          ),
          "smartswitch: every recipient sent",
        );
        return answer;
      };
    }
  }
}

async function facade(base: string, gateway: Gateway): Promise<Op> {
  const smskit = await import("smskit");
  const provider = {
    digify: () => smskit.digify({ accessToken: SECRET, baseUrl: base }),
    websms: () => smskit.websms({ accessToken: SECRET, baseUrl: base }),
    f24: () => smskit.f24({ accessKey: SECRET, accessToken: SECRET, baseUrl: base, defaultFrom: F24_SENDER }),
    smartswitch: () => smskit.smartSwitch({ login: "bench", password: SECRET, baseUrl: base }),
  }[gateway]();
  const messenger = smskit.createMessenger({ providers: [provider] });
  return async () => {
    const result = await messenger.send({ to: TO, text: TEXT });
    expect(result.provider === gateway, `facade provider ${result.provider}`);
    return result;
  };
}

// ---------------------------------------------------------------------------------------------
// twilio and Vonage, pointed at the same server.

const TWILIO_SID = `AC${"0".repeat(32)}`;
const TWILIO_PATH = `/2010-04-01/Accounts/${TWILIO_SID}/Messages.json`;
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

async function twilioSdk(base: string): Promise<Op> {
  const { default: twilio } = await import("twilio");
  /**
   * twilio's documented hook for a custom HTTP client: a `RequestClient` given as `httpClient`.
   * This one only swaps the origin of every URI. twilio gives its https agent keep-alive and
   * socket limits; for an http URI axios would use Node's global agent instead, so the same
   * settings go on an http agent here, to keep the comparison to keep-alive `fetch` fair.
   */
  class LoopbackRequestClient extends twilio.RequestClient {
    constructor() {
      super({ keepAlive: true });
      this.axios.defaults.httpAgent = new Agent({
        keepAlive: true,
        maxSockets: 20,
        maxFreeSockets: 5,
        maxTotalSockets: 100,
      });
    }
    override request<TData>(options: RequestOptions<TData>) {
      return super.request<TData>({ ...options, uri: options.uri.replace(/^https:\/\/[^/]+/, base) });
    }
  }
  const client = twilio(TWILIO_SID, SECRET, { httpClient: new LoopbackRequestClient() });
  return async () => {
    const message = await client.messages.create({ to: TO, from: "+4790000000", body: TEXT });
    expect(message.sid.startsWith("SM"), "twilio sid");
    return message;
  };
}

function twilioRaw(base: string): Op {
  const form = new URLSearchParams({ To: TO, From: "+4790000000", Body: TEXT }).toString();
  const init: RequestInit = {
    method: "POST",
    headers: {
      Authorization: basic(TWILIO_SID, SECRET),
      "Content-Type": "application/x-www-form-urlencoded",
      Accept: "application/json",
    },
    body: form,
  };
  return async () => {
    const response = await fetch(`${base}${TWILIO_PATH}`, init);
    const body = (await response.json()) as { sid?: string };
    expect(response.status === 201 && body.sid, "twilio raw");
    return body;
  };
}

async function vonageSdk(base: string): Promise<Op> {
  const { SMS } = await import("@vonage/sms");
  // `restHost` is the documented option for where the SMS API lives.
  const sms = new SMS({ apiKey: "benchkey", apiSecret: SECRET }, { restHost: base });
  return async () => {
    const answer = await sms.send({ to: TO_DIGITS, from: "SMSKIT", text: TEXT });
    expect(answer.messages[0]?.status === "0", "vonage status");
    return answer;
  };
}

function vonageRaw(base: string): Op {
  const init: RequestInit = {
    method: "POST",
    headers: { Authorization: basic("benchkey", SECRET), "Content-Type": "application/json" },
    body: JSON.stringify({ to: TO_DIGITS, from: "SMSKIT", text: TEXT }),
  };
  return async () => {
    const response = await fetch(`${base}/sms/json`, init);
    const body = (await response.json()) as { messages?: Array<{ status?: string }> };
    expect(body.messages?.[0]?.status === "0", "vonage raw");
    return body;
  };
}

// ---------------------------------------------------------------------------------------------

export const GATEWAY_LABELS: Record<Gateway, { client: string; facade: string }> = {
  digify: { client: "createDigifyClient().send", facade: "digify()" },
  websms: { client: "createWebsmsClient().sendText", facade: "websms()" },
  f24: { client: "createF24Client().sendSmsExt", facade: "f24()" },
  smartswitch: { client: "createSmartSwitchClient().sendMessages", facade: "smartSwitch()" },
};

interface Definition {
  id: string;
  label: string;
  make: () => Op | Promise<Op>;
}

export function definitions(base: string, gateways: readonly Gateway[]): Definition[] {
  const list: Definition[] = [];
  for (const gateway of gateways) {
    list.push(
      { id: `${gateway}.raw`, label: `${gateway}: raw fetch`, make: () => rawFetch(base, gateway) },
      {
        id: `${gateway}.bare`,
        label: `${gateway}: openapi-fetch POST`,
        make: () => bareOpenapiFetch(base, gateway),
      },
      {
        id: `${gateway}.client`,
        label: `${gateway}: ${GATEWAY_LABELS[gateway].client}`,
        make: () => gatewayClient(base, gateway),
      },
      {
        id: `${gateway}.facade`,
        label: `${gateway}: createMessenger({ providers: [${GATEWAY_LABELS[gateway].facade}] }).send`,
        make: () => facade(base, gateway),
      },
    );
  }
  list.push(
    { id: "twilio.raw", label: "twilio: raw fetch", make: () => twilioRaw(base) },
    { id: "twilio.sdk", label: "twilio: client.messages.create", make: () => twilioSdk(base) },
    { id: "vonage.raw", label: "vonage: raw fetch", make: () => vonageRaw(base) },
    { id: "vonage.sdk", label: "vonage: new SMS().send", make: () => vonageSdk(base) },
  );
  return list;
}

/** Builds every candidate and calls it once; a failure is kept with its message instead. */
export async function prepare(
  base: string,
  gateways: readonly Gateway[],
): Promise<{ ready: Candidate[]; failed: Failed[] }> {
  const ready: Candidate[] = [];
  const failed: Failed[] = [];
  for (const definition of definitions(base, gateways)) {
    try {
      const op = await definition.make();
      await op();
      ready.push({ id: definition.id, label: definition.label, op });
    } catch (error) {
      failed.push({
        id: definition.id,
        label: definition.label,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return { ready, failed };
}
