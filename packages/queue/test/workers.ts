/** Starts and stops worker child processes (test/worker-process.ts) for the Redis tests. */
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";

const WORKER = fileURLToPath(new URL("./worker-process.ts", import.meta.url));

export interface WorkerProcess {
  /** The `x-worker` name its requests carry. */
  name: string;
  child: ChildProcess;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export interface WorkerSettings {
  redisUrl: string;
  queueName: string;
  gatewayUrl: string;
  limits?: Record<string, { limit: number; intervalMs: number; per?: "request" | "message" }>;
  concurrency?: number;
  batchSize?: number;
  lockDuration?: number;
  stalledInterval?: number;
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

export async function startWorker(settings: WorkerSettings): Promise<WorkerProcess> {
  const child = fork(WORKER, [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    env: {
      ...process.env,
      REDIS_URL: settings.redisUrl,
      QUEUE_NAME: settings.queueName,
      GATEWAY_URL: settings.gatewayUrl,
      ...(settings.limits ? { LIMITS: JSON.stringify(settings.limits) } : {}),
      ...(settings.concurrency ? { CONCURRENCY: String(settings.concurrency) } : {}),
      ...(settings.batchSize ? { BATCH_SIZE: String(settings.batchSize) } : {}),
      ...(settings.lockDuration ? { LOCK_DURATION: String(settings.lockDuration) } : {}),
      ...(settings.stalledInterval ? { STALLED_INTERVAL: String(settings.stalledInterval) } : {}),
    },
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  const name = await new Promise<string>((resolve, reject) => {
    child.once("message", (message) => resolve((message as { ready: string }).ready));
    child.once("exit", (code, signal) =>
      reject(new Error(`worker exited before it was ready (${code ?? signal})`)),
    );
  });
  return {
    name,
    child,
    async kill() {
      child.kill("SIGKILL");
      await exited(child);
    },
    async stop() {
      child.kill("SIGTERM");
      await exited(child);
    },
  };
}

export async function startWorkers(count: number, settings: WorkerSettings): Promise<WorkerProcess[]> {
  return Promise.all(Array.from({ length: count }, () => startWorker(settings)));
}

export async function stopAll(workers: readonly WorkerProcess[]): Promise<void> {
  await Promise.all(workers.map((worker) => worker.stop()));
}
