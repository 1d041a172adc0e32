/**
 * Smoke test of the built packages for server runtimes (Node, Bun, Deno): plain ESM with no
 * TypeScript and no `node:` imports, so every runtime runs this file unchanged.
 *
 *   SMSKIT_MOCK_URLS='{"digify":"http://127.0.0.1:…",…}' node tools/runtimes/smoke.mjs
 *   deno run --allow-net --allow-env --allow-read tools/runtimes/smoke.mjs
 *
 * Prints one JSON line; exit code 0 only when every check passed.
 */
import { describeRuntime, runChecks } from "./checks.mjs";

const ENV_NAME = "SMSKIT_MOCK_URLS";

function readEnv(name) {
  // Deno has `process` too, but only through its Node compatibility layer; its own API is the safe one.
  if (globalThis.Deno) return globalThis.Deno.env.get(name);
  return globalThis.process?.env?.[name];
}

function exit(code) {
  if (globalThis.Deno) globalThis.Deno.exit(code);
  // exitCode rather than exit(): lets stdout drain when it is a pipe.
  globalThis.process.exitCode = code;
}

const { runtime, version } = describeRuntime();
let urls;
try {
  urls = JSON.parse(readEnv(ENV_NAME) ?? "");
} catch {
  console.error(`smoke (${runtime} ${version}): set ${ENV_NAME} to a JSON object of mock URLs by provider`);
  exit(2);
}

if (urls !== undefined) {
  const result = await runChecks(urls);
  if (result.failures.length === 0) {
    console.log(JSON.stringify({ runtime, version, ok: true, checks: result.checks }));
    exit(0);
  } else {
    console.log(
      JSON.stringify({ runtime, version, ok: false, checks: result.checks, failures: result.failures }),
    );
    for (const { check, error } of result.failures)
      console.error(`smoke (${runtime} ${version}): ${check}: ${error}`);
    exit(1);
  }
}
