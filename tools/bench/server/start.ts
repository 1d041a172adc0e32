/** Starts server/main.ts in its own process and waits for its port. */
import { startWorker } from "../lib/child.ts";

export interface GatewayServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  pid: number;
  /** Requests answered so far, per gateway route. */
  stats(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

export async function startGatewayServer(): Promise<GatewayServer> {
  const worker = startWorker<never>("server/main.ts");
  const first = await Promise.race([
    worker.lines.next(),
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error("the bench server did not start within 60 s")), 60_000).unref(),
    ),
  ]);
  const port = first.done ? undefined : (JSON.parse(first.value) as { port?: number }).port;
  if (port === undefined) {
    worker.stop();
    throw new Error(`the bench server did not start: ${JSON.stringify(await worker.done)}`);
  }
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    pid: worker.pid,
    stats: async () => (await (await fetch(`${url}/__bench/stats`)).json()) as Record<string, number>,
    stop: async () => {
      worker.stop();
      await worker.done;
    },
  };
}
