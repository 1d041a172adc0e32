/**
 * vitest globalSetup factory: one redis-server for the whole test run, its URL handed to tests
 * through `inject("redisUrl")`. Tests that kill or restart Redis start their own with `startRedis`.
 */
import type {} from "vitest";
import type { TestProject } from "vitest/node";
import { startRedis } from "./redis.js";

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

export function redisGlobalSetup() {
  return async function setup(project: TestProject) {
    const redis = await startRedis();
    project.provide("redisUrl", redis.url);
    return async function teardown() {
      await redis.stop();
    };
  };
}
