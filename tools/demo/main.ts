/**
 * `pnpm demo`: the main job end to end. Starts the four mock gateways, sends through each client
 * and through the facade (with failover from a throttled gateway), prints what came back. Every mock
 * is stopped on the way out, also when a step fails; the exit code says whether all steps passed.
 */
import { createDigifyClient } from "@smskit/digify";
import { createF24Client } from "@smskit/f24";
import { createSmartSwitchClient } from "@smskit/smartswitch";
import { createWebsmsClient } from "@smskit/websms";
import { createMessenger, digify, f24, smartSwitch, websms } from "smskit";
import { type RunningMock, startMocks } from "../mock/prism.js";

const mocks: RunningMock[] = await startMocks(["digify", "websms", "f24", "smartswitch"]);
const url = (provider: string): string => mocks.find((mock) => mock.provider === provider)?.url as string;
let failures = 0;

async function step(title: string, run: () => Promise<unknown>): Promise<void> {
  try {
    const result = await run();
    console.log(`✔ ${title}\n${JSON.stringify(result, null, 2)}\n`);
  } catch (error) {
    failures += 1;
    console.error(`✘ ${title}: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}

/** A fetch that asks the websms mock for its in-body throttling answer (statusCode 4023), to show failover. */
const throttledFetch = (request: Request) => {
  const throttled = new Request(request);
  throttled.headers.set("Prefer", "example=throttled");
  return fetch(throttled);
};

try {
  console.log(
    `mock gateways:\n${mocks.map((mock) => `  ${mock.provider.padEnd(12)} ${mock.url}`).join("\n")}\n`,
  );

  const digifyClient = createDigifyClient({ accessToken: "demo-token-0123456789ab", baseUrl: url("digify") });
  await step("digify: SMS", () =>
    digifyClient.send({
      messages: [{ type: "sms", id: "demo-1", destAddr: "4712345678", msg: "Hei fra smskit!" }],
    }),
  );
  await step("digify: e-mail", () =>
    digifyClient.send({
      messages: [
        {
          type: "email",
          sourceAddr: "noreply@example.com",
          destAddr: "user@example.com",
          subject: "Hei",
          body: "<p>Hei!</p>",
        },
      ],
    }),
  );

  const websmsClient = createWebsmsClient({ accessToken: "demo-websms-token", baseUrl: url("websms") });
  await step("websms: text SMS", () =>
    websmsClient.sendText({
      recipientAddressList: ["4369912345678"],
      messageContent: "Servus von smskit!",
      clientMessageId: "demo-2",
    }),
  );

  const f24Client = createF24Client({
    accessKey: "demo-key",
    accessToken: "demo-token",
    baseUrl: url("f24"),
  });
  await step("f24: SendSMSExt", () =>
    f24Client.sendSmsExt({
      Messages: [{ Sender: "smskit", Recipient: "+4712345678", Content: "Hei fra smskit!" }],
    }),
  );

  const smartSwitchClient = createSmartSwitchClient({
    login: "demo",
    password: "demo-password",
    baseUrl: url("smartswitch"),
  });
  await step("smartswitch: message", () =>
    smartSwitchClient.sendMessages([
      { to: "+12123388100", body: "Hello from smskit", requireDlr: true, requestId: "demo-3" },
    ]),
  );

  const messenger = createMessenger({
    providers: [
      websms({
        accessToken: "demo-websms-token",
        baseUrl: url("websms"),
        fetch: throttledFetch,
        retry: false,
      }),
      digify({ accessToken: "demo-token-0123456789ab", baseUrl: url("digify") }),
      f24({ accessKey: "demo-key", accessToken: "demo-token", baseUrl: url("f24"), defaultFrom: "smskit" }),
      smartSwitch({ login: "demo", password: "demo-password", baseUrl: url("smartswitch") }),
    ],
  });
  await step("facade: websms throttled (statusCode 4023 in a 200), failover to digify", () =>
    messenger.send({ to: "+47 123 45 678", text: "Failover works", clientRef: "demo-4" }),
  );
  for (const provider of ["f24", "smartswitch"]) {
    await step(`facade: pinned to ${provider}`, () =>
      messenger.send({ to: "+4712345678", text: "Hei!", provider }),
    );
  }
  await step("facade: sendMany (websms is cooling down, so digify takes the batch)", () =>
    messenger.sendMany([
      { to: "+4712345678", text: "first" },
      { to: "+4798765432", text: "second 😀" },
      { to: "not-a-number", text: "reported in its place, nothing else is lost" },
    ]),
  );
} finally {
  await Promise.all(mocks.map((mock) => mock.stop()));
}
console.log(failures === 0 ? "demo: every step passed" : `demo: ${failures} step(s) failed`);
process.exit(failures === 0 ? 0 : 1);
