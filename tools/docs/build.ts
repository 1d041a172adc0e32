/**
 * `pnpm docs`: one self-contained Redocly page per spec listed in redocly.yaml, and an index.
 * `--inlineBundle` matters: without it the page loads Redoc from a CDN and shows no operations offline.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const site = `${root}site`;
const redocly = `${root}node_modules/.bin/redocly`;

/** The `apis:` entries of redocly.yaml: `name@version` and the spec's root file. */
export function listApis(): Array<{ id: string; provider: string; root: string }> {
  const config = readFileSync(`${root}redocly.yaml`, "utf8");
  const apis: Array<{ id: string; provider: string; root: string }> = [];
  for (const match of config.matchAll(/^ {2}([\w-]+)@([\w.-]+):\n {4}root: (\S+)$/gm)) {
    const [, provider, version, specRoot] = match as unknown as [string, string, string, string];
    apis.push({ id: `${provider}@${version}`, provider, root: specRoot });
  }
  return apis;
}

function titleOf(specFile: string): string {
  const match = readFileSync(specFile, "utf8").match(/^info:\n(?: {2}.*\n)*? {2}title: (.+)$/m);
  return match?.[1]?.replace(/^['"]|['"]$/g, "") ?? specFile;
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"]/g,
    (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[char] as string,
  );

mkdirSync(site, { recursive: true });
const pages: Array<{ href: string; title: string; provider: string }> = [];
for (const api of listApis()) {
  if (!existsSync(`${root}${api.root}`)) {
    console.warn(`skipping ${api.id}: ${api.root} does not exist`);
    continue;
  }
  const output = `site/${api.provider}.html`;
  execFileSync(redocly, ["build-docs", api.id, "--inlineBundle", "-o", output], { cwd: root, stdio: "pipe" });
  pages.push({ href: `${api.provider}.html`, title: titleOf(`${root}${api.root}`), provider: api.provider });
  console.log(`${api.id} → ${output}`);
}
// The TypeScript reference comes from the facade, which re-exports every public name.
execFileSync(
  `${root}node_modules/.bin/typedoc`,
  [
    "--entryPoints",
    "packages/smskit/src/index.ts",
    "--tsconfig",
    "packages/smskit/tsconfig.build.json",
    "--out",
    "site/api",
    "--name",
    "smskit",
    "--readme",
    "none",
    "--excludePrivate",
    "--disableSources",
    "--logLevel",
    "Warn",
  ],
  { cwd: root, stdio: "inherit" },
);
console.log("typedoc → site/api/index.html");
const hasApiReference = existsSync(`${site}/api/index.html`);
const items = pages
  .map(
    (page) =>
      `    <li><a href="${page.href}">${escapeHtml(page.title)}</a> <code>@smskit/${page.provider}</code></li>`,
  )
  .join("\n");
writeFileSync(
  `${site}/index.html`,
  `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>smskit API documentation</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem}code{color:#555}</style></head>
<body>
  <h1>smskit</h1>
  <p>Typed TypeScript clients for SMS gateways, generated from these OpenAPI specs.</p>
  <h2>Gateway APIs</h2>
  <ul>
${items}
  </ul>
${hasApiReference ? '  <h2>TypeScript API</h2>\n  <p><a href="api/index.html">smskit API reference</a> (typedoc)</p>\n' : ""}</body>
</html>
`,
);
console.log(`site/index.html lists ${pages.length} API(s)`);
