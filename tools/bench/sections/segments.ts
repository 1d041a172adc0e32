/** `estimateSegments` throughput on a short text, a UCS-2 text and a 10,000-character text. */
import { startWorker } from "../lib/child.ts";
import { int, micros, type Report, withSpread } from "../lib/format.ts";
import type { PerCallSamples } from "../lib/rounds.ts";
import { spread } from "../lib/stats.ts";

export const TEXTS = [
  {
    label: "160 chars, GSM-7",
    text: "Hei! Din kode er 481516. Den gjelder i 10 minutter. Ikke del koden med noen. "
      .repeat(3)
      .slice(0, 160),
  },
  {
    label: "70 chars, UCS-2",
    text: "Привет! Ваш код 481516, он действует 10 минут. 🙂 ".repeat(2).slice(0, 70),
  },
  {
    label: "10,000 chars, GSM-7 with € and {}",
    text: "Kvittering {nr. 42}: 199 € betalt. Takk for handelen! ".repeat(200).slice(0, 10_000),
  },
] as const;

interface WorkerResult {
  callsPerOp: number;
  estimates: Array<{ encoding: string; segments: number }>;
  samples: Record<string, PerCallSamples>;
}

export async function segments(report: Report): Promise<boolean> {
  report.heading("estimateSegments");
  const outcome = await startWorker<WorkerResult>("sections/segments-worker.ts", [], {
    nodeArgs: ["--expose-gc"],
    timeoutMs: 5 * 60_000,
  }).done;
  if (!outcome.ok) {
    report.line(`not measured: the worker ${outcome.error}`);
    return false;
  }
  const { callsPerOp, estimates, samples } = outcome.value;
  report.line("15 interleaved rounds of ~100 ms; median (p25–p75).");
  report.line();
  report.table(
    ["text", "estimate", "wall per call", "CPU per call", "calls/s (wall)"],
    TEXTS.map((text, index) => {
      const perCall = spread((samples[text.label]?.wallUs ?? []).map((us) => us / callsPerOp));
      const cpuPerCall = spread((samples[text.label]?.cpuUs ?? []).map((us) => us / callsPerOp));
      const estimate = estimates[index];
      return [
        text.label,
        estimate ? `${estimate.encoding}, ${estimate.segments} seg` : "",
        withSpread(perCall, micros),
        withSpread(cpuPerCall, micros),
        int(1e6 / perCall.median),
      ];
    }),
  );
  return true;
}
