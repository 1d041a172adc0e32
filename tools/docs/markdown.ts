/**
 * Markdown for the guides: one markdown-it setup shared by the renderer and the sample checker, so
 * both see the same fences at the same lines.
 *
 * Conventions for ```ts fences (documented in docs/README.md):
 * - every ```ts (or ```typescript) fence is type-checked against the workspace packages;
 * - ```ts nocheck is shown but not checked (pseudo-code, or code needing a framework we do not install);
 * - ```ts continued is compiled together with the checked fence before it in the same file, so a
 *   guide can build an example up step by step.
 */
import GithubSlugger from "github-slugger";
import MarkdownIt, { type MarkdownIt as MarkdownItInstance, type Token } from "markdown-it";

export interface FenceInfo {
  lang: string;
  flags: Set<string>;
}

export function parseFenceInfo(info: string): FenceInfo {
  const [lang = "", ...flags] = info.trim().split(/\s+/);
  return { lang: lang.toLowerCase(), flags: new Set(flags.map((flag) => flag.toLowerCase())) };
}

const TYPESCRIPT = new Set(["ts", "typescript", "mts", "tsx"]);
export const isTypeScript = (fence: FenceInfo) => TYPESCRIPT.has(fence.lang);

export interface CodeSample {
  /** Repository-relative Markdown file. */
  file: string;
  /** 1-based line of the fence's first code line in `file`. */
  line: number;
  code: string;
  /** Compiled with the previous checked sample of the same file. */
  continued: boolean;
}

export interface SampleProblem {
  file: string;
  line: number;
  message: string;
}

/** The ```ts fences of one document that must compile, in order, and misuse of the conventions. */
export function extractSamples(
  markdown: string,
  file: string,
): { samples: CodeSample[]; problems: SampleProblem[] } {
  const samples: CodeSample[] = [];
  const problems: SampleProblem[] = [];
  let previousChecked = false;
  for (const token of new MarkdownIt().parse(markdown, {})) {
    if (token.type !== "fence" || !token.map) continue;
    const info = parseFenceInfo(token.info);
    if (!isTypeScript(info)) continue;
    const line = token.map[0] + 2;
    const unknown = [...info.flags].filter((flag) => flag !== "nocheck" && flag !== "continued");
    if (unknown.length > 0) {
      problems.push({ file, line: line - 1, message: `unknown fence flag(s) ${unknown.join(", ")}` });
    }
    if (info.flags.has("nocheck")) {
      previousChecked = false;
      continue;
    }
    const continued = info.flags.has("continued");
    if (continued && !previousChecked) {
      problems.push({
        file,
        line: line - 1,
        message: "```ts continued must follow a checked ```ts fence",
      });
    }
    samples.push({ file, line, code: token.content, continued });
    previousChecked = true;
  }
  return { samples, problems };
}

export interface RenderEnvironment {
  /** Repository-relative path of the document being rendered. */
  file: string;
  /** Turns a link target as written into the href to publish, or throws to fail the build. */
  resolveLink(href: string, line: number): string;
}

/** Plain text of an inline token, for heading ids and titles. */
function textOf(children: Token[] | null): string {
  return (children ?? [])
    .map((child) =>
      child.type === "text" || child.type === "code_inline"
        ? child.content
        : child.type === "softbreak" || child.type === "hardbreak"
          ? " "
          : "",
    )
    .join("");
}

/**
 * Headings get GitHub's ids (github-slugger), so `errors.md#ratelimiterror` works on GitHub and
 * on the site alike.
 */
export function createMarkdown(): MarkdownItInstance {
  const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
  md.core.ruler.push("github_heading_ids", (state) => {
    const slugger = new GithubSlugger();
    state.tokens.forEach((token, index) => {
      if (token.type !== "heading_open") return;
      token.attrSet("id", slugger.slug(textOf(state.tokens[index + 1]?.children ?? null)));
    });
  });
  const renderLinkOpen = md.renderer.rules.link_open;
  md.renderer.rules.link_open = (tokens, index, options, env, self) => {
    const token = tokens[index] as Token;
    const href = token.attrGet("href");
    if (href !== null) {
      const line = token.map ? token.map[0] + 1 : 0;
      token.attrSet("href", (env as unknown as RenderEnvironment).resolveLink(String(href), line));
    }
    return renderLinkOpen
      ? renderLinkOpen(tokens, index, options, env, self)
      : self.renderToken(tokens, index, options);
  };
  // Block tokens carry their lines; inline links do not, so give each link its block's line.
  md.core.ruler.push("link_lines", (state) => {
    for (const block of state.tokens) {
      for (const child of block.children ?? [])
        if (child.type === "link_open" && block.map) child.map = block.map;
    }
  });
  return md;
}

/** The text of the first `# ` heading and the first paragraph, for titles and the landing page. */
export function outline(markdown: string): { title: string; summary: string } {
  const tokens = new MarkdownIt().parse(markdown, {});
  let title = "";
  let summary = "";
  tokens.forEach((token, index) => {
    const inline = tokens[index + 1];
    if (!title && token.type === "heading_open" && token.tag === "h1")
      title = textOf(inline?.children ?? null);
    if (!summary && token.type === "paragraph_open" && inline?.type === "inline")
      summary = textOf(inline.children ?? null);
  });
  return { title, summary };
}
