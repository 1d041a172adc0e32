/**
 * One way to measure size, used by the bench (sections/sizes.ts) and by the CI budget check
 * (size/check.ts), so that BENCHMARKS.md and the budgets speak of the same bytes: esbuild
 * --bundle --minify --format=esm --platform=browser, tree-shaken, then gzip at zlib's default level
 * (what a web server's on-the-fly gzip uses).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { benchDir, packagesDir } from "./paths.ts";

export interface Bundled {
  minified: number;
  gzip: number;
}

export async function bundle(
  contents: string,
  options: {
    resolveDir?: string;
    platform?: "browser" | "node";
    loader?: "js" | "ts";
    /** Not bundled: an entry's peer dependencies, which the user installs and pays for anyway. */
    external?: readonly string[];
  } = {},
): Promise<Bundled> {
  const result = await build({
    stdin: {
      contents,
      resolveDir: options.resolveDir ?? benchDir,
      sourcefile: `entry.${options.loader ?? "js"}`,
      loader: options.loader ?? "js",
    },
    bundle: true,
    minify: true,
    treeShaking: true,
    format: "esm",
    platform: options.platform ?? "browser",
    external: [...(options.external ?? [])],
    write: false,
    logLevel: "silent",
  });
  const output = result.outputFiles[0]?.contents ?? new Uint8Array();
  return { minified: output.byteLength, gzip: gzipSync(output).byteLength };
}

export interface PackageEntry {
  /** What a user imports: `@smskit/core`, `smskit`, `smskit/webhooks`. */
  specifier: string;
  /** The workspace folder under packages/. */
  dir: string;
  /** The built file, relative to the package. */
  file: string;
}

/**
 * Every JavaScript entry of every workspace package, read from its `exports` map, so that a new
 * subpath (say `smskit/webhooks`) is measured, and needs a budget, as soon as it is exported.
 */
export function packageEntries(): PackageEntry[] {
  const entries: PackageEntry[] = [];
  for (const dir of readdirSync(packagesDir).sort()) {
    const manifestPath = join(packagesDir, dir, "package.json");
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as {
      name: string;
      private?: boolean;
      exports?: Record<string, unknown>;
    };
    if (manifest.private) continue;
    for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
      const file = defaultTarget(target);
      if (file === undefined || !/\.(m?js)$/.test(file)) continue;
      entries.push({
        specifier: subpath === "." ? manifest.name : `${manifest.name}/${subpath.replace(/^\.\//, "")}`,
        dir,
        file,
      });
    }
  }
  return entries;
}

function defaultTarget(target: unknown): string | undefined {
  if (typeof target === "string") return target;
  if (!target || typeof target !== "object") return undefined;
  const conditions = target as Record<string, unknown>;
  return defaultTarget(conditions.import ?? conditions.browser ?? conditions.default);
}

export const isEntryBuilt = (entry: PackageEntry): boolean =>
  existsSync(join(packagesDir, entry.dir, entry.file));

/**
 * Everything an entry exports, as a user who imports all of it would bundle it. Peer dependencies
 * (say msw for `smskit/testing/msw`) stay out, as size-limit leaves them out: they are the user's.
 */
export function bundleEntry(entry: PackageEntry): Promise<Bundled> {
  const manifest = JSON.parse(readFileSync(join(packagesDir, entry.dir, "package.json"), "utf8")) as {
    peerDependencies?: Record<string, string>;
  };
  const peers = Object.keys(manifest.peerDependencies ?? {});
  return bundle(`export * from ${JSON.stringify(`./${entry.file}`)};`, {
    resolveDir: join(packagesDir, entry.dir),
    external: peers.flatMap((name) => [name, `${name}/*`]),
  });
}

/** The generated `src/generated/schema.ts` of each package: types only, so it must bundle to nothing. */
export function generatedSchemas(): string[] {
  return readdirSync(packagesDir)
    .sort()
    .map((dir) => join(packagesDir, dir, "src/generated/schema.ts"))
    .filter((path) => existsSync(path));
}

export async function bundleSchema(path: string): Promise<Bundled> {
  return bundle(readFileSync(path, "utf8"), { loader: "ts", resolveDir: join(path, "..") });
}
