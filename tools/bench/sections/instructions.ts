/**
 * Instructions per call under callgrind (issue #8 §4 measured its 2.03× this way): the bare
 * openapi-fetch POST, each gateway client and each facade, in one process under
 * `valgrind --tool=callgrind`, against the same loopback server (not under valgrind).
 *
 * What it is worth here, measured on this machine: callgrind counts the instructions the process
 * executes, so the neighbours on this shared VM do not change the count as they change wall and
 * CPU time, and the bracketing works (each batch between two `callgrind_control --dump`s, which
 * zero the counters, so start-up and warm-up are not counted). But node runs about 50× slower
 * under valgrind, V8 tiers its JIT by call counts (so the warm-up needs as many calls as natively,
 * a few thousand), and background compiler threads are counted at moments that vary: with 20
 * warm-up calls two batches of the same call differed by ±10 %; a plain script counted within
 * ±0.5 % run to run. --jitless is as stable but counts the interpreter, which no user runs. At a
 * load average of 25 even a 3-candidate run took 6 minutes and the full one did not finish in 20.
 * Hence opt-in (`pnpm bench -- --callgrind`), JIT on, batches repeated across rounds with spread.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { startWorker } from "../lib/child.ts";
import { int, progress, type Report, ratio, verdict, withSpread } from "../lib/format.ts";
import { GATEWAYS } from "../lib/paths.ts";
import { type Spread, spread } from "../lib/stats.ts";
import { addTarget } from "../lib/targets.ts";
import type { GatewayServer } from "../server/start.ts";
import type { Failed } from "./candidates.ts";

const run = promisify(execFile);
const ROUNDS = 3;
const CALLS_PER_BATCH = 40;
const WARMUP_CALLS = 1000;
const CLIENT_TARGET = 1.1;
const FACADE_TARGET = 1.05;

async function valgrindWorks(): Promise<string | undefined> {
  try {
    await run("valgrind", ["--version"]);
    await run("callgrind_control", ["--version"]);
    return undefined;
  } catch {
    return "valgrind (callgrind) is not installed";
  }
}

export async function instructions(report: Report, server: GatewayServer): Promise<boolean> {
  report.heading("Instructions per call under callgrind (issue #8 §4)");
  const missing = await valgrindWorks();
  if (missing) {
    report.line(`not measured: ${missing}; wall and CPU time above still are.`);
    addTarget({
      issue: "#8 §4",
      figure: "instructions, client ÷ openapi-fetch",
      today: missing,
      target: "",
      met: undefined,
    });
    return true;
  }
  const ids = GATEWAYS.flatMap((gateway) => [`${gateway}.bare`, `${gateway}.client`, `${gateway}.facade`]);
  const dir = mkdtempSync(join(tmpdir(), "smskit-callgrind-"));
  const worker = startWorker<never>(
    "sections/instructions-worker.ts",
    [server.url, String(WARMUP_CALLS), ...ids],
    {
      wrapper: ["valgrind", "--tool=callgrind", `--callgrind-out-file=${join(dir, "cg.out")}`, "--quiet"],
      timeoutMs: 60 * 60_000,
    },
  );
  const counts = new Map<string, number[]>();
  let failed: Failed[] = [];
  try {
    progress("callgrind: starting node under valgrind and warming up (about a minute)");
    const first = await worker.lines.next();
    if (first.done) throw new Error(`the worker stopped: ${JSON.stringify(await worker.done)}`);
    const status = JSON.parse(first.value) as { ready: string[]; failed: Failed[] };
    failed = status.failed;
    const dump = (label: string) => run("callgrind_control", ["--dump", label, String(worker.pid)]);
    await dump("warm-up");
    for (let round = 0; round < ROUNDS; round++) {
      progress(`callgrind: round ${round + 1} of ${ROUNDS}`);
      for (let position = 0; position < status.ready.length; position++) {
        const id = status.ready[(position + round) % status.ready.length] as string;
        worker.send(`run ${id} ${CALLS_PER_BATCH}`);
        const done = await worker.lines.next();
        if (done.done) throw new Error("the worker stopped mid-round");
        await dump(`${id}@${round}`);
      }
    }
    worker.send("exit");
    await worker.done;
    for (const file of readdirSync(dir)) {
      const text = readFileSync(join(dir, file), "utf8");
      const label = /^desc: Trigger: Client Request: (.+)$|^desc: Trigger: dump (.+)$/m.exec(text);
      const summary = /^summary: (\d+)$/m.exec(text);
      const id = (label?.[1] ?? label?.[2])?.split("@")[0];
      if (!id || !summary || id === "warm-up") continue;
      counts.set(id, [...(counts.get(id) ?? []), Number(summary[1]) / CALLS_PER_BATCH]);
    }
  } catch (error) {
    worker.stop();
    report.line(`not measured: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const of = (id: string): Spread => spread(counts.get(id) ?? []);
  report.line(
    `${ROUNDS} rounds of ${CALLS_PER_BATCH} calls per candidate, interleaved, after ${WARMUP_CALLS} warm-up calls each; JIT on; median (p25–p75) of the batches.`,
  );
  report.line();
  const rows: string[][] = [];
  for (const gateway of GATEWAYS) {
    const bare = of(`${gateway}.bare`);
    const client = of(`${gateway}.client`);
    const facade = of(`${gateway}.facade`);
    if (bare.samples === 0 || client.samples === 0) continue;
    const clientRatio = client.median / bare.median;
    const facadeRatio = facade.median / client.median;
    rows.push([
      gateway,
      withSpread(bare, int),
      withSpread(client, int),
      withSpread(facade, int),
      `${ratio(clientRatio)} ${verdict(clientRatio <= CLIENT_TARGET)}`,
      facade.samples === 0 ? "–" : `${ratio(facadeRatio)} ${verdict(facadeRatio <= FACADE_TARGET)}`,
    ]);
    addTarget({
      issue: "#8 §4",
      figure: `${gateway} client ÷ bare openapi-fetch (instructions)`,
      today: ratio(clientRatio),
      target: `≤ ${ratio(CLIENT_TARGET)}`,
      met: clientRatio <= CLIENT_TARGET,
    });
    if (facade.samples > 0) {
      addTarget({
        issue: "#8 §4",
        figure: `${gateway} facade ÷ its client (instructions)`,
        today: ratio(facadeRatio),
        target: `≤ ${ratio(FACADE_TARGET)}`,
        met: facadeRatio <= FACADE_TARGET,
      });
    }
  }
  report.table(
    [
      "gateway",
      "openapi-fetch",
      "client",
      "facade",
      `client ÷ bare (≤ ${ratio(CLIENT_TARGET)})`,
      `facade ÷ client (≤ ${ratio(FACADE_TARGET)})`,
    ],
    rows,
  );
  report.note("instructions per call of the whole client process (all threads), the server not included.");
  for (const failure of failed) report.note(`${failure.label}: failed, not measured (${failure.error})`);
  return failed.length === 0;
}
