/**
 * Each fake rejects what Prism rejects, and accepts what Prism accepts: the same generated requests
 * (a valid one per operation, or one broken in one way) go to the Prism mock of the spec and to the
 * fake in process, and both must decide alike. Prism is the reference because it is the validator
 * this repository's contract tests trust.
 *
 * Three deliberate differences are left out of the generators, because there the fake is stricter
 * than Prism on purpose: unknown query parameters (Prism ignores them; a typo'd optional parameter
 * is a bug a test should catch), SmartSwitch per-recipient arguments whose counts differ (the
 * server pairs them by position, so a misaligned request would go to the wrong numbers), and
 * unknown fields in websms's form bodies (the spec closes the object; Prism does not apply
 * `unevaluatedProperties` to form bodies).
 */
import fc from "fast-check";
import { describe, expect, inject, it } from "vitest";
import { createFakeGateway, type FakeGateway, type GatewayName } from "../../src/testing/index.js";

interface RawRequest {
  /** What the generator did, for the failure message. */
  label: string;
  method: "GET" | "POST";
  path: string;
  query?: Array<[string, string]>;
  headers?: Record<string, string>;
  body?: string;
}

const AUTH: Record<GatewayName, { headers?: Record<string, string>; query?: Array<[string, string]> }> = {
  digify: { headers: { authorization: "Bearer tok_0123456789abcdefghij" } },
  websms: { headers: { authorization: "Bearer wsTok-0123456789" } },
  f24: { headers: { AccessKey: "f24-key", AccessToken: "f24-token" } },
  smartswitch: {
    query: [
      ["_login", "ss-login"],
      ["_password", "ss-password"],
    ],
  },
};

const JSON_TYPE = { "content-type": "application/json" };
const FORM_TYPE = { "content-type": "application/x-www-form-urlencoded" };

function toRequest(gateway: GatewayName, base: string, raw: RawRequest, anonymous: boolean): Request {
  const auth = anonymous ? {} : AUTH[gateway];
  const query = [...(auth.query ?? []), ...(raw.query ?? [])];
  const search = query
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .join("&");
  return new Request(`${base}${raw.path}${search === "" ? "" : `?${search}`}`, {
    method: raw.method,
    headers: { ...auth.headers, ...raw.headers },
    ...(raw.body === undefined ? {} : { body: raw.body }),
  });
}

const digits = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: min, maxLength: max });
const word = fc.string({
  unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz"),
  minLength: 1,
  maxLength: 12,
});
const anyText = (max: number) => fc.string({ unit: "grapheme", minLength: 1, maxLength: max });
/** A JSON value that is not a string. */
const notString = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({}));
const notMatching = (pattern: RegExp) => fc.string({ maxLength: 20 }).filter((value) => !pattern.test(value));
/** Removes one property or breaks it with `value`, reporting what it did. */
const mutate = (object: Record<string, unknown>, key: string, value?: unknown) => {
  const copy = { ...object };
  if (value === undefined) delete copy[key];
  else copy[key] = value;
  return copy;
};

// ---------------------------------------------------------------- Digify

const digifySms = fc.record(
  {
    type: fc.constant("sms"),
    destAddr: digits(1, 15),
    msg: fc.string({ maxLength: 1600 }),
    id: word,
    sourceAddr: fc.string({ maxLength: 15 }),
    priority: fc.integer({ min: 0, max: 255 }),
  },
  { requiredKeys: ["type", "destAddr", "msg"] },
);

const digifySend = (messages: unknown, label: string, body?: string): RawRequest => ({
  label,
  method: "POST",
  path: "/api/v1/messages/send",
  headers: JSON_TYPE,
  body: body ?? JSON.stringify({ messages }),
});

const digifyRequests = fc.oneof(
  fc
    .array(digifySms, { minLength: 1, maxLength: 3 })
    .map((messages) => digifySend(messages, "valid SMS batch")),
  digifySms.chain((sms) =>
    fc.oneof(
      fc
        .constantFrom("type", "destAddr", "msg")
        .map((key) => digifySend([mutate(sms, key)], `SMS without ${key}`)),
      fc
        .integer({ min: 1601, max: 1700 })
        .map((n) => digifySend([{ ...sms, msg: "x".repeat(n) }], `msg of ${n}`)),
      digits(16, 20).map((value) => digifySend([{ ...sms, destAddr: value }], "destAddr over 15")),
      notString.map((value) => digifySend([{ ...sms, destAddr: value }], "destAddr not a string")),
      fc
        .oneof(fc.integer({ max: -1 }), fc.integer({ min: 256 }))
        .map((value) => digifySend([{ ...sms, priority: value }], `priority ${value}`)),
      word
        .filter((key) => !["type", "destAddr", "msg", "id", "sourceAddr", "priority"].includes(key))
        .map((key) => digifySend([{ ...sms, [`x${key}`]: 1 }], "unknown property")),
      word
        .filter((value) => value !== "sms" && value !== "email")
        .map((value) => digifySend([{ ...sms, type: value }], `type ${value}`)),
    ),
  ),
  fc.constantFrom(
    digifySend([], "empty messages"),
    digifySend(undefined, "no messages", "{}"),
    digifySend(undefined, "not JSON", "{ messages: ["),
    digifySend(
      [{ type: "email", sourceAddr: "not-an-address", destAddr: "a@example.com", subject: "s", body: "b" }],
      "e-mail with a bad sender address",
    ),
    digifySend(
      [{ type: "email", sourceAddr: "a@example.com", destAddr: "b@example.com", subject: "s", body: "b" }],
      "valid e-mail",
    ),
  ),
  fc
    .record({ limit: fc.integer({ min: -5, max: 120 }), offset: fc.integer({ min: -3, max: 1000 }) })
    .map(({ limit, offset }) => ({
      label: `SMS log limit=${limit} offset=${offset}`,
      method: "GET" as const,
      path: "/api/v1/logs/sms",
      query: [
        ["limit", String(limit)],
        ["offset", String(offset)],
      ] as Array<[string, string]>,
    })),
  fc.constantFrom("abc", "1.5", "").map((limit) => ({
    label: `e-mail log limit=${JSON.stringify(limit)}`,
    method: "GET" as const,
    path: "/api/v1/logs/email",
    query: [["limit", limit]] as Array<[string, string]>,
  })),
  fc.oneof(fc.constant("984851006"), digits(1, 12), word).map((orgNr) => ({
    label: `company ${orgNr}`,
    method: "GET" as const,
    path: `/api/v1/companies/${orgNr}`,
  })),
  fc.option(fc.string({ maxLength: 10 }), { nil: undefined }).map((search) => ({
    label: `company search ${JSON.stringify(search)}`,
    method: "GET" as const,
    path: "/api/v1/companies/search",
    query: (search === undefined ? [] : [["search", search]]) as Array<[string, string]>,
  })),
);

// ---------------------------------------------------------------- websms

const RECIPIENT = /^\+?[1-9][0-9]{6,14}$/;
const websmsText = fc.record(
  {
    recipientAddressList: fc.array(
      fc
        .tuple(fc.boolean(), fc.constantFrom(..."123456789"), digits(5, 15))
        .map(([plus, first, rest]) => `${plus ? "+" : ""}${first}${rest}`),
      {
        minLength: 1,
        maxLength: 5,
      },
    ),
    messageContent: anyText(400),
    clientMessageId: word,
    priority: fc.integer({ min: 0, max: 9 }),
    validityPeriode: fc.integer({ min: 60, max: 259200 }),
    senderAddressType: fc.constantFrom("national", "international", "alphanumeric", "shortcode"),
    contentCategory: fc.constantFrom("informational", "advertisement"),
    test: fc.boolean(),
    maxSmsPerMessage: fc.integer({ min: 0, max: 20 }),
    notificationCallbackUrl: fc.constant("https://example.com/dlr"),
  },
  { requiredKeys: ["recipientAddressList", "messageContent"] },
);

const websmsJson = (path: string, body: unknown, label: string): RawRequest => ({
  label,
  method: "POST",
  path,
  headers: JSON_TYPE,
  body: JSON.stringify(body),
});
const text = (body: unknown, label: string) => websmsJson("/smsmessaging/text", body, label);
const toForm = (fields: Record<string, unknown>) =>
  Object.entries(fields)
    .map(
      ([name, value]) =>
        `${name}=${Array.isArray(value) ? value.map((v) => encodeURIComponent(String(v))).join(",") : encodeURIComponent(String(value))}`,
    )
    .join("&");
const latin1Text = fc.string({
  unit: fc.constantFrom(..."abc XYZ 0123 äöü ß é"),
  minLength: 1,
  maxLength: 100,
});

const websmsRequests = fc.oneof(
  websmsText.map((body) => text(body, "valid text")),
  websmsText.chain((body) =>
    fc.oneof(
      fc
        .constantFrom("recipientAddressList", "messageContent")
        .map((key) => text(mutate(body, key), `text without ${key}`)),
      notMatching(RECIPIENT).map((value) =>
        text({ ...body, recipientAddressList: [value] }, `recipient ${JSON.stringify(value)}`),
      ),
      fc.constant(text({ ...body, recipientAddressList: [] }, "no recipients")),
      fc.constant(
        text(
          { ...body, recipientAddressList: Array.from({ length: 1001 }, () => "4712345678") },
          "1001 recipients",
        ),
      ),
      fc.constant(text({ ...body, messageContent: "" }, "empty text")),
      fc.integer({ max: -1 }).map((value) => text({ ...body, priority: value }, `priority ${value}`)),
      fc
        .oneof(fc.integer({ max: 59 }), fc.integer({ min: 259201 }))
        .map((value) => text({ ...body, validityPeriode: value }, `validityPeriode ${value}`)),
      word.map((value) => text({ ...body, senderAddressType: `x${value}` }, "bad senderAddressType")),
      word.map((value) => text({ ...body, contentCategory: `x${value}` }, "bad contentCategory")),
      word.map((value) => text({ ...body, notificationCallbackUrl: value }, `callback URL ${value}`)),
      fc
        .integer({ max: -1 })
        .map((value) => text({ ...body, maxSmsPerMessage: value }, `maxSmsPerMessage ${value}`)),
      notString
        .filter((value) => typeof value !== "boolean")
        .map((value) => text({ ...body, test: value }, "test not a boolean")),
      word.map((key) => text({ ...body, [`x${key}`]: 1 }, "unknown field")),
    ),
  ),
  fc
    .record({
      recipientAddressList: fc.array(digits(1, 15), { minLength: 1, maxLength: 3 }),
      messageContent: fc.array(fc.constantFrom("SGVsbG8gV29ybGQ=", "BQAD/AIBWnVzYW1tZW4=", "AAAA"), {
        minLength: 1,
        maxLength: 3,
      }),
    })
    .chain((body) =>
      fc.oneof(
        fc.constant(websmsJson("/smsmessaging/binary", body, "valid binary")),
        fc
          .constantFrom("not base64!", "AAA", "A".repeat(192))
          .map((segment) =>
            websmsJson(
              "/smsmessaging/binary",
              { ...body, messageContent: [segment] },
              `segment ${segment.slice(0, 12)}`,
            ),
          ),
        fc.constant(
          websmsJson(
            "/smsmessaging/binary",
            { ...body, maxSmsPerMessage: 1 },
            "binary with maxSmsPerMessage",
          ),
        ),
        fc.constant(
          websmsJson("/smsmessaging/binary", { ...body, messageContent: [] }, "binary without segments"),
        ),
      ),
    ),
  fc
    .record({
      recipientAddressList: fc.array(digits(1, 15), { minLength: 1, maxLength: 3 }),
      messageContent: latin1Text,
    })
    .chain((fields) =>
      fc.oneof(
        fc.constant({
          label: "valid simple POST",
          method: "POST" as const,
          path: "/smsmessaging/simple",
          headers: FORM_TYPE,
          body: toForm(fields),
        }),
        fc.constant({
          label: "simple POST without text",
          method: "POST" as const,
          path: "/smsmessaging/simple",
          headers: FORM_TYPE,
          body: toForm({ recipientAddressList: fields.recipientAddressList }),
        }),
        fc.constantFrom("x1", "12a", "").map((value) => ({
          label: `simple POST priority ${JSON.stringify(value)}`,
          method: "POST" as const,
          path: "/smsmessaging/simple",
          headers: FORM_TYPE,
          body: toForm({ ...fields, priority: value }),
        })),
        fc.constant({
          label: "valid simple GET",
          method: "GET" as const,
          path: "/smsmessaging/simple",
          query: [
            ["recipientAddressList", fields.recipientAddressList.join(",")],
            ["messageContent", fields.messageContent],
          ] as Array<[string, string]>,
        }),
        notMatching(/^\+?[0-9]{1,15}$/)
          .filter((value) => !value.includes(",") && value !== "")
          .map((value) => ({
            label: `simple GET recipient ${JSON.stringify(value)}`,
            method: "GET" as const,
            path: "/smsmessaging/simple",
            query: [
              ["recipientAddressList", value],
              ["messageContent", fields.messageContent],
            ] as Array<[string, string]>,
          })),
      ),
    ),
);

// ---------------------------------------------------------------- F24

const F24_RECIPIENT = /^\+[1-9][0-9]{6,14}$/;
const f24Message = fc.record({
  Sender: fc.string({ maxLength: 15 }),
  Recipient: fc
    .tuple(fc.integer({ min: 1, max: 9 }), digits(6, 14))
    .map(([first, rest]) => `+${first}${rest}`),
  Content: fc.string({ maxLength: 500 }),
});
const f24Send = (body: unknown, label: string, raw?: string): RawRequest => ({
  label,
  method: "POST",
  path: "/SendSMSExt",
  headers: JSON_TYPE,
  body: raw ?? JSON.stringify(body),
});

const f24Requests = fc.oneof(
  fc
    .array(f24Message, { minLength: 1, maxLength: 4 })
    .map((Messages) => f24Send({ Messages }, "valid batch")),
  f24Message.chain((message) =>
    fc.oneof(
      fc
        .constantFrom("Sender", "Recipient", "Content")
        .map((key) => f24Send({ Messages: [mutate(message, key)] }, `without ${key}`)),
      notMatching(F24_RECIPIENT).map((value) =>
        f24Send({ Messages: [{ ...message, Recipient: value }] }, `Recipient ${JSON.stringify(value)}`),
      ),
      notString.map((value) =>
        f24Send({ Messages: [{ ...message, Content: value }] }, "Content not a string"),
      ),
      word.map((key) => f24Send({ Messages: [{ ...message, [`X${key}`]: "x" }] }, "unknown property")),
      fc.constant(f24Send({ messages: [message] }, "lower-case messages")),
    ),
  ),
  fc.constantFrom(f24Send({ Messages: [] }, "no messages"), f24Send(undefined, "not JSON", "{ Messages")),
);

// ---------------------------------------------------------------- SmartSwitch

const groups = fc.array(
  fc.record({
    destination_number: fc
      .tuple(fc.integer({ min: 1, max: 9 }), digits(6, 14))
      .map(([first, rest]) => `${first}${rest}`),
    body: fc.string({ maxLength: 200 }),
    require_dlr: fc.constantFrom("0", "1"),
    stealth_ping: fc.constantFrom("0", "1"),
  }),
  { minLength: 1, maxLength: 4 },
);
type Group = Record<string, string>;
const message = (list: Group[], label: string): RawRequest => ({
  label,
  method: "POST",
  path: "/api/message",
  query: list.flatMap((group) => Object.entries(group) as Array<[string, string]>),
});

const smartSwitchRequests = fc.oneof(
  groups.map((list) => message(list, "valid groups")),
  groups.chain((list) =>
    fc.oneof(
      notMatching(/^[1-9][0-9]{6,14}$/)
        .filter((value) => value !== "")
        .map((value) =>
          message(
            [{ ...list[0], destination_number: value } as Group, ...list.slice(1)],
            `destination ${JSON.stringify(value)}`,
          ),
        ),
      fc.oneof(fc.constantFrom("2", "-1", "yes", "1.0"), digits(2, 3)).map((value) =>
        message(
          list.map((group) => ({ ...group, require_dlr: value })),
          `require_dlr ${value}`,
        ),
      ),
      fc.constantFrom("2", "x").map((value) =>
        message(
          list.map((group) => ({ ...group, stealth_ping: value })),
          `stealth_ping ${value}`,
        ),
      ),
      fc.constant(
        message(
          list.map(({ destination_number: _, ...rest }) => rest),
          "no destination_number",
        ),
      ),
    ),
  ),
);

const REQUESTS: Record<GatewayName, fc.Arbitrary<RawRequest>> = {
  digify: digifyRequests,
  websms: websmsRequests,
  f24: f24Requests,
  smartswitch: smartSwitchRequests,
};

/** Whether the fake refused the request: it found problems with it, or its credentials. */
function fakeRejected(fake: FakeGateway): boolean {
  const recorded = fake.requests.at(-1);
  return recorded !== undefined && (recorded.problems.length > 0 || recorded.status === 401);
}

async function decide(gateway: GatewayName, fake: FakeGateway, raw: RawRequest, anonymous: boolean) {
  const prismUrl = inject("mockUrls")[gateway] as string;
  const prism = await fetch(toRequest(gateway, prismUrl, raw, anonymous));
  const prismBody = await prism.text();
  const answer = await fake.fetch(toRequest(gateway, fake.baseUrl, raw, anonymous));
  await answer.body?.cancel();
  return {
    prismRejected: prism.status >= 400,
    fakeRejected: fakeRejected(fake),
    explain: () =>
      `${raw.label}: ${raw.method} ${raw.path} ${JSON.stringify(raw.query ?? [])} ${(raw.body ?? "").slice(0, 300)}\n` +
      `  Prism ${prism.status}: ${prismBody.slice(0, 400)}\n` +
      `  fake ${answer.status}: ${JSON.stringify(fake.requests.at(-1)?.problems)}`,
  };
}

/** Requests per gateway; AGREEMENT_RUNS=2000 for a deeper local run. */
const RUNS = Number(process.env.AGREEMENT_RUNS ?? 100);

describe.each(Object.keys(REQUESTS) as GatewayName[])("%s: the fake and Prism decide alike", (gateway) => {
  it("rejects exactly the requests Prism rejects", async () => {
    const fake = createFakeGateway(gateway);
    let rejected = 0;
    await fc.assert(
      fc.asyncProperty(REQUESTS[gateway], async (raw) => {
        const decision = await decide(gateway, fake, raw, false);
        if (decision.prismRejected) rejected += 1;
        expect(decision.fakeRejected, decision.explain()).toBe(decision.prismRejected);
      }),
      { numRuns: RUNS },
    );
    // The generators must produce both kinds, or the property proves little.
    expect(rejected).toBeGreaterThan(RUNS / 8);
    expect(rejected).toBeLessThan(RUNS - RUNS / 8);
  }, 300_000);

  it("rejects a request without credentials, as Prism does", async () => {
    const fake = createFakeGateway(gateway);
    const [sample] = fc.sample(REQUESTS[gateway], { numRuns: 1, seed: 7 });
    const raw = sample as RawRequest;
    if (gateway === "digify" && (raw.path === "/health" || raw.path === "/ready")) return;
    const decision = await decide(gateway, fake, raw, true);
    expect(decision.prismRejected, decision.explain()).toBe(true);
    expect(decision.fakeRejected, decision.explain()).toBe(true);
  });
});
