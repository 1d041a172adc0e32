/**
 * `pnpm mock [provider…]`: local mock gateways for your own tests. Runs until Ctrl-C.
 * Ports are fixed per provider (4010–4013) so a config can point at them; pass --random-ports to pick free ones.
 */
import { PROVIDERS, type RunningMock, startMock } from "./prism.js";

const FIXED_PORTS: Record<string, number> = { digify: 4010, websms: 4011, f24: 4012, smartswitch: 4013 };

const args = process.argv.slice(2);
const randomPorts = args.includes("--random-ports");
const requested = args.filter((arg) => !arg.startsWith("--"));
const providers = requested.length > 0 ? requested : [...PROVIDERS];
const unknown = providers.filter((provider) => !(PROVIDERS as readonly string[]).includes(provider));
if (unknown.length > 0) {
  console.error(`unknown provider(s): ${unknown.join(", ")}; choose from ${PROVIDERS.join(", ")}`);
  process.exit(2);
}

const mocks: RunningMock[] = [];
const stopAll = async () => {
  await Promise.all(mocks.map((mock) => mock.stop()));
  process.exit(0);
};
process.on("SIGINT", stopAll);
process.on("SIGTERM", stopAll);

for (const provider of providers) {
  const port = randomPorts ? undefined : FIXED_PORTS[provider];
  const mock = await startMock(provider, port === undefined ? {} : { port });
  mocks.push(mock);
  console.log(`${provider.padEnd(12)} ${mock.url}   (pid ${mock.pid})`);
}
console.log("mock gateways running; Ctrl-C stops them");
