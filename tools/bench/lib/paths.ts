/** Where things are: the repository, the built packages, and the modules the bench compares. */
import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const root = resolve(benchDir, "../..");
export const packagesDir = join(root, "packages");

export const GATEWAYS = ["digify", "websms", "f24", "smartswitch"] as const;
export type Gateway = (typeof GATEWAYS)[number];

export const isBuilt = (dir: string): boolean => existsSync(join(packagesDir, dir, "dist/index.js"));

/** tools/ depends on every workspace package, so its require resolves them as a user's would. */
const toolsRequire = createRequire(join(root, "tools/package.json"));
/** openapi-fetch is not a dependency of tools/: it is found the way @smskit/core finds it. */
const coreRequire = createRequire(join(packagesDir, "core/package.json"));

/** A file URL for a bare specifier, as seen from tools/ (or from core for openapi-fetch). */
export function moduleUrl(specifier: string): string {
  const from = specifier === "openapi-fetch" ? coreRequire : toolsRequire;
  const packageJson = packageJsonOf(from, packageName(specifier));
  const manifest = JSON.parse(readFileSync(packageJson, "utf8")) as {
    exports?: Record<string, unknown>;
    module?: string;
    main?: string;
  };
  const subpath = specifier.slice(packageName(specifier).length) || ".";
  const target = importTarget(manifest.exports?.[subpath.startsWith(".") ? subpath : `.${subpath}`]);
  const file = target ?? (subpath === "." ? (manifest.module ?? manifest.main ?? "index.js") : undefined);
  if (file === undefined) throw new Error(`${specifier} has no import entry`);
  return pathToFileURL(asFile(join(dirname(packageJson), file))).href;
}

/** Found through the lookup paths, since not every package exports its package.json. */
function packageJsonOf(from: NodeJS.Require, name: string): string {
  for (const dir of from.resolve.paths(name) ?? []) {
    const candidate = join(dir, name, "package.json");
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`${name} is not installed`);
}

/** CommonJS `main` may name a directory or leave out `.js`; ESM imports need the file. */
function asFile(path: string): string {
  if (existsSync(path) && statSync(path).isDirectory()) return join(path, "index.js");
  if (!existsSync(path) && existsSync(`${path}.js`)) return `${path}.js`;
  return path;
}

function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] as string);
}

/** The file an `exports` entry gives to `import` under Node: import → node → default, nested. */
function importTarget(entry: unknown): string | undefined {
  if (typeof entry === "string") return entry;
  if (!entry || typeof entry !== "object") return undefined;
  for (const condition of ["import", "node", "default"]) {
    const found = importTarget((entry as Record<string, unknown>)[condition]);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The folder of an installed package, found from its entry (not every package exports package.json). */
export function packageDirOf(specifier: string): string {
  let dir = dirname(fileURLToPath(moduleUrl(specifier)));
  for (;;) {
    const candidate = join(dir, "package.json");
    if (
      existsSync(candidate) &&
      (JSON.parse(readFileSync(candidate, "utf8")) as { name?: string }).name === specifier
    ) {
      return dir;
    }
    if (dirname(dir) === dir) throw new Error(`no package.json for ${specifier}`);
    dir = dirname(dir);
  }
}

export function packageVersion(specifier: string): string {
  try {
    const manifest = JSON.parse(readFileSync(join(packageDirOf(specifier), "package.json"), "utf8")) as {
      version?: string;
    };
    return manifest.version ?? "?";
  } catch {
    return "?";
  }
}
