import express from "express";
import { createWebhookHandler, type SmsEvent, toNodeListener } from "smskit/webhooks";

export const received: SmsEvent[] = [];

const webhooks = createWebhookHandler({
  providers: ["websms", "smartswitch"],
  authenticate: { token: process.env.WEBHOOK_TOKEN ?? "" },
  onEvent: async (event) => {
    received.push(event);
  },
});

export const app: express.Express = express();
// No express.json() in front: the handler reads the body itself, and stops reading at 64 KiB.
app.post("/webhooks/:provider", toNodeListener(webhooks));
