import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { metadataProblems, readmeLinkProblems, sourceMapProblems } from "./check.ts";

describe("shipped source maps", () => {
  const dir = mkdtempSync(join(tmpdir(), "smskit-maps-"));
  writeFileSync(
    join(dir, "with.js.map"),
    JSON.stringify({ version: 3, sources: ["../src/a.ts"], sourcesContent: ["export {};\n"], mappings: "" }),
  );
  writeFileSync(
    join(dir, "without.js.map"),
    JSON.stringify({ version: 3, sources: ["../src/b.ts"], mappings: "" }),
  );
  writeFileSync(
    join(dir, "index.d.ts.map"),
    JSON.stringify({ version: 3, sources: ["../src/c.ts"], mappings: "" }),
  );

  test("pass with sourcesContent, fail without (declaration maps cannot embed it, so they must stay out)", () => {
    expect(sourceMapProblems(dir, ["with.js.map", "without.js.map", "index.d.ts.map", "a.js"])).toEqual([
      "without.js.map is shipped without sourcesContent for ../src/b.ts, which the package does not contain",
      "index.d.ts.map is shipped without sourcesContent for ../src/c.ts, which the package does not contain",
    ]);
  });
});

describe("README links", () => {
  test("relative links and images are reported with their line; absolute ones and anchors pass", () => {
    const readme = [
      "# x",
      "See [the guide](../../README.md) and [errors](#errors).",
      "",
      "![logo](./logo.png)",
      "[spec](https://github.com/smskit/smskit/blob/main/specs/f24/openapi.yaml), [mail](mailto:a@b.no)",
    ].join("\n");
    expect(readmeLinkProblems(readme)).toEqual([
      'README.md:2: relative link "../../README.md" does not work on npmjs.com; link to the GitHub URL',
      'README.md:4: relative link "./logo.png" does not work on npmjs.com; link to the GitHub URL',
    ]);
  });
});

describe("package metadata", () => {
  const good = {
    repository: { type: "git", url: "git+https://github.com/smskit/smskit.git", directory: "packages/f24" },
    homepage: "https://github.com/smskit/smskit/tree/main/packages/f24#readme",
    bugs: "https://github.com/smskit/smskit/issues",
  };
  test("repository, homepage and bugs name the package's folder", () => {
    expect(metadataProblems(good, "packages/f24")).toEqual([]);
    expect(metadataProblems({ ...good, bugs: { url: good.bugs } }, "packages/f24")).toEqual([]);
    expect(metadataProblems(good, "packages/websms")).toEqual([
      'repository.directory must be "packages/websms", got "packages/f24"',
      'homepage must be https://github.com/smskit/smskit/tree/main/packages/websms#readme, got "https://github.com/smskit/smskit/tree/main/packages/f24#readme"',
    ]);
    expect(metadataProblems({}, "packages/f24")).toContain("package.json has no repository object");
  });
});
