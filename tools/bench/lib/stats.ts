/**
 * Order statistics for benchmark samples. Medians and quartiles rather than means: on a shared
 * machine one descheduled round can be ten times slower than the rest, and a mean would follow it.
 */

export interface Spread {
  median: number;
  p25: number;
  p75: number;
  samples: number;
}

/** Linear interpolation between closest ranks (the "type 7" rule of R and NumPy). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below] as number;
  const high = sorted[above] as number;
  return low + (high - low) * (position - below);
}

export function spread(values: readonly number[]): Spread {
  return {
    median: quantile(values, 0.5),
    p25: quantile(values, 0.25),
    p75: quantile(values, 0.75),
    samples: values.length,
  };
}

/**
 * Paired ratios: round by round, candidate ÷ baseline. Both ran in the same round, next to each
 * other, so a slow patch of the machine cancels out; the ratio of two medians would not cancel it.
 */
export function pairedRatios(candidate: readonly number[], baseline: readonly number[]): Spread {
  const ratios: number[] = [];
  for (let round = 0; round < Math.min(candidate.length, baseline.length); round++) {
    const base = baseline[round] as number;
    if (base > 0) ratios.push((candidate[round] as number) / base);
  }
  return spread(ratios);
}
