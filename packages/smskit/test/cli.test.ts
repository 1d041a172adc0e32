import { describe, expect, inject, it } from "vitest";
import { observedFetch } from "../../../tools/mock/observe.js";
import { runCli } from "../src/cli-run.js";

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
    expect(stdout).toMatch(
      /^simulated by digify: id digify-1, 1 GSM-7 segment\(s\) to \+4712345678 \(dry run/,
    );
    expect(observed.exchanges).toHaveLength(0);
  });

  it("sends through a real client with credentials from the environment", async () => {
    const env = { DIGIFY_ACCESS_TOKEN: TOKEN, DIGIFY_BASE_URL: inject("mockUrls").digify as string };
    const { code, stdout, observed } = await run(
      ["send", "--provider", "digify", "--to", "+4712345678", "--text", "hi", "--json"],
      env,
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ provider: "digify", status: "queued", to: "+4712345678" });
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

  it("exits 1 on a number that is not E.164, before any request", async () => {
    const { code, stderr, observed } = await run([
      "send",
      "--provider",
      "digify",
      "--to",
      "12345678",
      "--text",
      "hi",
      "--dry-run",
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain("is not an international phone number");
    expect(observed.exchanges).toHaveLength(0);
  });

  it.each([
    [["send", "--provider", "digify", "--text", "hi"], "--to is required"],
    [["send", "--provider", "nope", "--to", "+4712345678", "--text", "hi"], 'unknown provider "nope"'],
    [
      ["send", "--provider", "digify", "--to", "+4712345678", "--text", "hi"],
      "DIGIFY_ACCESS_TOKEN is not set",
    ],
    [["send", "--bogus"], "Unknown option"],
    [["frobnicate"], 'unknown command "frobnicate"'],
  ])("exits 2 with usage for %j", async (argv, message) => {
    const { code, stderr } = await run(argv);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).toContain("Usage:");
  });
});
