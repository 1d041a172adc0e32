/**
 * Bundle size per package entry (issue #8 §6), measured as the CI budget check measures it
 * (lib/bundle.ts), plus the pieces a user would import alone, and what twilio or Vonage would cost.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Bundled, bundle, bundleEntry, isEntryBuilt, packageEntries } from "../lib/bundle.ts";
import { errorText, int, kB, type Report, ratio } from "../lib/format.ts";
import { installSize } from "../lib/install-size.ts";
import { isBuilt, moduleUrl, packageDirOf, packagesDir, packageVersion, root } from "../lib/paths.ts";
import { addTarget } from "../lib/targets.ts";

const GATEWAY_ENTRY_TARGET = 6000;
const FACADE_TARGET = 12_000;

const PIECES = [
  { dir: "digify", client: "createDigifyClient", adapter: "digify" },
  { dir: "f24", client: "createF24Client", adapter: "f24" },
  { dir: "smartswitch", client: "createSmartSwitchClient", adapter: "smartSwitch" },
  { dir: "websms", client: "createWebsmsClient", adapter: "websms" },
] as const;

const FACADE_IMPORT = `export { createMessenger, ${PIECES.map((piece) => piece.adapter).join(", ")} } from "smskit";`;

export async function sizes(report: Report): Promise<boolean> {
  let ok = true;
  report.heading("Bundle size (issue #8 §6)");
  report.line(
    "esbuild --bundle --minify --format=esm --platform=browser, tree-shaken; gzip at zlib's default level.",
  );
  report.line(
    "Per entry: everything it exports (as size-budgets.json and `pnpm test` check it). 1 kB = 1000 B.",
  );
  report.line();
  const baseline = await bundle(`export { default as createClient } from "openapi-fetch";`, {
    resolveDir: join(packagesDir, "core"),
  });
  const row = (label: string, size: Bundled): string[] => [
    label,
    int(size.minified),
    int(size.gzip),
    ratio(size.gzip / baseline.gzip),
  ];
  const rows: string[][] = [
    row(`openapi-fetch ${packageVersion("openapi-fetch")} createClient (reference)`, baseline),
  ];
  const measure = async (label: string, build: () => Promise<Bundled>): Promise<Bundled | undefined> => {
    try {
      const size = await build();
      rows.push(row(label, size));
      return size;
    } catch (error) {
      ok = false;
      rows.push([label, `failed: ${errorText(error)}`, "", ""]);
      return undefined;
    }
  };

  // Node-only entries (the queue) are not bundled for a browser; size-budgets.json says why.
  const unbudgeted =
    (
      JSON.parse(readFileSync(join(root, "size-budgets.json"), "utf8")) as {
        unbudgeted?: Record<string, string>;
      }
    ).unbudgeted ?? {};
  for (const entry of packageEntries()) {
    const notBundled = unbudgeted[entry.specifier];
    if (notBundled !== undefined) {
      rows.push([`${entry.specifier} (entry)`, `not measured: ${notBundled}`, "", ""]);
      continue;
    }
    if (!isEntryBuilt(entry)) {
      rows.push([`${entry.specifier} (entry)`, "not built", "", ""]);
      ok = false;
      continue;
    }
    const size = await measure(`${entry.specifier} (entry)`, () => bundleEntry(entry));
    const isGateway = PIECES.some((piece) => entry.specifier === `@smskit/${piece.dir}`);
    if (size && isGateway) {
      addTarget({
        issue: "#8 §6",
        figure: `${entry.specifier} entry, min + gzip`,
        today: kB(size.gzip),
        target: `≤ ${kB(GATEWAY_ENTRY_TARGET)}`,
        met: size.gzip <= GATEWAY_ENTRY_TARGET,
      });
    }
  }
  for (const piece of PIECES) {
    if (!isBuilt(piece.dir)) continue;
    await measure(`@smskit/${piece.dir} { ${piece.client} }`, () =>
      bundle(`export { ${piece.client} } from "@smskit/${piece.dir}";`),
    );
    await measure(`@smskit/${piece.dir} { ${piece.adapter} }`, () =>
      bundle(`export { ${piece.adapter} } from "@smskit/${piece.dir}";`),
    );
  }
  const facade = isBuilt("smskit")
    ? await measure("smskit { createMessenger + 4 adapters }", () => bundle(FACADE_IMPORT))
    : undefined;
  if (facade) {
    addTarget({
      issue: "#8 §6",
      figure: "smskit createMessenger + 4 adapters, min + gzip",
      today: kB(facade.gzip),
      target: `≤ ${kB(FACADE_TARGET)}`,
      met: facade.gzip <= FACADE_TARGET,
    });
  }
  report.table(["entry", "min B", "gzip B", "gzip ÷ openapi-fetch"], rows);
  await versusSdks(report);
  return ok;
}

/** For platform node, since twilio's client needs Node built-ins and would not bundle otherwise. */
async function versusSdks(report: Report): Promise<void> {
  report.line();
  report.line(
    `Against the SDKs users would otherwise install (platform node): twilio ${packageVersion("twilio")}, @vonage/sms ${packageVersion("@vonage/sms")}.`,
  );
  report.line();
  const rows: string[][] = [];
  const notes: string[] = [];
  const one = async (label: string, contents: string, packageDir: string | undefined) => {
    let size: Bundled | undefined;
    try {
      size = await bundle(contents, { platform: "node", resolveDir: root });
    } catch (error) {
      notes.push(`${label} did not bundle: ${errorText(error)}`);
    }
    let install: { bytes: number; packages: number } | undefined;
    try {
      install = packageDir ? installSize(packageDir) : undefined;
    } catch (error) {
      notes.push(`${label} install size not measured: ${errorText(error)}`);
    }
    rows.push([
      label,
      size ? int(size.minified) : "–",
      size ? int(size.gzip) : "–",
      install ? int(install.bytes) : "–",
      install ? String(install.packages) : "–",
    ]);
  };
  await one(
    "smskit createMessenger + 4 adapters",
    FACADE_IMPORT.replace('"smskit"', `"${fileURLToPath(moduleUrl("smskit"))}"`),
    join(packagesDir, "smskit"),
  );
  await one("twilio Twilio client", `export { Twilio } from "twilio";`, packageDirOf("twilio"));
  await one("@vonage/sms SMS", `export { SMS } from "@vonage/sms";`, packageDirOf("@vonage/sms"));
  report.table(["package", "bundle min B", "bundle gzip B", "install B", "install packages"], rows);
  report.note(
    "install = the package and its production dependencies on disk; ours counts the published files only.",
  );
  report.note(
    "twilio is CommonJS, which esbuild cannot tree-shake: its bundle holds every REST domain the client can load.",
  );
  for (const note of notes) report.note(`note: ${note}`);
}
