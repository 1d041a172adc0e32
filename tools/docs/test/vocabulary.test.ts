import { describe, expect, test } from "vitest";
import { findInternalWords, formatFinding, scanStrings, scanText } from "../vocabulary.ts";

describe("user-facing text", () => {
  test("has none of the project's internal vocabulary (specs, READMEs, guides, generated code, messages)", () => {
    expect(findInternalWords().map(formatFinding)).toEqual([]);
  });
});

describe("the vocabulary check", () => {
  test("finds internal words in plain text, with their line", () => {
    const spec = "info:\n  description: |\n    Derived from the seed and DESIGN.md.\n";
    expect(scanText(spec, "specs/x/openapi.yaml").map(formatFinding)).toEqual([
      expect.stringMatching(/^specs\/x\/openapi\.yaml:3: "seed" — write the provider's documentation/),
      expect.stringMatching(/^specs\/x\/openapi\.yaml:3: "DESIGN\.md"/),
    ]);
  });

  test("looks at the strings of source code (error messages), not at its comments", () => {
    const source = [
      "// the seed says so",
      "const where = 1;",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source code under test, with a template literal
      "throw new ValidationError({ message: `[x] as the seed shows (${where})` });",
      'console.error("see /work/shared/notes/providers.md");',
    ].join("\n");
    expect(scanStrings(source, "src/a.ts").map((finding) => [finding.line, finding.text])).toEqual([
      [3, "seed"],
      [4, "providers.md"],
      [4, "shared/notes"],
      [4, "/work/shared"],
    ]);
  });

  test("leaves ordinary words alone", () => {
    expect(scanText("Seedless grapes; a shared secret; see docs/README.md", "a.md")).toEqual([]);
  });
});
