/**
 * vitest globalSetup factory: one Prism per listed provider for the whole test run, URLs handed to
 * tests through `inject("mockUrls")`.
 */
import type {} from "vitest";
import type { TestProject } from "vitest/node";
import { startMocks } from "./prism.js";

declare module "vitest" {
  export interface ProvidedContext {
    mockUrls: Record<string, string>;
  }
}

export function prismGlobalSetup(...providers: string[]) {
  return async function setup(project: TestProject) {
    const mocks = await startMocks(providers);
    project.provide("mockUrls", Object.fromEntries(mocks.map((mock) => [mock.provider, mock.url])));
    return async function teardown() {
      await Promise.all(mocks.map((mock) => mock.stop()));
    };
  };
}
