/**
 * Per-request cost (issue #8 §4): every gateway client, each adapter through the facade, a bare
 * openapi-fetch POST of the same request (the baseline), raw fetch, twilio and Vonage, side by side
 * in one worker against one loopback server. Ratios are paired round by round (lib/stats.ts).
 */
import { startWorker } from "../lib/child.ts";
import { micros, type Report, ratio, verdict, withSpread } from "../lib/format.ts";
import { GATEWAYS, packageVersion } from "../lib/paths.ts";
import type { PerCallSamples } from "../lib/rounds.ts";
import { pairedRatios, type Spread, spread } from "../lib/stats.ts";
import { addTarget } from "../lib/targets.ts";
import type { GatewayServer } from "../server/start.ts";
import type { Failed } from "./candidates.ts";

const ROUNDS = 21;
const ROUND_MS = 120;
const WARMUP_MS = 300;
const CLIENT_TARGET = 1.1;
const FACADE_TARGET = 1.05;

interface WorkerResult {
  labels: Record<string, string>;
  failed: Failed[];
  samples: Record<string, PerCallSamples>;
}

export async function perCall(report: Report, server: GatewayServer): Promise<boolean> {
  report.heading("Per-call cost against the loopback server (issue #8 §4)");
  const worker = startWorker<WorkerResult>(
    "sections/per-call-worker.ts",
    [server.url, String(ROUNDS), String(ROUND_MS), String(WARMUP_MS)],
    { nodeArgs: ["--expose-gc"], timeoutMs: 10 * 60_000 },
  );
  const outcome = await worker.done;
  if (!outcome.ok) {
    report.line(`not measured: the worker ${outcome.error}`);
    addTarget({
      issue: "#8 §4",
      figure: "per-call ratios",
      today: "not measured",
      target: "",
      met: undefined,
    });
    return false;
  }
  const { labels, failed, samples } = outcome.value;
  const has = (id: string) => samples[id] !== undefined;
  const cpu = (id: string): Spread => spread(samples[id]?.cpuUs ?? []);
  const wall = (id: string): Spread => spread(samples[id]?.wallUs ?? []);
  const paired = (id: string, base: string, what: "cpuUs" | "wallUs"): Spread =>
    pairedRatios(samples[id]?.[what] ?? [], samples[base]?.[what] ?? []);

  report.line(
    `${ROUNDS} interleaved rounds of ~${ROUND_MS} ms per candidate, order rotated each round, after 3 interleaved warm-up rounds of ${WARMUP_MS} ms; a gc before each batch.`,
  );
  report.line(
    "Each cell: median (p25–p75) over the rounds. CPU = user + system time of the client process only.",
  );
  report.line();
  const order = Object.keys(labels).filter(has);
  report.table(
    ["candidate", "wall per call", "CPU per call", "calls/round"],
    order.map((id) => [
      labels[id] as string,
      withSpread(wall(id), micros),
      withSpread(cpu(id), micros),
      String(samples[id]?.callsPerRound ?? ""),
    ]),
  );
  for (const failure of failed) report.note(`${failure.label}: failed, not measured (${failure.error})`);

  report.line();
  report.line(
    `Ratios, paired round by round. client ÷ openapi-fetch target ≤ ${CLIENT_TARGET.toFixed(2)}×, facade ÷ client ≤ ${FACADE_TARGET.toFixed(2)}× (judged on CPU time).`,
  );
  report.line();
  const rows: string[][] = [];
  for (const gateway of GATEWAYS) {
    const client = `${gateway}.client`;
    const facade = `${gateway}.facade`;
    const bare = `${gateway}.bare`;
    if (has(client) && has(bare)) {
      const byCpu = paired(client, bare, "cpuUs");
      const met = byCpu.median <= CLIENT_TARGET;
      rows.push([
        `${gateway} client ÷ openapi-fetch`,
        withSpread(byCpu, ratio),
        withSpread(paired(client, bare, "wallUs"), ratio),
        `≤ ${CLIENT_TARGET.toFixed(2)}×`,
        verdict(met),
      ]);
      addTarget({
        issue: "#8 §4",
        figure: `${gateway} client ÷ bare openapi-fetch (CPU)`,
        today: ratio(byCpu.median),
        target: `≤ ${CLIENT_TARGET.toFixed(2)}×`,
        met,
      });
    }
    if (has(facade) && has(client)) {
      const byCpu = paired(facade, client, "cpuUs");
      const met = byCpu.median <= FACADE_TARGET;
      rows.push([
        `${gateway} facade ÷ client`,
        withSpread(byCpu, ratio),
        withSpread(paired(facade, client, "wallUs"), ratio),
        `≤ ${FACADE_TARGET.toFixed(2)}×`,
        verdict(met),
      ]);
      addTarget({
        issue: "#8 §4",
        figure: `${gateway} facade ÷ its client (CPU)`,
        today: ratio(byCpu.median),
        target: `≤ ${FACADE_TARGET.toFixed(2)}×`,
        met,
      });
    }
  }
  report.table(["ratio", "CPU", "wall", "target", ""], rows);

  // Against the SDKs people would otherwise use: each call ÷ a raw fetch of its own request.
  report.line();
  report.line(
    `Against twilio ${packageVersion("twilio")} and @vonage/sms ${packageVersion("@vonage/sms")}: each call ÷ a raw fetch of the same request, paired.`,
  );
  report.line(
    "Target: each of our clients below both SDKs (judged on CPU time, which a busy neighbour disturbs less than wall time).",
  );
  report.line();
  const sdk = (name: string) =>
    has(`${name}.sdk`) && has(`${name}.raw`)
      ? {
          cpu: paired(`${name}.sdk`, `${name}.raw`, "cpuUs"),
          wall: paired(`${name}.sdk`, `${name}.raw`, "wallUs"),
        }
      : undefined;
  const twilio = sdk("twilio");
  const vonage = sdk("vonage");
  const bar = Math.min(
    twilio?.cpu.median ?? Number.POSITIVE_INFINITY,
    vonage?.cpu.median ?? Number.POSITIVE_INFINITY,
  );
  const versus: string[][] = [];
  if (twilio)
    versus.push([
      "twilio client.messages.create",
      withSpread(twilio.cpu, ratio),
      withSpread(twilio.wall, ratio),
      "",
      "",
    ]);
  if (vonage)
    versus.push([
      "vonage new SMS().send",
      withSpread(vonage.cpu, ratio),
      withSpread(vonage.wall, ratio),
      "",
      "",
    ]);
  for (const gateway of GATEWAYS) {
    for (const layer of ["client", "facade"] as const) {
      const id = `${gateway}.${layer}`;
      if (!has(id) || !has(`${gateway}.raw`)) continue;
      const byCpu = paired(id, `${gateway}.raw`, "cpuUs");
      const judged = layer === "client" && Number.isFinite(bar);
      const met = judged ? byCpu.median < bar : undefined;
      versus.push([
        labels[id] as string,
        withSpread(byCpu, ratio),
        withSpread(paired(id, `${gateway}.raw`, "wallUs"), ratio),
        judged ? `< ${ratio(bar)}` : "",
        judged ? verdict(met) : "",
      ]);
      if (judged) {
        addTarget({
          issue: "#8 §4",
          figure: `${gateway} client ÷ raw fetch (CPU); twilio ${ratio(twilio?.cpu.median ?? Number.NaN)}, Vonage ${ratio(vonage?.cpu.median ?? Number.NaN)}`,
          today: ratio(byCpu.median),
          target: `< ${ratio(bar)}`,
          met,
        });
      }
    }
  }
  report.table(["call", "÷ raw fetch, CPU", "÷ raw fetch, wall", "target", ""], versus);
  report.note(
    "twilio sends through axios and Node's http agent, Vonage through node-fetch; raw fetch and ours through undici.",
  );
  return failed.length === 0;
}
