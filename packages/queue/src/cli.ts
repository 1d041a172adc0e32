/**
 * `smskit queue …`: the commands behind the `smskit` bin, here so that `smskit` needs no dependency
 * on the queue (it loads this module only when asked). Credentials come from the environment only.
 */
import { createReadStream } from "node:fs";
import { parseArgs } from "node:util";
import { isSmsKitError, type SmsProvider } from "@smskit/core";
import { SingleBar } from "cli-progress";
import { parse } from "csv-parse";
import { redactRedisUrl } from "./backend.js";
import { createSmsQueue } from "./queue.js";
import type { ProviderLimit, QueuedSmsInput, SmsCounts } from "./types.js";
import { createSmsWorker } from "./worker.js";

export interface QueueCliIo {
  env: Readonly<Record<string, string | undefined>>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Builds a provider from the environment, as `smskit send` does (given by the `smskit` bin). */
  provider?: (name: string) => SmsProvider;
  /** Where progress goes (a TTY gets a bar; anything else plain lines). Default process.stderr. */
  progress?: NodeJS.WritableStream;
  /** Resolves when the worker should stop (default: SIGTERM or SIGINT). */
  stopSignal?: Promise<void>;
  fetch?: (request: Request) => Promise<Response>;
}

export const QUEUE_USAGE = `Usage:
  smskit queue work --redis <url> --provider <name>[,<name>…] [--concurrency <n>] [--limit <name>=<count>/<ms> …] [--name <queue>]
  smskit queue send --redis <url> --file <file.csv> [--text <text>] [--from <sender>] [--wait] [--name <queue>]
  smskit queue status --redis <url> [--json] [--client-ref <ref>] [--name <queue>]
  smskit queue reconcile --redis <url> [--name <queue>]
  smskit queue dashboard --redis <url> --port <n> [--name <queue>]

The CSV has a header row with the columns to, text, from, clientRef (text and from may come from the
flags instead). reconcile asks Digify's SMS log with DIGIFY_ACCESS_TOKEN [DIGIFY_BASE_URL].
Exit codes: 0 done (send --wait: every message sent), 1 failed, 2 usage error.`;

export class QueueUsageError extends Error {}

const STATE_WIDTH = 10;

function common(values: { redis?: string | undefined; name?: string | undefined }) {
  if (!values.redis) throw new QueueUsageError("--redis <url> is required (e.g. redis://127.0.0.1:6379)");
  return { connection: values.redis, ...(values.name ? { name: values.name } : {}) };
}

export function parseLimit(text: string): [string, ProviderLimit] {
  const match = /^([a-z0-9_-]+)=(\d+)\/(\d+)$/i.exec(text.trim());
  if (!match)
    throw new QueueUsageError(`--limit ${text}: expected <provider>=<count>/<ms>, e.g. digify=60/60000`);
  const [, provider, count, ms] = match as unknown as [string, string, string, string];
  if (Number(count) <= 0 || Number(ms) <= 0)
    throw new QueueUsageError(`--limit ${text}: count and ms must be positive`);
  return [provider, { limit: Number(count), intervalMs: Number(ms) }];
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
      resolve();
    };
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
}

async function work(args: string[], io: QueueCliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      redis: { type: "string" },
      name: { type: "string" },
      provider: { type: "string" },
      concurrency: { type: "string" },
      limit: { type: "string", multiple: true },
    },
  });
  const connection = common(values);
  if (!values.provider) throw new QueueUsageError("--provider <name>[,<name>…] is required");
  if (!io.provider) throw new QueueUsageError("no provider factory: run this through the smskit bin");
  const providers = values.provider
    .split(",")
    .map((name) => (io.provider as (name: string) => SmsProvider)(name.trim()));
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (concurrency !== undefined && (!Number.isSafeInteger(concurrency) || concurrency <= 0)) {
    throw new QueueUsageError("--concurrency must be a positive whole number");
  }
  const limits = Object.fromEntries((values.limit ?? []).map(parseLimit));
  let sent = 0;
  let failed = 0;
  let unknown = 0;
  const worker = createSmsWorker({
    ...connection,
    providers,
    limits,
    ...(concurrency === undefined ? {} : { concurrency }),
    onOutcome: ({ outcome }) => {
      if (outcome.state === "sent") sent += 1;
      else if (outcome.state === "failed") failed += 1;
      else if (outcome.state === "unknown") unknown += 1;
    },
    onError: (error) => io.stderr(`smskit queue: ${error.message}`),
  });
  await worker.ready();
  io.stdout(
    `working on queue "${connection.name ?? "sms"}" at ${redactRedisUrl(connection.connection)} through ${providers.map((provider) => provider.name).join(", ")}; SIGTERM or Ctrl-C stops after what is in flight`,
  );
  await (io.stopSignal ?? waitForSignal());
  io.stdout("stopping: finishing what is in flight…");
  await worker.close();
  io.stdout(`stopped: ${sent} sent, ${failed} failed, ${unknown} unknown by this worker`);
  return 0;
}

interface CsvRow {
  to?: string;
  text?: string;
  from?: string;
  clientRef?: string;
}

async function send(args: string[], io: QueueCliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      redis: { type: "string" },
      name: { type: "string" },
      file: { type: "string" },
      text: { type: "string" },
      from: { type: "string" },
      wait: { type: "boolean", default: false },
    },
  });
  const connection = common(values);
  if (!values.file) throw new QueueUsageError("--file <file.csv> is required");
  const queue = createSmsQueue(connection);
  try {
    const before = await queue.counts();
    const parser = createReadStream(values.file).pipe(
      parse({ columns: true, skip_empty_lines: true, trim: true, info: true, skip_records_with_error: true }),
    );
    let bad = 0;
    parser.on("skip", (error: Error & { lines?: number }) => {
      bad += 1;
      io.stderr(`line ${error.lines ?? "?"}: ${error.message}; not queued`);
    });
    let queued = 0;
    let duplicates = 0;
    let rows: Array<{ line: number; input: QueuedSmsInput }> = [];
    const flush = async () => {
      const outcomes = await queue.enqueueMany(rows.map((row) => row.input));
      outcomes.forEach((outcome, index) => {
        if (outcome.ok) {
          if (outcome.duplicate) duplicates += 1;
          else queued += 1;
        } else {
          bad += 1;
          io.stderr(`line ${rows[index]?.line}: ${outcome.error.message}; not queued`);
        }
      });
      rows = [];
    };
    for await (const { record, info } of parser as AsyncIterable<{
      record: CsvRow;
      info: { lines: number };
    }>) {
      const text = record.text || values.text;
      const from = record.from || values.from;
      const input: QueuedSmsInput = { to: record.to ?? "", text: text ?? "" };
      if (from) input.from = from;
      if (record.clientRef) input.clientRef = record.clientRef;
      rows.push({ line: info.lines, input });
      if (rows.length >= 1_000) await flush();
    }
    if (rows.length > 0) await flush();
    io.stdout(
      `${queued} queued, ${duplicates} already queued (same clientRef), ${bad} bad row(s) not queued`,
    );
    if (!values.wait) return bad > 0 ? 1 : 0;
    const finished = (counts: SmsCounts) => ({
      sent: counts.sent - before.sent,
      failed: counts.failed - before.failed,
      unknown: counts.unknown - before.unknown,
    });
    const stream = io.progress ?? process.stderr;
    const bar = new SingleBar({
      format: "sending [{bar}] {value}/{total} | {sent} sent, {failed} failed, {unknown} unknown",
      stream,
      noTTYOutput: true,
      notTTYSchedule: 2_000,
      hideCursor: true,
    });
    bar.start(queued, 0, { sent: 0, failed: 0, unknown: 0 });
    let counts = await queue.counts();
    for (;;) {
      const done = finished(counts);
      bar.update(done.sent + done.failed + done.unknown, done);
      if (done.sent + done.failed + done.unknown >= queued) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
      counts = await queue.counts();
    }
    bar.stop();
    const done = finished(counts);
    io.stdout(`${done.sent} sent, ${done.failed} failed, ${done.unknown} unknown`);
    return bad === 0 && done.failed === 0 && done.unknown === 0 ? 0 : 1;
  } finally {
    await queue.close();
  }
}

async function status(args: string[], io: QueueCliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      redis: { type: "string" },
      name: { type: "string" },
      json: { type: "boolean", default: false },
      "client-ref": { type: "string" },
    },
  });
  const queue = createSmsQueue(common(values));
  try {
    const clientRef = values["client-ref"];
    if (clientRef !== undefined) {
      const outcome = await queue.outcome(clientRef);
      if (!outcome) {
        io.stderr(`smskit queue: no message with clientRef ${JSON.stringify(clientRef)}`);
        return 1;
      }
      if (values.json) io.stdout(JSON.stringify({ outcome }));
      else {
        io.stdout(
          [
            `${outcome.clientRef}: ${outcome.state}`,
            outcome.provider && `provider ${outcome.provider}`,
            outcome.providerMessageId && `id ${outcome.providerMessageId}`,
            `${outcome.attempts} attempt(s)`,
            `updated ${outcome.updatedAt.toISOString()}`,
            outcome.reason,
            outcome.error && `error: ${outcome.error.message}`,
          ]
            .filter(Boolean)
            .join("; "),
        );
      }
      return 0;
    }
    const counts = await queue.counts();
    if (values.json) io.stdout(JSON.stringify({ counts }));
    else
      io.stdout(
        Object.entries(counts)
          .map(([state, count]) => `${state.padEnd(STATE_WIDTH)} ${count}`)
          .join("\n"),
      );
    return 0;
  } finally {
    await queue.close();
  }
}

async function reconcile(args: string[], io: QueueCliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      redis: { type: "string" },
      name: { type: "string" },
      json: { type: "boolean", default: false },
    },
  });
  const token = io.env.DIGIFY_ACCESS_TOKEN;
  const queue = createSmsQueue({
    ...common(values),
    ...(token
      ? {
          digify: {
            accessToken: token,
            ...(io.env.DIGIFY_BASE_URL ? { baseUrl: io.env.DIGIFY_BASE_URL } : {}),
            ...(io.fetch ? { fetch: io.fetch } : {}),
          },
        }
      : {}),
  });
  try {
    const result = await queue.reconcile();
    if (values.json) io.stdout(JSON.stringify(result));
    else {
      io.stdout(
        `checked ${result.checked} unknown: ${result.sent} sent, ${result.failed} failed, ${result.unknown} still unknown` +
          (result.orphaned > 0 ? `; ${result.orphaned} left sending by a stopped job are now unknown` : "") +
          (token ? "" : " (DIGIFY_ACCESS_TOKEN not set: Digify's log was not asked)"),
      );
    }
    return 0;
  } finally {
    await queue.close();
  }
}

async function dashboard(args: string[], io: QueueCliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: { redis: { type: "string" }, name: { type: "string" }, port: { type: "string" } },
  });
  const connection = common(values);
  const port = Number(values.port ?? "3000");
  if (!Number.isSafeInteger(port) || port < 0 || port > 65_535)
    throw new QueueUsageError("--port must be 0-65535");
  const { startDashboard } = await import("./dashboard.js");
  const running = await startDashboard({ ...connection, port });
  io.stdout(
    `Bull Board for queue "${connection.name ?? "sms"}": ${running.url} (loopback only; Ctrl-C stops)`,
  );
  await (io.stopSignal ?? waitForSignal());
  await running.close();
  return 0;
}

/** Runs `smskit queue <command> …`; resolves to the exit code. Never throws. */
export async function runQueueCommand(argv: readonly string[], io: QueueCliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === "work") return await work(rest, io);
    if (command === "send") return await send(rest, io);
    if (command === "status") return await status(rest, io);
    if (command === "reconcile") return await reconcile(rest, io);
    if (command === "dashboard") return await dashboard(rest, io);
    if (command === undefined || command === "help" || command === "--help") {
      io.stdout(QUEUE_USAGE);
      return command === undefined ? 2 : 0;
    }
    throw new QueueUsageError(`unknown queue command "${command}"`);
  } catch (error) {
    if (error instanceof QueueUsageError || (error instanceof TypeError && "code" in error)) {
      io.stderr(`smskit queue: ${error.message} (smskit queue --help)`);
      return 2;
    }
    if (isSmsKitError(error)) {
      io.stderr(argv.includes("--json") ? JSON.stringify(error) : `smskit queue: ${error.message}`);
      return 1;
    }
    io.stderr(`smskit queue: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
