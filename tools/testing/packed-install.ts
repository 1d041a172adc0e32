/**
 * `pnpm test:packed`: what a user gets from npm. Packs every published package with `pnpm pack` (as
 * `pnpm publish` would: `workspace:` ranges become versions), installs the tarballs into a fresh
 * project with npm (third-party dependencies from the registry), type-checks a program that imports
 * every package and entry point with the workspace's TypeScript, and runs it with Node against the
 * fake gateways of `smskit/testing`: a send through each gateway client, through the facade, over a
 * loopback port and through MSW, and each shipped spec read back.
 *
 * The temporary directory is removed afterwards, also on failure or Ctrl-C; every child runs in its
 * own process group with a generous deadline and is killed with its group when this script exits.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TSC = join(ROOT, "node_modules/typescript/bin/tsc");
const OUTPUT_LIMIT = 100_000;
const started = performance.now();

interface Finished {
  code: number | null;
  output: string;
}

const live = new Set<ChildProcess>();
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

let workDir: string | undefined;
function cleanUp(): void {
  for (const child of live) killGroup(child);
  if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
  workDir = undefined;
}
process.on("exit", cleanUp);
process.once("SIGINT", () => process.exit(130));
process.once("SIGTERM", () => process.exit(143));

function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<Finished> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        npm_config_update_notifier: "false",
        npm_config_fund: "false",
        npm_config_audit: "false",
      },
    });
    live.add(child);
    let output = "";
    const append = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
    };
    child.stdout?.on("data", append);
    child.stderr?.on("data", append);
    const timer = setTimeout(() => {
      output += `\n(killed after ${timeoutMs / 1000} s)`;
      killGroup(child);
    }, timeoutMs);
    child.on("error", (error) => {
      output += `\n${error.message}`;
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      live.delete(child);
      resolve({ code, output });
    });
  });
}

async function must(
  label: string,
  command: string,
  args: string[],
  cwd: string,
  timeoutMs: number,
): Promise<string> {
  const result = await run(command, args, cwd, timeoutMs);
  if (result.code !== 0) throw new Error(`${label} failed (exit ${result.code}):\n${result.output.trim()}`);
  return result.output;
}

const seconds = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
const step = (message: string) => console.log(`packed-install: ${message} (${seconds()})`);

function publishedPackages(): Array<{ name: string; version: string }> {
  return readdirSync(join(ROOT, "packages"))
    .map((entry) => join(ROOT, "packages", entry))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) }))
    .filter(({ manifest }) => manifest.private !== true)
    .map(({ manifest }) => ({ name: manifest.name as string, version: manifest.version as string }));
}

const version = (name: string): string =>
  JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8")).version;

const PROGRAM = `import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { estimateSegments, RateLimitError, UnknownOutcomeError } from "@smskit/core";
import { createDigifyClient } from "@smskit/digify";
import { createF24Client } from "@smskit/f24";
import { createSmartSwitchClient } from "@smskit/smartswitch";
import { createWebsmsClient } from "@smskit/websms";
import { setupServer } from "msw/node";
import { createMessenger, digify, f24, smartSwitch, websms } from "smskit";
import { createFakeGateway, type FakeGateway, type SentMessage } from "smskit/testing";
import { handlersFor } from "smskit/testing/msw";

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}
const via = (fake: FakeGateway) => ({ baseUrl: fake.baseUrl, fetch: fake.fetch, retry: false as const });

const fakes = {
  digify: createFakeGateway("digify"),
  websms: createFakeGateway("websms"),
  f24: createFakeGateway("f24"),
  smartswitch: createFakeGateway("smartswitch"),
};
// @ts-expect-error a misspelt gateway does not compile
void (() => createFakeGateway("digfy"));

const digifyAnswer = await createDigifyClient({ accessToken: "t", ...via(fakes.digify) }).send({
  messages: [{ type: "sms", id: "ref-1", destAddr: "4712345678", msg: "Hei" }],
});
assert(digifyAnswer.results[0]?.type === "sms" && digifyAnswer.results[0].id === "ref-1", "digify client");
const websmsAnswer = await createWebsmsClient({ accessToken: "t", ...via(fakes.websms) }).sendText({
  recipientAddressList: ["4369912345678"],
  messageContent: "Servus",
});
assert(websmsAnswer.statusCode === 2000, "websms client");
const f24Answer = await createF24Client({ accessKey: "k", accessToken: "t", ...via(fakes.f24) }).sendSmsExt({
  Messages: [{ Sender: "ACME", Recipient: "+4798765432", Content: "Hei" }],
});
assert(f24Answer.Recipients[0]?.Recipient === "+4798765432", "f24 client");
const report = await createSmartSwitchClient({ login: "l", password: "p", ...via(fakes.smartswitch) }).sendMessages([
  { to: "+12123388100", body: "Hello" },
]);
assert(
  (report.messages as Array<{ attributes?: { status?: string } }>).every((item) => item.attributes?.status === "ok"),
  "smartswitch client",
);

const messenger = createMessenger({
  providers: [
    websms({ accessToken: "t", ...via(fakes.websms) }),
    digify({ accessToken: "t", ...via(fakes.digify) }),
    f24({ accessKey: "k", accessToken: "t", defaultFrom: "ACME", ...via(fakes.f24) }),
    smartSwitch({ login: "l", password: "p", ...via(fakes.smartswitch) }),
  ],
});
fakes.websms.failNext("throttle");
const failedOver = await messenger.send({ to: "+4741234567", text: "failover" });
assert(failedOver.provider === "digify" && failedOver.attempts?.[0]?.error instanceof RateLimitError, "facade failover");
for (const provider of ["f24", "smartswitch"] as const) {
  const result = await messenger.send({ to: "+4741234567", text: "pinned", provider });
  assert(result.segments === estimateSegments("pinned").segments, \`facade through \${provider}\`);
}
fakes.f24.failNext("lose-answer");
const lost = await messenger.send({ to: "+4741234567", text: "lost", provider: "f24" }).catch((error: unknown) => error);
assert(lost instanceof UnknownOutcomeError, "lost answer");
const sentToF24: readonly SentMessage[] = fakes.f24.sent;
assert(sentToF24.filter((message) => message.text === "lost").length === 1, "lost message recorded once");

const server = await fakes.digify.listen();
try {
  const overHttp = await digify({ accessToken: "t", baseUrl: server.url, retry: false }).send({ to: "+4712345678", text: "http" });
  assert(overHttp.status === "queued", "listen()");
} finally {
  await server.close();
}

const msw = setupServer(...handlersFor(fakes.digify));
msw.listen({ onUnhandledRequest: "error" });
try {
  await createDigifyClient({ accessToken: "t", retry: false }).send({ messages: [{ type: "sms", destAddr: "4712345678", msg: "msw" }] });
  assert(fakes.digify.sent.some((message) => message.text === "msw"), "MSW handlers");
} finally {
  msw.close();
}

const require = createRequire(import.meta.url);
for (const gateway of ["digify", "websms", "f24", "smartswitch"]) {
  const spec = readFileSync(require.resolve(\`@smskit/\${gateway}/openapi.yaml\`), "utf8");
  assert(spec.startsWith("openapi: 3.1"), \`@smskit/\${gateway}/openapi.yaml\`);
}
console.log("packed program: every package and entry point works");
`;

async function main(): Promise<void> {
  workDir = mkdtempSync(join(tmpdir(), "smskit-packed-"));
  const tarballs = join(workDir, "tarballs");
  const app = join(workDir, "app");
  mkdirSync(tarballs);
  mkdirSync(app);

  const packages = publishedPackages();
  step(`packing ${packages.map((item) => item.name).join(", ")}`);
  await must(
    "pnpm pack",
    "pnpm",
    ["-r", "--filter", "./packages/*", "pack", "--pack-destination", tarballs],
    ROOT,
    180_000,
  );
  const files = new Map<string, string>();
  for (const item of packages) {
    const tarball = `${item.name.replace(/^@/, "").replace("/", "-")}-${item.version}.tgz`;
    if (!readdirSync(tarballs).includes(tarball)) throw new Error(`pnpm pack wrote no ${tarball}`);
    files.set(item.name, `file:../tarballs/${tarball}`);
  }

  const local = Object.fromEntries(files);
  writeFileSync(
    join(app, "package.json"),
    JSON.stringify(
      {
        name: "smskit-packed-install-check",
        private: true,
        type: "module",
        dependencies: {
          ...local,
          msw: "2.15.0",
          "openapi-msw": "2.0.0",
          "@types/node": version("@types/node"),
        },
        // The packages depend on each other by version range; these keep npm on the tarballs.
        overrides: local,
      },
      null,
      2,
    ),
  );
  writeFileSync(
    join(app, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        lib: ["ES2022", "DOM"],
        types: ["node"],
        strict: true,
        noUncheckedIndexedAccess: true,
        verbatimModuleSyntax: true,
        skipLibCheck: true,
        outDir: "dist",
      },
      include: ["main.ts"],
    }),
  );
  writeFileSync(join(app, "main.ts"), PROGRAM);

  step("npm install of the tarballs");
  const install = ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"];
  const first = await run("npm", install, app, 300_000);
  // The registry is only needed for third-party packages; one retry covers a dropped connection.
  if (first.code !== 0) {
    step(`npm install failed once, retrying:\n${first.output.trim().split("\n").slice(-5).join("\n")}`);
    await must("npm install", "npm", install, app, 300_000);
  }

  step("type-checking the program with the workspace's TypeScript");
  await must("tsc", process.execPath, [TSC, "-p", join(app, "tsconfig.json")], app, 180_000);

  step("running it against the fake gateways");
  const output = await must("node dist/main.js", process.execPath, [join(app, "dist/main.js")], app, 120_000);
  if (!output.includes("packed program: every package and entry point works")) {
    throw new Error(`the program did not finish:\n${output}`);
  }
}

try {
  await main();
  cleanUp();
  console.log(`packed-install: ok, ${seconds()}`);
} catch (error) {
  console.error(`packed-install: ${error instanceof Error ? error.message : String(error)}`);
  cleanUp();
  process.exitCode = 1;
}
