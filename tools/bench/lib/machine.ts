/** What machine a run was on, for the head of the report and BENCHMARKS.md. */
import { execFileSync } from "node:child_process";
import { cpus, loadavg, totalmem } from "node:os";

export interface Machine {
  cpus: number;
  model: string;
  node: string;
  platform: string;
  memoryGiB: number;
  /** 1-minute load average when the run started and when it ended. */
  loadAtStart: number;
  loadAtEnd?: number;
}

function nproc(): number {
  try {
    return Number(execFileSync("nproc", { encoding: "utf8" }).trim());
  } catch {
    return cpus().length;
  }
}

export function machine(): Machine {
  return {
    cpus: nproc(),
    model: cpus()[0]?.model.trim() ?? "unknown CPU",
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAtStart: loadavg()[0] ?? 0,
  };
}

export const currentLoad = (): number => loadavg()[0] ?? 0;
