import { describe, expect, inject, it } from "vitest";
import { observedFetch } from "../../../tools/testing/fetch.js";
import { runCli } from "../src/cli-run.js";
import { createFakeGateway } from "../src/testing/index.js";

const TOKEN = "tok_0123456789abcdefghij";

async function run(argv: string[], env: Record<string, string> = {}, prefer?: string) {
  const out: string[] = [];
  const err: string[] = [];
  const observed = observedFetch(prefer === undefined ? {} : { prefer });
  const code = await runCli(argv, {
    env,
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    fetch: observed.fetch,
  });
  return { code, stdout: out.join("\n"), stderr: err.join("\n"), observed };
}

describe("smskit segments", () => {
  it("explains the cost of a text", async () => {
    expect((await run(["segments", "hello"])).stdout).toBe("1 segment(s), GSM-7, 5 units (160 per segment)");
    const curly = await run(["segments", "it’s"]);
    expect(curly.stdout).toBe('1 segment(s), UCS-2, 4 units (70 per segment); UCS-2 because of "’"');
  });

  it("prints JSON with --json", async () => {
    const { stdout, code } = await run(["segments", "x".repeat(161), "--json"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ encoding: "GSM-7", segments: 2, units: 161, perSegment: 153 });
  });
});

describe("smskit send", () => {
  it("checks and prints a message without sending it under --dry-run", async () => {
    const { code, stdout, observed } = await run([
      "send",
      "--provider",
      "digify",
      "--to",
      "+47 123 45 678",
      "--text",
      "hi",
      "--dry-run",
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^digify: simulated, id digify-1, 1 GSM-7 segment\(s\) to \+4712345678 \(dry run/);
    expect(observed.exchanges).toHaveLength(0);
  });

  it("sends through a real client with credentials from the environment", async () => {
    const env = { DIGIFY_ACCESS_TOKEN: TOKEN, DIGIFY_BASE_URL: inject("mockUrls").digify as string };
    const { code, stdout, observed } = await run(
      ["send", "--provider", "digify", "--to", "+4712345678", "--text", "hi", "--json"],
      env,
      // The example that fits any single message (the default one echoes another message id).
      "example=simulationMode",
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ provider: "digify", status: "simulated", to: "+4712345678" });
    expect(observed.last.violations).toEqual([]);
  });

  it("exits 1 with the typed error's message, never the token, when the gateway refuses", async () => {
    const env = { DIGIFY_ACCESS_TOKEN: TOKEN, DIGIFY_BASE_URL: inject("mockUrls").digify as string };
    const { code, stderr } = await run(
      ["send", "--provider", "digify", "--to", "+4712345678", "--text", "hi"],
      env,
      "code=401",
    );
    expect(code).toBe(1);
    expect(stderr).toContain("AUTHENTICATION_FAILED");
    expect(stderr).not.toContain(TOKEN);
  });

  it("exits 1 on a number that is not E.164, before any request (sending for real, not a dry run)", async () => {
    const env = { DIGIFY_ACCESS_TOKEN: TOKEN, DIGIFY_BASE_URL: inject("mockUrls").digify as string };
    const { code, stderr, observed } = await run(
      ["send", "--provider", "digify", "--to", "12345678", "--text", "hi"],
      env,
    );
    expect(code).toBe(1);
    expect(stderr).toContain("is not an international phone number");
    expect(stderr).not.toMatch(/^smskit: \[/);
    expect(observed.exchanges).toHaveLength(0);
  });

  it.each([
    [["send", "--provider", "digify", "--text", "hi"], "smskit send: --to is required (smskit send --help)"],
    [["send", "--provider", "nope", "--to", "+4712345678", "--text", "hi"], 'unknown provider "nope"'],
    [
      ["send", "--provider", "digify", "--to", "+4712345678", "--text", "hi"],
      "DIGIFY_ACCESS_TOKEN is not set",
    ],
    [["send", "--bogus"], "Unknown option"],
    [["frobnicate"], 'smskit: unknown command "frobnicate" (smskit --help lists them)'],
  ])("exits 2 on %j with one line and a hint, not the whole usage", async (argv, message) => {
    const { code, stderr } = await run(argv);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr.split("\n")).toHaveLength(1);
    expect(stderr).not.toContain("Usage:");
  });
});

describe("help and version", () => {
  it("prints the version of the package", async () => {
    const { code, stdout } = await run(["--version"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("lists the commands aligned, and each command's own usage with --help and -h", async () => {
    const { stdout } = await run(["--help"]);
    const lines = stdout.split("\n").filter((line) => /^ {2}(send|segments|webhooks|mock|queue) /.test(line));
    expect(lines).toHaveLength(5);
    expect(
      new Set(lines.map((line) => line.search(/\S/u) + (line.slice(2).match(/^\S+\s+/)?.[0].length ?? 0)))
        .size,
    ).toBe(1);
    for (const command of ["send", "segments", "webhooks", "mock"]) {
      for (const flag of ["--help", "-h"]) {
        const help = await run([command, flag]);
        expect(help.code).toBe(0);
        expect(help.stdout).toMatch(new RegExp(`^Usage: smskit ${command}`));
      }
    }
  });
});

describe("failover in the output", () => {
  it("names each attempt, also in --json", async () => {
    const websms = createFakeGateway("websms");
    const digify = createFakeGateway("digify");
    websms.failNext("throttle", { times: 100, retryAfterSeconds: 0 });
    // One fetch for the CLI: each request goes to the fake its URL names.
    const fetch = (request: Request) =>
      (request.url.startsWith(websms.baseUrl) ? websms : digify).fetch(request);
    const env = {
      WEBSMS_ACCESS_TOKEN: "ws-token-123",
      WEBSMS_BASE_URL: websms.baseUrl,
      DIGIFY_ACCESS_TOKEN: TOKEN,
      DIGIFY_BASE_URL: digify.baseUrl,
    };
    const io = (out: string[]) => ({
      env,
      stdout: (text: string) => out.push(text),
      stderr: () => {},
      fetch,
    });
    const text: string[] = [];
    const argv = ["send", "--provider", "websms,digify", "--to", "+4712345678", "--text", "hi"];
    expect(await runCli(argv, io(text))).toBe(0);
    expect(text[0]).toMatch(
      /^websms: throttled \(4023\) → digify: queued, id \S+, 1 GSM-7 segment\(s\) to \+4712345678$/,
    );
    const json: string[] = [];
    expect(await runCli([...argv, "--json"], io(json))).toBe(0);
    const result = JSON.parse(json[0] as string);
    expect(result.provider).toBe("digify");
    expect(result.attempts).toEqual([
      expect.objectContaining({ provider: "websms", kind: "rate_limit", code: 4023 }),
    ]);
  });
});
