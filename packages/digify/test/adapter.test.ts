import { ValidationError } from "@smskit/core";
import { describe, expect, inject, it } from "vitest";
import { describeAdapterContract } from "../../../tools/contract/adapter-contract.js";
import { observedFetch } from "../../../tools/mock/observe.js";
import { digify } from "../src/index.js";

const TOKEN = "tok_0123456789abcdefghij";

describeAdapterContract({
  name: "digify",
  create: ({ baseUrl, fetch, retry }) => digify({ accessToken: TOKEN, baseUrl, fetch, retry }),
  secrets: [TOKEN],
  preferAuthFailure: "code=401",
  preferThrottled: "code=429",
});

describe("digify adapter", () => {
  const setup = (prefer?: string) => {
    const observed = observedFetch(prefer === undefined ? {} : { prefer });
    const provider = digify({
      accessToken: TOKEN,
      baseUrl: inject("mockUrls").digify as string,
      fetch: observed.fetch,
    });
    return { provider, observed };
  };

  it("sends the number without + and the clientRef as Digify's id", async () => {
    const { provider, observed } = setup();
    await provider.send({ to: "+4712345678", text: "hi", from: "ACME", clientRef: "order-42" });
    expect(JSON.parse(observed.last.requestBody)).toEqual({
      messages: [{ type: "sms", destAddr: "4712345678", msg: "hi", sourceAddr: "ACME", id: "order-42" }],
    });
  });

  it("reports simulation mode as simulated", async () => {
    const { provider } = setup("example=simulationMode");
    expect((await provider.send({ to: "+4712345678", text: "hi" })).status).toBe("simulated");
  });

  it("refuses a sender longer than Digify's 15 characters before sending", async () => {
    const { provider, observed } = setup();
    await expect(
      provider.send({ to: "+4712345678", text: "hi", from: "A".repeat(16) }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(observed.exchanges).toHaveLength(0);
  });

  it("sends e-mail as html or text", async () => {
    const { provider, observed } = setup();
    const result = await provider.sendEmail?.({
      to: "user@example.com",
      from: "noreply@example.com",
      subject: "Hi",
      text: "plain",
    });
    expect(observed.last.violations).toEqual([]);
    expect(JSON.parse(observed.last.requestBody).messages[0]).toMatchObject({
      type: "email",
      bodyFormat: "text",
      body: "plain",
    });
    expect(result).toMatchObject({ provider: "digify", to: "user@example.com", providerMessageId: "789" });
  });

  it("refuses an e-mail with both or neither of html and text", async () => {
    const { provider, observed } = setup();
    const email = { to: "user@example.com", from: "noreply@example.com", subject: "Hi" };
    await expect(provider.sendEmail?.(email)).rejects.toBeInstanceOf(ValidationError);
    await expect(provider.sendEmail?.({ ...email, html: "<p>x</p>", text: "x" })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(observed.exchanges).toHaveLength(0);
  });
});
