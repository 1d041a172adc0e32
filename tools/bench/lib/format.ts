/** Plain-text tables and number formats shared by every section; the same text goes to BENCHMARKS.md. */
import type { Spread } from "./stats.ts";

export const int = (value: number): string =>
  Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : "–";

export const fixed = (value: number, digits: number): string =>
  Number.isFinite(value) ? value.toFixed(digits) : "–";

export const ratio = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)}×` : "–");

export const kB = (bytes: number): string => `${(bytes / 1000).toFixed(2)} kB`;

/** A duration in µs with a precision that suits its size. */
export function micros(us: number): string {
  if (!Number.isFinite(us)) return "–";
  if (us >= 1000) return `${(us / 1000).toFixed(2)} ms`;
  if (us >= 100) return `${us.toFixed(0)} µs`;
  if (us >= 10) return `${us.toFixed(1)} µs`;
  return `${us.toFixed(2)} µs`;
}

/** "median (p25–p75)", each part formatted alike. */
export function withSpread(value: Spread, format: (n: number) => string): string {
  if (value.samples === 0) return "–";
  return `${format(value.median)} (${format(value.p25)}–${format(value.p75)})`;
}

export const verdict = (met: boolean | undefined): string =>
  met === undefined ? "not measured" : met ? "met" : "NOT MET";

/** The output of one bench run; sections append, main prints it and may write it to BENCHMARKS.md. */
export class Report {
  readonly lines: string[] = [];

  line(text = ""): void {
    this.lines.push(text);
    console.log(text);
  }

  heading(text: string): void {
    this.line();
    this.line(text);
    this.line("=".repeat(Math.min(text.length, 100)));
  }

  /** The first `textColumns` columns left-aligned, the rest right-aligned, as numbers read best. */
  table(header: readonly string[], rows: ReadonlyArray<readonly string[]>, textColumns = 1): void {
    const widths = header.map((cell, column) =>
      Math.max(cell.length, ...rows.map((row) => (row[column] ?? "").length)),
    );
    const render = (row: readonly string[]) =>
      row
        .map((cell, column) =>
          column < textColumns ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
        )
        .join("  ")
        .trimEnd();
    this.line(render(header));
    this.line(widths.map((width) => "-".repeat(width)).join("  "));
    for (const row of rows) this.line(render(row));
  }

  note(text: string): void {
    this.line(`  ${text}`);
  }
}

/** Progress goes to stderr, so that the report on stdout (and in BENCHMARKS.md) stays clean. */
export function progress(text: string): void {
  process.stderr.write(`  … ${text}\n`);
}

export function errorText(error: unknown): string {
  const esbuildErrors = (error as { errors?: Array<{ text: string }> } | undefined)?.errors;
  if (Array.isArray(esbuildErrors) && esbuildErrors[0]) return esbuildErrors[0].text;
  return error instanceof Error ? error.message : String(error);
}
