/**
 * Words from how smskit was made that mean nothing to a user: the provider documents the specs were
 * written from were called "seeds", design notes live outside the repository. None of it may appear
 * in what users read: the specs (rendered, and shipped), the READMEs, the guides, the generated
 * schema comments, and the strings in packages/*\/src (error messages, CLI output).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { listApis, listDocumentsWithSamples, listPackages, repoRoot } from "./workspace.ts";

export interface InternalWord {
  pattern: RegExp;
  /** What to write instead. */
  instead: string;
}

export const INTERNAL_WORDS: readonly InternalWord[] = [
  {
    pattern: /\bseeds?\b/i,
    instead: "the provider's documentation, by name (\"Digify's API documentation\")",
  },
  {
    pattern: /\b(?:DESIGN|providers|toolchain(?:-2)?|anchors)\.md\b/,
    instead: "the fact itself; those notes are not part of the repository",
  },
  {
    pattern: /\bshared (?:folder|notes)\b|\bshared\/(?:notes|seeds)\b/i,
    instead: "a file in the repository",
  },
  { pattern: /\/work\/[\w.-]+/, instead: "a path relative to the repository" },
];

export interface Finding {
  file: string;
  line: number;
  text: string;
  instead: string;
}

/** Findings in plain text (a spec, a README): every line counts. */
export function scanText(text: string, file: string): Finding[] {
  const findings: Finding[] = [];
  text.split("\n").forEach((line, index) => {
    for (const word of INTERNAL_WORDS) {
      const match = line.match(word.pattern);
      if (match) findings.push({ file, line: index + 1, text: match[0], instead: word.instead });
    }
  });
  return findings;
}

/** Findings in the string literals of TypeScript source: what reaches users as messages. */
export function scanStrings(source: string, file: string): Finding[] {
  const findings: Finding[] = [];
  const literal = new Set([
    ts.SyntaxKind.StringLiteral,
    ts.SyntaxKind.NoSubstitutionTemplateLiteral,
    ts.SyntaxKind.TemplateHead,
    ts.SyntaxKind.TemplateMiddle,
    ts.SyntaxKind.TemplateTail,
  ]);
  const sourceFile = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const visit = (node: ts.Node) => {
    if (literal.has(node.kind)) {
      const { line } = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile));
      for (const finding of scanText((node as ts.LiteralLikeNode).text, file)) {
        findings.push({ ...finding, line: line + finding.line });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return findings;
}

function filesUnder(dir: string, keep: (file: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  const files: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) files.push(...filesUnder(path, keep));
    else if (keep(path)) files.push(path);
  }
  return files;
}

/** Everything a user reads, scanned from the repository. */
export function findInternalWords(root = repoRoot): Finding[] {
  const rel = (path: string) => relative(root, path);
  const findings: Finding[] = [];
  const texts = new Set<string>([
    ...listApis().map((api) => join(root, api.root)),
    ...listDocumentsWithSamples().map((file) => join(root, file)),
    ...filesUnder(join(root, "docs"), (file) => file.endsWith(".md")),
  ]);
  for (const pkg of listPackages().filter((candidate) => !candidate.private)) {
    const src = join(root, pkg.dir, "src");
    for (const file of filesUnder(src, (path) => /\.[cm]?tsx?$/.test(path))) {
      // Generated code is the specs' text as comments; everything in it is user-facing.
      if (file.includes(`${join(src, "generated")}`)) texts.add(file);
      else findings.push(...scanStrings(readFileSync(file, "utf8"), rel(file)));
    }
  }
  for (const file of texts) findings.push(...scanText(readFileSync(file, "utf8"), rel(file)));
  return findings;
}

export const formatFinding = (finding: Finding) =>
  `${finding.file}:${finding.line}: "${finding.text}" — write ${finding.instead}`;
