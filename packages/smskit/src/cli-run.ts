/**
 * The `smskit` command, as a function of its arguments and environment so tests run it in-process.
 * Credentials come only from environment variables: a command line ends up in shell history and `ps`.
 */
import { parseArgs } from "node:util";
import { estimateSegments, type FetchLike, isSmsKitError, type SmsProvider } from "@smskit/core";
import { digify } from "@smskit/digify";
import { f24 } from "@smskit/f24";
import { smartSwitch } from "@smskit/smartswitch";
import { websms } from "@smskit/websms";
import { dryRun } from "./dry-run.js";
import { createMessenger } from "./messenger.js";

export interface CliIo {
  env: Readonly<Record<string, string | undefined>>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Replaces the network, for tests. */
  fetch?: FetchLike;
}

export const USAGE = `Usage:
  smskit send --provider <name>[,<name>…] --to <+E.164> --text <text> [--from <sender>] [--client-ref <ref>] [--dry-run] [--json]
  smskit segments <text> [--json]

Providers and their environment variables:
  digify       DIGIFY_ACCESS_TOKEN                               [DIGIFY_BASE_URL]
  websms       WEBSMS_ACCESS_TOKEN, or WEBSMS_USERNAME + WEBSMS_PASSWORD  [WEBSMS_BASE_URL]
  f24          F24_ACCESS_KEY, F24_ACCESS_TOKEN, F24_BASE_URL
  smartswitch  SMARTSWITCH_LOGIN, SMARTSWITCH_PASSWORD, SMARTSWITCH_BASE_URL

Several providers (comma-separated) fail over in that order. --dry-run checks and prints the
message without sending it (no credentials needed). Exit codes: 0 sent, 1 failed, 2 usage error.`;

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

function providerFromEnv(name: string, io: CliIo): SmsProvider {
  const { env } = io;
  const common = io.fetch ? { fetch: io.fetch } : {};
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
  if (values.json) {
    io.stdout(JSON.stringify(result));
  } else {
    const id = result.providerMessageId ? ` id ${result.providerMessageId},` : "";
    io.stdout(
      `${result.status} by ${result.provider}:${id} ${result.segments} ${result.encoding} segment(s) to ${result.to}` +
        (values["dry-run"] ? " (dry run: nothing was sent)" : ""),
    );
  }
  return 0;
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

/** Runs one command; resolves to the process exit code. Never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === "send") return await send(rest, io);
    if (command === "segments") return segments(rest, io);
    if (command === undefined || command === "help" || command === "--help" || command === "-h") {
      io.stdout(USAGE);
      return command === undefined ? 2 : 0;
    }
    throw new UsageError(`unknown command "${command}"`);
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && "code" in error)) {
      io.stderr(`smskit: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (isSmsKitError(error)) {
      io.stderr(argv.includes("--json") ? JSON.stringify(error) : `smskit: ${error.message}`);
      return 1;
    }
    io.stderr(`smskit: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
