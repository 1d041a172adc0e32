/**
 * Cold import time of each package entry: a fresh `node` per sample (no module cache, no JIT
 * state), timing `await import(entry)` inside it, so that Node's own start-up is not in the figure.
 * Entries are interleaved and the order rotated across rounds, like the per-call rounds.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { isEntryBuilt, packageEntries } from "../lib/bundle.ts";
import { errorText, fixed, progress, type Report, ratio, withSpread } from "../lib/format.ts";
import { benchDir, moduleUrl, packagesDir, packageVersion } from "../lib/paths.ts";
import { spread } from "../lib/stats.ts";

const SAMPLES = 11;
const run = promisify(execFile);

export async function coldImport(report: Report): Promise<boolean> {
  report.heading("Cold import (a fresh node process per sample)");
  const subjects: Array<{ label: string; url: string }> = [
    { label: `openapi-fetch ${packageVersion("openapi-fetch")} (baseline)`, url: moduleUrl("openapi-fetch") },
    ...packageEntries()
      .filter(isEntryBuilt)
      .map((entry) => ({
        label: entry.specifier,
        url: pathToFileURL(join(packagesDir, entry.dir, entry.file)).href,
      })),
    { label: `twilio ${packageVersion("twilio")}`, url: moduleUrl("twilio") },
    { label: `@vonage/sms ${packageVersion("@vonage/sms")}`, url: moduleUrl("@vonage/sms") },
  ];
  const samples = new Map<string, number[]>(subjects.map((subject) => [subject.label, []]));
  const failures = new Map<string, string>();
  const probe = join(benchDir, "sections/import-probe.mjs");
  for (let round = 0; round < SAMPLES; round++) {
    if (round % 5 === 0) progress(`cold import: round ${round + 1} of ${SAMPLES}`);
    for (let position = 0; position < subjects.length; position++) {
      const subject = subjects[(position + round) % subjects.length] as (typeof subjects)[number];
      if (failures.has(subject.label)) continue;
      try {
        const { stdout } = await run(process.execPath, [probe, subject.url], { timeout: 60_000 });
        samples.get(subject.label)?.push((JSON.parse(stdout) as { ms: number }).ms);
      } catch (error) {
        failures.set(subject.label, errorText(error).split("\n")[0] ?? "failed");
      }
    }
  }
  const baseline = spread(samples.get(subjects[0]?.label ?? "") ?? []);
  report.line(`${SAMPLES} samples each, interleaved; median (p25–p75) of the time \`await import()\` takes.`);
  report.line();
  report.table(
    ["entry", "import ms", "÷ openapi-fetch"],
    subjects.map((subject) => {
      const failure = failures.get(subject.label);
      if (failure) return [subject.label, `failed: ${failure}`, ""];
      const value = spread(samples.get(subject.label) ?? []);
      return [subject.label, withSpread(value, (ms) => fixed(ms, 1)), ratio(value.median / baseline.median)];
    }),
  );
  return failures.size === 0;
}
