import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { extractSamples } from "../markdown.ts";
import { checkSamples, formatProblem } from "../samples.ts";
import { repoRoot } from "../workspace.ts";

describe("code samples in the guides and READMEs", () => {
  test("every ```ts fence compiles against the workspace packages", { timeout: 300_000 }, () => {
    const report = checkSamples();
    expect(report.problems.map(formatProblem)).toEqual([]);
    expect(report.checked).toBeGreaterThan(0);
  });
});

describe("the sample checker", () => {
  const fixture = [
    "# A guide", // 1
    "", // 2
    "```ts", // 3
    'import { createMessenger, dryRun } from "smskit";', // 4
    "const messenger = createMessenger({ providers: [dryRun()] });", // 5
    "```", // 6
    "", // 7
    "```ts continued", // 8
    'await messenger.send({ to: "+4741234567", text: "ok" });', // 9
    "messenger.sendd();", // 10: a typo the checker must catch, at this line
    "```", // 11
    "", // 12
    "```ts nocheck", // 13
    "this is not TypeScript at all", // 14
    "```", // 15
    "", // 16
    "```ts", // 17
    "messenger;", // 18: a new module does not see the first one's names
    "```", // 19
    "```ts continuedd", // 20
    "```", // 21
  ].join("\n");

  test("names the Markdown file and line of each error, skips nocheck, scopes continued fences", () => {
    const dir = mkdtempSync(join(tmpdir(), "smskit-samples-"));
    writeFileSync(join(dir, "guide.md"), fixture);
    const report = checkSamples(["guide.md"], {
      root: dir,
      workDir: join(repoRoot, ".cache", "doc-samples-test"),
    });
    const problems = report.problems.map(formatProblem);
    expect(problems).toEqual([
      expect.stringMatching(/^guide\.md:10: TS2551: Property 'sendd' does not exist/),
      expect.stringMatching(/^guide\.md:18: TS2304: Cannot find name 'messenger'/),
      "guide.md:20: unknown fence flag(s) continuedd",
    ]);
    expect(report.checked).toBe(4);
  });

  test("a continued fence must follow a checked one", () => {
    const { problems } = extractSamples("```ts nocheck\nx\n```\n\n```ts continued\ny\n```\n", "a.md");
    expect(problems).toEqual([
      { file: "a.md", line: 5, message: "```ts continued must follow a checked ```ts fence" },
    ]);
  });

  test("only TypeScript fences are samples", () => {
    const { samples } = extractSamples(
      "```sh\nnpm i smskit\n```\n```js\nx\n```\n```typescript\nlet a = 1;\n```\n",
      "a.md",
    );
    expect(samples.map((sample) => [sample.line, sample.code])).toEqual([[8, "let a = 1;\n"]]);
  });
});
