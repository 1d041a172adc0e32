/**
 * The loopback gateway server, run as a process of its own (server/start.ts starts it): its CPU
 * time must not be charged to the client process whose `process.cpuUsage()` the bench reads.
 *
 * It reads every request body to its end before answering, as a real gateway does, so that a
 * client that streams or buffers its body pays for it. `GET /__bench/stats` gives the count of
 * requests per gateway (sendMany reports how many requests a batch took).
 */
import { createServer, type IncomingMessage } from "node:http";
import { exitWithParent } from "../lib/worker.ts";
import { answer } from "./answers.ts";

exitWithParent();

const counts = new Map<string, number>();
const MAX_BODY = 64 * 1024 * 1024;

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).byteLength;
    if (size > MAX_BODY) throw new Error("body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

const server = createServer({ keepAliveTimeout: 60_000 }, async (request, response) => {
  const url = request.url ?? "/";
  if (url === "/__bench/stats") {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify(Object.fromEntries(counts)));
    return;
  }
  let body: string;
  try {
    body = await readBody(request);
  } catch {
    response.writeHead(413, { connection: "close" }).end();
    return;
  }
  const { route, answer: reply } = answer({ method: request.method ?? "GET", url, body });
  counts.set(route, (counts.get(route) ?? 0) + 1);
  response.writeHead(reply.status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(reply.body),
  });
  response.end(reply.body);
});
// Many requests in flight at once are possible (sendMany with concurrency), and the default
// backlog and header timeouts are fine for loopback.
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  if (address && typeof address === "object") console.log(JSON.stringify({ port: address.port }));
});
