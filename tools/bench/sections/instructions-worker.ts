/**
 * Child process of sections/instructions.ts, run under `valgrind --tool=callgrind`. Builds the
 * candidates named in argv, warms them up, then runs batches on command from stdin
 * ("run <id> <calls>" → "done"); the parent dumps callgrind's counters around each batch.
 *
 * argv: <server url> <warm-up calls per candidate> <id>...
 */
import { createInterface } from "node:readline";
import { GATEWAYS } from "../lib/paths.ts";
import { prepare } from "./candidates.ts";

const [base, warmupArg, ...ids] = process.argv.slice(2) as [string, string, ...string[]];
const { ready, failed } = await prepare(base, GATEWAYS);
const wanted = ready.filter((candidate) => ids.includes(candidate.id));
const ops = new Map(wanted.map((candidate) => [candidate.id, candidate.op]));
// Interleaved, like the per-call rounds: much of what warms up (undici, the JSON paths) is shared.
for (let call = 0; call < Number(warmupArg); call += 10) {
  for (const candidate of wanted) for (let index = 0; index < 10; index++) await candidate.op();
}
console.log(
  JSON.stringify({ ready: [...ops.keys()], failed: failed.filter((failure) => ids.includes(failure.id)) }),
);

const commands = createInterface({ input: process.stdin });
for await (const line of commands) {
  const [verb, id, callsArg] = line.split(" ");
  if (verb !== "run") break;
  const op = ops.get(id as string);
  for (let call = 0; op && call < Number(callsArg); call++) await op();
  console.log("done");
}
process.exit(0);
