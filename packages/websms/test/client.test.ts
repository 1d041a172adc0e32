/**
 * Unit tests of the websms client with an injected fetch (and, where the socket matters, real
 * loopback servers): where the credentials go and that they never leak, what an answer means, the
 * retry rule, and that bad input never reaches the network.
 */
import {
  AuthenticationError,
  ConfigurationError,
  InvalidRecipientError,
  InvalidSenderError,
  MessageRejectedError,
  NetworkError,
  RateLimitError,
  RedirectError,
  ServerError,
  ServiceUnavailableError,
  SmsKitError,
  UnexpectedResponseError,
  UnknownOutcomeError,
  ValidationError,
} from "@smskit/core";
import fc from "fast-check";
import { afterEach, describe, expect, expectTypeOf, it } from "vitest";
import { fakeClock } from "../../../tools/testing/clock.js";
import { connectionError, json, scriptedFetch } from "../../../tools/testing/fetch.js";
import { echoBody, echoHeader, flood } from "../../../tools/testing/hostile.js";
import { expectNoLeak, rejection } from "../../../tools/testing/leaks.js";
import { startServer, type TestServer } from "../../../tools/testing/servers.js";
import {
  createWebsmsClient,
  parseSimpleResponse,
  WEBSMS_PRODUCTION_URL,
  type WebsmsBinaryRequest,
  type WebsmsClientOptions,
  type WebsmsTextRequest,
} from "../src/index.js";

// Secrets with the characters that encode differently everywhere: ' / & space and non-ASCII. A
// token travels in a header, so it stays Latin-1; a Basic login is Base64, so anything goes.
const TOKEN = "wsTok 'a/b&c' ø-0123456789";
const USERNAME = "usér 'x/y&z'";
const PASSWORD = "pä55 w/ 'ß&€' 😀";
const BASIC = Buffer.from(`${USERNAME}:${PASSWORD}`, "utf8").toString("base64");

const text: WebsmsTextRequest = { recipientAddressList: ["4712345678"], messageContent: "hi" };
const binary: WebsmsBinaryRequest = { recipientAddressList: ["4712345678"], messageContent: ["SGVsbG8="] };
const ok = {
  statusCode: 2000,
  statusMessage: "OK",
  transferId: "0051949fe700053c4615",
  clientMessageId: null,
  smsCount: 1,
};
const okForm = "statusCode=2000&statusMessage=OK&transferId=0051949fe700053c4615&smsCount=1";

const form = (body: string, status = 200, headers: Record<string, string> = {}) =>
  new Response(body, {
    status,
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
  });
const status = (
  statusCode: number,
  statusMessage = "from the gateway",
  headers: Record<string, string> = {},
) => json({ statusCode, statusMessage, transferId: null, clientMessageId: null, smsCount: 0 }, 200, headers);

type Login = { accessToken: string } | { username: string; password: string };
const TOKEN_LOGIN: Login = { accessToken: TOKEN };
const BASIC_LOGIN: Login = { username: USERNAME, password: PASSWORD };

function clientWith(
  fetch: WebsmsClientOptions["fetch"],
  extra: Partial<WebsmsClientOptions> = {},
  login: Login = TOKEN_LOGIN,
) {
  return createWebsmsClient({ ...login, fetch, clock: fakeClock().clock, ...extra } as WebsmsClientOptions);
}

type Client = ReturnType<typeof createWebsmsClient>;
const SENDS: Array<[name: string, send: (client: Client) => Promise<unknown>, method: string, path: string]> =
  [
    ["sendText", (client) => client.sendText(text), "POST", "/smsmessaging/text"],
    ["sendBinary", (client) => client.sendBinary(binary), "POST", "/smsmessaging/binary"],
    ["sendSimple POST", (client) => client.sendSimple(text), "POST", "/smsmessaging/simple"],
    ["sendSimple GET", (client) => client.sendSimple(text, { method: "GET" }), "GET", "/smsmessaging/simple"],
  ];
const isSimple = (path: string) => path.endsWith("/simple");

const servers: TestServer[] = [];
async function server(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const started = await startServer(handler);
  servers.push(started);
  return started;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((started) => started.close()));
});

describe("credentials and options", () => {
  it("sends a token as a Bearer header to the production host, never in the URL", async () => {
    const scripted = scriptedFetch(json(ok));
    await clientWith(scripted.fetch).sendText(text);
    const request = scripted.last;
    expect(request.url).toBe(`${WEBSMS_PRODUCTION_URL}/smsmessaging/text`);
    // Latin-1 header bytes come back from Headers as the same characters.
    expect(request.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
    expect(request.headers.get("accept")).toBe("application/json");
    expect(request.headers.get("content-type")).toBe("application/json");
    expect(request.url).not.toContain("access_token");
    expect(JSON.parse(request.body)).toEqual(text);
  });

  it("sends username and password as UTF-8 HTTP Basic on every operation, a colon in the password included", async () => {
    const password = "pa:ss wörd";
    const scripted = scriptedFetch(json(ok), json(ok), form(okForm), form(okForm));
    const client = clientWith(scripted.fetch, {}, { username: USERNAME, password });
    for (const [, send] of SENDS) await send(client);
    const expected = `Basic ${Buffer.from(`${USERNAME}:${password}`, "utf8").toString("base64")}`;
    expect(scripted.requests.map((request) => request.headers.get("authorization"))).toEqual([
      expected,
      expected,
      expected,
      expected,
    ]);
    for (const request of scripted.requests) expect(request.url).not.toContain(encodeURIComponent(USERNAME));
  });

  it("needs exactly one way to log in, at compile time and at run time", () => {
    // @ts-expect-error neither a token nor a password
    expect(() => createWebsmsClient({})).toThrow(ConfigurationError);
    expect(() =>
      // @ts-expect-error both a token and a password
      createWebsmsClient({ accessToken: TOKEN, username: USERNAME, password: PASSWORD }),
    ).toThrow(/either accessToken, or username and password/);
    // @ts-expect-error a user name without its password
    expect(() => createWebsmsClient({ username: USERNAME })).toThrow(ConfigurationError);
    expect(() => createWebsmsClient({ accessToken: " " })).toThrow(/accessToken must be a non-empty string/);
    expect(() => createWebsmsClient({ username: USERNAME, password: "" })).toThrow(ConfigurationError);
    // @ts-expect-error not an options object
    expect(() => createWebsmsClient(null)).toThrow(ConfigurationError);
    expectTypeOf<{ accessToken: string }>().toExtend<WebsmsClientOptions>();
    expectTypeOf<{ username: string; password: string; timeoutMs: number }>().toExtend<WebsmsClientOptions>();
  });

  it.each([
    ["a character beyond Latin-1", "tok€en-0123456789"],
    ["a line break", "tok\r\nX-Injected: 1"],
    ["a NUL", "tok\u0000en-0123456789"],
    ["surrounding spaces", " token-0123456789 "],
  ])("refuses a token with %s at construction, without quoting it", (_, accessToken) => {
    const error = (() => {
      try {
        createWebsmsClient({ accessToken, fetch: scriptedFetch().fetch });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({ provider: "websms", code: "INVALID_CREDENTIAL" });
    expectNoLeak(error, [accessToken.trim()]);
  });

  it("refuses a user name with a colon, which Basic would split into another user", () => {
    expect(() => createWebsmsClient({ username: "a:b", password: PASSWORD })).toThrow(ConfigurationError);
    expect(() => createWebsmsClient({ username: "a:b", password: PASSWORD })).not.toThrow(/a:b/);
  });

  it("refuses clear-text, user-info and unparsable base URLs, quoting no secret", () => {
    const attempts = [
      "http://api.websms.com/rest",
      "http://127.evil.example/rest",
      "http://127.0.0.1.nip.io/rest",
      "ftp://api.websms.com/rest",
      "not a url",
      `https://user:${encodeURIComponent(PASSWORD)}@api.websms.com/rest`,
      `http://user:${encodeURIComponent(PASSWORD)}@127.0.0.1:4011`,
    ];
    for (const baseUrl of attempts) {
      const error = (() => {
        try {
          createWebsmsClient({ accessToken: TOKEN, baseUrl });
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error, baseUrl).toBeInstanceOf(ConfigurationError);
      expectNoLeak(error, [TOKEN, PASSWORD]);
    }
    for (const baseUrl of ["http://localhost:4011", "http://127.0.0.1:4011/rest", "http://[::1]:4011"]) {
      expect(() => createWebsmsClient({ accessToken: TOKEN, baseUrl })).not.toThrow();
    }
  });

  it("keeps the base path and drops a trailing slash", async () => {
    const scripted = scriptedFetch(json(ok));
    await clientWith(scripted.fetch, { baseUrl: "https://api.linkmobility.eu/rest/" }).sendBinary(binary);
    expect(scripted.last.url).toBe("https://api.linkmobility.eu/rest/smsmessaging/binary");
  });
});

describe("credentials never leak, whatever the gateway echoes", () => {
  const requestLine = (method: string, path: string, authorization: string) =>
    `${method} /rest${path} HTTP/1.1\r\nHost: api.websms.com\r\nAuthorization: ${authorization}`;

  const logins: Array<[name: string, login: Login, secrets: string[], authorization: string]> = [
    ["a Bearer token", TOKEN_LOGIN, [TOKEN], `Bearer ${TOKEN}`],
    ["a Basic login", BASIC_LOGIN, [USERNAME, PASSWORD, BASIC], `Basic ${BASIC}`],
  ];

  /** Every way an answer can echo the request: 401 problem+json, 401 text, 502 HTML, 4001 inside a 200. */
  const echoes = (line: string, secrets: string[], simple: boolean): Array<[string, () => Response]> => {
    const echo = echoBody(line, secrets);
    const header = {
      "x-echo": echoHeader(secrets),
      "sl-violations": JSON.stringify([{ message: echoHeader(secrets) }]),
    };
    return [
      [
        "a 401 problem+json",
        () =>
          new Response(
            JSON.stringify({ title: "Unauthorized", detail: echo, validation: [{ message: echo }] }),
            {
              status: 401,
              headers: { "content-type": "application/problem+json", ...header },
            },
          ),
      ],
      ["a 401 text", () => new Response(echo, { status: 401, headers: header })],
      [
        "a 502 HTML page",
        () =>
          new Response(`<html><body><pre>${echo}</pre></body></html>`, {
            status: 502,
            headers: { "content-type": "text/html", ...header },
          }),
      ],
      [
        "statusCode 4001 in a 200",
        () =>
          simple
            ? form(
                `statusCode=4001&statusMessage=${encodeURIComponent(echo)}&transferId=&smsCount=0`,
                200,
                header,
              )
            : status(4001, echo, header),
      ],
    ];
  };

  for (const [loginName, login, secrets, authorization] of logins) {
    for (const [sendName, send, method, path] of SENDS) {
      for (const [answerName, answer] of echoes(
        requestLine(method, path, authorization),
        secrets,
        isSimple(path),
      )) {
        it(`${loginName}, ${sendName}, ${answerName}`, async () => {
          const scripted = scriptedFetch(answer);
          const error = await rejection(send(clientWith(scripted.fetch, { retry: false }, login)));
          expect(error).toBeInstanceOf(answerName.includes("502") ? ServerError : AuthenticationError);
          expect(scripted.requests).toHaveLength(1);
          expectNoLeak(error, secrets);
        });
      }
    }
  }

  it("keeps them out of a connection failure that quotes the request", async () => {
    const failure = Object.assign(new TypeError(`fetch failed: ${echoBody(`Bearer ${TOKEN}`, [TOKEN])}`), {
      cause: Object.assign(new Error(`connect ECONNRESET ${TOKEN}`), { code: "ECONNRESET" }),
    });
    const error = await rejection(clientWith(scriptedFetch(failure).fetch).sendText(text));
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expectNoLeak(error, [TOKEN]);
  });

  it("keeps them out of retry log lines", async () => {
    const lines: string[] = [];
    const secrets = [USERNAME, PASSWORD, BASIC];
    const scripted = scriptedFetch(status(4023, echoBody(`Basic ${BASIC}`, secrets)), json(ok));
    await clientWith(scripted.fetch, { logger: { warn: (line) => lines.push(line) } }, BASIC_LOGIN).sendText(
      text,
    );
    expect(lines).toHaveLength(1);
    expectNoLeak(new Error(lines.join("\n")), secrets);
  });
});

describe("a send never follows a redirect (real loopback servers)", () => {
  for (const [loginName, login, secrets] of [
    ["token", TOKEN_LOGIN, [TOKEN]],
    ["Basic", BASIC_LOGIN, [USERNAME, PASSWORD, BASIC]],
  ] as const) {
    for (const redirect of [301, 302, 303, 307, 308]) {
      it.each(SENDS)(`${loginName}: %s answered ${redirect} stays at the first origin`, async (_, send) => {
        const elsewhere = await server((_request, response) => {
          response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(ok));
        });
        const location = `${elsewhere.url}/steal?access_token=${encodeURIComponent(secrets[0])}&password=${encodeURIComponent(PASSWORD)}`;
        const gateway = await server((_request, response) => {
          response.writeHead(redirect, { location }).end();
        });
        const client = createWebsmsClient({
          ...login,
          baseUrl: `${gateway.url}/rest`,
        } as WebsmsClientOptions);
        const error = await rejection(send(client));
        expect(error).toBeInstanceOf(RedirectError);
        expect(error).not.toBeInstanceOf(UnknownOutcomeError);
        expect((error as RedirectError).retryable).toBe(false);
        expect((error as RedirectError).location).toContain(elsewhere.url);
        expect((error as RedirectError).message).toContain(elsewhere.url);
        expect(gateway.arrivals).toHaveLength(1);
        expect(gateway.arrivals[0]?.headers.authorization).toBeDefined();
        expect(elsewhere.arrivals).toHaveLength(0);
        expectNoLeak(error, [...secrets, PASSWORD]);
      });
    }
  }
});

describe("a 2xx without the documented shape is never taken for an acceptance", () => {
  const jsonAnswers: Array<[string, () => Response]> = [
    ["an empty body", () => new Response("", { status: 200 })],
    ["204", () => new Response(null, { status: 204 })],
    ["{}", () => json({})],
    ["null", () => json(null)],
    ["[]", () => json([])],
    [
      "HTML",
      () => new Response("<html>proxy</html>", { status: 200, headers: { "content-type": "text/html" } }),
    ],
    ["statusCode as a string", () => json({ ...ok, statusCode: "2000" })],
    ["a fractional statusCode", () => json({ ...ok, statusCode: 2000.5 })],
    ["statusCode alone", () => json({ statusCode: 2000 })],
    ["no smsCount", () => json({ statusCode: 2000, statusMessage: "OK", transferId: "t" })],
    ["no transferId", () => json({ statusCode: 2001, statusMessage: "OK_QUEUED", smsCount: 1 })],
    ["no statusMessage", () => json({ statusCode: 2000, transferId: "t", smsCount: 1 })],
    ["smsCount as a string", () => json({ ...ok, smsCount: "1" })],
    ["a negative smsCount", () => json({ ...ok, smsCount: -1 })],
    ["a fractional smsCount", () => json({ ...ok, smsCount: 1.5 })],
    ["transferId as a number", () => json({ ...ok, transferId: 51949 })],
    ["clientMessageId as an object", () => json({ ...ok, clientMessageId: {} })],
  ];
  const formAnswers: Array<[string, () => Response]> = [
    ["an empty body", () => form("")],
    ["204", () => new Response(null, { status: 204 })],
    ["no statusCode", () => form("statusMessage=OK&transferId=t&smsCount=1")],
    ["a statusCode that is not a number", () => form("statusCode=OK&smsCount=1")],
    ["smsCount that is not a number", () => form("statusCode=2000&smsCount=x")],
    [
      "HTML",
      () => new Response("<html>proxy</html>", { status: 200, headers: { "content-type": "text/html" } }),
    ],
    ["JSON without smsCount", () => json({ statusCode: 2000, statusMessage: "OK", transferId: "t" })],
  ];

  for (const [sendName, send, , path] of SENDS) {
    it.each(isSimple(path) ? formAnswers : jsonAnswers)(
      `${sendName}: %s → UnknownOutcomeError`,
      async (_, answer) => {
        const scripted = scriptedFetch(answer, json(ok), form(okForm));
        const error = await rejection(send(clientWith(scripted.fetch)));
        expect(error).toBeInstanceOf(UnknownOutcomeError);
        expect(error).toMatchObject({ provider: "websms", code: "MALFORMED_ANSWER" });
        expect(scripted.requests).toHaveLength(1);
        expectNoLeak(error, [TOKEN]);
      },
    );
  }

  it("still classifies an error code that comes without the other fields", async () => {
    const scripted = scriptedFetch(json({ statusCode: 4031 }), form("statusCode=4002"));
    const client = clientWith(scripted.fetch, { retry: false });
    expect(await rejection(client.sendText(text))).toBeInstanceOf(MessageRejectedError);
    expect(await rejection(client.sendSimple(text))).toBeInstanceOf(InvalidRecipientError);
  });

  it.each(SENDS)(
    "%s: an endless answer stops at maxResponseBytes, as an unknown outcome",
    async (_, send) => {
      const floods: Array<ReturnType<typeof flood>> = [];
      const gateway = await server((_request, response) => {
        floods.push(flood(response));
      });
      const client = createWebsmsClient({
        accessToken: TOKEN,
        baseUrl: gateway.url,
        maxResponseBytes: 64 * 1024,
        retry: false,
      });
      const error = await rejection(send(client));
      expect(error).toBeInstanceOf(UnknownOutcomeError);
      expect((error as UnknownOutcomeError).cause).toMatchObject({ code: "RESPONSE_TOO_LARGE" });
      expect(gateway.arrivals).toHaveLength(1);
      // The client hung up long before the 64 MiB safety net: it read a bounded part only.
      expect(await floods[0]?.stopped).toBe(true);
    },
  );

  it("refuses an answer whose Content-Length is over the limit without reading it", async () => {
    const gateway = await server((_request, response) => {
      response.writeHead(200, { "content-type": "application/json", "content-length": String(2 ** 30) });
      response.write("{");
    });
    const error = await rejection(
      createWebsmsClient({ accessToken: TOKEN, baseUrl: gateway.url, retry: false }).sendText(text),
    );
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect((error as UnknownOutcomeError).cause).toMatchObject({ code: "RESPONSE_TOO_LARGE" });
  });
});

describe("statusCode classification", () => {
  it.each([
    [4001, AuthenticationError],
    [4014, AuthenticationError],
    [4021, AuthenticationError],
    [4022, AuthenticationError],
    [4002, InvalidRecipientError],
    [4029, InvalidRecipientError],
    [4003, InvalidSenderError],
    [4023, RateLimitError],
    [4025, RateLimitError],
    [4013, MessageRejectedError],
    [4031, MessageRejectedError],
    [4035, MessageRejectedError],
    [4042, MessageRejectedError],
    [4043, MessageRejectedError],
    [4004, ValidationError],
    [4008, ValidationError],
    [4009, ValidationError],
    [4015, ValidationError],
    [4016, ValidationError],
    [4019, ValidationError],
    [4026, ValidationError],
    [4027, ValidationError],
    [4034, ValidationError],
    [4040, ValidationError],
    [4041, ValidationError],
    [5000, ServerError],
    [5003, ServiceUnavailableError],
    [4099, ValidationError],
    [5999, ServerError],
    [3000, UnexpectedResponseError],
    [2002, UnexpectedResponseError],
  ])("statusCode %i → %o", async (statusCode, type) => {
    const scripted = scriptedFetch(status(statusCode));
    const error = (await rejection(
      clientWith(scripted.fetch, { retry: false }).sendText(text),
    )) as SmsKitError;
    expect(error.constructor).toBe(type);
    expect(error).toMatchObject({ provider: "websms", status: 200, code: statusCode });
    expect(error.providerMessage).toBe("from the gateway");
    expect(error.request).toEqual({ method: "POST", url: `${WEBSMS_PRODUCTION_URL}/smsmessaging/text` });
    expect(error.retryable).toBe(type === RateLimitError || type === ServiceUnavailableError);
  });

  it("takes Retry-After of a throttled answer when websms sends one", async () => {
    const scripted = scriptedFetch(status(4023, "slow", { "retry-after": "120" }));
    const error = (await rejection(
      clientWith(scripted.fetch, { retry: false }).sendText(text),
    )) as RateLimitError;
    expect(error.retryAfterMs).toBe(120_000);
  });

  it("classifies an HTTP 500 by status and an HTTP 4xx that carries a statusCode by that code", async () => {
    const scripted = scriptedFetch(
      new Response("oops", { status: 500 }),
      json({ statusCode: 4031, statusMessage: "All recipients blacklisted." }, 403),
    );
    const client = clientWith(scripted.fetch);
    expect(await rejection(client.sendText(text))).toMatchObject({ kind: "server", status: 500 });
    const rejected = await rejection(client.sendText(text));
    expect(rejected).toBeInstanceOf(MessageRejectedError);
    expect(rejected).toMatchObject({ status: 403, code: 4031 });
  });
});

describe("simple endpoints", () => {
  it("decodes the form answer: numbers as numbers, absent ids as null, Latin-1 escapes", () => {
    expect(
      parseSimpleResponse("statusCode=4015&statusMessage=Priorit%E4t+ung%FCltig&transferId=&smsCount=0"),
    ).toEqual({
      statusCode: 4015,
      statusMessage: "Priorität ungültig",
      transferId: null,
      clientMessageId: null,
      smsCount: 0,
    });
    expect(
      parseSimpleResponse(
        "statusCode=2000&statusMessage=OK&transferId=abc&clientMessageId=r%C3%A9f&smsCount=3\n",
      ),
    ).toEqual({
      statusCode: 2000,
      statusMessage: "OK",
      transferId: "abc",
      clientMessageId: "réf",
      smsCount: 3,
    });
    expect(parseSimpleResponse(JSON.stringify(ok))).toEqual(ok);
    expect(parseSimpleResponse("statusCode=OK")).toBeUndefined();
    expect(parseSimpleResponse("statusCode=2000&smsCount=-1")).toBeUndefined();
    expect(parseSimpleResponse("{broken")).toBeUndefined();
    expect(parseSimpleResponse("")).toBeUndefined();
  });

  it("posts the exact ISO-8859-1 form and does not ask for JSON", async () => {
    const scripted = scriptedFetch(form("statusCode=2001&statusMessage=OK_QUEUED&transferId=t&smsCount=2"));
    const result = await clientWith(scripted.fetch).sendSimple({
      recipientAddressList: ["+4712345678", "4798765432"],
      messageContent: "Ærlig talt, 50% & ½? Nei: 5 øre",
      test: true,
      priority: 0,
    });
    expect(result).toMatchObject({ statusCode: 2001, smsCount: 2 });
    const request = scripted.last;
    expect(request.method).toBe("POST");
    expect(request.url).toBe(`${WEBSMS_PRODUCTION_URL}/smsmessaging/simple`);
    expect(request.headers.get("content-type")).toBe("application/x-www-form-urlencoded; charset=ISO-8859-1");
    expect(request.headers.get("accept")).not.toBe("application/json");
    expect(request.body).toBe(
      "recipientAddressList=%2B4712345678,4798765432" +
        "&messageContent=%C6rlig%20talt%2C%2050%25%20%26%20%BD%3F%20Nei%3A%205%20%F8re" +
        "&test=true&priority=0",
    );
  });

  it("puts a GET's fields into the query string with the same encoding, and no body", async () => {
    const scripted = scriptedFetch(form(okForm));
    await clientWith(scripted.fetch).sendSimple(
      {
        recipientAddressList: ["4712345678"],
        messageContent: "Grüße",
        senderAddressType: "alphanumeric",
        senderAddress: "ACME",
      },
      { method: "GET" },
    );
    expect(scripted.last.method).toBe("GET");
    expect(scripted.last.body).toBe("");
    expect(scripted.last.url).toBe(
      `${WEBSMS_PRODUCTION_URL}/smsmessaging/simple?recipientAddressList=4712345678&messageContent=Gr%FC%DFe&senderAddressType=alphanumeric&senderAddress=ACME`,
    );
  });

  it("refuses text outside ISO-8859-1 before sending", async () => {
    const scripted = scriptedFetch();
    const client = clientWith(scripted.fetch);
    for (const method of ["GET", "POST"] as const) {
      const error = await rejection(client.sendSimple({ ...text, messageContent: "Price: 5 €" }, { method }));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ code: "NOT_LATIN1" });
    }
    expect(scripted.requests).toHaveLength(0);
  });

  it("round-trips any Latin-1 text through the form, byte for byte (property)", async () => {
    const latin1 = fc.string({
      unit: fc.integer({ min: 1, max: 0xff }).map((code) => String.fromCharCode(code)),
    });
    await fc.assert(
      fc.asyncProperty(
        latin1.filter((value) => value !== ""),
        fc.boolean(),
        async (messageContent, get) => {
          const scripted = scriptedFetch(form(okForm));
          await clientWith(scripted.fetch).sendSimple(
            { recipientAddressList: ["4712345678"], messageContent },
            { method: get ? "GET" : "POST" },
          );
          const encoded = get ? new URL(scripted.last.url).search.slice(1) : scripted.last.body;
          // Only unreserved characters go unescaped, so a proxy cannot reinterpret any of them.
          expect(encoded).toMatch(/^[A-Za-z0-9\-._~%=&,]*$/);
          const field = encoded.split("&").find((pair) => pair.startsWith("messageContent="));
          const decoded = (field ?? "")
            .slice("messageContent=".length)
            .replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
          expect(decoded).toBe(messageContent);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("retry rule: only what websms certainly did not accept is sent again", () => {
  it.each([
    ["4023 in a 200", () => status(4023)],
    ["4025 in a 200 (the transfer-rate throttle)", () => status(4025)],
    ["5003 in a 200", () => status(5003)],
    ["HTTP 429", () => new Response("", { status: 429, headers: { "retry-after": "3" } })],
    ["HTTP 503", () => new Response("", { status: 503 })],
  ])("resends after %s, then succeeds", async (_, refusal) => {
    const { clock, sleeps } = fakeClock();
    const scripted = scriptedFetch(refusal, json(ok));
    const result = await clientWith(scripted.fetch, { clock, random: () => 0 }).sendText(text);
    expect(result.statusCode).toBe(2000);
    expect(scripted.requests).toHaveLength(2);
    expect(scripted.requests[1]?.body).toBe(scripted.requests[0]?.body);
    expect(sleeps).toHaveLength(1);
  });

  it("gives up on 4025 after the retries with a retryable RateLimitError the messenger can fail over on", async () => {
    const scripted = scriptedFetch(status(4025), status(4025), status(4025));
    const error = await rejection(clientWith(scripted.fetch).sendText(text));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ code: 4025, retryable: true, kind: "rate_limit" });
    expect(scripted.requests).toHaveLength(3);
  });

  it("resends a form-encoded 4023 on both simple endpoints", async () => {
    const throttled = () => form("statusCode=4023&statusMessage=slow&transferId=&smsCount=0");
    const scripted = scriptedFetch(throttled, form(okForm), throttled, form(okForm));
    const client = clientWith(scripted.fetch);
    await client.sendSimple(text);
    await client.sendSimple(text, { method: "GET" });
    expect(scripted.requests.map((request) => request.method)).toEqual(["POST", "POST", "GET", "GET"]);
  });

  it.each([
    [5000, ServerError],
    [4001, AuthenticationError],
    [4031, MessageRejectedError],
  ])("does not resend after statusCode %i", async (statusCode, type) => {
    const scripted = scriptedFetch(status(statusCode), json(ok));
    expect(await rejection(clientWith(scripted.fetch).sendText(text))).toBeInstanceOf(type);
    expect(scripted.requests).toHaveLength(1);
  });

  it.each(SENDS)("%s is not resent after an HTTP 500 or 502", async (_, send) => {
    for (const code of [500, 502]) {
      const scripted = scriptedFetch(new Response("bad gateway", { status: code }), json(ok), form(okForm));
      expect(await rejection(send(clientWith(scripted.fetch)))).toBeInstanceOf(ServerError);
      expect(scripted.requests).toHaveLength(1);
    }
  });

  it.each(SENDS)("%s is never resent after a timeout or a lost connection", async (_, send) => {
    const scripted = scriptedFetch("hang", connectionError("ECONNRESET"), json(ok), form(okForm));
    const client = clientWith(scripted.fetch, { timeoutMs: 20 });
    const timedOut = await rejection(send(client));
    expect(timedOut).toBeInstanceOf(UnknownOutcomeError);
    const lost = await rejection(send(client));
    expect(lost).toBeInstanceOf(UnknownOutcomeError);
    expect((lost as UnknownOutcomeError).cause).toBeInstanceOf(NetworkError);
    expect(scripted.requests).toHaveLength(2);
  });

  it("resends after a refused connection, which websms never saw, and reports it typed when it lasts", async () => {
    const scripted = scriptedFetch(connectionError("ECONNREFUSED"), json(ok));
    await clientWith(scripted.fetch).sendText(text);
    expect(scripted.requests).toHaveLength(2);
    const refused = scriptedFetch(connectionError("ECONNREFUSED"));
    const error = await rejection(
      clientWith(refused.fetch, { retry: false }).sendSimple(text, { method: "GET" }),
    );
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).mayHaveReachedGateway).toBe(false);
  });
});

// --- Input: every helper gives a result or an SmsKitError, and invalid input never goes out. ---

const RECIPIENT = /^\+?[1-9][0-9]{6,14}$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const SENDER_TYPES = ["national", "international", "alphanumeric", "shortcode"];

/** Values a careless or hostile caller passes where a string belongs. */
const hostile = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.constantFrom("", " ", "\u0000", "\uD800", "a\uDC00b", "x".repeat(100_000)),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.object(),
  fc.array(fc.anything(), { maxLength: 3 }),
);
const validNumber = fc
  .tuple(fc.boolean(), fc.integer({ min: 1, max: 9 }), fc.stringMatching(/^[0-9]{6,14}$/))
  .map(([plus, first, rest]) => `${plus ? "+" : ""}${first}${rest}`);
const recipientLists = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.array(fc.oneof({ weight: 6, arbitrary: validNumber }, { weight: 1, arbitrary: hostile }), {
      minLength: 1,
      maxLength: 4,
    }),
  },
  fc.constant([]),
  fc.constant(Array.from({ length: 1001 }, (_, index) => `47${String(index).padStart(8, "0")}`)),
  hostile,
);
const texts = fc.oneof(
  { weight: 4, arbitrary: fc.string({ minLength: 1 }) },
  { weight: 2, arbitrary: hostile },
);
const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined, freq: 2 });
const textRequests = fc.record(
  {
    recipientAddressList: recipientLists,
    messageContent: texts,
    senderAddress: optional(
      fc.oneof({ weight: 3, arbitrary: fc.string({ minLength: 1 }) }, { weight: 1, arbitrary: hostile }),
    ),
    senderAddressType: optional(
      fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...SENDER_TYPES) }, { weight: 1, arbitrary: hostile }),
    ),
    clientMessageId: optional(
      fc.oneof({ weight: 3, arbitrary: fc.string() }, { weight: 1, arbitrary: hostile }),
    ),
  },
  { requiredKeys: [] },
);

/** The spec's constraints on the data fields of a text request, written from the spec. */
function specAcceptsText(body: Record<string, unknown>): boolean {
  const list = body.recipientAddressList;
  return (
    Array.isArray(list) &&
    list.length >= 1 &&
    list.length <= 1000 &&
    list.every((number) => typeof number === "string" && RECIPIENT.test(number)) &&
    typeof body.messageContent === "string" &&
    body.messageContent.length >= 1 &&
    !LONE_SURROGATE.test(body.messageContent) &&
    (body.senderAddress === undefined ||
      (typeof body.senderAddress === "string" && body.senderAddress !== "")) &&
    (body.senderAddressType === undefined || SENDER_TYPES.includes(body.senderAddressType as string)) &&
    (body.clientMessageId === undefined || typeof body.clientMessageId === "string")
  );
}

/** Only what survives JSON: `undefined` members disappear. */
const asSent = (body: unknown) => JSON.parse(JSON.stringify(body)) as unknown;

describe("input (properties, 2000 runs each)", () => {
  it("sendText, sendBinary and sendSimple refuse anything that is not a request, typed and offline", async () => {
    await fc.assert(
      fc.asyncProperty(fc.anything(), fc.constantFrom(...SENDS), async (body, [, , method, path]) => {
        const scripted = scriptedFetch(json(ok));
        const client = clientWith(scripted.fetch);
        const call =
          path === "/smsmessaging/text"
            ? client.sendText(body as WebsmsTextRequest)
            : path === "/smsmessaging/binary"
              ? client.sendBinary(body as WebsmsBinaryRequest)
              : client.sendSimple(body as WebsmsTextRequest, { method: method as "GET" | "POST" });
        const error = await rejection(call);
        expect(error).toBeInstanceOf(ValidationError);
        expect(scripted.requests).toHaveLength(0);
      }),
      { numRuns: 2000 },
    );
  });

  it("sendText sends exactly what the spec accepts, and nothing else", async () => {
    await fc.assert(
      fc.asyncProperty(textRequests, async (body) => {
        const scripted = scriptedFetch(json(ok));
        const outcome = await clientWith(scripted.fetch)
          .sendText(body as WebsmsTextRequest)
          .then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          );
        if (!specAcceptsText(body)) {
          expect("error" in outcome && outcome.error).toBeInstanceOf(ValidationError);
          expect(scripted.requests).toHaveLength(0);
          return;
        }
        expect(outcome).toEqual({ value: ok });
        expect(scripted.requests).toHaveLength(1);
        expect(JSON.parse(scripted.last.body)).toEqual(asSent(body));
      }),
      { numRuns: 2000 },
    );
  });

  it("sendSimple sends what the spec accepts in Latin-1, and nothing else", async () => {
    const isLatin1 = (value: unknown) =>
      value === undefined || [...String(value)].every((char) => (char.codePointAt(0) ?? 0) <= 0xff);
    await fc.assert(
      fc.asyncProperty(textRequests, fc.boolean(), async (body, get) => {
        const scripted = scriptedFetch(form(okForm));
        const outcome = await clientWith(scripted.fetch)
          .sendSimple(body as WebsmsTextRequest, { method: get ? "GET" : "POST" })
          .then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          );
        const accepted = specAcceptsText(body) && Object.values(body).every(isLatin1);
        if (!accepted) {
          expect("error" in outcome && outcome.error).toBeInstanceOf(ValidationError);
          expect(scripted.requests).toHaveLength(0);
          return;
        }
        expect(outcome).toEqual({ value: { ...ok, clientMessageId: null } });
        expect(scripted.requests).toHaveLength(1);
        const encoded = get ? new URL(scripted.last.url).search.slice(1) : scripted.last.body;
        const sent = new Map(
          encoded.split("&").map((pair) => {
            const [name = "", value = ""] = pair.split("=");
            return [
              name,
              value.replace(/%([0-9A-F]{2})/g, (_, hex: string) =>
                String.fromCharCode(Number.parseInt(hex, 16)),
              ),
            ];
          }),
        );
        expect(sent.get("recipientAddressList")).toBe((body.recipientAddressList as string[]).join(","));
        expect(sent.get("messageContent")).toBe(body.messageContent);
        expect(sent.get("senderAddress")).toBe(body.senderAddress);
        expect(sent.get("senderAddressType")).toBe(body.senderAddressType);
        expect(sent.get("clientMessageId")).toBe(body.clientMessageId);
      }),
      { numRuns: 2000 },
    );
  });

  it("sendBinary sends only Base64 segments of one SMS each", async () => {
    const segment = fc
      .uint8Array({ minLength: 1, maxLength: 140 })
      .map((bytes) => Buffer.from(bytes).toString("base64"));
    const segments = fc.oneof(
      { weight: 4, arbitrary: fc.array(segment, { minLength: 1, maxLength: 3 }) },
      fc.array(
        fc.oneof(
          segment,
          hostile,
          fc.constantFrom("SGVsbG8", "SGVs bG8=", Buffer.alloc(142).toString("base64")),
        ),
        { maxLength: 3 },
      ),
      hostile,
    );
    await fc.assert(
      fc.asyncProperty(recipientLists, segments, async (recipientAddressList, messageContent) => {
        const body = { recipientAddressList, messageContent } as WebsmsBinaryRequest;
        const scripted = scriptedFetch(json(ok));
        const outcome = await clientWith(scripted.fetch)
          .sendBinary(body)
          .then(
            () => undefined,
            (error: unknown) => error,
          );
        const accepted =
          specAcceptsText({ recipientAddressList, messageContent: "x" }) &&
          Array.isArray(messageContent) &&
          messageContent.length >= 1 &&
          messageContent.every(
            (item) =>
              typeof item === "string" &&
              item.length >= 4 &&
              item.length <= 188 &&
              /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(item),
          );
        if (accepted) {
          expect(outcome).toBeUndefined();
          expect(JSON.parse(scripted.last.body)).toEqual(asSent(body));
        } else {
          expect(outcome).toBeInstanceOf(ValidationError);
          expect(scripted.requests).toHaveLength(0);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("refuses a lone surrogate before sending, where JSON would carry it as an escape", async () => {
    const scripted = scriptedFetch();
    const error = await rejection(
      clientWith(scripted.fetch).sendText({ ...text, messageContent: "hi \uD83D" }),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toBeInstanceOf(SmsKitError);
    expect(scripted.requests).toHaveLength(0);
  });
});
