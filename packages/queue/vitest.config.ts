import { defineConfig } from "vitest/config";

// Two projects: `unit` needs nothing running; `redis` starts a real redis-server (and worker child
// processes), so `pnpm test:unit` stays fast while `pnpm test` runs both.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          testTimeout: 15_000,
        },
      },
      {
        test: {
          name: "redis",
          include: ["test/redis/**/*.test.ts"],
          globalSetup: ["./test/redis/global-setup.ts"],
          // Each file runs its own worker processes; one file at a time keeps 2 cores from thrashing.
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
