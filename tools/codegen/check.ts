/**
 * `pnpm generate:check`: fails when a committed `src/generated/schema.ts` no longer matches its
 * spec, and names the file. openapi-typescript's own `--check` only says "not up-to-date", so this
 * regenerates into a scratch copy of the layout (never touching the committed files) and compares.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const config = readFileSync(join(root, "redocly.yaml"), "utf8");
const outputs = [...config.matchAll(/^\s+output:\s*(\S+)\s*$/gm)].map((match) => match[1] as string);
const cli = join(
  dirname(createRequire(join(root, "package.json")).resolve("openapi-typescript/package.json")),
  "bin/cli.js",
);

const scratch = mkdtempSync(join(tmpdir(), "smskit-codegen-"));
try {
  cpSync(join(root, "redocly.yaml"), join(scratch, "redocly.yaml"));
  cpSync(join(root, "specs"), join(scratch, "specs"), { recursive: true });
  for (const output of outputs) mkdirSync(dirname(join(scratch, output)), { recursive: true });
  execFileSync(process.execPath, [cli, "--redocly", "redocly.yaml", "--default-non-nullable", "false"], {
    cwd: scratch,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const stale = outputs.filter((output) => {
    let committed = "";
    try {
      committed = readFileSync(join(root, output), "utf8");
    } catch {
      // missing counts as stale
    }
    return committed !== readFileSync(join(scratch, output), "utf8");
  });
  if (stale.length > 0) {
    console.error(
      `stale generated code (a spec changed): ${stale.join(", ")}\nrun \`pnpm generate\` and commit the result`,
    );
    process.exitCode = 1;
  } else {
    console.log(`generated code is up to date (${outputs.length} files)`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
