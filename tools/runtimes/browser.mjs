/**
 * Browser entry, bundled by main.ts with esbuild for the test page. The page carries the mock URLs
 * in `<script id="mock-urls" type="application/json">`; the outcome goes into `<pre id="result">`
 * which main.ts waits for through playwright-core, URI-encoded so that the text survives as written.
 */
import { describeRuntime, runChecks } from "./checks.mjs";

/** The user agent string is frozen at `Chrome/<major>.0.0.0`; the full version needs Client Hints. */
async function fullVersion(fallback) {
  try {
    const hints = await navigator.userAgentData?.getHighEntropyValues(["fullVersionList"]);
    const brand = hints?.fullVersionList?.find((entry) => /Chrom/.test(entry.brand));
    return brand?.version ?? fallback;
  } catch {
    return fallback;
  }
}

async function main() {
  const described = describeRuntime();
  const runtime = described.runtime;
  const version = await fullVersion(described.version);
  let outcome;
  try {
    const urls = JSON.parse(document.getElementById("mock-urls")?.textContent ?? "");
    const result = await runChecks(urls);
    outcome = { runtime, version, ok: result.failures.length === 0, checks: result.checks };
    if (result.failures.length > 0) outcome.failures = result.failures;
  } catch (error) {
    outcome = { runtime, version, ok: false, checks: 0, failures: [{ check: "page", error: String(error) }] };
  }
  const pre = document.createElement("pre");
  pre.id = "result";
  pre.textContent = encodeURIComponent(JSON.stringify(outcome));
  document.body.append(pre);
}

main();
