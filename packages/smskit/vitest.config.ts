import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// The examples import the package by its published names, as a user's code does.
const alias = [
  { find: /^smskit\/webhooks$/, replacement: source("./src/webhooks/index.ts") },
  { find: /^smskit$/, replacement: source("./src/index.ts") },
];

const common = { testTimeout: 60_000, hookTimeout: 120_000 };
/** The tests that talk to Prism; everything else starts no server of its own beyond loopback ones in process. */
const PRISM_TESTS = [
  "test/facade.test.ts",
  "test/cli.test.ts",
  "test/webhooks-mock/**/*.test.ts",
  "test/testing/prism-agreement.test.ts",
];
const REDIS_TESTS = ["test/webhooks-redis/**/*.test.ts"];

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        extends: true,
        test: {
          ...common,
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: [...PRISM_TESTS, ...REDIS_TESTS],
        },
      },
      {
        extends: true,
        test: { ...common, name: "mock", include: PRISM_TESTS, globalSetup: ["./test/global-setup.ts"] },
      },
      {
        extends: true,
        test: {
          ...common,
          name: "redis",
          include: REDIS_TESTS,
          globalSetup: ["./test/redis-global-setup.ts"],
        },
      },
    ],
  },
});
