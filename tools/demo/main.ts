/**
 * `pnpm demo`: the main job end to end. Starts the mock gateways, sends through each client, prints
 * what came back. Every mock is stopped on the way out, also when a send fails.
 */
import { createDigifyClient } from "@smskit/digify";
import { type RunningMock, startMocks } from "../mock/prism.js";

const mocks: RunningMock[] = await startMocks(["digify"]);
const urls = Object.fromEntries(mocks.map((mock) => [mock.provider, mock.url]));
let failed = false;

async function step(title: string, run: () => Promise<unknown>): Promise<void> {
  try {
    const result = await run();
    console.log(`✔ ${title}\n${JSON.stringify(result, null, 2)}\n`);
  } catch (error) {
    failed = true;
    console.error(`✘ ${title}: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}

try {
  console.log(`mock gateways: ${JSON.stringify(urls)}\n`);
  const digify = createDigifyClient({ accessToken: "demo-token-0123456789ab", baseUrl: urls.digify });
  await step("digify: SMS", () =>
    digify.send({
      messages: [{ type: "sms", id: "demo-1", destAddr: "4712345678", msg: "Hei fra smskit!" }],
    }),
  );
  await step("digify: e-mail", () =>
    digify.send({
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
} finally {
  await Promise.all(mocks.map((mock) => mock.stop()));
}
process.exit(failed ? 1 : 0);
