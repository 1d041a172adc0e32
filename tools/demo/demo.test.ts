/** `pnpm demo` tells the truth: exit 0 with the right summary when every step passes, 1 when one fails. */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const DEMO = fileURLToPath(new URL("./main.ts", import.meta.url));

function demo(env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", DEMO],
      { env: { ...process.env, ...env }, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("pnpm demo", () => {
  it("passes every step, shows the failover path, and exits 0", async () => {
    const run = await demo();
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).not.toContain("✘");
    expect(run.stdout).toContain("websms: throttled (4023) → digify: queued");
    expect(run.stdout).toMatch(/UnknownOutcomeError; digify's SMS log shows message \d+ once/);
    expect(run.stdout.trim().split("\n").at(-1)).toBe("demo: all 10 steps passed");
  });

  it("fails when one message of a sendMany fails, naming it, and exits 1", async () => {
    const run = await demo({ DEMO_FAIL: "send-many" });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("✘ facade: sendMany");
    expect(run.stdout).toContain("message 2 to +4798765432: [f24] F24 did not accept");
    expect(run.stdout.trim().split("\n").at(-1)).toBe("demo: 1 of 10 steps failed (send-many)");
  });

  it.each(["digify", "failover", "delivery-report"])("fails when step %s fails", async (step) => {
    const run = await demo({ DEMO_FAIL: step });
    expect(run.code).toBe(1);
    expect(run.stdout.trim().split("\n").at(-1)).toBe(`demo: 1 of 10 steps failed (${step})`);
  });

  it("refuses a DEMO_FAIL that names no step", async () => {
    const run = await demo({ DEMO_FAIL: "nothing" });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("names no step");
  });
});
