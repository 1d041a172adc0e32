/**
 * `pnpm docs:samples`: every ```ts fence of the guides and READMEs compiled with tsc, importing the
 * built workspace packages by their published names (`smskit`, `@smskit/digify`, …) the way a user's
 * project would. Errors name the Markdown file and line.
 *
 * The samples are written to .cache/doc-samples with a node_modules of symlinks to every workspace
 * package, so a new package can be imported by a guide without any wiring here; `tsc -p
 * .cache/doc-samples` reproduces a failure by hand.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { type CodeSample, extractSamples, type SampleProblem } from "./markdown.ts";
import { listDocumentsWithSamples, listPackages, listPublicPackages, repoRoot } from "./workspace.ts";

export interface SampleReport {
  /** How many fences were compiled. */
  checked: number;
  /** Compiler errors and convention problems, each at a Markdown file and line. */
  problems: SampleProblem[];
}

/**
 * What a sample may import, as a user's project would have it installed: every workspace package,
 * and every package a workspace package depends on (so a guide can use `msw` with the MSW handlers,
 * or `express` with a webhook receiver), with its `@types/` package when there is one.
 */
function importableModules(): Map<string, string> {
  const modules = new Map<string, string>();
  const packages = listPackages();
  for (const pkg of packages) modules.set(pkg.name, join(repoRoot, pkg.dir));
  for (const pkg of [
    ...packages,
    { dir: ".", manifest: JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) },
  ]) {
    for (const field of ["dependencies", "peerDependencies", "optionalDependencies", "devDependencies"]) {
      for (const name of Object.keys((pkg.manifest[field] as Record<string, string> | undefined) ?? {})) {
        for (const candidate of [name, `@types/${name.replace(/^@([^/]+)\//, "$1__")}`]) {
          const installed = join(repoRoot, pkg.dir, "node_modules", candidate);
          if (!modules.has(candidate) && existsSync(installed)) modules.set(candidate, installed);
        }
      }
    }
  }
  return modules;
}

interface Segment {
  /** 0-based first line of this sample inside the generated module. */
  start: number;
  lines: number;
  sample: CodeSample;
}

interface SampleModule {
  fileName: string;
  segments: Segment[];
  text: string;
}

function modulesOf(documents: string[], root: string, problems: SampleProblem[]): SampleModule[] {
  const modules: SampleModule[] = [];
  for (const document of documents) {
    const extracted = extractSamples(readFileSync(join(root, document), "utf8"), document);
    problems.push(...extracted.problems);
    let current: SampleModule | undefined;
    for (const sample of extracted.samples) {
      if (!sample.continued || current === undefined) {
        current = {
          fileName: `${document.replace(/[^\w]+/g, "-")}-${sample.line}.ts`,
          segments: [],
          text: "",
        };
        modules.push(current);
      }
      const start = current.text === "" ? 0 : current.text.split("\n").length - 1;
      current.segments.push({ start, lines: sample.code.split("\n").length, sample });
      current.text += sample.code.endsWith("\n") ? sample.code : `${sample.code}\n`;
    }
  }
  // `export {}` makes each sample a module (top-level await, no globals shared between samples).
  for (const module of modules) module.text += "export {};\n";
  return modules;
}

/** Where a line of a generated module came from. */
function locate(module: SampleModule, line: number): { file: string; line: number } {
  let segment = module.segments[0] as Segment;
  for (const candidate of module.segments) if (candidate.start <= line) segment = candidate;
  return { file: segment.sample.file, line: segment.sample.line + (line - segment.start) };
}

/**
 * Type-checks the samples of `documents` (repository-relative Markdown files). `root` and `workDir`
 * are parameters so tests can check fixtures.
 */
export function checkSamples(
  documents: string[] = listDocumentsWithSamples(),
  options: { root?: string; workDir?: string } = {},
): SampleReport {
  const root = options.root ?? repoRoot;
  const workDir = options.workDir ?? join(repoRoot, ".cache", "doc-samples");
  const unbuilt = listPublicPackages().filter((pkg) => !existsSync(join(repoRoot, pkg.dir, "dist")));
  if (unbuilt.length > 0) {
    throw new Error(
      `build the packages first (pnpm build): no dist/ in ${unbuilt.map((pkg) => pkg.dir).join(", ")}`,
    );
  }
  const problems: SampleProblem[] = [];
  const modules = modulesOf(documents, root, problems);

  rmSync(workDir, { recursive: true, force: true });
  for (const [name, target] of importableModules()) {
    const link = join(workDir, "node_modules", name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(target, link, "dir");
  }
  writeFileSync(join(workDir, "package.json"), `${JSON.stringify({ private: true, type: "module" })}\n`);
  writeFileSync(
    join(workDir, "tsconfig.json"),
    `${JSON.stringify(
      {
        extends: relative(workDir, join(repoRoot, "tsconfig.base.json")),
        compilerOptions: {
          noEmit: true,
          types: ["node"],
          declaration: false,
          declarationMap: false,
          sourceMap: false,
          inlineSources: false,
        },
        include: ["*.ts"],
      },
      null,
      2,
    )}\n`,
  );
  const byFile = new Map<string, SampleModule>();
  for (const module of modules) {
    const path = join(workDir, module.fileName);
    writeFileSync(path, module.text);
    byFile.set(path, module);
  }
  if (modules.length === 0) return { checked: 0, problems };

  const config = ts.getParsedCommandLineOfConfigFile(join(workDir, "tsconfig.json"), undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
    },
  });
  if (!config) throw new Error("could not read the samples' tsconfig.json");
  const program = ts.createProgram(config.fileNames, config.options);
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = `TS${diagnostic.code}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")}`;
    const module = diagnostic.file ? byFile.get(diagnostic.file.fileName) : undefined;
    if (!diagnostic.file || diagnostic.start === undefined || !module) {
      // An error outside the samples (a package's .d.ts, the config): no Markdown line to blame.
      problems.push({
        file: diagnostic.file ? relative(root, diagnostic.file.fileName) : "tsconfig",
        line: 0,
        message,
      });
      continue;
    }
    const position = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    const where = locate(module, position.line);
    problems.push({
      file: where.file,
      line: where.line,
      message: `${message} (column ${position.character + 1})`,
    });
  }
  problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  return { checked: modules.reduce((count, module) => count + module.segments.length, 0), problems };
}

export const formatProblem = (problem: SampleProblem) =>
  `${problem.file}:${problem.line}: ${problem.message}`;

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const report = checkSamples();
  for (const problem of report.problems) console.error(formatProblem(problem));
  if (report.problems.length > 0) {
    console.error(`${report.problems.length} problem(s) in the code samples of the docs`);
    process.exit(1);
  }
  console.log(`${report.checked} code samples compile`);
}
