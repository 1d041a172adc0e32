/**
 * Starts Debian's `redis-server` on a free loopback port for a test run and guarantees it stops.
 *
 * redis-server is a native binary, so the stdin watchdog Prism gets (a preloaded module) cannot be
 * injected into it. Instead a tiny detached Node process holds a pipe from us and kills the server's
 * process group when that pipe closes: if the test runner is SIGKILLed, the pipe closes and the
 * server goes with it. `stop()` (normal teardown) and a `process.on("exit")` hook cover the rest.
 *
 * The server runs in its own process group under our control, so a test can `kill()` it (SIGKILL by
 * PID, as a crash would) and `restart()` it on the same port and data directory; with
 * `appendOnly: true` the data survives that, as in production.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface StartRedisOptions {
  port?: number;
  /** AOF with `appendfsync always`, for tests that restart the server and expect nothing lost. Default false. */
  appendOnly?: boolean;
  /** How long to wait for the first PONG. Default 20 s. */
  startTimeoutMs?: number;
}

export interface RunningRedis {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** PID of the redis-server process now running (changes after `restart()`). */
  readonly pid: number;
  /** SIGKILL the server, as a crash would; `restart()` brings it back on the same port and data. */
  kill(): Promise<void>;
  /** Starts the server again after `kill()` (or kills and starts it when it is running). */
  restart(): Promise<void>;
  /** The last lines the server printed, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

const MAX_LOG_CHARS = 20_000;

/** Exits, killing the server's process group, when our pipe closes; `pid <n>` lines retarget it. */
const WATCHDOG = `
let pid = 0;
const killIt = () => { if (pid) { try { process.kill(-pid, "SIGKILL"); } catch {} } };
let buffered = "";
process.stdin.on("data", (chunk) => {
  buffered += chunk;
  for (let at = buffered.indexOf("\\n"); at !== -1; at = buffered.indexOf("\\n")) {
    const line = buffered.slice(0, at); buffered = buffered.slice(at + 1);
    if (line.startsWith("pid ")) pid = Number(line.slice(4));
    if (line === "release") pid = 0;
  }
});
process.stdin.on("end", () => { killIt(); process.exit(0); });
process.stdin.on("error", () => { killIt(); process.exit(0); });
`;

export function redisServerAvailable(): boolean {
  return spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
}

export function freePort(): Promise<number> {
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

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let answer = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.on("error", () => done(false));
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      answer += chunk.toString();
      // "-LOADING" while the AOF is replayed: not ready yet.
      if (answer.includes("\r\n")) done(answer.startsWith("+PONG"));
    });
  });
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function killGroup(child: ChildProcess | undefined, signal: NodeJS.Signals): void {
  if (child?.pid === undefined || exited(child)) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

export async function startRedis(options: StartRedisOptions = {}): Promise<RunningRedis> {
  if (!redisServerAvailable()) {
    throw new Error(
      "redis-server is not installed: the queue and Redis dedupe tests run a real Redis. On Debian/Ubuntu: apt-get install -y redis-server",
    );
  }
  const port = options.port ?? (await freePort());
  const dataDir = mkdtempSync(join(tmpdir(), "smskit-redis-"));
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dataDir,
    "--save",
    "",
    "--daemonize",
    "no",
    "--protected-mode",
    "yes",
    ...(options.appendOnly ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"]),
  ];
  const watchdog = spawn(process.execPath, ["-e", WATCHDOG], {
    detached: true,
    stdio: ["pipe", "ignore", "ignore"],
  });
  watchdog.unref();
  let log = "";
  let server: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    const child = spawn("redis-server", args, { detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const append = (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-MAX_LOG_CHARS);
    };
    child.stdout?.on("data", append);
    child.stderr?.on("data", append);
    server = child;
    watchdog.stdin?.write(`pid ${child.pid}\n`);
    const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
    for (;;) {
      if (exited(child)) throw new Error(`redis-server exited early (code ${child.exitCode}):\n${log}`);
      if (await ping(port)) return;
      if (Date.now() > deadline) {
        killGroup(child, "SIGKILL");
        throw new Error(`redis-server did not answer PING on port ${port} in time:\n${log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const kill = async (): Promise<void> => {
    const child = server;
    if (child === undefined || exited(child)) return;
    const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    killGroup(child, "SIGKILL");
    await gone;
  };

  const onExit = () => killGroup(server, "SIGKILL");
  process.once("exit", onExit);

  const stop = async (): Promise<void> => {
    process.off("exit", onExit);
    const child = server;
    if (child !== undefined && !exited(child)) {
      const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      killGroup(child, "SIGTERM");
      const timer = setTimeout(() => killGroup(child, "SIGKILL"), 3_000);
      await gone;
      clearTimeout(timer);
    }
    watchdog.stdin?.end("release\n");
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    await launch();
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return server?.pid as number;
    },
    kill,
    async restart() {
      await kill();
      await launch();
    },
    log: () => log,
    stop,
  };
}
