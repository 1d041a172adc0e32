/**
 * `sendMany` at 1k / 10k / 100k messages per gateway through the facade (issue #9): cost per
 * message and how it grows, the 100k websms wall time, and memory at 100k.
 *
 * Each size runs in a fresh worker with a time budget: `sendMany` was quadratic (100k took 380 s
 * for Digify), and a run over budget is killed and reported as such instead of holding up the bench.
 */
import { startWorker } from "../lib/child.ts";
import { fixed, micros, progress, type Report, ratio, verdict } from "../lib/format.ts";
import { GATEWAYS } from "../lib/paths.ts";
import { spread } from "../lib/stats.ts";
import { addTarget } from "../lib/targets.ts";
import type { GatewayServer } from "../server/start.ts";

/**
 * budgetS: for all repeats of a size together, from the end of the warm-up. 1k is the baseline of
 * the growth ratio and one run of it takes 10–60 ms, so it gets many repeats: with 5, its median
 * moved the 100k ÷ 1k ratio by ±0.5× between runs on this machine.
 */
const SIZES = [
  { messages: 1_000, repeats: 25, budgetS: 20 },
  { messages: 10_000, repeats: 3, budgetS: 30 },
  { messages: 100_000, repeats: 1, budgetS: 30 },
] as const;
/**
 * A linear sendMany takes about 10× its 10k time for 100k; on a loaded machine that alone can
 * pass 30 s. So 100k gets 15× the 10k time (at least its fixed budget, at most 120 s): enough for
 * linear with a margin for noise, far too little for quadratic (100× and more).
 */
const LARGE_BUDGET_PER_10K = 15;
const LARGE_BUDGET_MAX_S = 120;
const GROWTH_TARGET = 1.2;
const WEBSMS_100K_TARGET_S = 5;

interface Run {
  wallMs: number;
  cpuMs: number;
  requests: number;
  heapPeakMB: number;
}

type SizeResult = { ok: true; runs: Run[]; maxRssMB: number } | { ok: false; why: string };

export async function sendMany(report: Report, server: GatewayServer): Promise<boolean> {
  report.heading("sendMany through the facade (issue #9)");
  report.line(
    "One text to N different recipients, one gateway per messenger, default options; a fresh process per size,",
  );
  report.line(
    `warmed up for 2 s on batches of 1k. Repeats: ${SIZES.map((size) => `${size.messages / 1000}k × ${size.repeats}`).join(", ")}; median.`,
  );
  report.line();
  let ok = true;
  const rows: string[][] = [];
  const perMessage = new Map<string, number>();
  for (const gateway of GATEWAYS) {
    let skipWhy: string | undefined;
    let tenThousandS: number | undefined;
    for (const size of SIZES) {
      const label = `${gateway} ${size.messages / 1000}k`;
      if (skipWhy) {
        rows.push([label, skipWhy, "", "", "", "", ""]);
        continue;
      }
      const budgetS =
        size.messages === 100_000 && tenThousandS !== undefined
          ? Math.round(
              Math.min(LARGE_BUDGET_MAX_S, Math.max(size.budgetS, LARGE_BUDGET_PER_10K * tenThousandS)),
            )
          : size.budgetS;
      progress(`sendMany: ${label} (budget ${budgetS} s)`);
      const result = await runSize(server, gateway, size.messages, size.repeats, budgetS);
      if (!result.ok) {
        if (!result.why.startsWith("did not finish")) ok = false;
        rows.push([label, result.why, "", "", "", "", ""]);
        skipWhy = `skipped: ${size.messages / 1000}k did not finish`;
        continue;
      }
      const wall = spread(result.runs.map((run) => run.wallMs));
      const cpu = spread(result.runs.map((run) => run.cpuMs));
      if (size.messages === 10_000) tenThousandS = wall.median / 1000;
      perMessage.set(`${gateway}:${size.messages}`, (wall.median * 1000) / size.messages);
      rows.push([
        label,
        `${fixed(wall.median / 1000, 2)} s`,
        micros((wall.median * 1000) / size.messages),
        micros((cpu.median * 1000) / size.messages),
        String(result.runs[0]?.requests ?? ""),
        size.messages === 100_000 ? `${fixed(result.maxRssMB, 0)} MB` : "",
        size.messages === 100_000
          ? `${fixed(Math.max(...result.runs.map((run) => run.heapPeakMB)), 0)} MB`
          : "",
      ]);
      if (gateway === "websms" && size.messages === 100_000) {
        addTarget({
          issue: "#9",
          figure: "100k websms recipients in one sendMany, wall",
          today: `${fixed(wall.median / 1000, 2)} s`,
          target: `≤ ${WEBSMS_100K_TARGET_S} s`,
          met: wall.median / 1000 <= WEBSMS_100K_TARGET_S,
        });
      }
    }
  }
  report.table(
    ["gateway, messages", "wall", "wall per msg", "CPU per msg", "requests", "peak RSS", "heap growth"],
    rows,
  );
  report.note(
    "peak RSS: the worker's maximum resident set (getrusage), inputs included; heap growth: sampled peak of heapUsed over its value before the call.",
  );
  report.note(
    `budgets: 1k ${SIZES[0].budgetS} s, 10k ${SIZES[1].budgetS} s, 100k ${LARGE_BUDGET_PER_10K}× the 10k time (${SIZES[2].budgetS}–${LARGE_BUDGET_MAX_S} s); a size over budget is killed.`,
  );

  report.line();
  const growth: string[][] = [];
  for (const gateway of GATEWAYS) {
    const small = perMessage.get(`${gateway}:1000`);
    const large = perMessage.get(`${gateway}:100000`);
    const value = small !== undefined && large !== undefined ? large / small : undefined;
    const met = value === undefined ? (small === undefined ? undefined : false) : value <= GROWTH_TARGET;
    growth.push([
      gateway,
      value === undefined ? (small === undefined ? "not measured" : "100k did not finish") : ratio(value),
      `≤ ${ratio(GROWTH_TARGET)}`,
      verdict(met),
    ]);
    addTarget({
      issue: "#9",
      figure: `${gateway} sendMany wall per message, 100k ÷ 1k`,
      today:
        value === undefined ? (small === undefined ? "not measured" : "100k did not finish") : ratio(value),
      target: `≤ ${ratio(GROWTH_TARGET)}`,
      met,
    });
  }
  report.table(["gateway", "per message, 100k ÷ 1k", "target", ""], growth);
  if (!perMessage.has("websms:100000")) {
    addTarget({
      issue: "#9",
      figure: "100k websms recipients in one sendMany, wall",
      today: "did not finish",
      target: `≤ ${WEBSMS_100K_TARGET_S} s`,
      met: false,
    });
  }
  return ok;
}

async function runSize(
  server: GatewayServer,
  gateway: string,
  messages: number,
  repeats: number,
  budgetS: number,
): Promise<SizeResult> {
  const worker = startWorker<{ runs: Run[]; maxRssMB: number }>(
    "sections/send-many-worker.ts",
    [server.url, gateway, String(messages), String(repeats)],
    // A safety net for start-up and warm-up, which are not the batch's fault.
    { nodeArgs: ["--expose-gc"], timeoutMs: (budgetS + 120) * 1000 },
  );
  // The budget runs from the worker's "measuring" line; it may be stuck in a synchronous loop,
  // so it is killed from here rather than asked to stop.
  let overBudget = false;
  const started = await worker.lines.next();
  const timer = started.done
    ? undefined
    : setTimeout(() => {
        overBudget = true;
        worker.stop();
      }, budgetS * 1000);
  const outcome = await worker.done;
  if (timer) clearTimeout(timer);
  if (overBudget) return { ok: false, why: `did not finish within ${budgetS} s` };
  if (outcome.ok) return { ok: true, ...outcome.value };
  return {
    ok: false,
    why: outcome.timedOut ? "failed: timed out in start-up or warm-up" : `failed: ${outcome.error}`,
  };
}
