/** The HTML shell shared by the landing page and the guides (the references bring their own). */

export const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char] as string,
  );

export interface NavLink {
  href: string;
  title: string;
}

export interface Navigation {
  guides: NavLink[];
  references: NavLink[];
}

export const STYLESHEET = `
:root { --text: #1d2126; --muted: #5b6470; --line: #dfe3e8; --accent: #0b57d0; --code: #f4f6f8; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--text); }
a { color: var(--accent); }
header.site { display: flex; gap: 1.5rem; align-items: center; padding: 0 1.5rem; height: 3rem;
  border-bottom: 1px solid var(--line); background: #fff; }
header.site a { text-decoration: none; color: var(--text); }
header.site a.home { font-weight: 700; }
.layout { display: grid; grid-template-columns: 16rem minmax(0, 1fr); max-width: 76rem; margin: 0 auto; }
nav.side { padding: 1.5rem 1rem; border-right: 1px solid var(--line); font-size: 0.95rem; }
nav.side h2 { font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted); margin: 1.2rem 0 0.4rem; }
nav.side ul { list-style: none; margin: 0; padding: 0; }
nav.side li { margin: 0.2rem 0; }
nav.side a { text-decoration: none; }
nav.side a[aria-current="page"] { font-weight: 700; color: var(--text); }
main { padding: 1.5rem 2.5rem 4rem; min-width: 0; }
main.home { max-width: 52rem; margin: 0 auto; }
pre { background: var(--code); padding: 0.9rem 1rem; border-radius: 6px; overflow-x: auto; font-size: 0.88rem; line-height: 1.45; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.92em; }
:not(pre) > code { background: var(--code); padding: 0.1em 0.3em; border-radius: 4px; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.95rem; }
th, td { border: 1px solid var(--line); padding: 0.35rem 0.6rem; text-align: left; vertical-align: top; }
h1, h2, h3 { line-height: 1.25; }
dl.cards dt { font-weight: 600; margin-top: 0.9rem; }
dl.cards dd { margin: 0.15rem 0 0; color: var(--muted); }
@media (max-width: 50rem) { .layout { grid-template-columns: 1fr; } nav.side { border-right: 0; border-bottom: 1px solid var(--line); } }
`;

/** The bar at the top of every page; `prefix` is the path from the page to the site root. */
export function siteHeader(prefix: string): string {
  return `<header class="site">
  <a class="home" href="${prefix}index.html">smskit docs</a>
  <a href="${prefix}index.html#guides">Guides</a>
  <a href="${prefix}api/index.html">TypeScript API</a>
  <a href="${prefix}index.html#gateway-apis">Gateway HTTP APIs</a>
</header>`;
}

export function page(options: {
  title: string;
  /** Path from this page to the site root: `""` or `"../"`. */
  prefix: string;
  body: string;
}): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<link rel="icon" href="${options.prefix}favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="${options.prefix}style.css">
</head>
<body>
${siteHeader(options.prefix)}
${options.body}
</body>
</html>
`;
}

/** The sidebar of a guide: every guide, then the references. */
export function sideNavigation(navigation: Navigation, current: string, prefix: string): string {
  const list = (links: NavLink[]) =>
    links
      .map(
        (link) =>
          `<li><a href="${prefix}${link.href}"${link.href === current ? ' aria-current="page"' : ""}>${escapeHtml(link.title)}</a></li>`,
      )
      .join("\n");
  return `<nav class="side" aria-label="Documentation">
<h2>Guides</h2>
<ul>
${list(navigation.guides)}
</ul>
<h2>Reference</h2>
<ul>
${list(navigation.references)}
</ul>
</nav>`;
}
