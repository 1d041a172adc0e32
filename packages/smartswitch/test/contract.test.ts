/** Every SmartSwitch operation through the client against `prism mock` of our spec. */
import {
  AuthenticationError,
  MessageRejectedError,
  UnexpectedResponseError,
  ValidationError,
} from "@smskit/core";
import { describe, expect, inject, it } from "vitest";
import { observedFetch } from "../../../tools/mock/observe.js";
import {
  createSmartSwitchClient,
  parseSmartSwitchDeliveryReceipt,
  type SmartSwitchRecipientFailed,
  type SmartSwitchRecipientSent,
  serializeRecipientGroups,
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
    expect(report.allSent).toBe(true);
    expect(report.results).toEqual([
      expect.objectContaining({
        ok: true,
        to: FIRST,
        destinationNumber: "12123388100",
        id: "1561370632513",
        segments: 1,
        requestId: "1",
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
    expect(report.allSent).toBe(true);
    expect(report.results.map((result) => result.ok && [result.to, result.id, result.requestId])).toEqual([
      [FIRST, "1561371433517", "1"],
      [SECOND, "1561371433518", "2"],
    ]);
  });

  it("reports a partial failure per recipient, not as a success", async () => {
    const { client, observed } = clientFor("example=partialFailure");
    const report = await client.sendMessages([
      { to: FIRST, body: "test" },
      { to: SECOND, body: "test1" },
    ]);
    expect(observed.last.violations).toEqual([]);
    expect(report.allSent).toBe(false);
    const [sent, failed] = report.results as [SmartSwitchRecipientSent, SmartSwitchRecipientFailed];
    expect(sent).toMatchObject({ ok: true, id: "1561371433517" });
    expect(failed).toMatchObject({ ok: false, to: SECOND, resource: { id: "1561371433518" } });
    expect(failed.error).toBeInstanceOf(MessageRejectedError);
    expect(failed.error).toMatchObject({ provider: "smartswitch", status: 200, code: "error" });
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

  it("fails the recipients a short answer does not name instead of guessing", async () => {
    // Without Prefer, Prism answers the one-recipient example (12123388100) even for two recipients.
    const { client, observed } = clientFor();
    const report = await client.sendMessages([
      { to: SECOND, body: "a" },
      { to: FIRST, body: "b" },
    ]);
    expect(observed.last.violations).toEqual([]);
    expect(report.allSent).toBe(false);
    const [missing, found] = report.results;
    expect(missing?.ok).toBe(false);
    expect(missing?.ok === false && missing.error).toBeInstanceOf(UnexpectedResponseError);
    expect(found).toMatchObject({ ok: true, to: FIRST, id: "1561370632513" });
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
    for (const text of [error.message, error.stack, JSON.stringify(error), String(error)]) {
      expect(text).not.toContain(LOGIN);
      expect(text).not.toContain(encodeURIComponent(PASSWORD));
    }
  });
});

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
    const { response } = await client.api.POST("/api/message", {
      // @ts-expect-error the spec allows only 0 and 1
      params: { query: { destination_number: ["12123388100"], body: ["x"], require_dlr: [2] } },
      querySerializer: serializeRecipientGroups,
    });
    expect(response.status).toBe(422);
    expect(observed.last.violations).toEqual([
      expect.objectContaining({ code: "enum", location: ["request", "query", "require_dlr", "0"] }),
    ]);
  });

  it("answers 422 for a destination that is not 7 to 15 digits; the client refuses it before sending", async () => {
    const { client, observed } = clientFor();
    const { response } = await client.api.POST("/api/message", {
      params: { query: { destination_number: ["+4712345678"], body: ["x"] } },
      querySerializer: serializeRecipientGroups,
    });
    expect(response.status).toBe(422);
    expect(observed.last.violations.map((violation) => violation.code)).toEqual(["pattern"]);

    const error = await client.sendMessages([{ to: "12345", body: "x" }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
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
