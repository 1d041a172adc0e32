/**
 * `pnpm run size:check` (a task of `pnpm test`): every package entry within its budget in
 * size-budgets.json, and every generated `src/generated/schema.ts` types only.
 *
 * Not size-limit: its esbuild plugin subtracts an "empty project" constant and reports 13 B for a
 * module that esbuild bundles to 0 B (measured with size-limit 12.1.0), so it can neither assert
 * "types only" exactly nor agree with the figures in BENCHMARKS.md. This check uses the bench's own
 * measurement (lib/bundle.ts), so both report the same bytes.
 */
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { bundleEntry, bundleSchema, generatedSchemas, isEntryBuilt, packageEntries } from "./lib/bundle.ts";
import { root } from "./lib/paths.ts";

const BUDGETS_FILE = "size-budgets.json";
const config = JSON.parse(readFileSync(join(root, BUDGETS_FILE), "utf8")) as {
  budgets: Record<string, number>;
  /** Entries deliberately not size-checked (a server-side package, say), each with its reason. */
  unbudgeted?: Record<string, string>;
};
const { budgets } = config;
const unbudgeted = config.unbudgeted ?? {};

const kB = (bytes: number) => `${(bytes / 1000).toFixed(2)} kB`;
const failures: string[] = [];
const rows: string[][] = [];

for (const entry of packageEntries()) {
  const reason = unbudgeted[entry.specifier];
  if (reason !== undefined) {
    rows.push([entry.specifier, "", "", "", `not checked: ${reason}`]);
    continue;
  }
  if (!isEntryBuilt(entry)) {
    failures.push(
      `${entry.specifier}: packages/${entry.dir}/${entry.file} is not built; this task builds what tools/package.json depends on, so add "${entry.specifier
        .split("/")
        .slice(0, entry.specifier.startsWith("@") ? 2 : 1)
        .join("/")}": "workspace:*" to its devDependencies`,
    );
    continue;
  }
  const { gzip } = await bundleEntry(entry);
  const budget = budgets[entry.specifier];
  if (budget === undefined) {
    failures.push(
      `${entry.specifier} has no budget: add "${entry.specifier}": ${(Math.ceil(gzip / 100) / 10).toFixed(1)} (its size today, rounded up) to ${BUDGETS_FILE}`,
    );
    rows.push([entry.specifier, kB(gzip), "none", "", "NO BUDGET"]);
    continue;
  }
  const limit = budget * 1000;
  const over = gzip - limit;
  rows.push([entry.specifier, kB(gzip), `${budget.toFixed(1)} kB`, kB(-over), over > 0 ? "OVER" : "ok"]);
  if (over > 0) {
    failures.push(
      `${entry.specifier} is ${kB(gzip)} (min + gzip), ${kB(over)} over its budget of ${budget.toFixed(1)} kB in ${BUDGETS_FILE}`,
    );
  }
}
const known = new Set(packageEntries().map((entry) => entry.specifier));
const unused = [...Object.keys(budgets), ...Object.keys(unbudgeted)].filter(
  (specifier) => !known.has(specifier),
);

for (const schema of generatedSchemas()) {
  const { minified } = await bundleSchema(schema);
  const name = relative(root, schema);
  rows.push([name, `${minified} B`, "0 B", "", minified === 0 ? "ok (types only)" : "NOT TYPES ONLY"]);
  if (minified !== 0) {
    failures.push(
      `${name} bundles to ${minified} B of JavaScript; a generated schema must stay types only (is openapi-typescript run with an option that emits values, e.g. --enum?)`,
    );
  }
}

const widths = [0, 1, 2, 3, 4].map((column) =>
  Math.max(
    ...[["entry", "min + gzip", "budget", "headroom", ""], ...rows].map((row) => (row[column] ?? "").length),
  ),
);
const print = (row: readonly string[]) =>
  console.log(
    row
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join("  "),
  );
print(["entry", "min + gzip", "budget", "headroom", ""]);
for (const row of rows) print(row);
for (const specifier of unused)
  console.log(`note: ${BUDGETS_FILE} has a budget for ${specifier}, which no package exports (yet)`);

if (failures.length > 0) {
  console.error(`\nsize check failed:\n${failures.map((failure) => `  - ${failure}`).join("\n")}`);
  process.exit(1);
}
console.log(`\nsize check passed: ${rows.length} checks within budget`);
