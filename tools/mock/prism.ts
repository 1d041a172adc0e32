/**
 * Starts `prism mock` for one of our specs on a free loopback port and guarantees it stops.
 *
 * Prism is spawned as `node <prism-cli>` directly (no pnpm shim), so the PID we hold is Prism
 * itself, in its own process group. Three layers make sure no server outlives a test run:
 * `stop()` on normal teardown, a `process.on("exit")` hook for SIGINT/SIGTERM, and a preloaded
 * stdin watchdog that exits Prism when our end of the pipe closes (covers SIGKILL of the parent).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

export const PROVIDERS = ["digify", "websms", "f24", "smartswitch"] as const;
export type MockedProvider = (typeof PROVIDERS)[number];

const PRISM_CLI = createRequire(import.meta.url).resolve("@stoplight/prism-cli/dist/index.js");
const DIE_WITH_PARENT =
  "data:text/javascript,process.stdin.on('end',()=>process.exit(0));process.stdin.on('error',()=>process.exit(0));process.stdin.resume();";
const MAX_LOG_CHARS = 20_000;

export function specPath(provider: string): string {
  return fileURLToPath(new URL(`../../specs/${provider}/openapi.yaml`, import.meta.url));
}

export interface RunningMock {
  provider: string;
  url: string;
  pid: number;
  /** The last lines Prism printed, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

export interface StartMockOptions {
  port?: number;
  /** How long to wait for Prism's first HTTP answer. Default 60 s (2 cores, several Prisms at once). */
  startTimeoutMs?: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

export async function startMock(provider: string, options: StartMockOptions = {}): Promise<RunningMock> {
  const spec = specPath(provider);
  if (!existsSync(spec)) throw new Error(`no spec for provider "${provider}" at ${spec}`);
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    process.execPath,
    // `-v warn`: Prism's CLI log formatter crashes the server (reading `index` of an undefined log
    // colour) when request log lines interleave under load; with only warnings there are none.
    [
      "--import",
      DIE_WITH_PARENT,
      PRISM_CLI,
      "mock",
      "-h",
      "127.0.0.1",
      "-p",
      String(port),
      "-v",
      "warn",
      spec,
    ],
    { detached: true, stdio: ["pipe", "pipe", "pipe"] },
  );
  let log = "";
  const append = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-MAX_LOG_CHARS);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  const onExit = () => killGroup(child, "SIGKILL");
  process.once("exit", onExit);

  const stop = async (): Promise<void> => {
    process.off("exit", onExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    killGroup(child, "SIGTERM");
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), 3_000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) {
      process.off("exit", onExit);
      throw new Error(`Prism for ${provider} exited early (code ${child.exitCode}):\n${log}`);
    }
    try {
      // Any HTTP status means Prism is listening.
      await fetch(`${url}/`, { signal: AbortSignal.timeout(1_000) });
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`Prism for ${provider} did not answer on ${url} in time:\n${log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return { provider, url, pid: child.pid as number, log: () => log, stop };
}

/** Starts several mocks in parallel; if one fails, the others are stopped before the error propagates. */
export async function startMocks(
  providers: readonly string[],
  options?: StartMockOptions,
): Promise<RunningMock[]> {
  const settled = await Promise.allSettled(providers.map((provider) => startMock(provider, options)));
  const failed = settled.find((result) => result.status === "rejected");
  if (failed) {
    await Promise.all(
      settled.map((result) => (result.status === "fulfilled" ? result.value.stop() : undefined)),
    );
    throw (failed as PromiseRejectedResult).reason;
  }
  return settled.map((result) => (result as PromiseFulfilledResult<RunningMock>).value);
}
