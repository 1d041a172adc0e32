/**
 * `smskit mock [gateway…]`: the fake gateways of `smskit/testing` on loopback ports, for trying an
 * application (or `smskit send`) against them without the monorepo's Prism mocks. Prints the
 * `<GATEWAY>_BASE_URL=…` lines to export and runs until SIGINT or SIGTERM.
 */
import { parseArgs } from "node:util";
import { createFakeGateway, GATEWAYS, type GatewayName, type ListeningFake } from "./testing/index.js";

export interface MockIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Stops the servers when aborted; without one, SIGINT or SIGTERM does. */
  signal?: AbortSignal;
}

export const MOCK_USAGE =
  "smskit mock [digify] [websms] [f24] [smartswitch] [--port <first port, default 4010; 0 = free ports>] [--quiet]";

/** The variables `smskit send` (and the README's examples) read a gateway's URL from. */
const BASE_URL_VARIABLES: Record<GatewayName, string> = {
  digify: "DIGIFY_BASE_URL",
  websms: "WEBSMS_BASE_URL",
  f24: "F24_BASE_URL",
  smartswitch: "SMARTSWITCH_BASE_URL",
};
const DEFAULT_FIRST_PORT = 4010;

function stopped(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal !== undefined) {
      if (signal.aborted) resolve();
      else signal.addEventListener("abort", () => resolve(), { once: true });
      return;
    }
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

/** Runs `smskit mock`; resolves to the exit code once the servers are stopped. */
export async function runMock(args: readonly string[], io: MockIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    io.stderr(`smskit mock: ${error instanceof Error ? error.message : String(error)} (smskit mock --help)`);
    return 2;
  }
  const { gateways, firstPort, quiet } = parsed;

  const servers: ListeningFake[] = [];
  const closeAll = () => Promise.all(servers.map((server) => server.close()));
  for (const [index, name] of gateways.entries()) {
    const fake = createFakeGateway(name, {
      onRequest: (request) => {
        if (quiet) return;
        // The path only: SmartSwitch's query carries the credentials.
        const path = new URL(request.url).pathname;
        const outcome =
          request.status === undefined ? (request.fault ?? "no answer") : String(request.status);
        const problems = request.problems.length > 0 ? ` (${request.problems.length} problem(s))` : "";
        io.stderr(`${name.padEnd(11)} ${request.method} ${path} → ${outcome}${problems}`);
      },
    });
    const port = firstPort === 0 ? 0 : firstPort + index;
    try {
      servers.push(await fake.listen({ port }));
    } catch (error) {
      await closeAll();
      const inUse = (error as { code?: unknown }).code === "EADDRINUSE";
      io.stderr(
        inUse
          ? `smskit mock: port ${port} is in use; pass --port <another first port>, or --port 0 for free ones`
          : `smskit mock: ${error instanceof Error ? error.message : String(error)}`,
      );
      return 1;
    }
  }
  for (const [index, name] of gateways.entries()) {
    io.stdout(`${BASE_URL_VARIABLES[name]}=${(servers[index] as ListeningFake).url}`);
  }
  io.stderr(
    `smskit mock: ${gateways.length} fake gateway(s) on 127.0.0.1, any credentials accepted; Ctrl-C stops them`,
  );
  await stopped(io.signal);
  await closeAll();
  return 0;
}

function parse(args: readonly string[]) {
  const { values, positionals } = parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: true,
    options: { port: { type: "string" }, quiet: { type: "boolean", default: false } },
  });
  const unknown = positionals.filter((name) => !(GATEWAYS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new Error(
      `unknown gateway ${unknown.map((name) => `"${name}"`).join(", ")}; choose from ${GATEWAYS.join(", ")}`,
    );
  }
  const firstPort = values.port === undefined ? DEFAULT_FIRST_PORT : Number(values.port);
  if (!/^\d+$/.test(values.port ?? "0") || !Number.isSafeInteger(firstPort) || firstPort > 65535) {
    throw new Error(`--port must be a port number (0 for free ports), got ${JSON.stringify(values.port)}`);
  }
  const gateways = (positionals.length > 0 ? [...new Set(positionals)] : [...GATEWAYS]) as GatewayName[];
  if (firstPort !== 0 && firstPort + gateways.length - 1 > 65535)
    throw new Error("--port is too high for that many gateways");
  return { gateways, firstPort, quiet: values.quiet };
}
