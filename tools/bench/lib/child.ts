/**
 * Starts bench workers (TypeScript, through tsx) and makes sure none outlives the bench: each is
 * held by its PID, killed on timeout and on the parent's exit, and exits by itself when its stdin
 * closes (lib/worker.ts).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { progress } from "./format.ts";
import { benchDir } from "./paths.ts";
import { markers } from "./worker.ts";

const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export interface WorkerOptions {
  /** Node flags, e.g. `--expose-gc`. */
  nodeArgs?: readonly string[];
  /** A program that runs node, e.g. `["valgrind", "--tool=callgrind"]`. */
  wrapper?: readonly string[];
  /** Killed (SIGKILL) after this long; the result is then `{ timedOut: true }`. */
  timeoutMs?: number;
  env?: Record<string, string>;
}

export type WorkerOutcome<T> =
  | { ok: true; value: T; wallMs: number }
  | { ok: false; timedOut: boolean; error: string; wallMs: number };

export interface Worker<T> {
  pid: number;
  /** Lines the worker printed that are not results or progress (used by the server for its port). */
  lines: AsyncIterableIterator<string>;
  done: Promise<WorkerOutcome<T>>;
  /** Writes one line to the worker's stdin (the callgrind driver uses it as a go signal). */
  send(line: string): void;
  stop(): void;
}

/** `script` is relative to tools/bench. */
export function startWorker<T>(
  script: string,
  args: readonly string[] = [],
  options: WorkerOptions = {},
): Worker<T> {
  const node = [process.execPath, ...(options.nodeArgs ?? []), "--import", "tsx", `${benchDir}/${script}`];
  const [command, ...rest] = [...(options.wrapper ?? []), ...node, ...args] as [string, ...string[]];
  const started = performance.now();
  const child = spawn(command, rest, {
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, ...options.env },
  });
  running.add(child);
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });

  let result: { value: T } | undefined;
  let timedOut = false;
  const plain: string[] = [];
  let wake: (() => void) | undefined;
  const lineReader = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  lineReader.on("line", (line) => {
    if (line.startsWith(markers.RESULT)) {
      result = { value: JSON.parse(line.slice(markers.RESULT.length)) as T };
    } else if (line.startsWith(markers.PROGRESS)) {
      progress(line.slice(markers.PROGRESS.length));
    } else {
      plain.push(line);
      wake?.();
    }
  });

  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          child.kill("SIGKILL");
        }, options.timeoutMs);

  const done = new Promise<WorkerOutcome<T>>((resolve) => {
    child.on("close", (code, signal) => {
      running.delete(child);
      if (timer) clearTimeout(timer);
      wake?.();
      const wallMs = performance.now() - started;
      if (result && !timedOut) resolve({ ok: true, value: result.value, wallMs });
      else
        resolve({
          ok: false,
          timedOut,
          wallMs,
          error: timedOut
            ? "timed out"
            : `exited with ${signal ?? code}${stderr.trim() ? `: ${stderr.trim().split("\n").slice(-3).join(" | ")}` : ""}`,
        });
    });
  });

  let closed = false;
  child.on("close", () => {
    closed = true;
  });
  async function* lines(): AsyncIterableIterator<string> {
    for (;;) {
      const next = plain.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      if (closed) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  }

  return {
    pid: child.pid as number,
    lines: lines(),
    done,
    send: (line) => child.stdin?.write(`${line}\n`),
    stop: () => {
      child.stdin?.end();
      child.kill("SIGKILL");
    },
  };
}
