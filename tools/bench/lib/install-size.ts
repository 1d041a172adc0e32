/** Install size: what `npm install` puts on disk for a package and its production dependencies. */
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { packagesDir } from "./paths.ts";

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

export function installSize(packageDir: string): { bytes: number; packages: number } {
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
