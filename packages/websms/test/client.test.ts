/** Unit tests with an injected fetch: where the credentials go, that they never leak, and the retry rule. */
import {
  AuthenticationError,
  InvalidRecipientError,
  MessageRejectedError,
  NetworkError,
  RateLimitError,
  ServerError,
  ServiceUnavailableError,
  type SmsKitError,
  UnexpectedResponseError,
  UnknownOutcomeError,
  ValidationError,
} from "@smskit/core";
import { describe, expect, expectTypeOf, it } from "vitest";
import { json, recording } from "../../../tools/mock/scripted-fetch.js";
import {
  createWebsmsClient,
  parseSimpleResponse,
  WEBSMS_ERROR_CODES,
  WEBSMS_PRODUCTION_URL,
  type WebsmsClientOptions,
} from "../src/index.js";

const TOKEN = "wsTok-unit-0123456789abcdef";
const USERNAME = "unit-user";
const PASSWORD = "pä55:wörd";
const text = { recipientAddressList: ["4712345678"], messageContent: "hi" };
const ok = { statusCode: 2000, statusMessage: "OK", transferId: "0051949fe700053c4615", smsCount: 1 };
const noDelay = { maxRetries: 2, initialDelayMs: 0 };

const form = (body: string) =>
  new Response(body, { headers: { "content-type": "application/x-www-form-urlencoded" } });
const status = (statusCode: number, statusMessage = "x") =>
  json({ statusCode, statusMessage, transferId: null, clientMessageId: null, smsCount: 0 });

/** UTF-8 bytes of `user:password` in Base64, computed independently of the client. */
const basicOf = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}`;

describe("authentication", () => {
  it("sends a token as a Bearer header to the production host, never in the URL", async () => {
    const { fetch, requests } = recording(() => json(ok));
    await createWebsmsClient({ accessToken: TOKEN, fetch }).sendText(text);
    const [request] = requests;
    expect(request?.url).toBe(`${WEBSMS_PRODUCTION_URL}/smsmessaging/text`);
    expect(request?.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
    expect(request?.headers.get("accept")).toBe("application/json");
    expect(request?.headers.get("content-type")).toBe("application/json");
    expect(request?.url).not.toContain(TOKEN);
    expect(request?.url).not.toContain("access_token");
    expect(await request?.json()).toEqual(text);
  });

  it("sends username and password as HTTP Basic with UTF-8, a colon in the password included", async () => {
    const { fetch, requests } = recording(
      () => json(ok),
      () => form("statusCode=2000&statusMessage=OK&transferId=t&smsCount=1"),
    );
    const client = createWebsmsClient({ username: USERNAME, password: PASSWORD, fetch });
    await client.sendText(text);
    await client.sendSimple(text, { method: "GET" });
    for (const request of requests) {
      expect(request.headers.get("authorization")).toBe(basicOf(USERNAME, PASSWORD));
      expect(request.url).not.toContain(USERNAME);
    }
  });

  it("needs exactly one way to log in, at compile time and at run time", () => {
    // @ts-expect-error neither a token nor a password
    expect(() => createWebsmsClient({})).toThrow(TypeError);
    expect(() =>
      // @ts-expect-error both a token and a password
      createWebsmsClient({ accessToken: TOKEN, username: USERNAME, password: PASSWORD }),
    ).toThrow(/either accessToken, or username and password/);
    // @ts-expect-error a user name without its password
    expect(() => createWebsmsClient({ username: USERNAME })).toThrow(/username and password/);
    expect(() => createWebsmsClient({ accessToken: " " })).toThrow(/accessToken must be a non-empty string/);
    expect(() => createWebsmsClient({ username: USERNAME, password: "" })).toThrow(TypeError);
    expectTypeOf<{ accessToken: string }>().toExtend<WebsmsClientOptions>();
    expectTypeOf<{ username: string; password: string; timeoutMs: number }>().toExtend<WebsmsClientOptions>();
  });

  it("refuses a clear-text base URL unless it is this machine", () => {
    expect(() => createWebsmsClient({ accessToken: TOKEN, baseUrl: "http://api.websms.com/rest" })).toThrow(
      /must use https/,
    );
    expect(() => createWebsmsClient({ accessToken: TOKEN, baseUrl: "ftp://api.websms.com/rest" })).toThrow(
      /must use https/,
    );
    expect(() => createWebsmsClient({ accessToken: TOKEN, baseUrl: "not a url" })).toThrow(
      /not an absolute URL/,
    );
    for (const baseUrl of ["http://localhost:4011", "http://127.0.0.1:4011/rest", "http://[::1]:4011"]) {
      expect(() => createWebsmsClient({ accessToken: TOKEN, baseUrl })).not.toThrow();
    }
    expect(() =>
      createWebsmsClient({ accessToken: TOKEN, baseUrl: "https://api.linkmobility.eu/rest/" }),
    ).not.toThrow();
  });

  it("keeps the base path and drops a trailing slash", async () => {
    const { fetch, requests } = recording(() => json(ok));
    await createWebsmsClient({
      accessToken: TOKEN,
      baseUrl: "https://api.linkmobility.eu/rest/",
      fetch,
    }).sendBinary({ recipientAddressList: ["4712345678"], messageContent: ["SGVsbG8="] });
    expect(requests[0]?.url).toBe("https://api.linkmobility.eu/rest/smsmessaging/binary");
  });
});

describe("redaction", () => {
  const leaks = (error: unknown, secrets: string[]) => {
    const rendered = [
      (error as Error).message,
      (error as Error).stack,
      JSON.stringify(error),
      JSON.stringify((error as SmsKitError).body),
      String(error),
    ].join("\n");
    return secrets.filter((secret) => rendered.includes(secret));
  };

  it("keeps a token out of every rendering even when the gateway echoes it in statusMessage", async () => {
    const { fetch } = recording(() => status(4001, `Invalid Credentials for token ${TOKEN}`));
    const error = (await createWebsmsClient({ accessToken: TOKEN, fetch })
      .sendText(text)
      .catch((e: unknown) => e)) as AuthenticationError;
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.providerMessage).toBe("Invalid Credentials for token ***");
    expect(leaks(error, [TOKEN])).toEqual([]);
  });

  it("keeps password, user name and Basic token out, from a form answer too", async () => {
    const basic = basicOf(USERNAME, PASSWORD).slice("Basic ".length);
    const echoed = encodeURIComponent(`bad login ${USERNAME} / ${PASSWORD} / ${basic}`);
    const { fetch } = recording(() => form(`statusCode=4001&statusMessage=${echoed}&transferId=&smsCount=0`));
    const error = await createWebsmsClient({ username: USERNAME, password: PASSWORD, fetch })
      .sendSimple(text)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(leaks(error, [USERNAME, PASSWORD, basic])).toEqual([]);
  });

  it("keeps the token out of a 401 and out of retry log lines", async () => {
    const lines: string[] = [];
    const { fetch } = recording(
      () => status(4023, `slow down ${TOKEN}`),
      () => new Response(TOKEN, { status: 401 }),
    );
    const error = await createWebsmsClient({
      accessToken: TOKEN,
      fetch,
      retry: noDelay,
      logger: { warn: (line) => lines.push(line), debug: (line) => lines.push(line) },
    })
      .sendText(text)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ status: 401 });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join("\n")).not.toContain(TOKEN);
    expect(leaks(error, [TOKEN])).toEqual([]);
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
    [4023, RateLimitError],
    [4013, MessageRejectedError],
    [4031, MessageRejectedError],
    [4035, MessageRejectedError],
    [4042, MessageRejectedError],
    [4043, MessageRejectedError],
    [4004, ValidationError],
    [4008, ValidationError],
    [4009, ValidationError],
    [4016, ValidationError],
    [4025, ValidationError],
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
    const { fetch } = recording(() => status(statusCode, "from the gateway"));
    const error = (await createWebsmsClient({ accessToken: TOKEN, fetch, retry: false })
      .sendText(text)
      .catch((e: unknown) => e)) as SmsKitError;
    expect(error.constructor).toBe(type);
    expect(error).toMatchObject({ provider: "websms", status: 200, code: statusCode });
    expect(error.providerMessage).toBe("from the gateway");
    expect(error.request).toEqual({ method: "POST", url: `${WEBSMS_PRODUCTION_URL}/smsmessaging/text` });
  });

  it("has one table entry per documented error code of the spec", () => {
    expect(Object.keys(WEBSMS_ERROR_CODES).map(Number)).toEqual([
      4001, 4002, 4003, 4004, 4008, 4009, 4013, 4014, 4015, 4016, 4019, 4021, 4022, 4023, 4025, 4026, 4027,
      4029, 4031, 4034, 4035, 4040, 4041, 4042, 4043, 5000, 5003,
    ]);
  });

  it("takes Retry-After of a throttled answer when websms sends one", async () => {
    const { fetch } = recording(() =>
      json({ statusCode: 4023, statusMessage: "slow", transferId: null, smsCount: 0 }, 200, {
        "retry-after": "120",
      }),
    );
    const error = (await createWebsmsClient({ accessToken: TOKEN, fetch, retry: false })
      .sendText(text)
      .catch((e: unknown) => e)) as RateLimitError;
    expect(error.retryAfterMs).toBe(120_000);
  });

  it("reports a 200 without statusCode, an empty 200 and a non-JSON 200 as UnexpectedResponseError", async () => {
    const { fetch } = recording(
      () => json({ ok: true }),
      () => new Response(null, { status: 200, headers: { "content-length": "0" } }),
      () => new Response("<html>proxy</html>", { status: 200 }),
      () => form("statusMessage=OK"),
    );
    const client = createWebsmsClient({ accessToken: TOKEN, fetch, retry: false });
    await expect(client.sendText(text)).rejects.toBeInstanceOf(UnexpectedResponseError);
    await expect(client.sendText(text)).rejects.toBeInstanceOf(UnexpectedResponseError);
    await expect(client.sendText(text)).rejects.toBeInstanceOf(UnexpectedResponseError);
    await expect(client.sendSimple(text)).rejects.toBeInstanceOf(UnexpectedResponseError);
  });

  it("classifies an HTTP 500 by status and an HTTP 4xx that carries a statusCode by that code", async () => {
    const { fetch } = recording(
      () => new Response("oops", { status: 500 }),
      () => json({ statusCode: 4031, statusMessage: "All recipients blacklisted." }, 403),
    );
    const client = createWebsmsClient({ accessToken: TOKEN, fetch });
    const serverError = await client.sendText(text).catch((e: unknown) => e);
    expect(serverError).toBeInstanceOf(ServerError);
    expect(serverError).toMatchObject({ status: 500 });
    const rejected = await client.sendText(text).catch((e: unknown) => e);
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
    const { fetch, requests } = recording(() =>
      form("statusCode=2001&statusMessage=OK_QUEUED&transferId=t&smsCount=2"),
    );
    const result = await createWebsmsClient({ accessToken: TOKEN, fetch }).sendSimple({
      recipientAddressList: ["+4712345678", "4798765432"],
      messageContent: "Ærlig talt, 50% & ½? Nei: 5 øre",
      test: true,
      priority: 0,
    });
    expect(result).toMatchObject({ statusCode: 2001, smsCount: 2 });
    const [request] = requests;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe(`${WEBSMS_PRODUCTION_URL}/smsmessaging/simple`);
    expect(request?.headers.get("accept")).not.toBe("application/json");
    expect(await request?.text()).toBe(
      "recipientAddressList=%2B4712345678,4798765432" +
        "&messageContent=%C6rlig%20talt%2C%2050%25%20%26%20%BD%3F%20Nei%3A%205%20%F8re" +
        "&test=true&priority=0",
    );
  });

  it("refuses text outside ISO-8859-1 before sending", async () => {
    const { fetch, requests } = recording();
    const client = createWebsmsClient({ accessToken: TOKEN, fetch });
    for (const method of ["GET", "POST"] as const) {
      const error = await client
        .sendSimple({ ...text, messageContent: "Price: 5 €" }, { method })
        .catch((e) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ code: "NOT_LATIN1" });
    }
    expect(requests).toHaveLength(0);
  });

  it("puts a GET's fields into the query string with the same encoding", async () => {
    const { fetch, requests } = recording(() =>
      form("statusCode=2000&statusMessage=OK&transferId=t&smsCount=1"),
    );
    await createWebsmsClient({ accessToken: TOKEN, fetch }).sendSimple(
      {
        recipientAddressList: ["4712345678"],
        messageContent: "Grüße",
        senderAddressType: "alphanumeric",
        senderAddress: "ACME",
      },
      { method: "GET" },
    );
    expect(requests[0]?.method).toBe("GET");
    expect(requests[0]?.url).toBe(
      `${WEBSMS_PRODUCTION_URL}/smsmessaging/simple?recipientAddressList=4712345678&messageContent=Gr%FC%DFe&senderAddressType=alphanumeric&senderAddress=ACME`,
    );
  });
});

describe("retry rule: only what websms certainly did not accept is sent again", () => {
  it("resends after 4023 in a 200, then succeeds", async () => {
    const { fetch, requests } = recording(
      () => status(4023),
      () => json(ok),
    );
    const result = await createWebsmsClient({ accessToken: TOKEN, fetch, retry: noDelay }).sendText(text);
    expect(result.statusCode).toBe(2000);
    expect(requests).toHaveLength(2);
  });

  it("resends after 5003 in a 200 and after a form-encoded 4023 on the simple POST", async () => {
    const { fetch, requests } = recording(
      () => status(5003),
      () => json(ok),
      () => form("statusCode=4023&statusMessage=slow&transferId=&smsCount=0"),
      () => form("statusCode=2000&statusMessage=OK&transferId=t&smsCount=1"),
    );
    const client = createWebsmsClient({ accessToken: TOKEN, fetch, retry: noDelay });
    await client.sendBinary({ recipientAddressList: ["4712345678"], messageContent: ["SGVsbG8="] });
    await client.sendSimple(text);
    expect(requests).toHaveLength(4);
  });

  it("resends a simple GET after 4023, though it never repeats an ambiguous one", async () => {
    const { fetch, requests } = recording(
      () => form("statusCode=4023&statusMessage=slow&transferId=&smsCount=0"),
      () => form("statusCode=2000&statusMessage=OK&transferId=t&smsCount=1"),
    );
    const result = await createWebsmsClient({ accessToken: TOKEN, fetch, retry: noDelay }).sendSimple(text, {
      method: "GET",
    });
    expect(result.statusCode).toBe(2000);
    expect(requests.map((request) => request.method)).toEqual(["GET", "GET"]);
  });

  it.each([
    [5000, ServerError],
    [4001, AuthenticationError],
    [4031, MessageRejectedError],
  ])("does not resend after statusCode %i", async (statusCode, type) => {
    const { fetch, requests } = recording(
      () => status(statusCode),
      () => json(ok),
    );
    await expect(
      createWebsmsClient({ accessToken: TOKEN, fetch, retry: noDelay }).sendText(text),
    ).rejects.toBeInstanceOf(type);
    expect(requests).toHaveLength(1);
  });

  it("does not resend after an HTTP 500", async () => {
    const { fetch, requests } = recording(
      () => new Response("", { status: 500 }),
      () => json(ok),
    );
    await expect(
      createWebsmsClient({ accessToken: TOKEN, fetch, retry: noDelay }).sendText(text),
    ).rejects.toBeInstanceOf(ServerError);
    expect(requests).toHaveLength(1);
  });

  it("never resends a send whose answer did not arrive in time", async () => {
    const { fetch, requests } = recording(() => new Promise<Response>(() => {}));
    const error = await createWebsmsClient({ accessToken: TOKEN, fetch, timeoutMs: 20, retry: noDelay })
      .sendText(text)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(requests).toHaveLength(1);
  });

  it("never resends a simple GET (a send, though GET) after a timeout or a lost connection", async () => {
    const reset = () =>
      Promise.reject(Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNRESET" } }));
    const { fetch, requests } = recording(
      () => new Promise<Response>(() => {}),
      reset,
      () => json(ok),
    );
    const client = createWebsmsClient({ accessToken: TOKEN, fetch, timeoutMs: 20, retry: noDelay });
    const timedOut = await client.sendSimple(text, { method: "GET" }).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(UnknownOutcomeError);
    const lost = (await client
      .sendSimple(text, { method: "GET" })
      .catch((e: unknown) => e)) as UnknownOutcomeError;
    expect(lost).toBeInstanceOf(UnknownOutcomeError);
    expect(lost.cause).toBeInstanceOf(NetworkError);
    expect(requests).toHaveLength(2);
  });

  it("never resends a simple GET after an HTTP 502", async () => {
    const { fetch, requests } = recording(
      () => new Response("bad gateway", { status: 502 }),
      () => json(ok),
    );
    await expect(
      createWebsmsClient({ accessToken: TOKEN, fetch, retry: noDelay }).sendSimple(text, { method: "GET" }),
    ).rejects.toBeInstanceOf(ServerError);
    expect(requests).toHaveLength(1);
  });

  it("reports a refused connection as a NetworkError that never reached websms", async () => {
    const refused = () =>
      Promise.reject(Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } }));
    const { fetch } = recording(refused);
    const error = (await createWebsmsClient({ accessToken: TOKEN, fetch, retry: false })
      .sendSimple(text, { method: "GET" })
      .catch((e: unknown) => e)) as NetworkError;
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.mayHaveReachedGateway).toBe(false);
  });
});
