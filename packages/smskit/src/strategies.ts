/**
 * Strategies decide the order in which providers are tried for one send. They are small pure
 * functions (notifme's shape): the messenger owns the failover loop and the cool-down bookkeeping,
 * a strategy only orders the providers that are not cooling down.
 */
import type { OutgoingSms, SmsProvider } from "@smskit/core";

export interface StrategyContext {
  /** Providers not in cool-down, in configuration order. Never empty. */
  available: readonly SmsProvider[];
  /** All configured providers, in configuration order. */
  all: readonly SmsProvider[];
  /** The message being sent (for strategies that route by country, length, …). */
  message: OutgoingSms;
}

/** Returns the providers to try, first choice first. Providers left out are not tried. */
export type Strategy = (context: StrategyContext) => readonly SmsProvider[];

export type StrategyName = "failover" | "round-robin";

/** Always the first healthy provider; the next ones only when it fails transiently. */
export const failover = (): Strategy => (context) => context.available;

/** Spreads sends over the healthy providers in turn; falls back to the others the same way. */
export const roundRobin = (): Strategy => {
  let turn = 0;
  return ({ available }) => {
    const start = turn % available.length;
    turn = (turn + 1) % Number.MAX_SAFE_INTEGER;
    return [...available.slice(start), ...available.slice(0, start)];
  };
};

export function resolveStrategy(strategy: StrategyName | Strategy | undefined): Strategy {
  if (typeof strategy === "function") return strategy;
  if (strategy === undefined || strategy === "failover") return failover();
  if (strategy === "round-robin") return roundRobin();
  throw new TypeError(
    `unknown strategy ${JSON.stringify(strategy)}: use "failover", "round-robin" or a function`,
  );
}
