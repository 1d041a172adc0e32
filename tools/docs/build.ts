/**
 * `pnpm run docs`: the site in site/, from what the repository holds.
 *
 * - `<provider>.html`: one self-contained Redocly page per spec listed in redocly.yaml;
 * - `api/`: the TypeScript reference (typedoc) of every published workspace package and every
 *   entry of its `exports`;
 * - `guides/<name>.html`: every docs/guides/*.md;
 * - `index.html`: the landing page that lists all of them.
 *
 * Nothing is listed by hand: a new spec, package, subpath export or guide appears on the next build.
 */
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import {
  Application,
  Converter,
  type DeclarationReflection,
  OptionDefaults,
  type PageEvent,
  type ProjectReflection,
  Reflection,
  ReflectionKind,
  Renderer,
} from "typedoc";
import { escapeHtml, type Navigation, type NavLink, page, STYLESHEET, sideNavigation } from "./layout.ts";
import { createMarkdown, outline } from "./markdown.ts";
import {
  type ApiSpec,
  type Guide,
  listApis,
  listGuides,
  listPackages,
  listPublicPackages,
  repoRoot,
  repositoryUrl,
  siteDir,
  type WorkspacePackage,
} from "./workspace.ts";

const run = promisify(execFile);
/** Stands for the path from a typedoc page to site/, until the page is written. */
const SITE_ROOT = "smskit-site-root:/";
const bin = (name: string) => join(repoRoot, "node_modules", ".bin", name);

/**
 * Redoc 3 prerenders its sidebar and heading links with a static router (`href="/messages"`) and
 * hydration keeps those attributes, while the page itself routes by hash (`#/messages`). On a
 * static page a root-relative link leads to a file that does not exist (open in a new tab, copy the
 * link), so the prerendered links are given their hash form, which is what Redoc renders itself
 * for everything it adds after hydration.
 */
export function hashRoutePrerenderedLinks(html: string): string {
  const start = html.indexOf('<div id="redoc">');
  const end = html.indexOf('<script type="module">', start);
  if (start === -1 || end === -1) throw new Error("Redoc page without a prerendered #redoc block");
  return html.slice(0, start) + html.slice(start, end).replaceAll('href="/', 'href="#/') + html.slice(end);
}

async function buildApiPage(api: ApiSpec): Promise<NavLink> {
  const output = join(siteDir, `${api.provider}.html`);
  // --inlineBundle: without it the page loads Redoc from a CDN and shows no operations offline.
  await run(
    bin("redocly"),
    ["build-docs", api.id, "--inlineBundle", "--template", "tools/docs/redoc.hbs", "-o", output],
    { cwd: repoRoot },
  );
  writeFileSync(output, hashRoutePrerenderedLinks(readFileSync(output, "utf8")));
  console.log(`${api.id} → site/${api.provider}.html`);
  return { href: `${api.provider}.html`, title: api.title };
}

/** openapi-typescript writes `@description`; typedoc shows a summary, so the text moves there. */
function promoteDescriptionTags(project: ProjectReflection): void {
  for (const reflection of Object.values(project.reflections)) {
    const comment = reflection.comment;
    const tag = comment?.getTag("@description");
    if (!comment || !tag) continue;
    comment.summary =
      comment.summary.length > 0
        ? [...comment.summary, { kind: "text", text: "\n\n" }, ...tag.content]
        : tag.content;
    comment.removeTags("@description");
  }
}

/**
 * A package with several `exports` entries becomes one module per entry, named after the subpath:
 * `""` for `.` (an empty title in typedoc's navigation) and `webhooks` for `./webhooks`. They are
 * renamed to what a user imports: `smskit` and `smskit/webhooks`.
 */
function nameEntryPointsAsImported(project: ProjectReflection): void {
  const entries = (project.children ?? []).filter((child) => child.kind === ReflectionKind.Module);
  for (const entry of entries)
    entry.name = entry.name === "" ? project.name : `${project.name}/${entry.name}`;
}

export interface ApiModule {
  /** Import specifier: `smskit`, `smskit/webhooks`, `@smskit/core`. */
  name: string;
  /** Relative to site/. */
  href: string;
  description: string;
}

/**
 * typedoc in "packages" mode over every published workspace package: each package's entry points
 * come from its `exports` (mapped back to src/ through its declaration maps), so a new subpath
 * export is documented without configuration.
 */
async function buildTypeScriptReference(packages: WorkspacePackage[]): Promise<ApiModule[]> {
  const out = join(siteDir, "api");
  const app = await Application.bootstrapWithPlugins({
    entryPointStrategy: "packages",
    entryPoints: packages.map((pkg) => join(repoRoot, pkg.dir)),
    packageOptions: {
      tsconfig: "tsconfig.build.json",
      excludePrivate: true,
      excludeInternal: true,
      disableSources: true,
      // The generated schema's JSDoc: `@description` (moved into the summary below) and `@constant`.
      blockTags: [...OptionDefaults.blockTags, "@description"],
      modifierTags: [...OptionDefaults.modifierTags, "@constant"],
    },
    name: "smskit TypeScript API",
    readme: "none",
    out,
    favicon: join(repoRoot, "tools/docs/favicon.svg"),
    // typedoc writes these hrefs as given on pages at every depth; EVENT_END_PAGE makes them relative.
    navigationLinks: { "smskit docs": `${SITE_ROOT}index.html`, Guides: `${SITE_ROOT}index.html#guides` },
    logLevel: "Warn",
  });
  app.renderer.on(Renderer.EVENT_END_PAGE, (event: PageEvent) => {
    const depth = event.url.split("/").length; // api/ itself is one level below the site root
    event.contents = event.contents?.replaceAll(`href="${SITE_ROOT}`, `href="${"../".repeat(depth)}`);
  });
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    promoteDescriptionTags(context.project);
    nameEntryPointsAsImported(context.project);
  });
  const pageUrls = new Map<Reflection, string>();
  app.renderer.on(Renderer.EVENT_BEGIN_PAGE, (event: PageEvent) => {
    if (event.model instanceof Reflection) pageUrls.set(event.model, event.url);
  });
  const project = await app.convert();
  if (!project) throw new Error("typedoc could not convert the packages (see the errors above)");
  app.validate(project);
  await app.generateDocs(project, out);
  if (app.logger.hasErrors()) throw new Error("typedoc reported errors (see above)");

  const urlOf = (reflection: Reflection) => {
    const url = pageUrls.get(reflection);
    if (url === undefined) throw new Error(`typedoc wrote no page for ${reflection.getFullName()}`);
    return `api/${url}`;
  };
  const modules: ApiModule[] = [];
  const descriptionOf = (name: string) => packages.find((pkg) => pkg.name === name)?.description ?? "";
  for (const child of project.children ?? []) {
    const entries = (child.children ?? []).filter(
      (grandchild: DeclarationReflection) => grandchild.kind === ReflectionKind.Module,
    );
    // A package with one entry point is that module; one with several lists each of them.
    for (const module of entries.length > 0 ? entries : [child]) {
      modules.push({ name: module.name, href: urlOf(module), description: descriptionOf(module.name) });
    }
  }
  const missing = packages
    .flatMap((pkg) => pkg.entryPoints)
    .filter((entry) => !modules.some((module) => module.name === entry));
  if (missing.length > 0) throw new Error(`typedoc did not document ${missing.join(", ")}`);
  console.log(`typedoc → site/api (${modules.map((module) => module.name).join(", ")})`);
  return modules;
}

/** Where a repository path is published on the site, when it is. */
function sitePathFor(
  target: string,
  guides: Guide[],
  apis: ApiSpec[],
  modules: ApiModule[],
  packages: WorkspacePackage[],
): string | undefined {
  const guide = guides.find((candidate) => candidate.file === target);
  if (guide) return `guides/${guide.slug}.html`;
  const api = apis.find((candidate) => normalize(candidate.root) === target);
  if (api) return `${api.provider}.html`;
  const pkg = packages.find(
    (candidate) => target === candidate.dir || target === `${candidate.dir}/README.md`,
  );
  return modules.find((module) => module.name === pkg?.name)?.href;
}

function buildGuides(
  guides: Guide[],
  navigation: Navigation,
  resolveRepositoryPath: (target: string) => string | undefined,
): void {
  const md = createMarkdown();
  const github = repositoryUrl();
  mkdirSync(join(siteDir, "guides"), { recursive: true });
  for (const guide of guides) {
    const resolveLink = (href: string, line: number): string => {
      if (/^[a-z][a-z\d+.-]*:/i.test(href) || href.startsWith("#")) return href;
      const [path = "", fragment] = href.split("#", 2);
      const target = normalize(
        path.startsWith("/") ? path.slice(1) : join(dirname(guide.file), path),
      ).replace(/\/$/, "");
      const anchor = fragment === undefined ? "" : `#${fragment}`;
      if (target.startsWith("..") || !existsSync(join(repoRoot, target))) {
        throw new Error(
          `${guide.file}:${line}: the link "${href}" points to ${target}, which does not exist`,
        );
      }
      const published = resolveRepositoryPath(target);
      if (published) return `../${published}${anchor}`;
      const kind = statSync(join(repoRoot, target)).isDirectory() ? "tree" : "blob";
      return `${github}/${kind}/main/${target}${anchor}`;
    };
    const html = md.render(guide.markdown, { file: guide.file, resolveLink });
    const { title } = outline(guide.markdown);
    const current = `guides/${guide.slug}.html`;
    writeFileSync(
      join(siteDir, current),
      page({
        title: `${title} · smskit docs`,
        prefix: "../",
        body: `<div class="layout">\n${sideNavigation(navigation, current, "../")}\n<main>\n${html}</main>\n</div>`,
      }),
    );
    console.log(`${guide.file} → site/${current}`);
  }
}

function buildLandingPage(guides: Guide[], apiPages: NavLink[], apis: ApiSpec[], modules: ApiModule[]): void {
  const guideItems = guides
    .map((guide) => {
      const { title, summary } = outline(guide.markdown);
      return `<dt><a href="guides/${guide.slug}.html">${escapeHtml(title)}</a></dt>\n<dd>${escapeHtml(summary)}</dd>`;
    })
    .join("\n");
  const moduleItems = modules
    .map(
      (module) =>
        `<dt><a href="${module.href}"><code>${escapeHtml(module.name)}</code></a></dt>${module.description ? `\n<dd>${escapeHtml(module.description)}</dd>` : ""}`,
    )
    .join("\n");
  const apiItems = apiPages
    .map((apiPage, index) => {
      const api = apis[index] as ApiSpec;
      return `<dt><a href="${apiPage.href}">${escapeHtml(apiPage.title)}</a> <code>@smskit/${escapeHtml(api.provider)}</code></dt>\n<dd>${escapeHtml(api.summary)}</dd>`;
    })
    .join("\n");
  writeFileSync(
    join(siteDir, "index.html"),
    page({
      title: "smskit docs",
      prefix: "",
      body: `<main class="home">
<h1>smskit</h1>
<p>Typed TypeScript clients for the F24, Digify, websms and SmartSwitch SMS gateways, generated from
OpenAPI specs, and one facade that sends through any of them with failover, without ever sending the
same SMS twice.</p>
<h2 id="guides">Guides</h2>
<dl class="cards">
${guideItems}
</dl>
<h2 id="typescript-api">TypeScript API</h2>
<p>The reference of every package (<a href="api/index.html">all packages</a>):</p>
<dl class="cards">
${moduleItems}
</dl>
<h2 id="gateway-apis">Gateway HTTP APIs</h2>
<p>The OpenAPI description of each gateway's HTTP API, which the clients are generated from.</p>
<dl class="cards">
${apiItems}
</dl>
</main>`,
    }),
  );
}

/**
 * turbo builds the packages the tools package depends on before the docs (the `docs:deps` task);
 * a published package missing there would be documented from a stale or absent dist/.
 */
function assertToolsDependOnEveryPackage(packages: WorkspacePackage[]): void {
  const tools = listPackages().find((pkg) => pkg.name === "@smskit/tools");
  const declared = {
    ...(tools?.manifest.dependencies as Record<string, string> | undefined),
    ...(tools?.manifest.devDependencies as Record<string, string> | undefined),
  };
  const missing = packages.filter((pkg) => !(pkg.name in declared)).map((pkg) => pkg.name);
  if (missing.length > 0) {
    throw new Error(
      `add ${missing.join(", ")} to tools/package.json devDependencies ("workspace:*") so that turbo builds them before the docs`,
    );
  }
}

async function main(): Promise<void> {
  const packages = listPublicPackages();
  assertToolsDependOnEveryPackage(packages);
  const apis = listApis();
  const guides = listGuides();
  rmSync(siteDir, { recursive: true, force: true });
  mkdirSync(siteDir, { recursive: true });
  writeFileSync(join(siteDir, "style.css"), STYLESHEET.trimStart());
  copyFileSync(join(repoRoot, "tools/docs/favicon.svg"), join(siteDir, "favicon.svg"));

  // The Redocly builds are child processes; typedoc runs here meanwhile.
  const apiPagesBuilt = Promise.all(apis.map((api) => buildApiPage(api)));
  apiPagesBuilt.catch(() => undefined);
  const modules = await buildTypeScriptReference(packages);
  const apiPages = await apiPagesBuilt;

  const navigation: Navigation = {
    guides: guides.map((guide) => ({
      href: `guides/${guide.slug}.html`,
      title: outline(guide.markdown).title,
    })),
    references: [{ href: "api/index.html", title: "TypeScript API" }, ...apiPages],
  };
  buildGuides(guides, navigation, (target) => sitePathFor(target, guides, apis, modules, packages));
  buildLandingPage(guides, apiPages, apis, modules);
  console.log(
    `site/index.html: ${guides.length} guide(s), ${modules.length} TypeScript module(s), ${apiPages.length} gateway API(s)`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
