/** `smskit mock`: the fakes on loopback ports, in process and as the real command. */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runMock } from "../../src/cli-mock.js";
import { runCli } from "../../src/cli-run.js";

function io() {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const controller = new AbortController();
  let printed = () => {};
  return {
    stdout,
    stderr,
    controller,
    /** Resolves once `count` lines are on stdout. */
    printed: (count: number) =>
      new Promise<void>((resolve) => {
        printed = () => stdout.length >= count && resolve();
        printed();
      }),
    io: {
      stdout: (text: string) => {
        stdout.push(text);
        printed();
      },
      stderr: (text: string) => stderr.push(text),
      signal: controller.signal,
    },
  };
}

const variables = (lines: string[]) =>
  Object.fromEntries(lines.map((line) => line.split("=", 2) as [string, string]));

describe("smskit mock", () => {
  it("serves the named gateways, prints their *_BASE_URL lines, logs each request and stops on abort", async () => {
    const run = io();
    const done = runMock(["f24", "smartswitch", "--port", "0"], run.io);
    await run.printed(2);
    const urls = variables(run.stdout);
    expect(Object.keys(urls)).toEqual(["F24_BASE_URL", "SMARTSWITCH_BASE_URL"]);
    const out: string[] = [];
    const code = await runCli(["send", "--provider", "smartswitch", "--to", "+4712345678", "--text", "Hei"], {
      env: {
        SMARTSWITCH_LOGIN: "l",
        SMARTSWITCH_PASSWORD: "secret-pw",
        SMARTSWITCH_BASE_URL: urls.SMARTSWITCH_BASE_URL,
      },
      stdout: (t) => out.push(t),
      stderr: (t) => out.push(t),
    });
    expect(code).toBe(0);
    expect(out.join("\n")).toMatch(/^smartswitch: accepted, id \d+, 1 GSM-7 segment\(s\) to \+4712345678/);
    expect(run.stderr.some((line) => /^smartswitch +POST \/api\/message → 200$/.test(line))).toBe(true);
    expect(run.stderr.join("\n")).not.toContain("secret-pw");
    run.controller.abort();
    expect(await done).toBe(0);
    await expect(fetch(`${urls.F24_BASE_URL}/SendSMSExt`, { method: "POST" })).rejects.toThrow();
  });

  it("refuses an unknown gateway and a bad port with exit code 2", async () => {
    const unknown = io();
    expect(await runMock(["digfy"], unknown.io)).toBe(2);
    expect(unknown.stderr.join("\n")).toContain(
      'unknown gateway "digfy"; choose from digify, websms, f24, smartswitch',
    );
    const port = io();
    expect(await runMock(["--port", "http"], port.io)).toBe(2);
    expect(port.stdout).toEqual([]);
  });

  it("says which port is taken, and leaves nothing listening", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const run = io();
      expect(await runMock(["digify", "--port", String(taken)], run.io)).toBe(1);
      expect(run.stderr.join("\n")).toContain(`port ${taken} is in use`);
      expect(run.stdout).toEqual([]);
    } finally {
      blocker.close();
    }
  });

  it("runs as the real command until SIGTERM", async () => {
    const cli = fileURLToPath(new URL("../../src/cli.ts", import.meta.url));
    const child = spawn(process.execPath, ["--import", "tsx", cli, "mock", "digify", "--port", "0"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const lines = createInterface({ input: child.stdout });
      const [line] = (await once(lines, "line")) as [string];
      const [name, url] = line.split("=");
      expect(name).toBe("DIGIFY_BASE_URL");
      const response = await fetch(`${url}/health`);
      expect(await response.json()).toMatchObject({ status: "healthy" });
      child.kill("SIGTERM");
      const [code] = await once(child, "exit");
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 60_000);
});
