/** Every SmartSwitch operation through the client against `prism mock` of our spec. */
import {
  AuthenticationError,
  MessageRejectedError,
  type SendOutcome,
  UnknownOutcomeError,
  ValidationError,
} from "@smskit/core";
import { describe, expect, inject, it } from "vitest";
import { observedFetch } from "../../../tools/testing/fetch.js";
import { expectNoLeak, rejection } from "../../../tools/testing/leaks.js";
import {
  createSmartSwitchClient,
  parseSmartSwitchDeliveryReceipt,
  serializeRecipientGroups,
  smartSwitch,
} from "../src/index.js";

const LOGIN = "acme-login";
const PASSWORD = "s3cret pass&word";

// Prism answers with the spec's static examples, which name these two numbers.
const FIRST = "+12123388100";
const SECOND = "+12123388101";

function clientFor(prefer?: string) {
  const observed = observedFetch(prefer === undefined ? {} : { prefer });
  const client = createSmartSwitchClient({
    login: LOGIN,
    password: PASSWORD,
    baseUrl: inject("mockUrls").smartswitch as string,
    fetch: observed.fetch,
    retry: false,
  });
  return { client, observed };
}

const queryOf = (url: string) => new URL(url).search.slice(1);

describe("valid requests come back without sl-violations", () => {
  it("sends to one recipient with every per-recipient argument", async () => {
    const { client, observed } = clientFor();
    const report = await client.sendMessages([
      { to: FIRST, body: "Hello from smskit", from: "smskit", requireDlr: true, requestId: "order-1" },
    ]);
    expect(observed.last.violations).toEqual([]);
    expect(observed.last.method).toBe("POST");
    expect(queryOf(observed.last.url)).toBe(
      `_login=acme-login&_password=s3cret%20pass%26word&destination_number=12123388100&body=Hello%20from%20smskit&source_name=smskit&require_dlr=1&stealth_ping=0&request_id=order-1`,
    );
    expect(report.messages).toEqual([
      expect.objectContaining({
        id: "1561370632513",
        attributes: expect.objectContaining({ destination_number: "12123388100", segments: 1, status: "ok" }),
      }),
    ]);
  });

  it("sends two recipient groups interleaved in order, as the documentation shows", async () => {
    const { client, observed } = clientFor("example=twoRecipients");
    const report = await client.sendMessages([
      { to: FIRST, body: "test", requireDlr: true },
      { to: SECOND, body: "test1", requireDlr: true },
    ]);
    expect(observed.last.violations).toEqual([]);
    expect(queryOf(observed.last.url)).toBe(
      "_login=acme-login&_password=s3cret%20pass%26word" +
        "&destination_number=12123388100&body=test&require_dlr=1&stealth_ping=0" +
        "&destination_number=12123388101&body=test1&require_dlr=1&stealth_ping=0",
    );
    expect(report.messages.map((item) => (item as { id: string }).id)).toEqual([
      "1561371433517",
      "1561371433518",
    ]);
  });

  it("sends a numeric sender as source_number and a stealth ping with an empty body", async () => {
    const { client, observed } = clientFor();
    await client.sendMessages([{ to: FIRST, body: "", from: "+4790000000", stealthPing: true }]);
    expect(observed.last.violations).toEqual([]);
    const query = new URL(observed.last.url).searchParams;
    expect(query.get("source_number")).toBe("4790000000");
    expect(query.get("source_name")).toBeNull();
    expect(query.get("stealth_ping")).toBe("1");
    expect(query.get("body")).toBe("");
  });

  it("accepts the raw api with the group serializer", async () => {
    const { client, observed } = clientFor("example=twoRecipients");
    const { data, response } = await client.api.POST("/api/message", {
      params: { query: { destination_number: ["12123388100", "12123388101"], body: ["a", "b"] } },
      querySerializer: serializeRecipientGroups,
    });
    expect(response.status).toBe(200);
    expect(observed.last.violations).toEqual([]);
    expect(queryOf(observed.last.url)).toContain("destination_number=12123388100&body=a&destination_number");
    expect(data && "data" in data && Array.isArray(data.data)).toBe(true);
  });
});

describe("documented errors become typed errors", () => {
  const message = [{ to: FIRST, body: "hi" }];

  it.each([
    ["code=401", 401],
    ["code=403", 403],
    // The errors document is the same for every 4XX in the spec; its code decides.
    ["code=400", 400],
    ["example=authenticationError", 200],
  ])("Prefer %s → AuthenticationError", async (prefer, status) => {
    const { client } = clientFor(prefer);
    const error = (await client.sendMessages(message).catch((e: unknown) => e)) as AuthenticationError;
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({
      provider: "smartswitch",
      status,
      code: "authentication",
      providerMessage: "Authentication error: Please check your login and password",
      details: [
        {
          code: "authentication",
          title: "Authentication error",
          detail: "Please check your login and password",
        },
      ],
    });
    expect(error.request?.url).toContain("_login=***&_password=***");
    expectNoLeak(error, [LOGIN, PASSWORD]);
  });
});

/**
 * The spec's one 4XX example is the authentication errors document, so Prism answers every
 * invalid request with it; what matters is that the client throws, typed and redacted, with
 * Prism's reasons in the message.
 */
function expectMockRefusal(error: unknown) {
  expect(error).toMatchObject({ provider: "smartswitch", status: 422 });
  expect((error as Error).message).toContain("[mock: ");
  expectNoLeak(error, [LOGIN, PASSWORD]);
}

describe("invalid requests are flagged by Prism", () => {
  it("answers 401 when a credential is missing", async () => {
    const { client, observed } = clientFor();
    const { response } = await client.api.POST("/api/message", {
      params: { query: { destination_number: ["12123388100"], body: ["x"] } },
      // bypasses the client's credentials on purpose, to show the spec's security is enforced
      fetch: (request: Request) => {
        const url = new URL(request.url);
        url.searchParams.delete("_password");
        return observed.fetch(new Request(url, request));
      },
    });
    expect(response.status).toBe(401);
    expect(observed.last.violations).toEqual([
      expect.objectContaining({ code: 401, message: "Invalid security scheme used" }),
    ]);
  });

  it("answers 422 for require_dlr outside 0|1", async () => {
    const { client, observed } = clientFor();
    const error = await rejection(
      client.api.POST("/api/message", {
        // @ts-expect-error the spec allows only 0 and 1
        params: { query: { destination_number: ["12123388100"], body: ["x"], require_dlr: [2] } },
      }),
    );
    expectMockRefusal(error);
    expect(observed.last.status).toBe(422);
    expect(observed.last.violations).toEqual([
      expect.objectContaining({ code: "enum", location: ["request", "query", "require_dlr", "0"] }),
    ]);
  });

  it("answers 422 for a destination that is not 7 to 15 digits; the client refuses it before sending", async () => {
    const { client, observed } = clientFor();
    const error = await rejection(
      client.api.POST("/api/message", {
        params: { query: { destination_number: ["+4712345678"], body: ["x"] } },
      }),
    );
    expectMockRefusal(error);
    expect(observed.last.status).toBe(422);
    expect(observed.last.violations.map((violation) => violation.code)).toEqual(["pattern"]);

    const refused = await client.sendMessages([{ to: "12345", body: "x" }]).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ValidationError);
    expect(observed.exchanges).toHaveLength(1);
  });
});

describe("deliveryReceipt webhook", () => {
  it("parses both documented examples", () => {
    expect(parseSmartSwitchDeliveryReceipt("message_id=1561371433517&message_state=delivered")).toEqual({
      messageId: "1561371433517",
      state: "delivered",
    });
    expect(
      parseSmartSwitchDeliveryReceipt({ message_id: "1561370632513", message_state: "undeliverable" }),
    ).toEqual({ messageId: "1561370632513", state: "undeliverable" });
  });
});

describe("the adapter against the mock", () => {
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

  it("reports both recipients of a batch as accepted with their ids", async () => {
    const { provider, observed } = withMock("example=twoRecipients");
    const outcomes = await provider.sendBatch([
      { to: FIRST, text: "test", clientRef: "a" },
      { to: SECOND, text: "test1", clientRef: "b" },
    ]);
    expect(observed.last.violations).toEqual([]);
    expect(outcomes.map((outcome) => outcome.ok && outcome.result)).toEqual([
      expect.objectContaining({
        to: FIRST,
        status: "accepted",
        providerMessageId: "1561371433517",
        clientRef: "a",
      }),
      expect.objectContaining({
        to: SECOND,
        status: "accepted",
        providerMessageId: "1561371433518",
        clientRef: "b",
      }),
    ]);
  });

  it("reports a partial failure per message: status error is a rejection of that message only", async () => {
    const { provider, observed } = withMock("example=partialFailure");
    const outcomes = await provider.sendBatch([
      { to: FIRST, text: "test" },
      { to: SECOND, text: "test1" },
    ]);
    expect(observed.last.violations).toEqual([]);
    expect(outcomes[0]).toMatchObject({ ok: true, result: { providerMessageId: "1561371433517" } });
    const failed = outcomes[1] as Extract<SendOutcome, { ok: false }>;
    expect(failed.error).toBeInstanceOf(MessageRejectedError);
    expect(failed.error).toMatchObject({ provider: "smartswitch", status: 200, code: "error" });
  });

  it("reports the messages a short answer leaves out as unknown outcomes", async () => {
    // Without Prefer, Prism answers the one-recipient example (12123388100) even for three recipients.
    const { provider } = withMock();
    const outcomes = await provider.sendBatch([
      { to: "+4712345678", text: "a" },
      { to: FIRST, text: "b" },
      { to: "+4798765432", text: "c" },
    ]);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([false, true, false]);
    for (const outcome of [outcomes[0], outcomes[2]]) {
      expect(outcome?.ok === false && outcome.error).toBeInstanceOf(UnknownOutcomeError);
    }
  });

  it("turns an authentication errors document under 200 into AuthenticationError", async () => {
    const { provider } = withMock("example=authenticationError");
    const error = await provider.send({ to: "+4712345678", text: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expectNoLeak(error, [LOGIN, PASSWORD]);
  });
});
