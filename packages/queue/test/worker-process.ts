/**
 * One worker process for the Redis tests: a real `createSmsWorker` against the fake gateway, in its
 * own process so a test can SIGKILL it. Settings come from the environment; it says `ready` over IPC
 * and stops gracefully on SIGTERM.
 */
import { digify } from "smskit";
import { createSmsWorker } from "../src/index.js";

const env = process.env;
const name = `worker-${process.pid}`;
const fetchAs = (request: Request) => {
  const tagged = new Request(request);
  tagged.headers.set("x-worker", name);
  return fetch(tagged);
};
const number = (value: string | undefined) => (value ? Number(value) : undefined);
const worker = createSmsWorker({
  connection: env.REDIS_URL as string,
  name: env.QUEUE_NAME as string,
  providers: [
    digify({
      accessToken: "test-token-0123456789ab",
      baseUrl: env.GATEWAY_URL as string,
      retry: false,
      fetch: fetchAs,
    }),
  ],
  ...(env.LIMITS ? { limits: JSON.parse(env.LIMITS) } : {}),
  ...(env.BATCH_SIZE ? { batch: { maxSize: Number(env.BATCH_SIZE) } } : {}),
  concurrency: number(env.CONCURRENCY) ?? 20,
  lockDuration: number(env.LOCK_DURATION) ?? 30_000,
  stalledInterval: number(env.STALLED_INTERVAL) ?? 15_000,
  handleSignals: true,
  onError: () => {},
});
await worker.ready();
process.send?.({ ready: name });
process.once("SIGTERM", async () => {
  await worker.close();
  process.exit(0);
});
