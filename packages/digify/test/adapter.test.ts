/** The Digify adapter with an injected fetch: the mapping, matching results by the echoed id, per-message failures. */
import { InvalidSenderError, type SendOutcome, UnknownOutcomeError, ValidationError } from "@smskit/core";
import { describe, expect, it } from "vitest";
import { json, scriptedFetch } from "../../../tools/testing/fetch.js";
import { rejection } from "../../../tools/testing/leaks.js";
import { digify } from "../src/index.js";

const TOKEN = "tok_0123456789abcdefghij";

/** Digify as it answers: one SMS result per message, echoing its id. */
const echoing = (request: Request) =>
  request.json().then((body: { messages: Array<{ id?: string }> }) =>
    json({
      status: "success",
      simulationMode: false,
      results: body.messages.map((message, index) => ({
        id: message.id,
        type: "sms",
        status: "queued",
        messageId: 100 + index,
        msgCount: 1,
      })),
      summary: {
        total: body.messages.length,
        sms: body.messages.length,
        email: 0,
        creditsUsed: body.messages.length,
      },
    }),
  );
const adapterWith = (...steps: Parameters<typeof scriptedFetch>) => {
  const scripted = scriptedFetch(...steps);
  return { provider: digify({ accessToken: TOKEN, fetch: scripted.fetch }), scripted };
};
const errorOf = (outcome: SendOutcome | undefined) => (outcome?.ok === false ? outcome.error : undefined);

describe("digify adapter", () => {
  it("sends the number without + and the clientRef as Digify's id", async () => {
    const { provider, scripted } = adapterWith(echoing);
    await provider.send({ to: "+4712345678", text: "hi", from: "ACME", clientRef: "order-42" });
    expect(JSON.parse(scripted.last.body)).toEqual({
      messages: [{ type: "sms", destAddr: "4712345678", msg: "hi", sourceAddr: "ACME", id: "order-42" }],
    });
  });

  it("matches results by the id Digify echoes, not by their position", async () => {
    const { provider } = adapterWith(async (request) => {
      const answer = await (await echoing(request)).json();
      answer.results.reverse();
      return json(answer);
    });
    const outcomes = await provider.sendBatch([
      { to: "+4711111111", text: "a", clientRef: "a" },
      { to: "+4722222222", text: "b", clientRef: "b" },
    ]);
    expect(outcomes.map((outcome) => outcome.ok && outcome.result.providerMessageId)).toEqual(["100", "101"]);
  });

  it("calls a message the answer does not mention an unknown outcome, never a failure", async () => {
    const { provider } = adapterWith(async (request) => {
      const answer = await (await echoing(request)).json();
      answer.results = answer.results.slice(0, 1);
      return json(answer);
    });
    const [first, second] = await provider.sendBatch([
      { to: "+4711111111", text: "a", clientRef: "a" },
      { to: "+4722222222", text: "b", clientRef: "b" },
    ]);
    expect(first?.ok).toBe(true);
    expect(errorOf(second)).toBeInstanceOf(UnknownOutcomeError);
  });

  it("fails a message with a 16-character sender alone; the other four go in one request", async () => {
    const { provider, scripted } = adapterWith(echoing);
    const messages = Array.from({ length: 5 }, (_, index) => ({
      to: `+47${12345670 + index}`,
      text: `m${index}`,
      clientRef: `r${index}`,
      from: index === 2 ? "A".repeat(16) : "ACME",
    }));
    const outcomes = await provider.sendBatch(messages);
    expect(errorOf(outcomes[2])).toBeInstanceOf(InvalidSenderError);
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(4);
    expect(scripted.requests).toHaveLength(1);
    expect(JSON.parse(scripted.last.body).messages).toHaveLength(4);
  });

  it("reports simulation mode as simulated", async () => {
    const { provider } = adapterWith(() =>
      json({
        status: "success",
        simulationMode: true,
        results: [{ type: "sms", status: "simulated", messageId: 1, msgCount: 1 }],
        summary: { total: 1, sms: 1, email: 0, creditsUsed: 0 },
      }),
    );
    expect((await provider.send({ to: "+4712345678", text: "hi" })).status).toBe("simulated");
  });

  it.each([
    ["html", { html: "<p>x</p>" }, "html", "<p>x</p>"],
    ["text", { text: "plain" }, "text", "plain"],
  ])("sends e-mail as %s", async (_, content, bodyFormat, body) => {
    const { provider, scripted } = adapterWith(
      json({
        status: "success",
        simulationMode: false,
        results: [{ type: "email", status: "queued", emailId: 789 }],
        summary: { total: 1, sms: 0, email: 1, creditsUsed: 0 },
      }),
    );
    const result = await provider.sendEmail?.({
      to: "user@example.com",
      from: "noreply@example.com",
      subject: "Hi",
      ...content,
    });
    expect(JSON.parse(scripted.last.body).messages[0]).toMatchObject({ type: "email", bodyFormat, body });
    expect(result).toMatchObject({ provider: "digify", to: "user@example.com", providerMessageId: "789" });
  });

  it("refuses an e-mail with both or neither of html and text", async () => {
    const { provider, scripted } = adapterWith();
    const email = { to: "user@example.com", from: "noreply@example.com", subject: "Hi" };
    expect(await rejection(provider.sendEmail?.(email) as Promise<unknown>)).toBeInstanceOf(ValidationError);
    expect(
      await rejection(provider.sendEmail?.({ ...email, html: "<p>x</p>", text: "x" }) as Promise<unknown>),
    ).toBeInstanceOf(ValidationError);
    expect(scripted.requests).toHaveLength(0);
  });
});
