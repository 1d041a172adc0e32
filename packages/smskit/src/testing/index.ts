/**
 * `smskit/testing`: fake gateways for your tests. Each one validates every request against the
 * gateway's spec, answers like the gateway (echoing recipients and references, generating ids,
 * counting segments), records what it accepted, and injects the gateway's own form of each fault.
 *
 * @example
 * import { createMessenger, digify } from "smskit";
 * import { createFakeGateway } from "smskit/testing";
 *
 * const gateway = createFakeGateway("digify");
 * const messenger = createMessenger({
 *   providers: [digify({ accessToken: "test-token", baseUrl: gateway.baseUrl, fetch: gateway.fetch })],
 * });
 * await messenger.send({ to: "+4712345678", text: "Hei!" });
 * gateway.sent; // [{ provider: "digify", to: "+4712345678", text: "Hei!", id: "100001", … }]
 */
import { createFake, type FakeGatewayCore, type GatewayDefinition, type GatewayName } from "./core.js";
import { type DigifyFakeOptions, digifyGateway } from "./digify.js";
import { type F24FakeOptions, f24Gateway } from "./f24.js";
import {
  type SmartSwitchDeliveryStatus,
  type SmartSwitchFakeOptions,
  smartSwitchGateway,
} from "./smartswitch.js";
import { type WebsmsDeliveryStatus, type WebsmsFakeOptions, websmsGateway } from "./websms.js";

export {
  type DeliveryReportOptions,
  FAULTS,
  type FakeCommonOptions,
  type Fault,
  type FaultOptions,
  type GatewayName,
  type ListeningFake,
  type ListenOptions,
  type RecordedRequest,
  type SentMessage,
} from "./core.js";
export type { DigifyCompany, DigifyFakeOptions } from "./digify.js";
export type { F24FakeOptions } from "./f24.js";
export type { SmartSwitchDeliveryStatus, SmartSwitchFakeOptions } from "./smartswitch.js";
export { describeProblem, type ProblemLocation, type RequestProblem } from "./validator.js";
export type { WebsmsDeliveryStatus, WebsmsFakeOptions } from "./websms.js";

interface Gateways {
  digify: { options: DigifyFakeOptions; deliveryStatus: never };
  websms: { options: WebsmsFakeOptions; deliveryStatus: WebsmsDeliveryStatus };
  f24: { options: F24FakeOptions; deliveryStatus: never };
  smartswitch: { options: SmartSwitchFakeOptions; deliveryStatus: SmartSwitchDeliveryStatus };
}

export type FakeGatewayOptions<P extends GatewayName> = Gateways[P]["options"];

/**
 * The delivery states a gateway's webhook reports (websms `deliveryReportMessageStatus`, SmartSwitch
 * `message_state`); `never` for Digify and F24, which post none.
 */
export type FakeDeliveryStatus<P extends GatewayName> = Gateways[P]["deliveryStatus"];

/** A fake gateway; see {@link createFakeGateway}. */
export type FakeGateway<P extends GatewayName = GatewayName> = FakeGatewayCore<P, FakeDeliveryStatus<P>>;

/** The gateways `createFakeGateway` can fake. */
export const GATEWAYS: readonly GatewayName[] = Object.freeze(["digify", "websms", "f24", "smartswitch"]);

const DEFINITIONS: { [P in GatewayName]: GatewayDefinition<P, Gateways[P]["options"]> } = {
  digify: digifyGateway,
  websms: websmsGateway,
  f24: f24Gateway,
  smartswitch: smartSwitchGateway,
};

function checkOptions(provider: GatewayName, options: Record<string, unknown>): void {
  if (options.now !== undefined && typeof options.now !== "function") {
    throw new TypeError(`[${provider}] now must be a function returning a Date`);
  }
  const { credits } = options;
  if (
    credits !== undefined &&
    (typeof credits !== "number" || !Number.isSafeInteger(credits) || credits < 0)
  ) {
    throw new TypeError(`[${provider}] credits must be a whole number of 0 or more, got ${String(credits)}`);
  }
}

/**
 * A fake of one gateway, for tests. Give a client or adapter its `fetch` (and `baseUrl`): no port
 * is opened, so it works in Node, Bun, Deno and browsers. `listen()` serves it on a loopback port
 * for code that needs a URL.
 *
 * - Every request is validated against the gateway's spec; an invalid one gets the gateway's own
 *   error form naming what is wrong (and is listed in `requests` with its `problems`).
 * - `sent` lists what the gateway accepted; `failNext(fault)` makes the next send meet a fault;
 *   `deliveryReport(ref, status)` builds the webhook request the gateway would post (websms,
 *   SmartSwitch).
 * - Any credentials are accepted unless `options` names the expected ones.
 *
 * Validation runs Ajv, which compiles validators with `new Function`: runtimes whose
 * Content-Security-Policy forbids that (`unsafe-eval`) cannot run the fakes.
 *
 * @throws {TypeError} for an unknown gateway name or invalid options.
 */
export function createFakeGateway<P extends GatewayName>(
  provider: P,
  options?: FakeGatewayOptions<P>,
): FakeGateway<P> {
  const definition = DEFINITIONS[provider] as GatewayDefinition<P, FakeGatewayOptions<P>> | undefined;
  if (definition === undefined || !Object.hasOwn(DEFINITIONS, provider)) {
    throw new TypeError(`unknown gateway ${JSON.stringify(provider)}; choose from ${GATEWAYS.join(", ")}`);
  }
  const resolved = (options ?? {}) as FakeGatewayOptions<P>;
  checkOptions(provider, resolved as Record<string, unknown>);
  return createFake<P, FakeGatewayOptions<P>, FakeDeliveryStatus<P>>(definition, resolved);
}
