/** The shared SmsProvider contract against Prism, plus what is particular to SmartSwitch. */
import {
  AuthenticationError,
  InvalidRecipientError,
  MessageRejectedError,
  type SendOutcome,
  UnexpectedResponseError,
  ValidationError,
} from "@smskit/core";
import { describe, expect, inject, it } from "vitest";
import { describeAdapterContract } from "../../../tools/contract/adapter-contract.js";
import { observedFetch } from "../../../tools/mock/observe.js";
import { smartSwitch } from "../src/index.js";

const LOGIN = "acme-login";
const PASSWORD = "s3cret-password";

describeAdapterContract({
  name: "smartswitch",
  create: ({ baseUrl, fetch, retry }) =>
    smartSwitch({ login: LOGIN, password: PASSWORD, baseUrl, fetch, retry }),
  secrets: [LOGIN, PASSWORD],
  preferAuthFailure: "code=401",
});

function withMock(prefer?: string) {
  const observed = observedFetch(prefer === undefined ? {} : { prefer });
  const provider = smartSwitch({
    login: LOGIN,
    password: PASSWORD,
    baseUrl: inject("mockUrls").smartswitch as string,
    fetch: observed.fetch,
    retry: false,
  });
  return { provider, observed };
}

function withAnswer(body: unknown, options: { requireDlr?: boolean } = {}) {
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
    const { provider } = withMock();
    expect(provider.capabilities).toEqual({
      email: false,
      distinctTextsPerRequest: true,
      maxRecipientsPerRequest: 25,
    });
  });

  it("reports both recipients of a batch as accepted with their ids", async () => {
    const { provider, observed } = withMock("example=twoRecipients");
    const outcomes = await provider.sendBatch([
      { to: "+12123388100", text: "test", clientRef: "a" },
      { to: "+12123388101", text: "test1", clientRef: "b" },
    ]);
    expect(observed.last.violations).toEqual([]);
    expect(outcomes.map((outcome) => outcome.ok && outcome.result)).toEqual([
      expect.objectContaining({
        to: "+12123388100",
        status: "accepted",
        providerMessageId: "1561371433517",
        clientRef: "a",
      }),
      expect.objectContaining({
        to: "+12123388101",
        status: "accepted",
        providerMessageId: "1561371433518",
        clientRef: "b",
      }),
    ]);
  });

  it("reports a partial failure per message", async () => {
    const { provider } = withMock("example=partialFailure");
    const outcomes = await provider.sendBatch([
      { to: "+12123388100", text: "test" },
      { to: "+12123388101", text: "test1" },
    ]);
    expect(outcomes[0]).toMatchObject({ ok: true, result: { providerMessageId: "1561371433517" } });
    expect(outcomes[1]?.ok).toBe(false);
    expect((outcomes[1] as Extract<SendOutcome, { ok: false }>).error).toBeInstanceOf(MessageRejectedError);
  });

  it("never reports a recipient the answer leaves out as sent", async () => {
    // Prism answers its one-recipient example (12123388100) to any request without Prefer.
    const { provider } = withMock();
    const outcomes = await provider.sendBatch([
      { to: "+4712345678", text: "a" },
      { to: "+12123388100", text: "b" },
      { to: "+4798765432", text: "c" },
    ]);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([false, true, false]);
    for (const outcome of [outcomes[0], outcomes[2]]) {
      expect(outcome?.ok === false && outcome.error).toBeInstanceOf(UnexpectedResponseError);
    }
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

  it("refuses mixed senders in one batch before sending", async () => {
    const { provider, requests } = withAnswer({ data: [] });
    await expect(
      provider.sendBatch([
        { to: "+4712345678", text: "a", from: "Shop" },
        { to: "+4798765432", text: "b" },
      ]),
    ).rejects.toBeInstanceOf(ValidationError);
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

  it("turns an authentication errors document under 200 into AuthenticationError", async () => {
    const { provider } = withMock("example=authenticationError");
    const error = await provider.send({ to: "+4712345678", text: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(JSON.stringify(error)).not.toContain(PASSWORD);
  });

  it("needs the operator's base URL", () => {
    // @ts-expect-error baseUrl is required
    expect(() => smartSwitch({ login: LOGIN, password: PASSWORD })).toThrow(/baseUrl is required/);
  });
});
