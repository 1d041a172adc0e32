/**
 * The runtime-neutral part of the smoke test: only the built packages, `fetch` and standard globals,
 * so the same file runs under Node, Bun and Deno (through smoke.mjs) and in a browser (bundled by
 * main.ts). Nothing here may import a `node:` module or read the environment.
 */
import {
  createMessenger,
  digify,
  estimateSegments,
  f24,
  parseDeliveryReport,
  smartSwitch,
  websms,
} from "smskit";

export const PROVIDERS = ["digify", "websms", "f24", "smartswitch"];
const TO = "+4712345678";

/** Which runtime this is and its version; Deno and Bun also define `process.versions.node`, so they go first. */
export function describeRuntime() {
  const g = globalThis;
  if (g.Deno?.version?.deno) return { runtime: "deno", version: g.Deno.version.deno };
  if (g.Bun?.version) return { runtime: "bun", version: g.Bun.version };
  if (g.process?.versions?.node) return { runtime: "node", version: g.process.versions.node };
  const agent = g.navigator?.userAgent ?? "";
  const chrome = /(?:HeadlessChrome|Chrome)\/([\d.]+)/.exec(agent);
  if (chrome) return { runtime: "chromium", version: chrome[1] };
  return { runtime: "unknown", version: agent || "?" };
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

function summary(value) {
  try {
    return JSON.stringify(value, (key, inner) => (key === "raw" ? undefined : inner));
  } catch {
    return String(value);
  }
}

function describeError(error) {
  if (!(error instanceof Error)) return String(error);
  const code = error.code === undefined ? "" : ` [${error.code}]`;
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.name}: ${error.cause.message})` : "";
  return `${error.name}${code}: ${error.message}${cause}`;
}

/**
 * Runs every check against the mock gateways in `urls` (`{ digify: "http://127.0.0.1:…", … }`).
 * Never throws: returns `{ checks, passed, failures: [{ check, error }] }` so one broken check does
 * not hide the others.
 */
export async function runChecks(urls) {
  for (const provider of PROVIDERS) {
    if (typeof urls?.[provider] !== "string") {
      return { checks: 0, passed: 0, failures: [{ check: "setup", error: `no mock URL for ${provider}` }] };
    }
  }

  // Counts the calls, so the failover check can prove websms was really tried first.
  let throttledCalls = 0;
  const throttledFetch = (request) => {
    throttledCalls += 1;
    const throttled = new Request(request);
    throttled.headers.set("Prefer", "example=throttled");
    return fetch(throttled);
  };

  // Digify's default example answers a result for another id (and an e-mail), which the adapter
  // rightly reports as an unknown outcome; the simulation example answers one SMS for any message.
  const digifyOptions = {
    accessToken: "smoke-token-0123456789ab",
    baseUrl: urls.digify,
    fetch: (request, init) => {
      const simulated = new Request(request);
      simulated.headers.set("Prefer", "example=simulationMode");
      return fetch(simulated, init);
    },
  };
  const plain = createMessenger({
    providers: [
      digify(digifyOptions),
      websms({ accessToken: "smoke-websms-token", baseUrl: urls.websms }),
      f24({ accessKey: "smoke-key", accessToken: "smoke-token", baseUrl: urls.f24, defaultFrom: "smskit" }),
      smartSwitch({ login: "smoke", password: "smoke-password", baseUrl: urls.smartswitch }),
    ],
  });
  const failingOver = createMessenger({
    providers: [
      websms({
        accessToken: "smoke-websms-token",
        baseUrl: urls.websms,
        fetch: throttledFetch,
        retry: false,
      }),
      digify(digifyOptions),
    ],
  });

  const checks = [];
  for (const provider of PROVIDERS) {
    checks.push([
      `send via ${provider}`,
      async () => {
        const result = await plain.send({ to: TO, text: `Hei fra smskit (${provider})`, provider });
        assert(result.provider === provider, `answered by ${result.provider}: ${summary(result)}`);
        assert(result.to === TO, `to is ${result.to}, expected ${TO}: ${summary(result)}`);
        assert(typeof result.status === "string", `no status: ${summary(result)}`);
      },
    ]);
  }
  checks.push([
    "failover websms (throttled) -> digify",
    async () => {
      const result = await failingOver.send({ to: TO, text: "Failover", clientRef: "smoke-failover" });
      assert(throttledCalls >= 1, "websms was never called");
      assert(
        result.provider === "digify",
        `answered by ${result.provider}, expected digify: ${summary(result)}`,
      );
    },
  ]);
  checks.push([
    'estimateSegments("Hei 😀")',
    async () => {
      const estimate = estimateSegments("Hei 😀");
      assert(
        estimate.encoding === "UCS-2" &&
          estimate.segments === 1 &&
          estimate.units === 6 &&
          estimate.nonGsmCharacters.length === 1 &&
          estimate.nonGsmCharacters[0] === "😀",
        `unexpected estimate ${summary(estimate)}`,
      );
    },
  ]);
  checks.push([
    "parseDeliveryReport(smartswitch)",
    async () => {
      const report = parseDeliveryReport("smartswitch", "message_id=1&message_state=delivered");
      assert(
        report.provider === "smartswitch" &&
          report.providerMessageId === "1" &&
          report.status === "delivered" &&
          report.providerStatus === "delivered",
        `unexpected report ${summary(report)}`,
      );
    },
  ]);

  const failures = [];
  for (const [check, run] of checks) {
    try {
      await run();
    } catch (error) {
      failures.push({ check, error: describeError(error) });
    }
  }
  return { checks: checks.length, passed: checks.length - failures.length, failures };
}
