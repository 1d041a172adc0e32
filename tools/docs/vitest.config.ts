import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** `pnpm docs:test`: the docs tooling's own tests, the checks of the docs, and the browser test of site/. */
export default defineConfig({
  root: fileURLToPath(new URL("../../", import.meta.url)),
  test: {
    include: ["tools/docs/test/**/*.test.ts", "tools/package-check/**/*.test.ts"],
    // The browser test and the sample type-check run one after the other, not competing for 2 cores.
    fileParallelism: false,
    // Type-checking and browsing take seconds to minutes on a busy machine; these are safety nets.
    testTimeout: 300_000,
  },
});
