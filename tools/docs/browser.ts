/**
 * The built site as a reader sees it: every page of site/ opened in headless Chromium
 * (playwright-core driving Debian's /usr/bin/chromium), served over loopback HTTP.
 *
 * For every page: no console error, no uncaught exception, no failed or 4xx/5xx request, no request
 * leaving the machine. The one allowed exception is the "API docs by Redocly" badge, an image Redoc
 * always loads from cdn.redoc.ly (even with --inlineBundle); it is answered with a blank image so it
 * neither errors offline nor reaches the network.
 *
 * On each gateway page every tag is opened (Redoc 3 renders operations lazily, per tag) and every
 * operation of the spec file must be there. Then every link of every page must resolve: internal
 * ones to a file of the site and, with a fragment, to an `id` or a Redoc `data-section-id` of the
 * target page; external ones must be well-formed URLs (the machine has no internet to follow them).
 *
 * Everything waits on events and selectors, never on fixed sleeps; the timeouts are safety nets.
 */
import { readdirSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import sirv from "sirv";
import { listApis, operationsOf, type SpecOperation, siteDir } from "./workspace.ts";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** A safety net against a hung page, not a performance expectation. */
const PAGE_TIMEOUT_MS = 120_000;
const REDOCLY_BADGE = /^https:\/\/cdn\.redoc\.ly\/redoc\/logo-mini(-full)?\.svg$/;
const BLANK_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>';

export interface LinkRecord {
  /** Page the link is on, relative to site/. */
  page: string;
  /** As written in the page. */
  href: string;
  /** Resolved against the page. */
  url: string;
}

export interface PageRecord {
  page: string;
  kind: "gateway" | "typescript" | "guide";
  problems: string[];
  ids: Set<string>;
  sectionIds: Set<string>;
  links: LinkRecord[];
}

export interface OperationCheck {
  spec: string;
  page: string;
  expected: SpecOperation[];
  found: string[];
  missing: SpecOperation[];
}

export interface SiteReport {
  /** Where the site was served during the check. */
  origin: string;
  pages: PageRecord[];
  operations: OperationCheck[];
  /** Console errors, exceptions, failed requests and requests leaving the site, per page. */
  pageProblems: string[];
  brokenLinks: string[];
  unreachable: string[];
  /** Every problem found, each naming its page. */
  problems: string[];
  linksChecked: { internal: number; external: number };
  durationMs: number;
}

/** Every HTML file of the site, relative to site/, index first. */
export function htmlPages(dir = siteDir): string[] {
  const pages: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current).sort()) {
      const path = join(current, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith(".html")) pages.push(relative(dir, path));
    }
  };
  walk(dir);
  return pages.sort((a, b) => Number(b === "index.html") - Number(a === "index.html") || a.localeCompare(b));
}

function serve(dir: string, missing: string[]): Promise<{ server: Server; origin: string }> {
  const files = sirv(dir, { dev: true, etag: false });
  const server = createServer((request, response) =>
    files(request, response, () => {
      missing.push(request.url ?? "");
      response.writeHead(404).end();
    }),
  );
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      resolve({ server, origin: `http://127.0.0.1:${port}` });
    });
  });
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const exactText = (text: string) => new RegExp(`^\\s*${escapeRegExp(text)}\\s*$`);

/**
 * Clicks the sidebar entry of a tag and returns its route, `/messages`. Description headings are
 * routed under `/section/`, and one may have the same text as a tag.
 */
async function openTag(page: Page, text: string): Promise<string> {
  const link = page.locator("a[href^='#/']:not([href^='#/section/'])", { hasText: exactText(text) }).first();
  const href = await link.getAttribute("href", { timeout: PAGE_TIMEOUT_MS });
  if (!href) throw new Error(`no sidebar entry for the tag "${text}"`);
  await link.click({ timeout: PAGE_TIMEOUT_MS });
  return href.slice(1);
}

const HTTP_METHOD_LABEL = /(?:get|put|post|delete|options|head|patch|trace)$/i;

type Targets = { ids: string[]; sectionIds: string[]; links: string[][] };

/**
 * Opens every tag of a gateway page and every operation in it, the way a reader does: Redoc 3
 * renders a tag's operations only when they are navigated to. Each operation must have a sidebar
 * entry named by its summary whose section shows that summary. The DOM is collected after each
 * step, since a step may render what the next one replaces.
 */
async function checkOperations(
  page: Page,
  spec: string,
  pagePath: string,
  expected: SpecOperation[],
  collect: (targets: Targets) => void,
  problems: string[],
): Promise<OperationCheck> {
  const byTag = new Map<string, SpecOperation[]>();
  for (const operation of expected) {
    for (const tag of operation.tags.length > 0 ? operation.tags : ["default"]) {
      byTag.set(tag, [...(byTag.get(tag) ?? []), operation]);
    }
  }
  const found: string[] = [];
  const missing: SpecOperation[] = [];
  for (const [tag, operations] of byTag) {
    let entries: string[][];
    try {
      const tagRoute = await openTag(page, tag);
      // The tag's entries appear in the sidebar once it is open: "<summary><method>" each.
      await page.waitForSelector(`a[href^="#${tagRoute}/"]`, { state: "attached", timeout: PAGE_TIMEOUT_MS });
      entries = await page.$$eval(`a[href^="#${tagRoute}/"]`, (links) =>
        links.map((link) => [link.getAttribute("href") ?? "", (link.textContent ?? "").trim()]),
      );
    } catch (error) {
      problems.push(`could not open the tag "${tag}": ${error instanceof Error ? error.message : error}`);
      missing.push(...operations);
      continue;
    }
    for (const operation of operations) {
      const label = operation.summary || operation.operationId;
      const entry = entries.find(([, text = ""]) => text.replace(HTTP_METHOD_LABEL, "").trim() === label);
      if (!entry) {
        missing.push(operation);
        problems.push(
          `no sidebar entry "${label}" under ${tag} (entries: ${[...new Set(entries.map(([, text]) => text).filter(Boolean))].join(" | ")})`,
        );
        continue;
      }
      const route = (entry[0] as string).slice(1);
      await page.locator(`a[href="#${route}"]`).first().click({ timeout: PAGE_TIMEOUT_MS });
      // The section is attached first and filled in when Redoc gets to it.
      const rendered = await page
        .locator(`[data-section-id="${route}"]`, { hasText: label })
        .first()
        .waitFor({ state: "attached", timeout: PAGE_TIMEOUT_MS })
        .then(() => true)
        .catch(() => false);
      if (rendered) found.push(route);
      else {
        missing.push(operation);
        problems.push(`the section ${route} never showed "${label}"`);
      }
      collect(await collectTargets(page));
    }
  }
  return { spec, page: pagePath, expected, found, missing };
}

async function collectTargets(
  page: Page,
): Promise<{ ids: string[]; sectionIds: string[]; links: string[][] }> {
  return page.evaluate(() => ({
    ids: [...document.querySelectorAll("[id]")].map((element) => element.id),
    sectionIds: [...document.querySelectorAll("[data-section-id]")].map(
      (element) => element.getAttribute("data-section-id") ?? "",
    ),
    links: [...document.querySelectorAll("a[href], area[href]")].map((element) => [
      element.getAttribute("href") ?? "",
      (element as HTMLAnchorElement).href,
    ]),
  }));
}

/** Waits for what a page's own scripts do after `load`, so their errors are seen on this page. */
async function settle(page: Page, kind: PageRecord["kind"]): Promise<void> {
  if (kind === "typescript") {
    // typedoc builds its navigation tree from assets/navigation.js after load.
    await page.waitForSelector("#tsd-nav-container li", { state: "attached", timeout: PAGE_TIMEOUT_MS });
  }
}

/**
 * One tab that visits pages in turn. Reusing the tab keeps one renderer process per worker instead
 * of starting one per page, which is most of the cost on a loaded machine.
 */
class Visitor {
  private problems: string[] = [];

  private constructor(private readonly page: Page) {
    page.on("console", (message) => {
      if (message.type() === "error") this.problems.push(`console error: ${message.text()}`);
    });
    page.on("pageerror", (error) => this.problems.push(`uncaught exception: ${error.message}`));
    page.on("requestfailed", (request) => {
      const reason = request.failure()?.errorText ?? "?";
      // ERR_ABORTED: cancelled because the check moved on (a favicon still loading, say).
      if (reason !== "net::ERR_ABORTED") this.problems.push(`request failed: ${request.url()} (${reason})`);
    });
    page.on("response", (response) => {
      if (response.status() >= 400) this.problems.push(`HTTP ${response.status()} for ${response.url()}`);
    });
    page.on("crash", () => this.problems.push("the page crashed"));
  }

  static async open(context: BrowserContext): Promise<Visitor> {
    return new Visitor(await context.newPage());
  }

  async visit(
    origin: string,
    pagePath: string,
    kind: PageRecord["kind"],
    api?: { root: string; operations: SpecOperation[] },
  ): Promise<{ record: PageRecord; operationCheck?: OperationCheck }> {
    this.problems = [];
    const problems = this.problems;
    await this.page.goto(`${origin}/${pagePath}`, { waitUntil: "load", timeout: PAGE_TIMEOUT_MS });
    await settle(this.page, kind);
    const ids = new Set<string>();
    const sectionIds = new Set<string>();
    const links = new Map<string, LinkRecord>();
    const collect = (targets: Targets) => {
      for (const id of targets.ids) ids.add(id);
      for (const id of targets.sectionIds) sectionIds.add(id);
      for (const [href = "", url = ""] of targets.links)
        links.set(`${href}\n${url}`, { page: pagePath, href, url });
    };
    const operationCheck = api
      ? await checkOperations(this.page, api.root, pagePath, api.operations, collect, problems)
      : undefined;
    collect(await collectTargets(this.page));
    return {
      record: { page: pagePath, kind, problems, ids, sectionIds, links: [...links.values()] },
      ...(operationCheck ? { operationCheck } : {}),
    };
  }
}

/** Whether a fragment names a place on the page: an `id`, or a Redoc route (`#/tag/op#anchor`). */
export function fragmentResolves(fragment: string, ids: Set<string>, sectionIds: Set<string>): boolean {
  if (fragment === "" || ids.has(fragment) || sectionIds.has(fragment)) return true;
  if (!fragment.startsWith("/")) return false;
  const cut = fragment.indexOf("#");
  if (cut === -1) return false;
  return sectionIds.has(fragment.slice(0, cut)) && ids.has(fragment.slice(cut + 1));
}

const WELL_FORMED_HOST = /^(localhost|(?:[a-z\d](?:[a-z\d-]*[a-z\d])?\.)+[a-z]{2,})$/i;

/** Problems with one link, or an empty list. */
export function linkProblems(
  link: LinkRecord,
  origin: string,
  pages: Map<string, PageRecord>,
  fileExists: (path: string) => boolean,
): { internal: boolean; problems: string[] } {
  let url: URL;
  try {
    url = new URL(link.url);
  } catch {
    return { internal: false, problems: [`${link.page}: link "${link.href}" is not a valid URL`] };
  }
  if (url.origin === origin) {
    const path = decodeURIComponent(url.pathname)
      .replace(/^\//, "")
      .replace(/(^|\/)$/, "$1index.html");
    if (!fileExists(path)) {
      return {
        internal: true,
        problems: [`${link.page}: link "${link.href}" → ${path}, which does not exist`],
      };
    }
    const fragment = decodeURIComponent(url.hash.replace(/^#/, ""));
    if (fragment === "") return { internal: true, problems: [] };
    const target = pages.get(path);
    if (!target) {
      return {
        internal: true,
        problems: [`${link.page}: link "${link.href}" has a fragment but ${path} is not a page`],
      };
    }
    return fragmentResolves(fragment, target.ids, target.sectionIds)
      ? { internal: true, problems: [] }
      : { internal: true, problems: [`${link.page}: link "${link.href}": no id "${fragment}" on ${path}`] };
  }
  if (url.protocol === "mailto:") {
    return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(url.pathname)
      ? { internal: false, problems: [] }
      : { internal: false, problems: [`${link.page}: malformed mailto link "${link.href}"`] };
  }
  if ((url.protocol === "https:" || url.protocol === "http:") && WELL_FORMED_HOST.test(url.hostname)) {
    return { internal: false, problems: [] };
  }
  return {
    internal: false,
    problems: [`${link.page}: link "${link.href}" is not a well-formed web address`],
  };
}

function kindOf(pagePath: string, gatewayPages: Set<string>): PageRecord["kind"] {
  if (gatewayPages.has(pagePath)) return "gateway";
  if (pagePath.startsWith("api/")) return "typescript";
  return "guide";
}

/** Pages that no chain of links from index.html reaches. */
export function unreachablePages(pages: Map<string, PageRecord>, origin: string): string[] {
  const seen = new Set<string>(["index.html"]);
  const queue = ["index.html"];
  while (queue.length > 0) {
    const record = pages.get(queue.shift() as string);
    for (const link of record?.links ?? []) {
      if (!link.url.startsWith(`${origin}/`)) continue;
      const path = decodeURIComponent(new URL(link.url).pathname)
        .replace(/^\//, "")
        .replace(/(^|\/)$/, "$1index.html");
      if (pages.has(path) && !seen.has(path)) {
        seen.add(path);
        queue.push(path);
      }
    }
  }
  return [...pages.keys()].filter((page) => !seen.has(page));
}

export async function checkSite(
  options: {
    dir?: string;
    workers?: number;
    /** Check only these pages (relative to site/); links to other pages are then not followed. */
    only?: string[];
    onProgress?: (done: number, total: number) => void;
  } = {},
): Promise<SiteReport> {
  const started = performance.now();
  const dir = options.dir ?? siteDir;
  const apis = listApis();
  const gatewayPages = new Map(apis.map((api) => [`${api.provider}.html`, api]));
  const allPages = htmlPages(dir);
  const pagePaths = options.only ? allPages.filter((page) => options.only?.includes(page)) : allPages;
  const missingFiles: string[] = [];
  const { server, origin } = await serve(dir, missingFiles);
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, timeout: PAGE_TIMEOUT_MS });
    const context = await browser.newContext();
    const external: string[] = [];
    // A regular expression (not a function) lets the browser itself pass local requests through.
    await context.route(
      new RegExp(`^https?://(?!${escapeRegExp(origin.slice("http://".length))}/)`),
      async (route) => {
        const url = route.request().url();
        if (REDOCLY_BADGE.test(url)) {
          await route.fulfill({ status: 200, contentType: "image/svg+xml", body: BLANK_SVG });
        } else {
          external.push(url);
          await route.abort("blockedbyclient");
        }
      },
    );
    const pages = new Map<string, PageRecord>();
    const operations: OperationCheck[] = [];
    const queue = [...pagePaths.entries()];
    let done = 0;
    const worker = async () => {
      const visitor = await Visitor.open(context);
      for (let next = queue.shift(); next; next = queue.shift()) {
        const [, pagePath] = next;
        const api = gatewayPages.get(pagePath);
        const { record, operationCheck } = await visitor.visit(
          origin,
          pagePath,
          kindOf(pagePath, new Set(gatewayPages.keys())),
          api ? { root: api.root, operations: operationsOf(api.spec) } : undefined,
        );
        pages.set(pagePath, record);
        if (operationCheck) operations.push(operationCheck);
        done += 1;
        options.onProgress?.(done, pagePaths.length);
      }
    };
    await Promise.all(Array.from({ length: options.workers ?? 2 }, worker));
    await context.close();

    const pageProblems: string[] = [];
    for (const record of pages.values()) {
      pageProblems.push(...record.problems.map((problem) => `${record.page}: ${problem}`));
    }
    for (const url of external) pageProblems.push(`a page requested ${url}, outside the site`);
    for (const file of missingFiles)
      pageProblems.push(`the server was asked for ${file}, which is not in the site`);
    const missingOperations = operations.flatMap((check) =>
      check.missing.map(
        (operation) =>
          `${check.page}: operation ${operation.operationId} (${operation.where}) of ${check.spec} is not on the page`,
      ),
    );
    const linksChecked = { internal: 0, external: 0 };
    const fileExists = (path: string) => {
      try {
        return statSync(join(dir, path)).isFile();
      } catch {
        return false;
      }
    };
    const brokenLinks: string[] = [];
    for (const record of pages.values()) {
      for (const link of record.links) {
        // With `only`, fragments into pages that were not opened cannot be judged.
        const target = link.url.startsWith(origin) ? new URL(link.url).pathname.slice(1) : "";
        if (options.only && target && link.url.includes("#") && !pages.has(target)) continue;
        const result = linkProblems(link, origin, pages, fileExists);
        linksChecked[result.internal ? "internal" : "external"] += 1;
        brokenLinks.push(...result.problems);
      }
    }
    const unreachable = options.only
      ? []
      : unreachablePages(pages, origin).map((page) => `${page}: no link from index.html leads here`);
    return {
      origin,
      pages: [...pages.values()],
      operations,
      pageProblems: [...new Set(pageProblems)],
      brokenLinks: [...new Set(brokenLinks)],
      unreachable,
      problems: [...new Set([...pageProblems, ...missingOperations, ...brokenLinks, ...unreachable])],
      linksChecked,
      durationMs: performance.now() - started,
    };
  } finally {
    await browser?.close();
    await new Promise((resolve) => server.close(resolve));
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const only = process.env.DOCS_PAGES?.split(",");
  const report = await checkSite({
    ...(only ? { only } : {}),
    onProgress: (done, total) => {
      if (process.env.DEBUG_DOCS || done % 25 === 0 || done === total)
        console.log(`${done}/${total} pages`, new Date().toISOString().slice(17, 23));
    },
  });
  for (const check of report.operations) {
    console.log(`${check.page}: ${check.found.length}/${check.expected.length} operations of ${check.spec}`);
  }
  console.log(
    `${report.pages.length} pages, ${report.linksChecked.internal} internal and ${report.linksChecked.external} external links checked in ${(report.durationMs / 1000).toFixed(1)} s`,
  );
  for (const problem of report.problems) console.error(problem);
  if (report.problems.length > 0) process.exit(1);
}
