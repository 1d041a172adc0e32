/**
 * The vitest layout every package uses: unit tests in one project that starts nothing, and the
 * tests that talk to Prism in another whose globalSetup starts the mocks. Unit files therefore
 * never wait for servers they do not use.
 */
import { defineConfig } from "vitest/config";

/** Test files that need the package's Prism mock (started by its `test/global-setup.ts`). */
export const MOCK_TESTS = [
  "test/spec.test.ts",
  "test/contract.test.ts",
  "test/reliability.test.ts",
  "test/facade.test.ts",
];

export function packageVitestConfig(options: { mocks: boolean; alsoNeedMocks?: string[] }) {
  const mockTests = [...MOCK_TESTS, ...(options.alsoNeedMocks ?? [])];
  const unit = { name: "unit", include: ["test/**/*.test.ts"], exclude: mockTests, testTimeout: 60_000 };
  return defineConfig({
    test: {
      projects: options.mocks
        ? [
            { extends: true, test: unit },
            {
              extends: true,
              test: {
                name: "mock",
                include: mockTests,
                globalSetup: ["./test/global-setup.ts"],
                testTimeout: 30_000,
                hookTimeout: 120_000,
              },
            },
          ]
        : [{ extends: true, test: unit }],
    },
  });
}
