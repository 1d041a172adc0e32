import { describe, expect, test } from "vitest";
import {
  fragmentResolves,
  type LinkRecord,
  linkProblems,
  type PageRecord,
  unreachablePages,
} from "../browser.ts";
import { hashRoutePrerenderedLinks } from "../build.ts";

const origin = "http://127.0.0.1:4000";
const page = (path: string, ids: string[], sectionIds: string[], links: string[] = []): PageRecord => ({
  page: path,
  kind: "guide",
  problems: [],
  ids: new Set(ids),
  sectionIds: new Set(sectionIds),
  links: links.map((href) => ({ page: path, href, url: new URL(href, `${origin}/${path}`).href })),
});

describe("fragments", () => {
  const ids = new Set(["errors", "messages/sendmessages/request"]);
  const sections = new Set(["/messages", "/messages/sendmessages"]);
  test.each([
    ["errors", true],
    ["", true],
    ["/messages", true],
    ["/messages/sendmessages#messages/sendmessages/request", true],
    ["/messages/sendmessages#nowhere", false],
    ["/logs", false],
    ["missing", false],
  ])("%j resolves: %s", (fragment, expected) => {
    expect(fragmentResolves(fragment, ids, sections)).toBe(expected);
  });
});

describe("links", () => {
  const pages = new Map([
    ["index.html", page("index.html", ["guides"], [])],
    ["digify.html", page("digify.html", [], ["/messages"])],
  ]);
  const files = new Set(["index.html", "digify.html", "style.css"]);
  const check = (href: string, from = "index.html") => {
    const link: LinkRecord = { page: from, href, url: new URL(href, `${origin}/${from}`).href };
    return linkProblems(link, origin, pages, (path) => files.has(path));
  };

  test("internal links must reach a file, and a fragment an id on it", () => {
    expect(check("digify.html#/messages").problems).toEqual([]);
    expect(check("./#guides").problems).toEqual([]);
    expect(check("style.css").problems).toEqual([]);
    expect(check("digify.html#/logs").problems).toEqual([
      'index.html: link "digify.html#/logs": no id "/logs" on digify.html',
    ]);
    expect(check("guides/nowhere.html").problems).toEqual([
      'index.html: link "guides/nowhere.html" → guides/nowhere.html, which does not exist',
    ]);
    // A Redoc sidebar link as prerendered, before the build turns it into its hash form.
    expect(check("/messages", "digify.html").problems).toHaveLength(1);
  });

  test("external links are only checked for their form", () => {
    expect(check("https://github.com/smskit/smskit#readme")).toEqual({ internal: false, problems: [] });
    expect(check("mailto:support.norge@f24.com").problems).toEqual([]);
    expect(check("https://your-f24-endpoint/x").problems).toHaveLength(1);
    expect(check("javascript:void(0)").problems).toHaveLength(1);
  });

  test("every page must be reachable from index.html", () => {
    const linked = new Map([
      ["index.html", page("index.html", [], [], ["a.html"])],
      ["a.html", page("a.html", [], [], ["index.html"])],
      ["orphan.html", page("orphan.html", [], [], ["index.html"])],
    ]);
    expect(unreachablePages(linked, origin)).toEqual(["orphan.html"]);
  });
});

describe("Redoc's prerendered links", () => {
  test("get their hash form inside the prerendered block only", () => {
    const html =
      '<a href="/x">out</a><div id="redoc"><a href="/messages">M</a><a href="https://e.test/">e</a></div><script type="module">a="href=\\"/y"</script>';
    expect(hashRoutePrerenderedLinks(html)).toBe(
      '<a href="/x">out</a><div id="redoc"><a href="#/messages">M</a><a href="https://e.test/">e</a></div><script type="module">a="href=\\"/y"</script>',
    );
  });
});
