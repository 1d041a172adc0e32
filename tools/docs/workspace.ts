/**
 * What the docs are made of, read from the repository itself so that a new package, a new
 * `exports` entry, a new spec or a new guide shows up without touching the docs tooling.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
export const siteDir = join(repoRoot, "site");
export const guidesDir = join(repoRoot, "docs", "guides");

export interface WorkspacePackage {
  name: string;
  /** Relative to the repository root, e.g. `packages/core`. */
  dir: string;
  private: boolean;
  description: string;
  /** Import specifiers a user can write, from `exports`: `smskit`, `smskit/webhooks`, … */
  entryPoints: string[];
  manifest: Record<string, unknown>;
}

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
}

/** The directories pnpm-workspace.yaml names; only `dir` and `dir/*` patterns are supported. */
function workspaceDirs(): string[] {
  const config = parse(readFileSync(join(repoRoot, "pnpm-workspace.yaml"), "utf8")) as {
    packages?: string[];
  };
  const dirs: string[] = [];
  for (const pattern of config.packages ?? []) {
    if (pattern.endsWith("/*")) {
      const parent = pattern.slice(0, -2);
      for (const entry of readdirSync(join(repoRoot, parent)).sort()) {
        if (existsSync(join(repoRoot, parent, entry, "package.json"))) dirs.push(`${parent}/${entry}`);
      }
    } else if (!/[*?[\]!]/.test(pattern)) {
      dirs.push(pattern.replace(/\/$/, ""));
    } else {
      throw new Error(`pnpm-workspace.yaml: the docs tooling does not understand the pattern "${pattern}"`);
    }
  }
  return dirs;
}

/** Import specifiers of the `exports` subpaths that carry code (not `./package.json` or a YAML file). */
function entryPointsOf(name: string, exports: unknown): string[] {
  if (typeof exports === "string") return [name];
  if (!exports || typeof exports !== "object") return [];
  return Object.entries(exports as Record<string, unknown>)
    .filter(([, target]) => {
      const file = typeof target === "string" ? target : (target as { types?: unknown })?.types;
      return typeof file === "string" && /\.d\.[cm]?ts$|\.[cm]?js$/.test(file);
    })
    .map(([subpath]) => (subpath === "." ? name : `${name}/${subpath.replace(/^\.\//, "")}`));
}

export function listPackages(): WorkspacePackage[] {
  return workspaceDirs().map((dir) => {
    const manifest = readJson(join(repoRoot, dir, "package.json"));
    const name = String(manifest.name);
    return {
      name,
      dir,
      private: manifest.private === true,
      description: typeof manifest.description === "string" ? manifest.description : "",
      entryPoints: entryPointsOf(name, manifest.exports),
      manifest,
    };
  });
}

/** The packages published to npm: everything in the workspace that is not `private`. */
export const listPublicPackages = (): WorkspacePackage[] => listPackages().filter((pkg) => !pkg.private);

export interface ApiSpec {
  /** `digify@v1` */
  id: string;
  provider: string;
  /** Relative to the repository root. */
  root: string;
  title: string;
  summary: string;
  spec: OpenApiDocument;
}

export interface OpenApiOperation {
  operationId?: string;
  summary?: string;
  tags?: string[];
}

export interface OpenApiDocument {
  info: { title: string; summary?: string; description?: string };
  tags?: Array<{ name: string }>;
  paths?: Record<string, Record<string, unknown>>;
  webhooks?: Record<string, Record<string, unknown>>;
}

/** The `apis:` of redocly.yaml, the same list `redocly lint` and `pnpm generate` use. */
export function listApis(): ApiSpec[] {
  const config = parse(readFileSync(join(repoRoot, "redocly.yaml"), "utf8")) as {
    apis?: Record<string, { root: string }>;
  };
  return Object.entries(config.apis ?? {}).map(([id, api]) => {
    const spec = parse(readFileSync(join(repoRoot, api.root), "utf8")) as OpenApiDocument;
    return {
      id,
      provider: id.split("@")[0] as string,
      root: api.root,
      title: spec.info.title,
      summary: spec.info.summary ?? "",
      spec,
    };
  });
}

const HTTP_METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

export interface SpecOperation {
  /** `POST /api/v1/messages/send`, or `webhook deliveryReport` */
  where: string;
  operationId: string;
  summary: string;
  tags: string[];
}

/** Every operation of a spec, the `paths` and the `webhooks` alike, as a reader expects to find them. */
export function operationsOf(spec: OpenApiDocument): SpecOperation[] {
  const operations: SpecOperation[] = [];
  const collect = (
    group: Record<string, Record<string, unknown>> | undefined,
    label: (key: string, method: string) => string,
  ) => {
    for (const [key, item] of Object.entries(group ?? {})) {
      for (const [method, value] of Object.entries(item)) {
        if (!HTTP_METHODS.has(method)) continue;
        const operation = value as OpenApiOperation;
        operations.push({
          where: label(key, method),
          operationId: operation.operationId ?? "",
          summary: operation.summary ?? "",
          tags: operation.tags ?? [],
        });
      }
    }
  };
  collect(spec.paths, (path, method) => `${method.toUpperCase()} ${path}`);
  collect(spec.webhooks, (name, method) => `webhook ${name} (${method.toUpperCase()})`);
  return operations;
}

export interface Guide {
  /** `getting-started` */
  slug: string;
  /** Relative to the repository root. */
  file: string;
  markdown: string;
}

/**
 * Reading order for the guides we know of; any other guide in docs/guides follows, alphabetically,
 * so a new guide is published without being listed here.
 */
const GUIDE_ORDER = [
  "getting-started",
  "choosing-gateways",
  "errors",
  "sending-at-scale",
  "receiving-delivery-reports",
  "testing-your-code",
];

export function listGuides(): Guide[] {
  if (!existsSync(guidesDir)) return [];
  const rank = (slug: string) => {
    const index = GUIDE_ORDER.indexOf(slug);
    return index === -1 ? GUIDE_ORDER.length : index;
  };
  return readdirSync(guidesDir)
    .filter((entry) => entry.endsWith(".md") && statSync(join(guidesDir, entry)).isFile())
    .map((entry) => entry.slice(0, -3))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .map((slug) => {
      const file = join(guidesDir, `${slug}.md`);
      return { slug, file: relative(repoRoot, file), markdown: readFileSync(file, "utf8") };
    });
}

/** Every Markdown file a user reads whose code samples must compile: guides and READMEs. */
export function listDocumentsWithSamples(): string[] {
  const readmes = listPackages()
    .map((pkg) => `${pkg.dir}/README.md`)
    .filter((file) => existsSync(join(repoRoot, file)));
  return [...listGuides().map((guide) => guide.file), "README.md", ...readmes];
}

/**
 * The GitHub repository every package.json names (`repository.url`), as an https URL without
 * `.git`; links to repository files in the docs point there.
 */
export function repositoryUrl(): string {
  const urls = new Set<string>();
  for (const pkg of listPublicPackages()) {
    const repository = pkg.manifest.repository as { url?: string } | string | undefined;
    const url = typeof repository === "string" ? repository : repository?.url;
    // A package without one is reported by its package:check; the docs only need the URL.
    if (url) urls.add(url.replace(/^git\+/, "").replace(/\.git$/, ""));
  }
  if (urls.size !== 1) {
    throw new Error(
      `the packages must name one repository (repository.url), found: ${[...urls].join(", ") || "none"}`,
    );
  }
  return [...urls][0] as string;
}
