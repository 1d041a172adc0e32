/**
 * `pnpm demo`: the main job end to end, on the fake gateways of `smskit/testing` (in process, no
 * ports), so every answer matches its request. Sends through each client and through the facade,
 * fails over from a throttled gateway, shows a lost answer reported as unknown, a delivery report
 * and reconciliation against Digify's SMS log. Every step checks what came back; any failure, one
 * message of a batch included, is printed and makes the exit code 1.
 *
 * `DEMO_FAIL=<step>` injects a fault into that step (one refused recipient of three for `send-many`,
 * a server error elsewhere), to show that a failed step is reported: `DEMO_FAIL=send-many pnpm demo`.
 */
import {
  AllProvidersFailedError,
  estimateSegments,
  InvalidRecipientError,
  type SendResult,
  UnknownOutcomeError,
} from "@smskit/core";
import { createDigifyClient } from "@smskit/digify";
import { createF24Client } from "@smskit/f24";
import { createSmartSwitchClient } from "@smskit/smartswitch";
import { createWebsmsClient } from "@smskit/websms";
import {
  createMessenger,
  digify,
  f24,
  parseDeliveryReport,
  type SmsKitError,
  smartSwitch,
  websms,
} from "smskit";
import { createFakeGateway } from "smskit/testing";

const gateways = {
  digify: createFakeGateway("digify"),
  websms: createFakeGateway("websms"),
  f24: createFakeGateway("f24"),
  smartswitch: createFakeGateway("smartswitch"),
};
const via = (name: keyof typeof gateways) => ({
  baseUrl: gateways[name].baseUrl,
  fetch: gateways[name].fetch,
});

interface Step {
  id: string;
  title: string;
  /** The fault `DEMO_FAIL=<id>` injects before the step runs. */
  inject: () => void;
  /** Resolves to a one-line summary, or throws what went wrong. */
  run: () => Promise<string>;
}

class StepFailed extends Error {}
function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new StepFailed(what);
}

const segmentsOf = (count: number) => `${count} segment${count === 1 ? "" : "s"}`;
/** `websms: throttled (4023) → digify: queued`, the path a message took through the providers. */
function route(result: SendResult): string {
  const refused = (result.attempts ?? []).map(
    ({ provider, error }) => `${provider}: ${describeRefusal(error)}`,
  );
  return [...refused, `${result.provider}: ${result.status}`].join(" → ");
}
function describeRefusal(error: SmsKitError): string {
  const reason = error.kind === "rate_limit" ? "throttled" : error.kind.replace(/_/g, " ");
  return error.code === undefined ? reason : `${reason} (${error.code})`;
}

const messenger = createMessenger({
  providers: [
    websms({ accessToken: "demo-websms-token", retry: false, ...via("websms") }),
    digify({ accessToken: "demo-digify-token", retry: false, ...via("digify") }),
    f24({
      accessKey: "demo-key",
      accessToken: "demo-token",
      defaultFrom: "smskit",
      retry: false,
      ...via("f24"),
    }),
    smartSwitch({ login: "demo", password: "demo-password", retry: false, ...via("smartswitch") }),
  ],
});

const steps: Step[] = [
  {
    id: "digify",
    title: "digify client: an SMS and an e-mail in one batch",
    inject: () => gateways.digify.failNext("server-error"),
    async run() {
      const client = createDigifyClient({ accessToken: "demo-digify-token", retry: false, ...via("digify") });
      // Over 160 characters, so two segments: Digify counts them, and charges a credit for each.
      const text = "Hei fra smskit! ".repeat(12);
      const answer = await client.send({
        messages: [
          { type: "sms", id: "demo-1", destAddr: "4712345678", msg: text },
          {
            type: "email",
            sourceAddr: "noreply@example.com",
            destAddr: "user@example.com",
            subject: "Hei",
            body: "<p>Hei!</p>",
          },
        ],
      });
      const [sms, email] = answer.results;
      check(sms?.type === "sms" && sms.id === "demo-1", "the SMS result does not echo id demo-1");
      check(
        sms.msgCount === estimateSegments(text).segments,
        `msgCount ${sms.msgCount} is not the text's segments`,
      );
      check(email?.type === "email", "the second result is not the e-mail's");
      return `SMS ${sms.messageId} ${sms.status} (${segmentsOf(sms.msgCount)}), e-mail ${email.emailId} ${email.status}, ${answer.summary.creditsUsed} credits`;
    },
  },
  {
    id: "websms",
    title: "websms client: one text to two recipients",
    inject: () => gateways.websms.failNext("server-error"),
    async run() {
      const client = createWebsmsClient({ accessToken: "demo-websms-token", retry: false, ...via("websms") });
      const answer = await client.sendText({
        recipientAddressList: ["4369912345678", "4367612345678"],
        messageContent: "Servus von smskit!",
        clientMessageId: "demo-2",
      });
      check(answer.clientMessageId === "demo-2", "clientMessageId is not echoed");
      check(answer.smsCount === 2, `smsCount is ${answer.smsCount}, not 2`);
      return `statusCode ${answer.statusCode}, transfer ${answer.transferId}, ${answer.smsCount} SMS`;
    },
  },
  {
    id: "f24",
    title: "f24 client: SendSMSExt with two messages",
    inject: () => gateways.f24.failNext("server-error"),
    async run() {
      const client = createF24Client({
        accessKey: "demo-key",
        accessToken: "demo-token",
        retry: false,
        ...via("f24"),
      });
      const recipients = ["+4712345678", "+4798765432"];
      const answer = await client.sendSmsExt({
        Messages: recipients.map((Recipient) => ({
          Sender: "smskit",
          Recipient,
          Content: "Hei fra smskit!",
        })),
      });
      check(
        answer.Recipients.every((entry, index) => entry.Valid && entry.Recipient === recipients[index]),
        "the answer does not list both recipients as valid, in order",
      );
      return `batch ${answer.BatchId}: ${answer.Status}`;
    },
  },
  {
    id: "smartswitch",
    title: "smartswitch client: two recipient groups",
    inject: () => gateways.smartswitch.failNext("server-error"),
    async run() {
      const client = createSmartSwitchClient({
        login: "demo",
        password: "demo-password",
        retry: false,
        ...via("smartswitch"),
      });
      const report = await client.sendMessages([
        { to: "+4712345678", body: "Hello from smskit", requireDlr: true, requestId: "demo-3" },
        { to: "+12123388100", body: "Hello again", requireDlr: true, requestId: "demo-4" },
      ]);
      const resources = report.messages as Array<{
        id: string;
        attributes: { destination_number: string; status: string };
      }>;
      check(
        resources.length === 2 && resources.every((resource) => resource.attributes.status === "ok"),
        "not every recipient was sent",
      );
      return resources
        .map((resource) => `${resource.attributes.destination_number}: id ${resource.id}`)
        .join(", ");
    },
  },
  {
    id: "failover",
    title: "facade: websms throttled, the message fails over",
    inject: () => gateways.digify.failNext("server-error"),
    async run() {
      gateways.websms.failNext("throttle");
      const result = await messenger.send({
        to: "+47 412 34 567",
        text: "Failover works",
        clientRef: "demo-5",
      });
      check(result.provider === "digify", `sent by ${result.provider}, not digify`);
      check(result.attempts?.[0]?.provider === "websms", "the websms attempt is not listed");
      return route(result);
    },
  },
  {
    id: "pinned",
    title: "facade: pinned to f24, then to smartswitch",
    inject: () => gateways.smartswitch.failNext("server-error"),
    async run() {
      const lines: string[] = [];
      for (const provider of ["f24", "smartswitch"] as const) {
        const result = await messenger.send({ to: "+4712345678", text: "Hei!", provider });
        check(result.provider === provider, `sent by ${result.provider}, not ${provider}`);
        lines.push(`${route(result)} (id ${result.providerMessageId})`);
      }
      return lines.join("; ");
    },
  },
  {
    id: "send-many",
    title: "facade: sendMany, three messages (websms is cooling down after its throttling)",
    // Digify throttled, so the batch fails over to F24, which refuses one recipient of three.
    inject: () => {
      gateways.digify.failNext("throttle");
      gateways.f24.failNext("reject-recipient", { recipient: "+4798765432" });
    },
    async run() {
      const messages = [
        { to: "+4712345678", text: "first" },
        { to: "+4798765432", text: "second 😀" },
        { to: "+4741234567", text: "third" },
      ];
      const outcomes = await messenger.sendMany(messages);
      const failed = outcomes.flatMap((outcome, index) =>
        outcome.ok ? [] : [`message ${index + 1} to ${messages[index]?.to}: ${outcome.error.message}`],
      );
      check(failed.length === 0, failed.join("; "));
      return outcomes
        .map((outcome) => (outcome.ok ? `${outcome.result.to}: ${route(outcome.result)}` : ""))
        .join(", ");
    },
  },
  {
    id: "invalid-number",
    title: "facade: a national number is refused before anything is sent",
    inject: () => {},
    async run() {
      const before = gateways.websms.requests.length + gateways.digify.requests.length;
      const error = await messenger.send({ to: "412 34 567", text: "x" }).catch((caught: unknown) => caught);
      check(error instanceof InvalidRecipientError, "no InvalidRecipientError");
      check(
        gateways.websms.requests.length + gateways.digify.requests.length === before,
        "a request went out",
      );
      return `${error.name}: ${error.message}`;
    },
  },
  {
    id: "lost-answer",
    title: "facade: the answer is lost after digify took the message: unknown outcome, not resent",
    inject: () => gateways.digify.failNext("server-error"),
    async run() {
      gateways.digify.failNext("lose-answer");
      const error = await messenger
        .send({ to: "+4790000001", text: "Your code is 123456", clientRef: "otp-1", provider: "digify" })
        .catch((caught: unknown) => caught);
      if (error instanceof AllProvidersFailedError || !(error instanceof UnknownOutcomeError)) {
        throw new StepFailed(
          `expected UnknownOutcomeError, got ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      const copies = gateways.digify.sent.filter((message) => message.clientRef === "otp-1");
      check(copies.length === 1, `digify holds ${copies.length} copies`);
      const log = await createDigifyClient({ accessToken: "demo-digify-token", ...via("digify") }).smsLogs({
        limit: 1,
      });
      check(log.data[0]?.msg === "Your code is 123456", "the SMS log does not show the message");
      return `UnknownOutcomeError; digify's SMS log shows message ${log.data[0]?.messageId} once, so it is not sent again`;
    },
  },
  {
    id: "delivery-report",
    title: "delivery reports: websms JSON and a SmartSwitch form receipt, parsed",
    inject: () => {
      throw new StepFailed("injected: the webhook receiver is down");
    },
    async run() {
      const [websmsMessage] = gateways.websms.sent;
      const [smartSwitchMessage] = gateways.smartswitch.sent;
      check(websmsMessage !== undefined && smartSwitchMessage !== undefined, "nothing was sent to report on");
      const websmsReport = parseDeliveryReport(
        "websms",
        await gateways.websms.deliveryReport(websmsMessage, "delivered").json(),
      );
      const receipt = parseDeliveryReport(
        "smartswitch",
        await gateways.smartswitch.deliveryReport(smartSwitchMessage, "undeliverable").text(),
      );
      check(
        websmsReport.status === "delivered" && receipt.status === "failed",
        "a report maps to the wrong status",
      );
      return `websms ${websmsReport.providerMessageId}: ${websmsReport.status}; smartswitch ${receipt.providerMessageId}: ${receipt.providerStatus} → ${receipt.status}`;
    },
  },
];

const failing = process.env.DEMO_FAIL;
if (failing !== undefined && !steps.some((step) => step.id === failing)) {
  console.error(
    `demo: DEMO_FAIL=${failing} names no step; steps: ${steps.map((step) => step.id).join(", ")}`,
  );
  process.exit(2);
}

console.log(`smskit demo: ${steps.length} steps on the fake gateways of smskit/testing\n`);
const failed: string[] = [];
for (const step of steps) {
  try {
    if (step.id === failing) step.inject();
    console.log(`✔ ${step.title}\n    ${await step.run()}`);
  } catch (error) {
    failed.push(step.id);
    console.log(`✘ ${step.title}\n    ${error instanceof Error ? error.message : String(error)}`);
  }
}
console.log(
  failed.length === 0
    ? `\ndemo: all ${steps.length} steps passed`
    : `\ndemo: ${failed.length} of ${steps.length} steps failed (${failed.join(", ")})`,
);
process.exitCode = failed.length === 0 ? 0 : 1;
