/**
 * Interleaved rounds: a, b, c, then b, c, a, then c, a, b, … Each round runs every candidate for
 * about the same time, in an order rotated by one each round, so that drift over the run (CPU
 * frequency, heap growth, a neighbour's build on this shared machine) and the position in a round
 * (the first after a gc, the last before one) fall on every candidate alike.
 *
 * Each batch reports wall time per call (`performance.now`) and CPU time per call of this process
 * (`process.cpuUsage`, user + system, all threads). The gateway server runs in another process, so
 * its CPU is not in the second figure; its latency is in the first.
 */

export interface Timed {
  id: string;
  op: () => Promise<unknown>;
}

export interface PerCallSamples {
  /** One value per round: µs per call. */
  wallUs: number[];
  cpuUs: number[];
  callsPerRound: number;
}

export interface RoundOptions {
  rounds: number;
  /**
   * Unrecorded interleaved rounds first, this long per candidate each. Measured here: a loopback
   * fetch needs 2000–4000 calls (about 1.5 s) before its time per call settles to within 10 %,
   * so a warm-up of a few dozen calls would time the JIT, not the code.
   */
  warmupMs: number;
  warmupRounds: number;
  /** Target length of one candidate's batch in one round. */
  roundMs: number;
  onRound?: (round: number) => void;
}

const gc = (globalThis as { gc?: () => void }).gc;

async function batch(op: () => Promise<unknown>, calls: number): Promise<{ wallUs: number; cpuUs: number }> {
  // A full collection before each batch, outside the timing, so that no candidate pays for the
  // garbage of the one before it (workers run with --expose-gc; without it this is skipped).
  gc?.();
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let call = 0; call < calls; call++) await op();
  const wallUs = (performance.now() - start) * 1000;
  const used = process.cpuUsage(cpu);
  return { wallUs: wallUs / calls, cpuUs: (used.user + used.system) / calls };
}

async function runFor(op: () => Promise<unknown>, ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (performance.now() < end) for (let call = 0; call < 16; call++) await op();
}

/** Grows the batch until it lasts about half a round, then scales it to a full round. */
async function calibrate(op: () => Promise<unknown>, roundMs: number): Promise<number> {
  for (let calls = 4; ; calls *= 2) {
    const start = performance.now();
    for (let call = 0; call < calls; call++) await op();
    const elapsed = performance.now() - start;
    if (elapsed >= roundMs / 2 || calls >= 1 << 22) {
      return Math.max(1, Math.round((calls * roundMs) / Math.max(elapsed, 1e-3)));
    }
  }
}

export async function interleaved(
  candidates: readonly Timed[],
  options: RoundOptions,
): Promise<Map<string, PerCallSamples>> {
  for (let round = 0; round < options.warmupRounds; round++) {
    for (const candidate of candidates) await runFor(candidate.op, options.warmupMs);
  }
  const samples = new Map<string, PerCallSamples>();
  for (const candidate of candidates) {
    samples.set(candidate.id, {
      wallUs: [],
      cpuUs: [],
      callsPerRound: await calibrate(candidate.op, options.roundMs),
    });
  }
  for (let round = 0; round < options.rounds; round++) {
    options.onRound?.(round);
    for (let position = 0; position < candidates.length; position++) {
      const candidate = candidates[(position + round) % candidates.length] as Timed;
      const entry = samples.get(candidate.id) as PerCallSamples;
      const { wallUs, cpuUs } = await batch(candidate.op, entry.callsPerRound);
      entry.wallUs.push(wallUs);
      entry.cpuUs.push(cpuUs);
    }
  }
  return samples;
}
