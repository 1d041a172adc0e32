/** The shared adapter contract (tools/contract), run against each fake gateway instead of Prism. */
import { describe } from "vitest";
import { type ContractTarget, describeAdapterContract } from "../../../../tools/contract/adapter-contract.js";
import type { Exchange } from "../../../../tools/testing/fetch.js";
import { digify, f24, smartSwitch, websms } from "../../src/index.js";
import { createFakeGateway, type Fault, type GatewayName } from "../../src/testing/index.js";

/**
 * A fresh fake per test. `prefer` names the fault the next send meets; an exchange's `violations`
 * are the problems the fake found in the request (what Prism's `sl-violations` are for the mock).
 */
function fakeTarget(name: GatewayName): ContractTarget {
  return {
    label: "fake",
    realistic: true,
    connect(prefer) {
      const fake = createFakeGateway(name);
      if (prefer !== undefined) fake.failNext(prefer as Fault);
      const exchanges: Exchange[] = [];
      const fetch = async (request: Request): Promise<Response> => {
        const requestBody = await request.clone().text();
        const response = await fake.fetch(request);
        const recorded = fake.requests.at(-1);
        exchanges.push({
          method: request.method,
          url: request.url,
          status: response.status,
          violations: (recorded?.problems ?? []).map((problem) => ({
            location: [problem.location, ...problem.path.map(String)],
            code: problem.keyword,
            message: problem.message,
          })),
          requestHeaders: request.headers,
          requestBody,
        });
        return response;
      };
      return {
        baseUrl: fake.baseUrl,
        observed: {
          fetch,
          exchanges,
          get last(): Exchange {
            const exchange = exchanges.at(-1);
            if (!exchange) throw new Error("no request was sent");
            return exchange;
          },
        },
      };
    },
  };
}

const FAULTS = { preferAuthFailure: "unauthorized", preferThrottled: "throttle" } satisfies Record<
  string,
  Fault
>;

describeAdapterContract(
  {
    name: "digify",
    create: (options) => digify({ accessToken: "tok_0123456789abcdefghij", ...options }),
    secrets: ["tok_0123456789abcdefghij"],
    ...FAULTS,
  },
  fakeTarget("digify"),
);

describeAdapterContract(
  {
    name: "websms",
    create: (options) => websms({ accessToken: "wsTok-0123456789abcdef", ...options }),
    secrets: ["wsTok-0123456789abcdef"],
    ...FAULTS,
  },
  fakeTarget("websms"),
);

describe("websms with username and password", () => {
  describeAdapterContract(
    {
      name: "websms",
      create: (options) => websms({ username: "smskit-user", password: "s3cret pa55w0rd!", ...options }),
      secrets: ["s3cret pa55w0rd!", btoa("smskit-user:s3cret pa55w0rd!")],
      ...FAULTS,
    },
    fakeTarget("websms"),
  );
});

describeAdapterContract(
  {
    name: "f24",
    create: (options) =>
      f24({
        accessKey: "f24-access-key",
        accessToken: "f24-access-token",
        defaultFrom: "smskit",
        ...options,
      }),
    secrets: ["f24-access-key", "f24-access-token"],
    ...FAULTS,
  },
  fakeTarget("f24"),
);

describeAdapterContract(
  {
    name: "smartswitch",
    create: (options) => smartSwitch({ login: "ss-login", password: "ss-password-123", ...options }),
    secrets: ["ss-login", "ss-password-123"],
    ...FAULTS,
  },
  fakeTarget("smartswitch"),
);
