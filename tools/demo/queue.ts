/**
 * `pnpm demo:queue`: the Redis path end to end. Starts its own redis-server (if installed) and a
 * loopback Digify fake from smskit/testing (the Prism mock answers with fixed examples),
 * runs two workers and a producer, kills nothing, prints counts and outcomes. Exits non-zero if any
 * step fails; everything it started is stopped on the way out.
 */
import { createSmsQueue, createSmsWorker, type SmsWorker } from "@smskit/queue";
import { digify } from "smskit";
import { createFakeGateway } from "smskit/testing";
import { type RunningRedis, redisServerAvailable, startRedis } from "../redis/redis.js";

if (!redisServerAvailable()) {
  console.error(
    "demo:queue needs redis-server (Debian/Ubuntu: apt-get install -y redis-server); the main demo (pnpm demo) needs none.",
  );
  process.exit(1);
}

// The Digify fake of smskit/testing: it checks each request against the spec and answers what was
// sent (the Prism mock answers fixed examples, so it cannot show one outcome per message).
const gateway = await createFakeGateway("digify").listen();
const gatewayUrl = gateway.url;

let redis: RunningRedis | undefined;
const workers: SmsWorker[] = [];
let failures = 0;
try {
  redis = await startRedis({ appendOnly: true });
  console.log(`redis-server ${redis.url} (AOF on), Digify fake ${gatewayUrl}`);
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
  await gateway.close();
}
console.log(failures === 0 ? "✔ demo:queue passed" : `✘ demo:queue: ${failures} step(s) failed`);
process.exitCode = failures === 0 ? 0 : 1;
