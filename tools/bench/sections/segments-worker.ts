/** Child process of sections/segments.ts: estimateSegments in interleaved rounds. --expose-gc. */
import { interleaved } from "../lib/rounds.ts";
import { exitWithParent, sendResult } from "../lib/worker.ts";
import { TEXTS } from "./segments.ts";

exitWithParent();
const { estimateSegments } = await import("@smskit/core");
let sink = 0;
/** Many calls per await, so that the promise machinery stays out of a measurement of pure computation. */
const CALLS_PER_OP = 100;
const candidates = TEXTS.map((text) => ({
  id: text.label,
  op: async () => {
    for (let call = 0; call < CALLS_PER_OP; call++) sink += estimateSegments(text.text).segments;
  },
}));
const samples = await interleaved(candidates, { rounds: 15, roundMs: 100, warmupMs: 200, warmupRounds: 2 });
sendResult({
  sink,
  callsPerOp: CALLS_PER_OP,
  estimates: TEXTS.map((text) => estimateSegments(text.text)),
  samples: Object.fromEntries(samples),
});
process.exit(0);
