/** The figures issues #8 and #9 set targets for; each section adds its rows, main prints them last. */

export interface TargetRow {
  issue: string;
  figure: string;
  today: string;
  target: string;
  /** undefined: not measured in this run (and why goes into `today`). */
  met: boolean | undefined;
}

export const targets: TargetRow[] = [];

export function addTarget(row: TargetRow): void {
  targets.push(row);
}
