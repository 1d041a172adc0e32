/**
 * The request pipeline every gateway client shares, through `createApiClient` with a minimal
 * gateway: retries that never send twice, timeouts and the deadline, redirects, the answer cap,
 * option checks. Injected fetch and clock: nothing here waits for real time to pass except the
 * attempt timeouts of requests that never get an answer.
 */
import { describe, expect, it } from "vitest";
import { connectionError, json, scriptedFetch } from "../../../tools/testing/fetch.js";
import { expectNoLeak, rejection } from "../../../tools/testing/leaks.js";
import { startServer } from "../../../tools/testing/servers.js";
import {
  type Answer,
  type Clock,
  type CommonClientOptions,
  ConfigurationError,
  createApiClient,
  createRateLimiter,
  dataOf,
  errorFromHttpStatus,
  isRecord,
  malformedAnswer,
  NetworkError,
  RateLimitError,
  RedirectError,
  ServerError,
  ServiceUnavailableError,
  TimeoutError,
  UnexpectedResponseError,
  UnknownOutcomeError,
} from "../src/index.js";

const SECRET = "s3cr3t/token'value";

// biome-ignore lint/suspicious/noExplicitAny: the paths of a made-up gateway
type AnyPaths = any;

/** A fake clock: sleeps are recorded and pass at once, moving time forward. */
function fakeClock(start = 1_000_000) {
  let time = start;
  const sleeps: number[] = [];
  const clock: Clock = {
    now: () => time,
    sleep: async (ms) => {
      sleeps.push(ms);
      time += ms;
    },
  };
  return { clock, sleeps, advance: (ms: number) => (time += ms) };
}

/** A made-up gateway: `/send` sends (in-body `{ "refused": true }` means throttled), `/read` reads. */
function gateway(fetch: CommonClientOptions["fetch"], options: CommonClientOptions = {}) {
  const time = fakeClock();
  const client = createApiClient<AnyPaths>(
    {
      provider: "test",
      defaultBaseUrl: "https://gw.test",
      secrets: [SECRET],
      authenticate(request) {
        request.headers.set("Authorization", `Bearer ${SECRET}`);
        return request;
      },
      classify(answer: Answer) {
        if (answer.status < 200 || answer.status > 299) return errorFromHttpStatus(answer);
        if (isRecord(answer.json) && answer.json.refused === true) {
          return new RateLimitError({ provider: "test", message: "[test] refused in the body" });
        }
        if (!isRecord(answer.json)) return malformedAnswer(answer, "no object");
        return undefined;
      },
    },
    { fetch, clock: time.clock, random: () => 0, ...options },
  );
  return {
    ...time,
    send: () => dataOf(client, client.api.POST("/send" as never, { body: { to: "4712345678" } } as never)),
    read: () => dataOf(client, client.api.GET("/read" as never, {} as never)),
    api: client.api,
  };
}

describe("retries that never send twice", () => {
  it("repeats a send refused with 429, waiting as long as Retry-After says, with the same body", async () => {
    const scripted = scriptedFetch(json({}, 429, { "retry-after": "2" }), json({ ok: true }));
    const gw = gateway(scripted.fetch);
    expect(await gw.send()).toEqual({ ok: true });
    expect(gw.sleeps).toEqual([2000]);
    expect(scripted.requests.map((request) => request.body)).toEqual([
      '{"to":"4712345678"}',
      '{"to":"4712345678"}',
    ]);
  });

  it("repeats a send refused with 503 using exponential backoff", async () => {
    const scripted = scriptedFetch(json({}, 503), json({}, 503), json({ ok: true }));
    const gw = gateway(scripted.fetch);
    await gw.send();
    expect(gw.sleeps).toEqual([500, 1000]);
  });

  it("repeats a send the classifier says was refused inside a 200", async () => {
    const scripted = scriptedFetch(json({ refused: true }), json({ ok: true }));
    const gw = gateway(scripted.fetch);
    expect(await gw.send()).toEqual({ ok: true });
    expect(scripted.requests).toHaveLength(2);
  });

  it("gives the last 429 to the caller when retries run out", async () => {
    const throttled = json({}, 429, { "retry-after": "1" });
    const scripted = scriptedFetch(throttled, throttled, throttled);
    const error = await rejection(gateway(scripted.fetch).send());
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(1000);
    expect(scripted.requests).toHaveLength(3);
  });

  it("does not wait for a Retry-After longer than the cap: the caller may fail over", async () => {
    const scripted = scriptedFetch(json({}, 429, { "retry-after": "120" }));
    const gw = gateway(scripted.fetch);
    expect(await rejection(gw.send())).toBeInstanceOf(RateLimitError);
    expect(gw.sleeps).toEqual([]);
  });

  it("never repeats a send that failed with a 500 (it may have been accepted)", async () => {
    const scripted = scriptedFetch(json({}, 500));
    const error = await rejection(gateway(scripted.fetch).send());
    expect(error).toBeInstanceOf(ServerError);
    expect(error).not.toBeInstanceOf(ServiceUnavailableError);
    expect(scripted.requests).toHaveLength(1);
  });

  it("repeats a read after a 500 and after a reset: reading twice is harmless", async () => {
    const scripted = scriptedFetch(json({}, 500), connectionError("ECONNRESET"), json({ page: 1 }));
    expect(await gateway(scripted.fetch).read()).toEqual({ page: 1 });
    expect(scripted.requests).toHaveLength(3);
  });

  it("repeats a send after connection refused: it never reached the gateway", async () => {
    const scripted = scriptedFetch(connectionError("ECONNREFUSED"), json({ ok: true }));
    expect(await gateway(scripted.fetch).send()).toEqual({ ok: true });
  });

  it("reports a typed NetworkError once refused connections exhaust the retries", async () => {
    const refused = connectionError("ECONNREFUSED");
    const scripted = scriptedFetch(refused, refused, refused);
    const error = await rejection(gateway(scripted.fetch).send());
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).mayHaveReachedGateway).toBe(false);
    expect((error as NetworkError).code).toBe("ECONNREFUSED");
  });

  it("turns a reset connection during a send into UnknownOutcomeError and never resends", async () => {
    const scripted = scriptedFetch(connectionError("ECONNRESET"));
    const error = await rejection(gateway(scripted.fetch).send());
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect((error as UnknownOutcomeError).cause).toBeInstanceOf(NetworkError);
    expect(scripted.requests).toHaveLength(1);
  });

  it("turns a send that got no answer in time into UnknownOutcomeError and never resends", async () => {
    const scripted = scriptedFetch("hang");
    const error = await rejection(gateway(scripted.fetch, { timeoutMs: 20 }).send());
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect((error as UnknownOutcomeError).cause).toBeInstanceOf(TimeoutError);
    expect(scripted.requests).toHaveLength(1);
  });

  it("times out a read with TimeoutError after retrying it", async () => {
    const scripted = scriptedFetch("hang", "hang", "hang");
    const error = await rejection(gateway(scripted.fetch, { timeoutMs: 20 }).read());
    expect(error).toBeInstanceOf(TimeoutError);
    expect(scripted.requests).toHaveLength(3);
  });

  it("times out an answer whose body stalls, and does not resend the send", async () => {
    const stalled = () =>
      new Response(
        new ReadableStream({ start: (controller) => controller.enqueue(new TextEncoder().encode("{")) }),
        {
          status: 200,
        },
      );
    const scripted = scriptedFetch(stalled);
    const error = await rejection(gateway(scripted.fetch, { timeoutMs: 20 }).send());
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(scripted.requests).toHaveLength(1);
  });

  it("makes no retries when retry is false", async () => {
    const scripted = scriptedFetch(json({}, 503));
    expect(await rejection(gateway(scripted.fetch, { retry: false }).send())).toBeInstanceOf(
      ServiceUnavailableError,
    );
    expect(scripted.requests).toHaveLength(1);
  });

  it("lets a caller's own abort through untouched, as the very same reason", async () => {
    const controller = new AbortController();
    const reason = new Error("caller cancelled");
    const scripted = scriptedFetch((request) => {
      controller.abort(reason);
      return new Promise<Response>((_, reject) =>
        request.signal.addEventListener("abort", () => reject(request.signal.reason)),
      );
    });
    const gw = gateway(scripted.fetch);
    const error = await rejection(gw.api.GET("/read" as never, { signal: controller.signal } as never));
    expect(error).toBe(reason);
  });
});

describe("the deadline bounds waits and attempts together", () => {
  it("does not start a wait that would end past the deadline, and gives the last refusal instead", async () => {
    const scripted = scriptedFetch(json({}, 429, { "retry-after": "50" }), json({ ok: true }));
    const gw = gateway(scripted.fetch, { deadlineMs: 60_000, timeoutMs: 30_000 });
    const error = await rejection(gw.send());
    expect(error).toBeInstanceOf(RateLimitError);
    expect(gw.sleeps).toEqual([]);
    expect(scripted.requests).toHaveLength(1);
  });

  it("retries while the wait and a whole attempt still fit", async () => {
    const scripted = scriptedFetch(json({}, 429, { "retry-after": "20" }), json({ ok: true }));
    const gw = gateway(scripted.fetch, { deadlineMs: 60_000, timeoutMs: 30_000 });
    expect(await gw.send()).toEqual({ ok: true });
    expect(gw.sleeps).toEqual([20_000]);
  });

  it("cuts the first attempt to the deadline when it is shorter than the timeout", async () => {
    const scripted = scriptedFetch("hang");
    const error = await rejection(gateway(scripted.fetch, { deadlineMs: 20, timeoutMs: 30_000 }).read());
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).timeoutMs).toBe(20);
  });
});

describe("answers", () => {
  it.each([
    ["an empty body", () => new Response("", { status: 200 })],
    ["a 204", () => new Response(null, { status: 204 })],
    ["null", () => json(null)],
    ["HTML", () => new Response("<html></html>", { status: 200 })],
  ])("makes a send answered with %s an unknown outcome, never accepted", async (_, answer) => {
    const error = await rejection(gateway(scriptedFetch(answer).fetch).send());
    expect(error).toBeInstanceOf(UnknownOutcomeError);
  });

  it("makes a read answered with the wrong shape an UnexpectedResponseError", async () => {
    const error = await rejection(gateway(scriptedFetch(json([1, 2])).fetch).read());
    expect(error).toBeInstanceOf(UnexpectedResponseError);
  });

  it("stops reading past maxResponseBytes: a declared length is refused unread, a stream is cancelled", async () => {
    let pulled = 0;
    const endless = () =>
      new Response(
        new ReadableStream({
          pull(controller) {
            pulled += 1;
            controller.enqueue(new Uint8Array(64 * 1024));
          },
        }),
        { status: 200 },
      );
    const send = await rejection(
      gateway(scriptedFetch(endless).fetch, { maxResponseBytes: 1024 * 1024 }).send(),
    );
    expect(send).toBeInstanceOf(UnknownOutcomeError);
    expect((send as UnknownOutcomeError).cause).toBeInstanceOf(UnexpectedResponseError);
    // 1 MiB in 64 KiB chunks is 16; the stream's queue may hold a few more, never thousands.
    expect(pulled).toBeLessThan(40);
    const declared = () =>
      new Response("x", { status: 200, headers: { "content-length": String(10 * 1024 * 1024) } });
    const read = await rejection(gateway(scriptedFetch(declared).fetch).read());
    expect(read).toBeInstanceOf(UnexpectedResponseError);
    expect((read as UnexpectedResponseError).code).toBe("RESPONSE_TOO_LARGE");
  });

  it("bounds a huge answer from a real server too", async () => {
    const server = await startServer((_, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      const chunk = Buffer.alloc(256 * 1024, "a");
      let sent = 0;
      const write = () => {
        while (sent < 400 && response.write(chunk)) sent += 1;
        if (sent < 400) response.once("drain", write);
        else response.end();
      };
      write();
    });
    try {
      const gw = gateway((request, init) => fetch(request, init), {
        baseUrl: server.url,
        maxResponseBytes: 100_000,
      });
      const error = await rejection(gw.send());
      expect(error).toBeInstanceOf(UnknownOutcomeError);
      expect(server.arrivals).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});

describe("redirects", () => {
  it.each([301, 302, 303, 307, 308])(
    "never follows a %i with a send, and says where it pointed",
    async (status) => {
      const scripted = scriptedFetch(
        new Response(null, {
          status,
          headers: { location: `https://elsewhere.test/send?token=${encodeURIComponent(SECRET)}` },
        }),
      );
      const error = await rejection(gateway(scripted.fetch).send());
      expect(error).toBeInstanceOf(RedirectError);
      expect((error as RedirectError).location).toBe("https://elsewhere.test/send?token=***");
      expect(scripted.requests).toHaveLength(1);
      expectNoLeak(error, [SECRET]);
    },
  );

  it("never follows a redirect with a send, not even to the same origin", async () => {
    const scripted = scriptedFetch(
      new Response(null, { status: 307, headers: { location: "/send-here" } }),
      json({ ok: true }),
    );
    expect(await rejection(gateway(scripted.fetch).send())).toBeInstanceOf(RedirectError);
    expect(scripted.requests).toHaveLength(1);
  });

  it("follows a same-origin https redirect with a read, and nothing else", async () => {
    const scripted = scriptedFetch(
      new Response(null, { status: 302, headers: { location: "/read?page=2" } }),
      json({ page: 2 }),
    );
    expect(await gateway(scripted.fetch).read()).toEqual({ page: 2 });
    expect(scripted.requests.map((request) => request.url)).toEqual([
      "https://gw.test/read",
      "https://gw.test/read?page=2",
    ]);
    for (const location of ["https://other.test/read", "http://gw.test/read"]) {
      const refused = scriptedFetch(new Response(null, { status: 302, headers: { location } }));
      expect(await rejection(gateway(refused.fetch).read())).toBeInstanceOf(RedirectError);
      expect(refused.requests).toHaveLength(1);
    }
  });

  it("sends the credentials to no other origin over real sockets", async () => {
    const other = await startServer((_, response) => {
      response.writeHead(200).end("{}");
    });
    const first = await startServer((_, response) => {
      response
        .writeHead(302, { location: `${other.url.replace("127.0.0.1", "[::ffff:127.0.0.1]")}/steal` })
        .end();
    });
    try {
      const gw = gateway((request, init) => fetch(request, init), { baseUrl: first.url });
      expect(await rejection(gw.send())).toBeInstanceOf(RedirectError);
      expect(await rejection(gw.read())).toBeInstanceOf(RedirectError);
      expect(first.arrivals).toHaveLength(2);
      expect(other.arrivals).toHaveLength(0);
    } finally {
      await Promise.all([first.close(), other.close()]);
    }
  });
});

describe("options are checked when the client is built", () => {
  const build = (options: Record<string, unknown>) => () =>
    gateway(undefined, options as CommonClientOptions);

  it.each([
    ["timeoutMs", Number.POSITIVE_INFINITY],
    ["timeoutMs", 2 ** 31],
    ["timeoutMs", 0],
    ["timeoutMs", Number.NaN],
    ["timeoutMs", "30"],
    ["deadlineMs", -1],
    ["maxResponseBytes", 0],
    ["retry", { maxRetries: -1 }],
    ["retry", { initialDelayMs: Number.NaN }],
    ["retry", "often"],
    ["rateLimit", { limit: 0, intervalMs: 1000 }],
    ["rateLimit", { limit: 1 }],
    ["fetch", "fetch"],
    ["logger", {}],
  ])("refuses %s = %j with a ConfigurationError naming it", (option, value) => {
    expect(build({ [option]: value })).toThrow(ConfigurationError);
    try {
      build({ [option]: value })();
    } catch (error) {
      expect((error as ConfigurationError).details).toEqual({
        option: option === "retry" && isRecord(value) ? expect.stringMatching(/^retry/) : option,
      });
    }
  });

  it.each([
    ["user-info", "http://user:pa55word@127.0.0.1:4010", "BASE_URL_CREDENTIALS"],
    ["user-info over https", "https://user:pa55word@gw.test", "BASE_URL_CREDENTIALS"],
    ["a URL that does not parse", "https://pa55word@@ gw.test", "INVALID_BASE_URL"],
    ["a relative URL", "/api", "INVALID_BASE_URL"],
    ["plain http to another host", "http://gw.test", "INSECURE_BASE_URL"],
    ["a name that starts like loopback", "http://127.evil.example", "INSECURE_BASE_URL"],
    ["a loopback lookalike name", "http://127.0.0.1.nip.io", "INSECURE_BASE_URL"],
    ["an IPv4-mapped IPv6 address", "http://[::ffff:127.0.0.1]", "INSECURE_BASE_URL"],
    ["a query", "https://gw.test/?token=pa55word", "INVALID_BASE_URL"],
  ])("refuses a baseUrl with %s, quoting no secret", (_, baseUrl, code) => {
    const error = (() => {
      try {
        gateway(undefined, { baseUrl });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).code).toBe(code);
    expectNoLeak(error, ["pa55word", "user:pa55"]);
  });

  it("takes https anywhere and http to loopback", () => {
    for (const baseUrl of [
      "https://gw.test",
      "http://localhost:4010",
      "http://127.0.0.1:1",
      "http://127.1.2.3",
      "http://[::1]:8080",
    ]) {
      expect(() => gateway(undefined, { baseUrl })).not.toThrow();
    }
  });
});

describe("the rate limiter of a client", () => {
  it("holds every attempt, retries included, to the limit", async () => {
    const time = fakeClock(0);
    const starts: number[] = [];
    const at = (answer: Response) => () => {
      starts.push(time.clock.now());
      return answer;
    };
    const scripted = scriptedFetch(at(json({}, 503)), at(json({ ok: true })), at(json({ ok: true })));
    const client = createApiClient<AnyPaths>(
      {
        provider: "test",
        defaultBaseUrl: "https://gw.test",
        secrets: [],
        authenticate: () => undefined,
        classify: (answer) => (answer.status >= 300 ? errorFromHttpStatus(answer) : undefined),
      },
      {
        fetch: scripted.fetch,
        rateLimit: createRateLimiter({ limit: 1, intervalMs: 1000 }, time.clock),
        clock: time.clock,
        random: () => 0,
      },
    );
    await dataOf(client, client.api.POST("/send" as never, { body: {} } as never));
    await dataOf(client, client.api.POST("/send" as never, { body: {} } as never));
    // The retry after the 503 waits its 500 ms backoff and then for the limiter's whole interval.
    expect(starts).toEqual([0, 1000, 2000]);
  });
});

describe("errors never carry a secret", () => {
  it("keeps the token out of every failure the pipeline builds", async () => {
    const echo = (status: number) => () =>
      new Response(
        `denied Bearer ${SECRET} at /send?token=${encodeURIComponent(SECRET)}&x=${encodeURIComponent(SECRET).toLowerCase()}`,
        {
          status,
        },
      );
    for (const fetch of [
      scriptedFetch(echo(401)).fetch,
      scriptedFetch(echo(502)).fetch,
      scriptedFetch(connectionError("ECONNRESET")).fetch,
      scriptedFetch(Object.assign(new TypeError(`fetch failed for ${SECRET}`), { cause: new Error(SECRET) }))
        .fetch,
    ]) {
      expectNoLeak(await rejection(gateway(fetch, { retry: false }).send()), [SECRET]);
    }
  });

  it("puts the redacted body and a redacted cause into toJSON", async () => {
    const error = await rejection(gateway(scriptedFetch(json({ error: `bad ${SECRET}` }, 400)).fetch).send());
    expect((error as { toJSON(): Record<string, unknown> }).toJSON()).toMatchObject({
      body: { error: "bad ***" },
      status: 400,
    });
    const unknown = await rejection(gateway(scriptedFetch(connectionError("ECONNRESET")).fetch).send());
    expect((unknown as { toJSON(): Record<string, unknown> }).toJSON().cause).toMatchObject({
      name: "NetworkError",
      kind: "network",
    });
  });
});
