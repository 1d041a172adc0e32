/**
 * Queue benchmark (`pnpm bench`, never in tests): throughput with 1, 2 and 4 worker processes against
 * a fast loopback gateway with no limit (as ratios to one worker), Redis commands per message (from
 * `INFO commandstats` deltas), and the achieved rate against a 50/s limit. One run, one machine:
 * compare the ratios, not the absolute figures.
 */
import { fork } from "node:child_process";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { createSmsQueue } from "@smskit/queue";
import { Redis } from "ioredis";
import { startRedis } from "../redis/redis.js";

const WORKER = fileURLToPath(new URL("../../packages/queue/test/worker-process.ts", import.meta.url));
const arrivals: number[] = [];
let nextId = 1;
const gateway = createServer((request, response) => {
  let body = "";
  request.on("data", (chunk) => {
    body += chunk;
  });
  request.on("end", () => {
    arrivals.push(performance.now());
    const { messages } = JSON.parse(body) as { messages: Array<{ id?: string }> };
    const results = messages.map((message) => ({
      id: message.id,
      type: "sms",
      status: "queued",
      messageId: nextId++,
      msgCount: 1,
    }));
    response.writeHead(200, { "content-type": "application/json" });
    response.end(
      JSON.stringify({
        status: "success",
        simulationMode: false,
        results,
        summary: { total: results.length, sms: results.length, email: 0, creditsUsed: 0 },
      }),
    );
  });
});
await new Promise<void>((resolve) => gateway.listen(0, "127.0.0.1", resolve));
const gatewayUrl = `http://127.0.0.1:${(gateway.address() as { port: number }).port}`;
const redis = await startRedis();
const probe = new Redis(redis.url);

/** Calls per command name; commands run inside Lua scripts (BullMQ's and ours) count too. */
async function commands(): Promise<Map<string, number>> {
  const info = await probe.info("commandstats");
  return new Map(
    [...info.matchAll(/cmdstat_([^:]+):calls=(\d+)/g)].map((match) => [match[1] as string, Number(match[2])]),
  );
}

function delta(before: Map<string, number>, after: Map<string, number>, count: number) {
  const perCommand = [...after].map(
    ([name, calls]) => [name, (calls - (before.get(name) ?? 0)) / count] as const,
  );
  const total = perCommand.reduce((sum, [, calls]) => sum + calls, 0);
  const scripts = perCommand
    .filter(([name]) => name === "evalsha" || name === "eval")
    .reduce((sum, [, calls]) => sum + calls, 0);
  const top = perCommand
    .filter(([, calls]) => calls > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([name, calls]) => `${name} ${calls.toFixed(1)}`)
    .join(", ");
  return { total, scripts, top };
}

async function run(label: string, workers: number, count: number, extra: Record<string, string> = {}) {
  const name = `bench-${label}`;
  const children = await Promise.all(
    Array.from({ length: workers }, () => {
      const child = fork(WORKER, [], {
        execArgv: ["--import", "tsx"],
        stdio: ["ignore", "ignore", "inherit", "ipc"],
        env: {
          ...process.env,
          REDIS_URL: redis.url,
          QUEUE_NAME: name,
          GATEWAY_URL: gatewayUrl,
          CONCURRENCY: "100",
          ...extra,
        },
      });
      return new Promise<typeof child>((resolve) => child.once("message", () => resolve(child)));
    }),
  );
  const queue = createSmsQueue({ connection: redis.url, name });
  const messages = Array.from({ length: count }, (_, index) => ({
    to: `+47${40_000_000 + index}`,
    text: `bench ${index}`,
    clientRef: `${label}-${index}`,
  }));
  for (let start = 0; start < count; start += 1_000)
    await queue.enqueueMany(messages.slice(start, start + 1_000));
  arrivals.length = 0;
  const before = await commands();
  const started = performance.now();
  await queue.waitUntilDrained({ timeoutMs: 600_000, pollMs: 20 });
  const seconds = (performance.now() - started) / 1_000;
  const used = delta(before, await commands(), count);
  await queue.close();
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          child.once("exit", resolve);
          child.kill("SIGTERM");
        }),
    ),
  );
  return { seconds, rate: count / seconds, perMessage: used.total, scripts: used.scripts, top: used.top };
}

try {
  console.log("queue bench (2 cores, shared: ratios matter, absolute figures do not)");
  const results: Record<number, { rate: number; perMessage: number; scripts: number; top: string }> = {};
  for (const workers of [1, 2, 4]) {
    // One message per request, so worker count (not batch size) decides throughput.
    results[workers] = await run(`w${workers}`, workers, 3_000, { BATCH_SIZE: "1" });
    const result = results[workers] as { rate: number; perMessage: number; scripts: number; top: string };
    const ratio = result.rate / (results[1]?.rate ?? result.rate);
    console.log(
      `  ${workers} worker process(es): ${result.rate.toFixed(0)} msg/s = ${ratio.toFixed(2)}× one worker, ${result.perMessage.toFixed(1)} Redis commands/message (${result.scripts.toFixed(1)} script calls; ${result.top})`,
    );
  }
  const batched = await run("batched", 2, 3_000);
  console.log(
    `  2 workers, batches of up to 100: ${batched.rate.toFixed(0)} msg/s, ${batched.perMessage.toFixed(1)} Redis commands/message (${batched.scripts.toFixed(1)} script calls; ${batched.top})`,
  );
  await run("limited", 3, 300, {
    BATCH_SIZE: "1",
    LIMITS: JSON.stringify({ digify: { limit: 50, intervalMs: 1_000 } }),
  });
  const span = (Math.max(...arrivals) - Math.min(...arrivals)) / 1_000;
  const achieved = (arrivals.length - 50) / span;
  console.log(
    `  limit 50/s over 3 workers: ${achieved.toFixed(1)}/s achieved (${((achieved / 50) * 100).toFixed(1)} % of the limit, wall clock, machine load included)`,
  );
} finally {
  probe.disconnect();
  await redis.stop();
  gateway.close();
}
