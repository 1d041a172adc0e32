/**
 * Whatever a caller with the right token sends, the handler answers 400 (or 200 when the body
 * really is a notification), never 500, never throws, and never calls onEvent for a 400.
 */
import { parseSmartSwitchDeliveryReceipt } from "@smskit/smartswitch";
import { parseWebsmsNotification } from "@smskit/websms";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createWebhookHandler, type SmsEvent } from "../../src/webhooks/index.js";
import { deliveredReport, inboundBinary, inboundText, jsonBody, TOKEN, webhookRequest } from "./fixtures.js";

function parses(provider: "websms" | "smartswitch", text: string): boolean {
  try {
    if (provider === "websms") parseWebsmsNotification(text);
    else parseSmartSwitchDeliveryReceipt(text);
    return true;
  } catch {
    return false;
  }
}

function harness() {
  const events: SmsEvent[] = [];
  const failures: unknown[] = [];
  const handler = createWebhookHandler({
    providers: ["websms", "smartswitch"],
    authenticate: { token: TOKEN },
    onEvent: (event) => void events.push(event),
    onError: (error) => failures.push(error),
  });
  return { handler, events, failures };
}

const provider = fc.constantFrom("websms" as const, "smartswitch" as const);
const NUM_RUNS = 300;

describe("arbitrary bodies", () => {
  it("arbitrary bytes → 400, or 200 only for a body the gateway's parser accepts", async () => {
    await fc.assert(
      fc.asyncProperty(provider, fc.uint8Array({ maxLength: 512 }), async (name, bytes) => {
        const { handler, events, failures } = harness();
        const response = await handler(webhookRequest(name, bytes));
        let text: string | undefined;
        try {
          text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
        } catch {
          text = undefined;
        }
        const valid = text !== undefined && parses(name, text);
        expect(response.status).toBe(valid ? 200 : 400);
        expect(events).toHaveLength(valid ? 1 : 0);
        expect(failures).toEqual([]);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("arbitrary strings and JSON values → 400 unless valid", async () => {
    const body = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.jsonValue().map((value) => JSON.stringify(value)),
    );
    await fc.assert(
      fc.asyncProperty(provider, body, async (name, text) => {
        const { handler, failures } = harness();
        const response = await handler(webhookRequest(name, text));
        expect(response.status).toBe(parses(name, text) ? 200 : 400);
        expect(failures).toEqual([]);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("real notifications with any field replaced by anything → 200 or 400, never 500", async () => {
    const field = (notification: Record<string, unknown>) =>
      fc.tuple(
        fc.constant(notification),
        fc.oneof(fc.constantFrom(...Object.keys(notification)), fc.string({ maxLength: 10 })),
        fc.oneof(fc.anything(), fc.constant(undefined), fc.string(), fc.array(fc.string())),
      );
    const mutated = fc.oneof(field(deliveredReport), field(inboundText), field(inboundBinary));
    await fc.assert(
      fc.asyncProperty(mutated, async ([notification, key, value]) => {
        const { handler, events, failures } = harness();
        const text = jsonBody({ ...notification, [key]: value });
        const response = await handler(webhookRequest("websms", text));
        expect(failures).toEqual([]);
        expect([200, 400]).toContain(response.status);
        // A body the parser accepts but whose Base64 does not decode is a 400 too; otherwise they agree.
        if (response.status === 200) expect(parses("websms", text)).toBe(true);
        expect(events).toHaveLength(response.status === 200 ? 1 : 0);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("SmartSwitch forms with arbitrary fields → 200 or 400, agreeing with the parser", async () => {
    const form = fc.array(
      fc.tuple(
        fc.oneof(fc.constantFrom("message_id", "message_state", "request_id"), fc.string()),
        fc.string(),
      ),
      { maxLength: 5 },
    );
    await fc.assert(
      fc.asyncProperty(form, async (pairs) => {
        const { handler, failures } = harness();
        const text = new URLSearchParams(pairs).toString();
        const response = await handler(webhookRequest("smartswitch", text));
        expect(response.status).toBe(parses("smartswitch", text) ? 200 : 400);
        expect(failures).toEqual([]);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
