/**
 * Child process of sections/per-call.ts: builds the candidates against the server given in argv,
 * runs the interleaved rounds and sends the samples back. Run with --expose-gc (see lib/rounds.ts).
 */
import { GATEWAYS } from "../lib/paths.ts";
import { interleaved } from "../lib/rounds.ts";
import { exitWithParent, sendProgress, sendResult } from "../lib/worker.ts";
import { prepare } from "./candidates.ts";

exitWithParent();
const [base, rounds, roundMs, warmupMs] = process.argv.slice(2) as [string, string, string, string];
const { ready, failed } = await prepare(base, GATEWAYS);
sendProgress(`per-call: ${ready.length} candidates ready, ${failed.length} failed; warming up`);
const samples = await interleaved(ready, {
  rounds: Number(rounds),
  roundMs: Number(roundMs),
  warmupMs: Number(warmupMs),
  warmupRounds: 3,
  onRound: (round) => {
    if (round % 5 === 0) sendProgress(`per-call: round ${round + 1} of ${rounds}`);
  },
});
sendResult({
  labels: Object.fromEntries([...ready, ...failed].map((candidate) => [candidate.id, candidate.label])),
  failed,
  samples: Object.fromEntries(samples),
});
process.exit(0);
