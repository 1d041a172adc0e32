/**
 * Part of every package's `package:check`, run in the package directory after publint and attw:
 * what npm would ship must work on its own, away from this repository.
 *
 * - Every shipped source map embeds `sourcesContent`: the `src/` it points to is not in the
 *   tarball, so a map without it only produces "source not found" in debuggers. (Declaration maps
 *   cannot embed their sources, so `files` leaves them out; see tsconfig.base.json.)
 * - README links are absolute: npmjs.com shows the README outside the repository, where
 *   `../../README.md` leads nowhere.
 * - `repository` (with `directory`), `homepage` and `bugs` are set and name this package's folder.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import MarkdownIt, { type Token } from "markdown-it";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/** The files `npm pack` would put into the tarball (pnpm pack ships the same list). */
export function packedFiles(packageDir: string): string[] {
  const output = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: packageDir,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  const [report] = JSON.parse(output) as Array<{ files: Array<{ path: string }> }>;
  return (report?.files ?? []).map((file) => file.path);
}

/** Problems with the shipped maps: each must carry the full text of every source it names. */
export function sourceMapProblems(packageDir: string, files: readonly string[]): string[] {
  const problems: string[] = [];
  for (const file of files.filter((name) => name.endsWith(".map"))) {
    const map = JSON.parse(readFileSync(join(packageDir, file), "utf8")) as {
      sources?: unknown[];
      sourcesContent?: unknown[];
    };
    const sources = map.sources ?? [];
    const contents = map.sourcesContent ?? [];
    const missing = sources.filter((_, index) => typeof contents[index] !== "string");
    if (missing.length > 0) {
      problems.push(
        `${file} is shipped without sourcesContent for ${missing.join(", ")}, which the package does not contain`,
      );
    }
  }
  return problems;
}

const ABSOLUTE = /^(https?:|mailto:)/i;

/** Relative links and images in a README, which break on npmjs.com. */
export function readmeLinkProblems(readme: string, name = "README.md"): string[] {
  const problems: string[] = [];
  const visit = (tokens: Token[], line: number) => {
    for (const token of tokens) {
      const here = token.map ? token.map[0] + 1 : line;
      const attribute = token.type === "link_open" ? "href" : token.type === "image" ? "src" : undefined;
      const value = attribute === undefined ? null : token.attrGet(attribute);
      const target = value === null ? null : String(value);
      if (target !== null && !ABSOLUTE.test(target) && !target.startsWith("#")) {
        problems.push(
          `${name}:${here}: relative link "${target}" does not work on npmjs.com; link to the GitHub URL`,
        );
      }
      if (token.children) visit(token.children, here);
    }
  };
  visit(new MarkdownIt({ html: true }).parse(readme, {}), 1);
  return problems;
}

/** `repository`, `homepage` and `bugs` as npm shows them, pointing at this package's folder. */
export function metadataProblems(manifest: Record<string, unknown>, directory: string): string[] {
  const problems: string[] = [];
  const repository = manifest.repository as { type?: string; url?: string; directory?: string } | undefined;
  if (!repository || typeof repository !== "object") problems.push("package.json has no repository object");
  else {
    if (repository.type !== "git") problems.push('repository.type must be "git"');
    if (!/^git\+https:\/\/github\.com\/[^/]+\/[^/]+\.git$/.test(repository.url ?? ""))
      problems.push(
        `repository.url must be git+https://github.com/<owner>/<repo>.git, got ${repository.url}`,
      );
    if (repository.directory !== directory)
      problems.push(
        `repository.directory must be "${directory}", got ${JSON.stringify(repository.directory)}`,
      );
  }
  const web = (repository?.url ?? "").replace(/^git\+/, "").replace(/\.git$/, "");
  const homepage = `${web}/tree/main/${directory}#readme`;
  if (manifest.homepage !== homepage)
    problems.push(`homepage must be ${homepage}, got ${JSON.stringify(manifest.homepage)}`);
  const bugs = manifest.bugs as { url?: string } | string | undefined;
  const bugsUrl = typeof bugs === "string" ? bugs : bugs?.url;
  if (bugsUrl !== `${web}/issues`)
    problems.push(`bugs must be ${web}/issues, got ${JSON.stringify(bugsUrl)}`);
  return problems;
}

function main(): void {
  const packageDir = process.cwd();
  const manifest = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as Record<
    string,
    unknown
  >;
  const files = packedFiles(packageDir);
  const readmePath = join(packageDir, "README.md");
  const problems = [
    ...metadataProblems(manifest, relative(repoRoot, packageDir)),
    ...sourceMapProblems(packageDir, files),
    ...(existsSync(readmePath) ? readmeLinkProblems(readFileSync(readmePath, "utf8")) : ["no README.md"]),
  ];
  const name = String(manifest.name);
  if (problems.length > 0) {
    for (const problem of problems) console.error(`${name}: ${problem}`);
    process.exit(1);
  }
  const maps = files.filter((file) => file.endsWith(".map")).length;
  console.log(
    `${name}: ${files.length} files packed; ${maps} source maps, all with sourcesContent; README links absolute`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) main();
