/**
 * `pnpm demo:queue`: the Redis path end to end. Starts its own redis-server (if installed) and a
 * loopback Digify stand-in (the Prism mock answers with fixed examples, so it cannot show a log),
 * runs two workers and a producer, kills nothing, prints counts and outcomes. Exits non-zero if any
 * step fails; everything it started is stopped on the way out.
 */
import { createServer } from "node:http";
import { createSmsQueue, createSmsWorker, type SmsWorker } from "@smskit/queue";
import { digify } from "smskit";
import { type RunningRedis, redisServerAvailable, startRedis } from "../redis/redis.js";

if (!redisServerAvailable()) {
  console.error(
    "demo:queue needs redis-server (Debian/Ubuntu: apt-get install -y redis-server); the main demo (pnpm demo) needs none.",
  );
  process.exit(1);
}

let nextId = 1;
const gateway = createServer((request, response) => {
  let body = "";
  request.on("data", (chunk) => {
    body += chunk;
  });
  request.on("end", () => {
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
        simulationMode: true,
        results,
        summary: { total: results.length, sms: results.length, email: 0, creditsUsed: 0 },
      }),
    );
  });
});
await new Promise<void>((resolve) => gateway.listen(0, "127.0.0.1", resolve));
const gatewayUrl = `http://127.0.0.1:${(gateway.address() as { port: number }).port}`;

let redis: RunningRedis | undefined;
const workers: SmsWorker[] = [];
let failures = 0;
try {
  redis = await startRedis({ appendOnly: true });
  console.log(`redis-server ${redis.url} (AOF on), Digify stand-in ${gatewayUrl}`);
  for (let index = 0; index < 2; index += 1) {
    workers.push(
      createSmsWorker({
        connection: redis.url,
        providers: [digify({ accessToken: "demo-token-0123456789ab", baseUrl: gatewayUrl, retry: false })],
        limits: { digify: { limit: 20, intervalMs: 1_000 } },
      }),
    );
  }
  const queue = createSmsQueue({ connection: redis.url });
  const messages = Array.from({ length: 200 }, (_, index) => ({
    to: `+47${40_000_000 + index}`,
    text: `Hei nr. ${index} fra smskit`,
    clientRef: `demo-${index}`,
  }));
  const outcomes = await queue.enqueueMany([
    ...messages,
    { to: "not a number", text: "refused before queueing" },
  ]);
  console.log(
    `enqueued ${outcomes.filter((outcome) => outcome.ok).length}; refused: ${outcomes
      .filter((outcome) => !outcome.ok)
      .map((outcome) => (outcome.ok ? "" : outcome.error.message))
      .join("; ")}`,
  );
  const again = await queue.enqueue(messages[0] as (typeof messages)[number]);
  console.log(`the same clientRef again: duplicate=${again.duplicate}`);
  const counts = await queue.waitUntilDrained({ timeoutMs: 60_000 });
  console.log("counts:", counts);
  console.log("outcome demo-7:", await queue.outcome("demo-7"));
  if (counts.sent !== 200) failures += 1;
  await queue.close();
} catch (error) {
  failures += 1;
  console.error(`✘ ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await Promise.all(workers.map((worker) => worker.close()));
  await redis?.stop();
  gateway.close();
}
console.log(failures === 0 ? "✔ demo:queue passed" : `✘ demo:queue: ${failures} step(s) failed`);
process.exitCode = failures === 0 ? 0 : 1;
