/**
 * Child process of sections/send-many.ts: one gateway, one batch size, a fresh process (so that
 * its peak RSS is this batch's, and so that the parent can kill a run over its time budget even
 * while it is stuck in a synchronous loop). Run with --expose-gc.
 *
 * argv: <server url> <gateway> <messages> <repeats>
 */
import type { Gateway } from "../lib/paths.ts";
import { exitWithParent, sendResult } from "../lib/worker.ts";

exitWithParent();
const [base, gateway, sizeArg, repeatsArg] = process.argv.slice(2) as [string, Gateway, string, string];
const size = Number(sizeArg);
const repeats = Number(repeatsArg);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

const smskit = await import("smskit");
const SECRET = "bench-secret-0123456789";
const provider = {
  digify: () => smskit.digify({ accessToken: SECRET, baseUrl: base }),
  websms: () => smskit.websms({ accessToken: SECRET, baseUrl: base }),
  f24: () => smskit.f24({ accessKey: SECRET, accessToken: SECRET, baseUrl: base, defaultFrom: "SMSKIT" }),
  smartswitch: () => smskit.smartSwitch({ login: "bench", password: SECRET, baseUrl: base }),
}[gateway]();
const messenger = smskit.createMessenger({ providers: [provider] });

/** One campaign: the same text to `count` different Norwegian mobile numbers. */
const campaign = (count: number) =>
  Array.from({ length: count }, (_, index) => ({
    to: `+479${String(index).padStart(7, "0")}`,
    text: "Hei! Butikken din har fått nye varer. Velkommen innom i dag. Svar STOPP for å melde deg av.",
  }));

const requestsSoFar = async (): Promise<number> =>
  ((await (await fetch(`${base}/__bench/stats`)).json()) as Record<string, number>)[gateway] ?? 0;

async function run(count: number) {
  const inputs = campaign(count);
  gc();
  const requestsBefore = await requestsSoFar();
  const heapBefore = process.memoryUsage().heapUsed;
  let heapPeak = heapBefore;
  // Sampled while the event loop is free, so a lower bound of the true peak; RSS below is exact.
  const sampler = setInterval(() => {
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  }, 5);
  const cpu = process.cpuUsage();
  const start = performance.now();
  const outcomes = await messenger.sendMany(inputs);
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  clearInterval(sampler);
  const failed = outcomes.filter((outcome) => !outcome.ok);
  if (outcomes.length !== count || failed.length > 0) {
    const first = failed[0];
    throw new Error(
      `${outcomes.length} outcomes for ${count} messages, ${failed.length} failed${first && !first.ok ? `: ${first.error.message}` : ""}`,
    );
  }
  return {
    wallMs,
    cpuMs: (used.user + used.system) / 1000,
    requests: (await requestsSoFar()) - requestsBefore,
    heapPeakMB: (heapPeak - heapBefore) / 2 ** 20,
  };
}

// Warm-up on small batches for at least 2 s, so that 1k is not charged for compiling what 100k
// reuses (a loopback fetch alone needs a few thousand calls to settle, see lib/rounds.ts).
const warmUntil = performance.now() + 2000;
for (let round = 0; round < 3 || performance.now() < warmUntil; round++) await run(Math.min(size, 1000));
// The parent's time budget starts here, after start-up and warm-up.
console.log("measuring");
const runs = [];
for (let round = 0; round < repeats; round++) runs.push(await run(size));
sendResult({ runs, maxRssMB: process.resourceUsage().maxRSS / 1024 });
process.exit(0);
