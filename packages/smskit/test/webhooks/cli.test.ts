/** `smskit webhooks serve`: in-process through runCli, and once as a real process stopped by SIGTERM. */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli-run.js";
import type { WebhooksCliIo } from "../../src/cli-webhooks.js";
import { deliveredReport, inboundBinary, inboundText, jsonBody, TOKEN } from "./fixtures.js";

interface Session {
  url: string;
  stdout: string[];
  stderr: string[];
  stop(): Promise<number>;
}

/** Runs the command in-process and resolves once it listens. */
async function start(args: string[], env: Record<string, string> = {}): Promise<Session> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const controller = new AbortController();
  let listening!: (url: string) => void;
  const ready = new Promise<string>((resolve) => {
    listening = resolve;
  });
  const io: WebhooksCliIo = {
    env,
    stdout: (text) => stdout.push(text),
    stderr: (text) => {
      stderr.push(text);
      const match = /listening on (http:\/\/\S+)/.exec(text);
      if (match) listening(match[1] as string);
    },
    signal: controller.signal,
  };
  const exit = runCli(["webhooks", ...args], io);
  const url = await Promise.race([
    ready,
    exit.then((code) => Promise.reject(new Error(`exited ${code}: ${stderr}`))),
  ]);
  return {
    url,
    stdout,
    stderr,
    stop: () => {
      controller.abort();
      return exit;
    },
  };
}

async function run(args: string[], env: Record<string, string> = {}) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCli(["webhooks", ...args], {
    env,
    stdout: (text) => stdout.push(text),
    stderr: (text) => stderr.push(text),
  });
  return { code, stdout: stdout.join("\n"), stderr: stderr.join("\n") };
}

const postJson = (url: string, body: unknown) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: jsonBody(body) });

describe("smskit webhooks serve", () => {
  it("prints one line per event, and no token anywhere", async () => {
    const session = await start(["serve", "--port", "0", "--token", TOKEN]);
    expect((await postJson(`${session.url}/websms?token=${TOKEN}`, deliveredReport)).status).toBe(200);
    expect(
      (await postJson(`${session.url}/websms?token=${TOKEN}`, { ...inboundText, textMessageContent: "STOP" }))
        .status,
    ).toBe(200);
    expect((await postJson(`${session.url}/websms?token=${TOKEN}`, inboundBinary)).status).toBe(200);
    const receipt = await fetch(`${session.url}/smartswitch?token=${TOKEN}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "message_id=1561371433517&message_state=undeliverable",
    });
    expect(receipt.status).toBe(200);
    expect((await postJson(`${session.url}/websms?token=wrong-${TOKEN}`, inboundText)).status).toBe(401);
    expect((await postJson(`${session.url}/websms?token=${TOKEN}`, { nope: 1 })).status).toBe(400);
    expect(await session.stop()).toBe(0);

    expect(session.stdout).toEqual([
      "delivery websms 00670eb55d00349e1111: delivered — clientRef 11cf996f-0000-4000-8000-000000000000, +41791111111, 2024-10-15T18:33:03.000Z",
      'inbound websms +4367612345678 → 08282709900001: "STOP" [opt-out]',
      "inbound websms +4366012345678 → 1234: binary, 2 segment(s)",
      "delivery smartswitch 1561371433517: failed (undeliverable)",
    ]);
    expect(session.stderr.slice(1)).toEqual([
      "smskit webhooks: 401 POST /websms: missing or wrong credentials",
      expect.stringMatching(
        /^smskit webhooks: 400 POST \/websms: \[websms\] invalid notification: .*messageType/,
      ),
    ]);
    expect([...session.stdout, ...session.stderr].join("\n")).not.toContain(TOKEN);
  });

  it("prints JSON lines with --json, binary segments as Base64", async () => {
    const session = await start(["serve", "--port", "0", "--token", TOKEN, "--json"]);
    await postJson(`${session.url}/websms?token=${TOKEN}`, deliveredReport);
    await postJson(`${session.url}/websms?token=${TOKEN}`, inboundBinary);
    await session.stop();
    const [delivery, binary] = session.stdout.map((line) => JSON.parse(line));
    expect(delivery).toMatchObject({
      type: "delivery",
      provider: "websms",
      status: "delivered",
      at: "2024-10-15T18:33:03.000Z",
      raw: deliveredReport,
    });
    expect(binary.binary).toEqual({
      segments: ["BQAD/AIBWnVzYW1tZW4=", "BQAD/AICZ2Vmw7xndC4="],
      userDataHeader: true,
    });
  });

  it("takes the token from SMSKIT_WEBHOOK_TOKEN", async () => {
    const session = await start(["serve", "--port", "0"], { SMSKIT_WEBHOOK_TOKEN: TOKEN });
    expect((await postJson(`${session.url}/websms?token=${TOKEN}`, inboundText)).status).toBe(200);
    await session.stop();
  });

  it.each([
    [["serve", "--port", "0"], /--token .*required/],
    [["serve", "--port", "0", "--token", "short-secret"], /at least 16 characters/],
    [["serve", "--token", TOKEN], /--port is required/],
    [["serve", "--port", "http", "--token", TOKEN], /--port must be a number/],
    [["serve", "--port", "70000", "--token", TOKEN], /--port must be a number/],
    [["listen", "--port", "0", "--token", TOKEN], /subcommand: serve/],
    [[], /subcommand: serve/],
    [["serve", "--port", "0", "--token", TOKEN, "--verbose"], /--verbose/],
  ])("refuses %j with exit code 2, one line and a hint to the usage", async (args, message) => {
    const { code, stderr } = await run(args as string[]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).toContain("(smskit webhooks --help)");
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).not.toContain("short-secret");
  });

  it("exits 1 when the port is taken", async () => {
    const session = await start(["serve", "--port", "0", "--token", TOKEN]);
    const port = new URL(session.url).port;
    const { code, stderr } = await run(["serve", "--port", port, "--token", TOKEN]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
    await session.stop();
  });

  it("is listed in the main usage, and its own --help gives the full usage", async () => {
    const lines: string[] = [];
    await runCli(["help"], { env: {}, stdout: (text) => lines.push(text), stderr: () => {} });
    expect(lines.join("\n")).toMatch(/^ {2}webhooks +receive delivery reports/m);
    const help: string[] = [];
    await runCli(["webhooks", "--help"], { env: {}, stdout: (text) => help.push(text), stderr: () => {} });
    expect(help.join("\n")).toContain("smskit webhooks serve --port <n> --token <secret>");
  });
});

describe("smskit webhooks serve as a process", () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child?.exitCode === null && child.pid !== undefined) child.kill("SIGKILL");
  });

  it("serves until SIGTERM and exits 0", async () => {
    const cli = fileURLToPath(new URL("../../src/cli.ts", import.meta.url));
    // One process (node with tsx's loader), not the tsx wrapper: the signal reaches the CLI itself.
    child = spawn(
      process.execPath,
      ["--import", "tsx", cli, "webhooks", "serve", "--port", "0", "--token", TOKEN],
      {
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, NODE_OPTIONS: "" },
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (data: string) => {
      stdout += data;
    });
    const url = await new Promise<string>((resolve, reject) => {
      child?.stderr?.setEncoding("utf8").on("data", (data: string) => {
        stderr += data;
        const match = /listening on (http:\/\/\S+)/.exec(stderr);
        if (match) resolve(match[1] as string);
      });
      child?.once("exit", (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    expect((await postJson(`${url}/websms?token=${TOKEN}`, inboundText)).status).toBe(200);
    const printed = new Promise<void>((resolve) => {
      const check = () => (stdout.includes("\n") ? resolve() : child?.stdout?.once("data", check));
      check();
    });
    await printed;
    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
    expect(stdout).toBe('inbound websms +4367612345678 → 08282709900001: "Hello World"\n');
    expect(stdout + stderr).not.toContain(TOKEN);
    // Starting tsx on a busy 2-core machine can take long; this is a safety net, not a measurement.
  }, 60_000);
});
