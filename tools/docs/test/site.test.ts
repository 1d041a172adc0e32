/**
 * The built site (`pnpm run docs`, which turbo runs first) opened page by page in headless
 * Chromium; see ../browser.ts for what is checked and how. Without Chromium the suite is skipped
 * with a notice on a developer machine and fails in CI (CI=true), where .ci/run installs it.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { CHROMIUM, checkSite, type SiteReport } from "../browser.ts";
import { listApis, listGuides, operationsOf, siteDir } from "../workspace.ts";

const inCi = process.env.CI === "true";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && !inCi) {
  console.warn(
    `SKIPPED the docs browser test: ${CHROMIUM} is missing (apt-get install -y chromium; CI installs it)`,
  );
}

describe.runIf(haveChromium || inCi)("the built site in Chromium", () => {
  let report: SiteReport;

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`${CHROMIUM} is missing; .ci/run installs chromium in CI`);
    if (!existsSync(join(siteDir, "index.html")))
      throw new Error("site/ is not built: run `pnpm run docs` first");
    report = await checkSite({
      onProgress: (done, total) => {
        if (done % 50 === 0 || done === total) console.log(`docs browser test: ${done}/${total} pages`);
      },
    });
    console.log(
      `docs browser test: ${report.pages.length} pages, ${report.linksChecked.internal} internal and ` +
        `${report.linksChecked.external} external links, ` +
        report.operations.map((check) => `${check.page} ${check.found.length} operations`).join(", ") +
        `, in ${(report.durationMs / 1000).toFixed(0)} s`,
    );
  }, 60 * 60_000);

  test("every page loads without a console error, a failed request or a request leaving the site", () => {
    expect(report.pages.length).toBeGreaterThan(0);
    expect(report.pageProblems).toEqual([]);
  });

  test.each(listApis().map((api) => [api.root, api] as const))(
    "every operation of %s is on its page",
    (root, api) => {
      const check = report.operations.find((candidate) => candidate.spec === root);
      expect(check?.page).toBe(`${api.provider}.html`);
      expect(check?.missing.map((operation) => operation.where)).toEqual([]);
      expect(check?.found).toHaveLength(operationsOf(api.spec).length);
    },
  );

  test("every link resolves: internal ones to a file and an id on it, external ones are well-formed", () => {
    expect(report.linksChecked.internal).toBeGreaterThan(0);
    expect(report.brokenLinks).toEqual([]);
  });

  test("every page can be reached from the landing page", () => {
    expect(report.unreachable).toEqual([]);
  });

  test("every gateway page links back to the landing page", () => {
    const home = `${report.origin}/index.html`;
    const gatewayPages = report.pages.filter((page) => page.kind === "gateway");
    expect(gatewayPages.map((page) => page.page).sort()).toEqual(
      listApis()
        .map((api) => `${api.provider}.html`)
        .sort(),
    );
    for (const page of gatewayPages) expect(page.links.map((link) => link.url)).toContain(home);
  });

  test("the landing page and every guide's navigation list every guide", () => {
    const guides = listGuides().map((guide) => `${report.origin}/guides/${guide.slug}.html`);
    const listing = report.pages.filter(
      (page) => page.page === "index.html" || page.page.startsWith("guides/"),
    );
    expect(listing.length).toBe(guides.length + 1);
    for (const page of listing)
      expect(page.links.map((link) => link.url)).toEqual(expect.arrayContaining(guides));
  });
});
