/** What is particular to the SmartSwitch adapter; the shared SmsProvider contract is in contract.test.ts. */
import {
  InvalidRecipientError,
  MessageRejectedError,
  UnknownOutcomeError,
  ValidationError,
} from "@smskit/core";
import { describe, expect, it } from "vitest";
import { smartSwitch } from "../src/index.js";

const LOGIN = "acme-login";
const PASSWORD = "s3cret-password";

function withAnswer(body: unknown, options: { requireDlr?: boolean; maxUrlLength?: number } = {}) {
  const requests: Request[] = [];
  const provider = smartSwitch({
    login: LOGIN,
    password: PASSWORD,
    baseUrl: "https://sms.operator.example",
    retry: false,
    ...options,
    fetch: async (request) => {
      requests.push(request);
      return new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
    },
  });
  return { provider, requests };
}

const resource = (id: string, destination: string, status: "ok" | "error" = "ok") => ({
  id,
  type: "message",
  attributes: { destination_number: destination, segments: 2, status },
});

describe("smartSwitch adapter", () => {
  it("sends SMS only, several texts per request, at most 25 recipients", () => {
    const { provider } = withAnswer({ data: [] });
    expect(provider.capabilities).toEqual({
      email: false,
      distinctTextsPerRequest: true,
      maxRecipientsPerRequest: 25,
    });
  });

  it("trusts the documented order when the answer has one resource per message", async () => {
    // The gateway normalises numbers; with as many resources as messages, the position decides.
    const { provider } = withAnswer({ data: [resource("1", "4700000001"), resource("2", "4700000002")] });
    const outcomes = await provider.sendBatch([
      { to: "+4712345678", text: "a" },
      { to: "+4798765432", text: "b" },
    ]);
    expect(outcomes.map((outcome) => outcome.ok && outcome.result.providerMessageId)).toEqual(["1", "2"]);
  });

  it("matches a short answer by destination_number", async () => {
    const { provider } = withAnswer({ data: [resource("2", "4798765432")] });
    const outcomes = await provider.sendBatch([
      { to: "+4712345678", text: "a" },
      { to: "+4798765432", text: "b" },
    ]);
    expect(outcomes[1]).toMatchObject({ ok: true, result: { providerMessageId: "2" } });
    expect(outcomes[0]?.ok === false && outcomes[0].error).toBeInstanceOf(UnknownOutcomeError);
  });

  it("reports a resource of an unknown shape or status as an unknown outcome", async () => {
    const { provider } = withAnswer({
      data: [
        { id: "1", type: "message", attributes: { destination_number: "4712345678", status: "maybe" } },
        resource("2", "4798765432"),
      ],
    });
    const outcomes = await provider.sendBatch([
      { to: "+4712345678", text: "a" },
      { to: "+4798765432", text: "b" },
    ]);
    expect(outcomes[0]?.ok === false && outcomes[0].error).toBeInstanceOf(UnknownOutcomeError);
    expect(outcomes[1]?.ok).toBe(true);
  });

  it("splits a batch by sender kind and by URL length, one request per group", async () => {
    const requests: URL[] = [];
    const provider = smartSwitch({
      login: LOGIN,
      password: PASSWORD,
      baseUrl: "https://sms.operator.example",
      retry: false,
      maxUrlLength: 1200,
      fetch: async (request) => {
        const url = new URL(request.url);
        requests.push(url);
        const data = url.searchParams
          .getAll("destination_number")
          .map((to, i) => resource(`${requests.length}-${i}`, to));
        return new Response(JSON.stringify({ data }), { headers: { "content-type": "application/json" } });
      },
    });
    const text = "x".repeat(150);
    const messages = [
      { to: "+4700000001", text, from: "Shop" },
      { to: "+4700000002", text },
      { to: "+4700000003", text, from: "4790000000" },
      ...Array.from({ length: 8 }, (_, i) => ({ to: `+470000001${i}`, text, from: "Shop" })),
    ];
    const outcomes = await provider.sendBatch(messages);
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    for (const url of requests) {
      expect(url.href.length).toBeLessThanOrEqual(1200);
      const kinds = new Set(
        url.searchParams.has("source_name")
          ? ["name"]
          : url.searchParams.has("source_number")
            ? ["number"]
            : ["none"],
      );
      expect(kinds.size).toBe(1);
    }
    // Every message went out exactly once, in some request.
    const sent = requests.flatMap((url) => url.searchParams.getAll("destination_number")).sort();
    expect(sent).toEqual(messages.map((message) => message.to.slice(1)).sort());
    expect(requests.length).toBeGreaterThan(3);
  });

  it("fails alone a message too long for the URL limit, and sends the others", async () => {
    const { provider, requests } = withAnswer({ data: resource("9", "4798765432") }, { maxUrlLength: 400 });
    const outcomes = await provider.sendBatch([
      { to: "+4712345678", text: "y".repeat(500) },
      { to: "+4798765432", text: "short" },
    ]);
    expect(outcomes[0]?.ok === false && outcomes[0].error).toMatchObject({ code: "URL_TOO_LONG" });
    expect(outcomes[1]?.ok).toBe(true);
    expect(requests).toHaveLength(1);
  });

  it("refuses a scheduled message: SmartSwitch cannot hold one", async () => {
    const { provider, requests } = withAnswer({ data: [] });
    const error = await provider
      .send({ to: "+4712345678", text: "x", sendAt: new Date("2030-01-01T00:00:00Z") })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "SCHEDULING_UNSUPPORTED" });
    expect(requests).toHaveLength(0);
  });

  it("throws the error of a single message the gateway did not send", async () => {
    const { provider } = withAnswer({ data: resource("9", "4712345678", "error") });
    await expect(provider.send({ to: "+4712345678", text: "x" })).rejects.toBeInstanceOf(
      MessageRejectedError,
    );
  });

  it("maps the message to the gateway's arguments, asking for a delivery receipt", async () => {
    const { provider, requests } = withAnswer({ data: resource("9", "4712345678") });
    const result = await provider.send({
      to: "+4712345678",
      text: "Hei 😀",
      from: "+4790000000",
      clientRef: "r",
    });
    const query = new URL(requests[0]?.url ?? "").searchParams;
    expect(Object.fromEntries(query)).toEqual({
      _login: LOGIN,
      _password: PASSWORD,
      destination_number: "4712345678",
      body: "Hei 😀",
      source_number: "4790000000",
      require_dlr: "1",
      stealth_ping: "0",
      request_id: "r",
    });
    expect(result).toEqual({
      provider: "smartswitch",
      to: "+4712345678",
      status: "accepted",
      providerMessageId: "9",
      clientRef: "r",
      segments: 2,
      encoding: "UCS-2",
      raw: resource("9", "4712345678"),
    });
  });

  it("leaves delivery receipts off when asked to", async () => {
    const { provider, requests } = withAnswer({ data: resource("9", "4712345678") }, { requireDlr: false });
    await provider.send({ to: "+4712345678", text: "x" });
    expect(new URL(requests[0]?.url ?? "").searchParams.get("require_dlr")).toBe("0");
  });

  it("refuses a batch over 25 messages before sending", async () => {
    const { provider, requests } = withAnswer({ data: [] });
    const messages = Array.from({ length: 26 }, (_, i) => ({
      to: `+47900000${String(i).padStart(2, "0")}`,
      text: "a",
    }));
    await expect(provider.sendBatch(messages)).rejects.toBeInstanceOf(ValidationError);
    expect(requests).toHaveLength(0);
  });

  it("refuses a recipient that is not E.164 with its own provider name", async () => {
    const { provider, requests } = withAnswer({ data: [] });
    const error = await provider.send({ to: "4712345678", text: "a" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRecipientError);
    expect(error).toMatchObject({ provider: "smartswitch" });
    expect(requests).toHaveLength(0);
  });

  it("sends nothing for an empty batch", async () => {
    const { provider, requests } = withAnswer({ data: [] });
    expect(await provider.sendBatch([])).toEqual([]);
    expect(requests).toHaveLength(0);
  });

  it("needs the operator's base URL", () => {
    // @ts-expect-error baseUrl is required
    expect(() => smartSwitch({ login: LOGIN, password: PASSWORD })).toThrow(/baseUrl is required/);
  });
});
