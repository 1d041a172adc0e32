/**
 * `pnpm bench`: bundle size and per-call cost of the packages, against openapi-fetch alone.
 *
 * DESIGN.md keeps timing out of the tests, so this is where speed and size are looked at. Absolute
 * numbers depend on the machine; the ratios to the baseline in the same run are what to compare
 * between runs and machines. Nothing is written to disk: results are printed only.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import type * as Core from "@smskit/core";
import type * as Digify from "@smskit/digify";
import { build, version as esbuildVersion } from "esbuild";

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(benchDir, "../..");
const packagesDir = join(root, "packages");
/** openapi-fetch is not a dependency of tools/, so it is found the way @smskit/core finds it. */
const corePackageJson = join(packagesDir, "core/package.json");

const PROVIDERS = [
  { dir: "digify", client: "createDigifyClient", adapter: "digify" },
  { dir: "f24", client: "createF24Client", adapter: "f24" },
  { dir: "smartswitch", client: "createSmartSwitchClient", adapter: "smartSwitch" },
  { dir: "websms", client: "createWebsmsClient", adapter: "websms" },
] as const;

/** Set when one of our own measurements fails; "not built" and the twilio comparison never set it. */
let failed = false;

// ---------------------------------------------------------------------------------------------
// Output helpers

const int = (value: number): string => Math.round(value).toLocaleString("en-US");
const ratio = (value: number): string => `${value.toFixed(2)}×`;

function errorText(error: unknown): string {
  const esbuildErrors = (error as { errors?: Array<{ text: string }> } | undefined)?.errors;
  if (Array.isArray(esbuildErrors) && esbuildErrors[0]) return esbuildErrors[0].text;
  return error instanceof Error ? error.message : String(error);
}

/** First column left-aligned, the rest right-aligned, as numbers read best. */
function printTable(title: string, header: readonly string[], rows: ReadonlyArray<readonly string[]>): void {
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (row: readonly string[]) =>
    row
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join("  ")
      .trimEnd();
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((width) => "-".repeat(width)).join("  "));
  for (const row of rows) console.log(line(row));
}

function packageVersion(packageJsonPath: string): string {
  try {
    return (JSON.parse(readFileSync(packageJsonPath, "utf8")) as { version?: string }).version ?? "?";
  } catch {
    return "?";
  }
}

// ---------------------------------------------------------------------------------------------
// Resolution

const isBuilt = (dir: string): boolean => existsSync(join(packagesDir, dir, "dist/index.js"));

function openapiFetchPackageJson(): string {
  return createRequire(corePackageJson).resolve("openapi-fetch/package.json");
}

/** The ESM entry of openapi-fetch, the same file @smskit/core loads. */
function openapiFetchEntry(): string {
  const packageJson = openapiFetchPackageJson();
  const manifest = JSON.parse(readFileSync(packageJson, "utf8")) as {
    exports?: { ".": { import?: string } };
    module?: string;
    main?: string;
  };
  const entry = manifest.exports?.["."]?.import ?? manifest.module ?? manifest.main ?? "index.js";
  return pathToFileURL(join(dirname(packageJson), entry)).href;
}

// ---------------------------------------------------------------------------------------------
// 1. Bundle size

interface Bundled {
  minified: number;
  gzip: number;
}

async function bundle(
  contents: string,
  options: { resolveDir?: string; platform?: "browser" | "node" } = {},
): Promise<Bundled> {
  const result = await build({
    stdin: { contents, resolveDir: options.resolveDir ?? benchDir, sourcefile: "entry.js", loader: "js" },
    bundle: true,
    minify: true,
    treeShaking: true,
    format: "esm",
    platform: options.platform ?? "browser",
    write: false,
    logLevel: "silent",
  });
  const output = result.outputFiles[0]?.contents ?? new Uint8Array();
  // Default zlib level, as a web server's on-the-fly gzip would use.
  return { minified: output.byteLength, gzip: gzipSync(output).byteLength };
}

const facadeEntry = (facade: string): string =>
  `export { createMessenger, ${PROVIDERS.map((provider) => provider.adapter).join(", ")} } from "${facade}";`;

interface SizeCase {
  label: string;
  /** Workspace packages (folders under packages/) whose dist the entry needs. */
  needs: readonly string[];
  entry: string;
}

function sizeCases(facade: string): SizeCase[] {
  return [
    { label: "@smskit/core (everything)", needs: ["core"], entry: `export * from "@smskit/core";` },
    ...PROVIDERS.map((provider) => ({
      label: `@smskit/${provider.dir} ${provider.client}`,
      needs: ["core", provider.dir],
      entry: `export { ${provider.client} } from "@smskit/${provider.dir}";`,
    })),
    ...PROVIDERS.map((provider) => ({
      label: `@smskit/${provider.dir} ${provider.adapter} (adapter)`,
      needs: ["core", provider.dir],
      entry: `export { ${provider.adapter} } from "@smskit/${provider.dir}";`,
    })),
    {
      label: "smskit createMessenger + 4 adapters",
      needs: ["core", ...PROVIDERS.map((provider) => provider.dir), "smskit"],
      entry: facadeEntry(facade),
    },
  ];
}

async function measureSizes(facade: string): Promise<void> {
  const baseline = await bundle(`export { default as createClient } from "openapi-fetch";`, {
    resolveDir: dirname(corePackageJson),
  });
  const row = (label: string, size: Bundled): string[] => [
    label,
    int(size.minified),
    int(size.gzip),
    ratio(size.minified / baseline.minified),
    ratio(size.gzip / baseline.gzip),
  ];
  const rows: string[][] = [
    row(`openapi-fetch ${packageVersion(openapiFetchPackageJson())} createClient (baseline)`, baseline),
  ];
  for (const sizeCase of sizeCases(facade)) {
    const missing = sizeCase.needs.filter((dir) => !isBuilt(dir));
    if (missing.length > 0) {
      rows.push([sizeCase.label, `not built (${missing.join(", ")})`, "", "", ""]);
      continue;
    }
    try {
      rows.push(row(sizeCase.label, await bundle(sizeCase.entry)));
    } catch (error) {
      failed = true;
      rows.push([sizeCase.label, `failed: ${errorText(error)}`, "", "", ""]);
    }
  }
  printTable(
    `1. Bundle size: esbuild ${esbuildVersion} --bundle --minify --format=esm --platform=browser, tree-shaken; gzip = node:zlib default level`,
    ["entry", "min B", "gzip B", "min / base", "gzip / base"],
    rows,
  );
}

// Install size: what `npm install` puts on disk for a package and its production dependencies.

/** Node's lookup: `<ancestor>/node_modules/<name>` for every ancestor not itself named node_modules. */
function findDependency(fromDir: string, name: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    if (basename(dir) !== "node_modules") {
      const candidate = join(dir, "node_modules", name);
      if (existsSync(join(candidate, "package.json"))) return realpathSync(candidate);
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function treeBytes(path: string): number {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  if (!stat || stat.isSymbolicLink()) return 0;
  if (!stat.isDirectory()) return stat.size;
  let total = 0;
  for (const name of readdirSync(path)) {
    // A nested node_modules holds dependencies, counted once each through the dependency walk.
    if (name !== "node_modules") total += treeBytes(join(path, name));
  }
  return total;
}

/** A workspace package ships only its `files` (plus what npm always adds), not src/ or test/. */
function publishedBytes(dir: string, files: readonly string[]): number {
  const always = readdirSync(dir).filter((name) => /^(package\.json|readme|license|licence)/i.test(name));
  return [...new Set([...always, ...files])].reduce((sum, name) => sum + treeBytes(join(dir, name)), 0);
}

function installSize(packageDir: string): { bytes: number; packages: number } {
  const seen = new Set<string>();
  let bytes = 0;
  const visit = (dir: string) => {
    if (seen.has(dir)) return;
    seen.add(dir);
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
      files?: string[];
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    const inWorkspace = !relative(packagesDir, dir).startsWith("..");
    bytes += inWorkspace ? publishedBytes(dir, manifest.files ?? []) : treeBytes(dir);
    for (const name of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) {
      const found = findDependency(dir, name);
      if (found) visit(found);
    }
  };
  visit(realpathSync(packageDir));
  return { bytes, packages: seen.size };
}

async function compareWithTwilio(facade: string): Promise<void> {
  const twilioDir = join(root, "node_modules/twilio");
  if (!existsSync(join(twilioDir, "package.json"))) {
    console.log("\n(twilio comparison skipped: twilio is not installed at the repository root)");
    return;
  }
  const twilioVersion = packageVersion(join(twilioDir, "package.json"));
  const facadeBuilt = ["core", ...PROVIDERS.map((provider) => provider.dir), "smskit"].every(isBuilt);
  const rows: string[][] = [];
  const notes: string[] = [];

  // Both for platform node, since twilio's client needs Node built-ins and would not bundle otherwise.
  let ours: Bundled | undefined;
  let theirs: Bundled | undefined;
  try {
    ours = facadeBuilt ? await bundle(facadeEntry(facade), { platform: "node" }) : undefined;
  } catch (error) {
    notes.push(`facade did not bundle: ${errorText(error)}`);
  }
  try {
    theirs = await bundle(`export { Twilio } from "twilio";`, { platform: "node", resolveDir: root });
  } catch (error) {
    notes.push(`twilio did not bundle (${errorText(error)}); only install sizes are compared`);
  }
  const bundleCell = (size: Bundled | undefined, what: "minified" | "gzip") =>
    size ? int(size[what]) : facadeBuilt ? "failed" : "not built";
  rows.push([
    "bundle, min B (platform node)",
    bundleCell(ours, "minified"),
    bundleCell(theirs, "minified"),
    ours && theirs ? ratio(theirs.minified / ours.minified) : "",
  ]);
  rows.push([
    "bundle, gzip B (platform node)",
    bundleCell(ours, "gzip"),
    bundleCell(theirs, "gzip"),
    ours && theirs ? ratio(theirs.gzip / ours.gzip) : "",
  ]);

  try {
    const theirInstall = installSize(twilioDir);
    const ourInstall = facadeBuilt ? installSize(join(packagesDir, "smskit")) : undefined;
    rows.push([
      "install size, B (package + production deps)",
      ourInstall ? int(ourInstall.bytes) : "not built",
      int(theirInstall.bytes),
      ourInstall ? ratio(theirInstall.bytes / ourInstall.bytes) : "",
    ]);
    rows.push([
      "install size, packages",
      ourInstall ? String(ourInstall.packages) : "not built",
      String(theirInstall.packages),
      "",
    ]);
  } catch (error) {
    notes.push(`install size not measured: ${errorText(error)}`);
  }

  printTable(
    `   Against twilio ${twilioVersion} (what users would otherwise install): smskit facade = createMessenger + 4 adapters; twilio = its Twilio client`,
    ["measure", "smskit", `twilio ${twilioVersion}`, "twilio / smskit"],
    rows,
  );
  console.log(
    "   install size of smskit counts each package's published files (package.json, README, LICENSE, dist/ with .d.ts and maps); no tarball was packed",
  );
  if (theirs) {
    console.log(
      "   twilio is CommonJS, which esbuild cannot tree-shake: its bundle holds every REST domain the client can load",
    );
  }
  for (const note of notes) console.log(`   note: ${note}`);
}

// ---------------------------------------------------------------------------------------------
// 2. Speed

type AsyncOp = () => Promise<unknown>;

const ROUNDS = 15;
const ROUND_MS = 150;

/** Keeps results observable so the optimiser cannot drop the work being measured. */
let sink = 0;

async function timeBatch(op: AsyncOp, count: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < count; i++) await op();
  return performance.now() - start;
}

/** Grows the batch until it lasts about one round; doubles as the warm-up (JIT, inline caches). */
async function calibrate(op: AsyncOp, roundMs: number): Promise<number> {
  let count = 8;
  for (;;) {
    const elapsed = await timeBatch(op, count);
    if (elapsed >= roundMs / 2 || count >= 1 << 24) {
      return Math.max(1, Math.round((count * roundMs) / Math.max(elapsed, 1e-3)));
    }
    count *= 2;
  }
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

interface SpeedCase {
  label: string;
  /** Undefined when the code under test could not be loaded; `why` says so. */
  op?: AsyncOp;
  why?: string;
}

/**
 * Median ops/s per case. Rounds are interleaved (a, b, c, a, b, c, …) rather than run case by case,
 * so that drift over the run (CPU frequency, GC heap growth, other load) hits every case alike and
 * the ratios stay fair.
 */
async function compareSpeed(cases: readonly SpeedCase[]): Promise<Map<SpeedCase, number>> {
  const runnable = cases.filter((speedCase): speedCase is SpeedCase & { op: AsyncOp } => !!speedCase.op);
  const counts = new Map<SpeedCase, number>();
  for (const speedCase of runnable) counts.set(speedCase, await calibrate(speedCase.op, ROUND_MS));
  const samples = new Map<SpeedCase, number[]>(runnable.map((speedCase) => [speedCase, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const speedCase of runnable) {
      const count = counts.get(speedCase) as number;
      const elapsed = await timeBatch(speedCase.op, count);
      samples.get(speedCase)?.push((count * 1000) / elapsed);
    }
  }
  return new Map(runnable.map((speedCase) => [speedCase, median(samples.get(speedCase) ?? [])]));
}

const DIGIFY_PATH = "/api/v1/messages/send";
const BASE_URL = "https://apiaccess.digify.no";
const ACCESS_TOKEN = "bench-token-0123456789a";
const SEND_BODY = {
  messages: [{ type: "sms" as const, destAddr: "4712345678", msg: "Hei fra smskit!" }],
};
const CANNED_BODY = JSON.stringify({
  status: "success",
  simulationMode: false,
  results: [{ type: "sms", status: "queued", messageId: 1, msgCount: 1 }],
  summary: { total: 1, sms: 1, email: 0, creditsUsed: 1 },
});

/** Answers at once like a gateway that accepted the message; a Response body can be read only once, so one each call. */
const cannedFetch = async (_request: Request): Promise<Response> =>
  new Response(CANNED_BODY, { status: 200, headers: { "content-type": "application/json" } });

interface OpenapiFetchModule {
  default: (options: { baseUrl: string; fetch: typeof cannedFetch }) => {
    POST(path: string, init: { body: unknown }): Promise<{ data?: unknown; error?: unknown }>;
  };
}

interface FacadeModule {
  createMessenger(options: { providers: Core.SmsProvider[] }): {
    send(input: { to: string; text: string }): Promise<Core.SendResult>;
  };
  digify(options: Digify.DigifyAdapterOptions): Core.SmsProvider;
}

/** A workspace package without a dist: reported as "not built", not as a failure. */
class NotBuilt extends Error {}

/** Runs an operation once before timing it, so a broken setup is reported instead of measured. */
async function checked(label: string, load: () => Promise<AsyncOp>): Promise<SpeedCase> {
  try {
    const op = await load();
    await op();
    return { label, op };
  } catch (error) {
    // A built facade whose dependency is not built yet fails to import with ERR_MODULE_NOT_FOUND.
    const notBuilt =
      error instanceof NotBuilt || (error as { code?: unknown } | undefined)?.code === "ERR_MODULE_NOT_FOUND";
    if (!notBuilt) failed = true;
    return { label, why: notBuilt ? "not built" : `failed: ${errorText(error)}` };
  }
}

async function measureSendSpeed(facade: string): Promise<void> {
  const bare = await checked(`(a) openapi-fetch client.POST ${DIGIFY_PATH}`, async () => {
    const { default: createClient } = (await import(openapiFetchEntry())) as OpenapiFetchModule;
    const client = createClient({ baseUrl: BASE_URL, fetch: cannedFetch });
    return async () => {
      const { data, error } = await client.POST(DIGIFY_PATH, { body: SEND_BODY });
      if (error !== undefined || data === undefined) throw new Error("openapi-fetch returned no data");
      sink++;
    };
  });
  const client = await checked("(b) createDigifyClient().send", async () => {
    if (!isBuilt("digify")) throw new NotBuilt("@smskit/digify");
    const { createDigifyClient } = await import("@smskit/digify");
    const digify = createDigifyClient({ accessToken: ACCESS_TOKEN, baseUrl: BASE_URL, fetch: cannedFetch });
    return async () => {
      sink += (await digify.send(SEND_BODY)).results.length;
    };
  });
  const messenger = await checked("(c) createMessenger({ providers: [digify()] }).send", async () => {
    if (!isBuilt("smskit")) throw new NotBuilt("smskit");
    const { createMessenger, digify } = (await import(facade)) as FacadeModule;
    const instance = createMessenger({
      providers: [digify({ accessToken: ACCESS_TOKEN, baseUrl: BASE_URL, fetch: cannedFetch })],
    });
    return async () => {
      sink += (await instance.send({ to: "+47 123 45 678", text: "Hei fra smskit!" })).segments ?? 0;
    };
  });

  const cases = [bare, client, messenger];
  const opsPerSecond = await compareSpeed(cases);
  const baseline = opsPerSecond.get(bare);
  printTable(
    `2. Send cost per call, in-memory fetch answering a canned 200 JSON (no network); median of ${ROUNDS} interleaved rounds of ~${ROUND_MS} ms after warm-up`,
    ["case", "ops/s", "µs/op", "time / (a)"],
    cases.map((speedCase) => {
      const ops = opsPerSecond.get(speedCase);
      if (ops === undefined) return [speedCase.label, speedCase.why ?? "not run", "", ""];
      return [
        speedCase.label,
        int(ops),
        (1e6 / ops).toFixed(1),
        baseline === undefined ? "" : ratio(baseline / ops),
      ];
    }),
  );
  console.log("   time / (a): how many times longer one call takes than the bare openapi-fetch call");
}

async function measureSegmentSpeed(): Promise<void> {
  let estimateSegments: typeof Core.estimateSegments;
  try {
    if (!isBuilt("core")) throw new Error("not built");
    ({ estimateSegments } = await import("@smskit/core"));
  } catch (error) {
    console.log(`\n3. estimateSegments: ${isBuilt("core") ? `failed: ${errorText(error)}` : "not built"}`);
    if (isBuilt("core")) failed = true;
    return;
  }
  const gsm160 = "Hei! Din kode er 481516. Den gjelder i 10 minutter. Ikke del koden med noen. ".repeat(3);
  const texts = [
    { label: "160 chars, GSM-7", text: gsm160.padEnd(160, ".").slice(0, 160) },
    {
      label: "70 chars, UCS-2",
      text: "Привет! Ваш код 481516, он действует 10 минут. 🙂 ".repeat(2).slice(0, 70),
    },
    {
      label: "10 000 chars, GSM-7 with € and {}",
      text: "Kvittering {nr. 42}: 199 € betalt. Takk for handelen! ".repeat(200).slice(0, 10_000),
    },
  ];
  const cases = texts.map(({ label, text }) => {
    const estimate = estimateSegments(text);
    return {
      label: `${label} → ${estimate.encoding}, ${estimate.segments} seg`,
      op: async () => {
        // Many calls per await keep the promise machinery out of a measurement of pure computation.
        for (let i = 0; i < 100; i++) sink += estimateSegments(text).segments;
      },
    };
  });
  const opsPerSecond = await compareSpeed(cases);
  printTable(
    `3. estimateSegments, median of ${ROUNDS} interleaved rounds of ~${ROUND_MS} ms after warm-up`,
    ["text", "ops/s", "µs/op"],
    cases.map((speedCase) => {
      const ops = (opsPerSecond.get(speedCase) ?? 0) * 100;
      return [speedCase.label, int(ops), (1e6 / ops).toFixed(3)];
    }),
  );
}

// ---------------------------------------------------------------------------------------------

const started = performance.now();
const cpu = cpus();
console.log(
  `smskit bench: Node ${process.version}, ${process.platform}/${process.arch}, ${cpu.length} × ${cpu[0]?.model.trim() ?? "unknown CPU"}`,
);
console.log(
  "Numbers are from this machine and this run only; compare the ratios (to the baseline in the same run), not the absolute values.",
);

const facade = "smskit";

const sections: Array<[string, () => Promise<void>]> = [
  ["bundle size", () => measureSizes(facade)],
  ["twilio comparison", () => compareWithTwilio(facade)],
  ["send speed", () => measureSendSpeed(facade)],
  ["segment speed", measureSegmentSpeed],
];
for (const [name, run] of sections) {
  try {
    await run();
  } catch (error) {
    // The twilio comparison is a bonus; anything else failing is a broken bench.
    if (name !== "twilio comparison") failed = true;
    console.log(`\n(${name} not measured: ${errorText(error)})`);
  }
}

console.log(
  `\ndone in ${((performance.now() - started) / 1000).toFixed(1)} s (checksum ${sink > 0 ? "ok" : "0"})`,
);
if (failed) process.exitCode = 1;
