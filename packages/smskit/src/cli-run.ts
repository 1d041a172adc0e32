/**
 * The `smskit` command, as a function of its arguments and environment so tests run it in-process.
 * Credentials come only from environment variables: a command line ends up in shell history and `ps`.
 */
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import { estimateSegments, type FetchLike, isSmsKitError, type SmsProvider } from "@smskit/core";
import { digify } from "@smskit/digify";
import { f24 } from "@smskit/f24";
import { smartSwitch } from "@smskit/smartswitch";
import { websms } from "@smskit/websms";
import { MOCK_USAGE, runMock } from "./cli-mock.js";
import { runWebhooksCommand, WEBHOOKS_USAGE } from "./cli-webhooks.js";
import { dryRun } from "./dry-run.js";
import { createMessenger } from "./messenger.js";

export interface CliIo {
  env: Readonly<Record<string, string | undefined>>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Replaces the network, for tests. */
  fetch?: FetchLike;
}

/** One command of the `smskit` bin: its one-line summary for the overview, and its own usage. */
interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: string[], io: CliIo): Promise<number> | number;
}

const PROVIDERS_HELP = `Providers and their environment variables (credentials only from the environment):
  digify       DIGIFY_ACCESS_TOKEN                                        [DIGIFY_BASE_URL]
  websms       WEBSMS_ACCESS_TOKEN, or WEBSMS_USERNAME + WEBSMS_PASSWORD  [WEBSMS_BASE_URL]
  f24          F24_ACCESS_KEY, F24_ACCESS_TOKEN, F24_BASE_URL
  smartswitch  SMARTSWITCH_LOGIN, SMARTSWITCH_PASSWORD, SMARTSWITCH_BASE_URL`;

class UsageError extends Error {}

export const PROVIDER_NAMES = ["digify", "websms", "f24", "smartswitch"] as const;

function need(env: CliIo["env"], name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === "") throw new UsageError(`${name} is not set`);
  return value;
}

function optional(env: CliIo["env"], name: string): { baseUrl?: string } {
  const value = env[name];
  return value ? { baseUrl: value } : {};
}

function providerFromEnv(name: string, io: CliIo, overrides: { retry?: false } = {}): SmsProvider {
  const { env } = io;
  const common = { ...(io.fetch ? { fetch: io.fetch } : {}), ...overrides };
  switch (name) {
    case "digify":
      return digify({
        accessToken: need(env, "DIGIFY_ACCESS_TOKEN"),
        ...optional(env, "DIGIFY_BASE_URL"),
        ...common,
      });
    case "websms": {
      const base = { ...optional(env, "WEBSMS_BASE_URL"), ...common };
      return env.WEBSMS_ACCESS_TOKEN
        ? websms({ accessToken: env.WEBSMS_ACCESS_TOKEN, ...base })
        : websms({ username: need(env, "WEBSMS_USERNAME"), password: need(env, "WEBSMS_PASSWORD"), ...base });
    }
    case "f24":
      return f24({
        accessKey: need(env, "F24_ACCESS_KEY"),
        accessToken: need(env, "F24_ACCESS_TOKEN"),
        baseUrl: need(env, "F24_BASE_URL"),
        ...common,
      });
    case "smartswitch":
      return smartSwitch({
        login: need(env, "SMARTSWITCH_LOGIN"),
        password: need(env, "SMARTSWITCH_PASSWORD"),
        baseUrl: need(env, "SMARTSWITCH_BASE_URL"),
        ...common,
      });
    default:
      throw new UsageError(`unknown provider "${name}"; choose from ${PROVIDER_NAMES.join(", ")}`);
  }
}

async function send(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      provider: { type: "string" },
      to: { type: "string" },
      text: { type: "string" },
      from: { type: "string" },
      "client-ref": { type: "string" },
      "dry-run": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
  });
  if (!values.provider) throw new UsageError("--provider is required");
  if (!values.to) throw new UsageError("--to is required");
  if (values.text === undefined) throw new UsageError("--text is required");
  const names = values.provider.split(",").map((name) => name.trim());
  for (const name of names) {
    if (!(PROVIDER_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(`unknown provider "${name}"; choose from ${PROVIDER_NAMES.join(", ")}`);
    }
  }
  const providers = values["dry-run"]
    ? names.map((name) => dryRun({ name }))
    : names.map((name) => providerFromEnv(name, io));
  const messenger = createMessenger({ providers });
  const result = await messenger.send({
    to: values.to,
    text: values.text,
    ...(values.from === undefined ? {} : { from: values.from }),
    ...(values["client-ref"] === undefined ? {} : { clientRef: values["client-ref"] }),
  });
  const attempts = (result.attempts ?? []).map(({ provider, error }) => ({
    provider,
    kind: error.kind,
    code: error.code,
    message: error.message,
  }));
  if (values.json) {
    io.stdout(JSON.stringify({ ...result, attempts }));
  } else {
    const route = [
      ...attempts.map((attempt) => `${attempt.provider}: ${describeRefusal(attempt)}`),
      `${result.provider}: ${result.status}`,
    ];
    const id = result.providerMessageId ? `, id ${result.providerMessageId}` : "";
    io.stdout(
      `${route.join(" → ")}${id}, ${result.segments} ${result.encoding} segment(s) to ${result.to}` +
        (values["dry-run"] ? " (dry run: nothing was sent)" : ""),
    );
  }
  return 0;
}

/** How a failover attempt reads in one line: `throttled (4023)`. */
function describeRefusal(attempt: { kind: string; code: string | number | undefined }): string {
  const words: Record<string, string> = {
    rate_limit: "throttled",
    service_unavailable: "unavailable",
    network: "unreachable",
    all_providers_failed: "all failed",
  };
  const word = words[attempt.kind] ?? attempt.kind.replace(/_/g, " ");
  return attempt.code === undefined ? word : `${word} (${attempt.code})`;
}

function segments(args: string[], io: CliIo): number {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: { json: { type: "boolean", default: false } },
  });
  if (positionals.length !== 1)
    throw new UsageError('segments takes exactly one text argument (quote it: smskit segments "…")');
  const estimate = estimateSegments(positionals[0] as string);
  if (values.json) io.stdout(JSON.stringify(estimate));
  else {
    io.stdout(
      `${estimate.segments} segment(s), ${estimate.encoding}, ${estimate.units} units (${estimate.perSegment} per segment)` +
        (estimate.nonGsmCharacters.length > 0
          ? `; UCS-2 because of ${estimate.nonGsmCharacters.map((c) => JSON.stringify(c)).join(" ")}`
          : ""),
    );
  }
  return 0;
}

/**
 * `smskit queue …` lives in @smskit/queue (an optional peer: smskit must not depend on BullMQ), loaded
 * only when asked. Its workers get adapters without client retries: the queue retries, so a 429
 * pauses that gateway for every worker at once.
 */
async function queue(args: string[], io: CliIo): Promise<number> {
  const specifier = "@smskit/queue/cli";
  let loaded: { runQueueCommand(args: string[], io: object): Promise<number> };
  try {
    loaded = await import(specifier);
  } catch (error) {
    if ((error as { code?: string }).code !== "ERR_MODULE_NOT_FOUND") throw error;
    io.stderr("smskit: `smskit queue` needs @smskit/queue: npm install @smskit/queue");
    return 2;
  }
  return loaded.runQueueCommand(args, {
    ...io,
    provider: (name: string) => providerFromEnv(name, io, { retry: false }),
  });
}

const COMMANDS: readonly Command[] = [
  {
    name: "send",
    summary: "send one SMS, failing over between the providers given",
    usage: `smskit send --provider <name>[,<name>…] --to <+E.164> --text <text> [--from <sender>] [--client-ref <ref>] [--dry-run] [--json]

Several providers (comma-separated) fail over in that order; the output names each attempt.
--dry-run checks and prints the message without sending it (no credentials needed).
Exit codes: 0 sent, 1 failed (the typed error, credentials redacted), 2 usage error.

${PROVIDERS_HELP}`,
    run: send,
  },
  {
    name: "segments",
    summary: "how many SMS parts a text costs, and why",
    usage: 'smskit segments <text> [--json]\n\nQuote the text: smskit segments "It’s 100€"',
    run: segments,
  },
  {
    name: "webhooks",
    summary: "receive delivery reports and inbound SMS on a local port",
    usage: WEBHOOKS_USAGE,
    run: runWebhooksCommand,
  },
  {
    name: "mock",
    summary: "serve fake gateways on loopback for your own tests",
    usage: MOCK_USAGE,
    run: runMock,
  },
  {
    name: "queue",
    summary: "durable sending on Redis (work, send, status, reconcile, dashboard; needs @smskit/queue)",
    usage:
      "smskit queue work|send|status|reconcile|dashboard …   (smskit queue <sub-command> --help for each)",
    run: queue,
  },
];

function overview(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return [
    "Usage: smskit <command> [options]   (smskit <command> --help for its options)",
    "",
    ...COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    "",
    "  --version   print the version",
    "",
    PROVIDERS_HELP,
  ].join("\n");
}

function version(): string {
  return (createRequire(import.meta.url)("../package.json") as { version: string }).version;
}

/** An error message starts with its provider (`[digify] …`); the CLI adds nothing in front of that. */
function errorLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return /^\[[\w-]+\] /.test(message) ? message : `smskit: ${message}`;
}

/** Runs one command; resolves to the process exit code. Never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    io.stdout(overview());
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-V") {
    io.stdout(version());
    return 0;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined) {
    io.stderr(`smskit: unknown command "${name}" (smskit --help lists them)`);
    return 2;
  }
  // `queue` and `webhooks` have sub-commands with their own --help.
  if ((rest[0] === "--help" || rest[0] === "-h") && command.name !== "queue") {
    io.stdout(`Usage: ${command.usage}`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && "code" in error)) {
      // parseArgs throws TypeErrors with a code for unknown or malformed options.
      io.stderr(`smskit ${command.name}: ${error.message} (smskit ${command.name} --help)`);
      return 2;
    }
    if (isSmsKitError(error)) {
      io.stderr(argv.includes("--json") ? JSON.stringify(error) : errorLine(error));
      return 1;
    }
    io.stderr(errorLine(error));
    return 1;
  }
}
