/** The CLI through the real `smskit` bin (which loads @smskit/queue lazily), and the dashboard in Debian's chromium. */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { digify } from "smskit";
import { afterAll, beforeAll, expect, test } from "vitest";
import { runQueueCommand } from "../../src/cli.js";
import { startDashboard } from "../../src/dashboard.js";
import { createSmsWorker } from "../../src/index.js";
import { type FakeGateway, startFakeGateway } from "../fake-gateway.js";
import { producer, queueName, redisUrl } from "./helpers.js";

const BIN = fileURLToPath(new URL("../../../smskit/dist/cli.js", import.meta.url));
let gateway: FakeGateway;

beforeAll(async () => {
  gateway = await startFakeGateway();
});
afterAll(async () => {
  await gateway?.close();
});

function smskit(args: string[]) {
  const run = spawnSync(process.execPath, [BIN, ...args], {
    encoding: "utf8",
    env: { ...process.env, DIGIFY_BASE_URL: gateway.url },
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

test("smskit queue status --json through the bin prints the counts per state", async () => {
  const name = queueName("cli-status");
  const queue = producer(redisUrl(), name);
  await queue.enqueue({ to: "+4712345678", text: "status", clientRef: "s1" });
  const run = smskit(["queue", "status", "--redis", redisUrl(), "--name", name, "--json"]);
  expect(run.code).toBe(0);
  expect(JSON.parse(run.stdout)).toEqual({
    counts: { queued: 1, scheduled: 0, sending: 0, sent: 0, failed: 0, unknown: 0 },
  });
  const one = smskit(["queue", "status", "--redis", redisUrl(), "--name", name, "--client-ref", "s1"]);
  expect(one.stdout).toMatch(/^s1: queued/);
  expect(smskit(["queue", "status"]).code).toBe(2);
  await queue.close();
});

test("smskit queue send --file --wait: bad rows reported by line and not queued; progress as plain lines off a TTY; exit 1 unless all sent", async () => {
  const name = queueName("cli-send");
  const dir = mkdtempSync(join(tmpdir(), "smskit-csv-"));
  const file = join(dir, "recipients.csv");
  writeFileSync(
    file,
    'to,text,clientRef\n+4712345678,"Hei, du",c1\nnot-a-number,x,c2\n+4712345679,,c3\n+4712345670,x,c4,extra\n',
  );
  const worker = createSmsWorker({
    connection: redisUrl(),
    name,
    providers: [digify({ accessToken: "test-token-0123456789ab", baseUrl: gateway.url, retry: false })],
  });
  const out: string[] = [];
  const err: string[] = [];
  const progress: string[] = [];
  const code = await runQueueCommand(
    ["send", "--redis", redisUrl(), "--name", name, "--file", file, "--text", "from the flag", "--wait"],
    {
      env: {},
      stdout: (text) => out.push(text),
      stderr: (text) => err.push(text),
      progress: Object.assign(new (await import("node:stream")).PassThrough(), { isTTY: false }).on(
        "data",
        (chunk) => progress.push(String(chunk)),
      ),
    },
  );
  await worker.close();
  expect(err.join("\n")).toMatch(/line 3: .*not-a-number/);
  expect(err.join("\n")).toMatch(/line 5: .*Invalid Record Length/);
  expect(out[0]).toBe("2 queued, 0 already queued (same clientRef), 2 bad row(s) not queued");
  expect(out.at(-1)).toBe("2 sent, 0 failed, 0 unknown");
  expect(code).toBe(1);
  expect(gateway.accepted.get("c1")).toBe(1);
  expect(gateway.log.find((entry) => entry.destAddr === "4712345679")?.msg).toBe("from the flag");
  expect(gateway.received.has("c2")).toBe(false);
  expect(progress.join("")).not.toContain("\u001b[");
});

test.skipIf(!existsSync("/usr/bin/chromium") && process.env.CI !== "true")(
  "the dashboard (Bull Board on loopback) shows the queue and its counts in chromium",
  async () => {
    const name = queueName("cli-board");
    const queue = producer(redisUrl(), name);
    await queue.enqueueMany([
      { to: "+4712345678", text: "a", clientRef: "d1" },
      { to: "+4712345678", text: "b", clientRef: "d2" },
    ]);
    const board = await startDashboard({ connection: redisUrl(), name, port: 0 });
    const browser = await chromium.launch({ executablePath: "/usr/bin/chromium" });
    try {
      expect(board.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await browser.newPage();
      await page.goto(board.url);
      await page.getByText(name).first().waitFor({ timeout: 30_000 });
      await page.goto(`${board.url}queue/${encodeURIComponent(name)}?status=waiting`);
      await page.getByText("sms-d1").first().waitFor({ timeout: 30_000 });
      const body = (await page.locator("body").textContent()) ?? "";
      expect(body).toContain(name);
      expect(body).toMatch(/Waiting\s*2|2\s*Waiting/i);
    } finally {
      await browser.close();
      await board.close();
      await queue.close();
    }
  },
);
