/**
 * The child side of lib/child.ts. Every measurement runs in a child process of its own, so that
 * nothing the parent loaded (esbuild, earlier sections' garbage) is charged to it, and so that a
 * run over its time budget can be killed without killing the bench.
 */

const RESULT = "@@result ";
const PROGRESS = "@@progress ";

/** Ends this process when the parent's end of stdin closes: no worker outlives a killed bench. */
export function exitWithParent(): void {
  process.stdin.on("end", () => process.exit(0));
  process.stdin.on("error", () => process.exit(0));
  process.stdin.resume();
  // stdin alone must not keep a worker alive once its work is done.
  process.stdin.unref?.();
}

export function sendResult(value: unknown): void {
  process.stdout.write(`${RESULT}${JSON.stringify(value)}\n`);
}

export function sendProgress(text: string): void {
  process.stdout.write(`${PROGRESS}${text}\n`);
}

export const markers = { RESULT, PROGRESS };
