import { Hono } from "hono";
import { createMessenger, websms } from "smskit";
import { createWebhookHandler } from "smskit/webhooks";

// Who replied STOP, and the last state of each message: use your database in production.
export const optedOut = new Set<string>();
export const lastStatus = new Map<string, string>();

const webhooks = createWebhookHandler({
  providers: ["websms", "smartswitch"],
  // Callback URLs: https://your.host/webhooks/websms?token=… and …/webhooks/smartswitch?token=…
  authenticate: { token: process.env.WEBHOOK_TOKEN ?? "" },
  onEvent: async (event) => {
    if (event.type === "inbound" && event.optOut) optedOut.add(event.from);
    if (event.type === "delivery") lastStatus.set(event.clientRef ?? event.providerMessageId, event.status);
  },
});

export const app = new Hono();
app.post("/webhooks/:provider", (c) => webhooks(c.req.raw));

// A number that replied STOP is refused with OptedOutError before any gateway is called.
export const messenger = createMessenger({
  providers: [
    websms({ accessToken: process.env.WEBSMS_ACCESS_TOKEN ?? "", baseUrl: process.env.WEBSMS_BASE_URL }),
  ],
  isOptedOut: (to) => optedOut.has(to),
});
