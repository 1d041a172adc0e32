import { defineConfig } from "vitest/config";

// `pnpm test:demo`: runs the demo as `pnpm demo` does, so the packages must be built first (turbo does).
export default defineConfig({
  test: { root: import.meta.dirname, include: ["*.test.ts"], testTimeout: 180_000 },
});
