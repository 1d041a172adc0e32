import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigurationError, checkBaseUrl, isLoopbackHost } from "../src/index.js";

describe("the https rule", () => {
  it("calls loopback exactly localhost, 127.0.0.0/8 and [::1]", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
        (a, b, c) => {
          return isLoopbackHost(new URL(`http://127.${a}.${b}.${c}`).hostname);
        },
      ),
      { numRuns: 2000 },
    );
    for (const host of ["localhost", "[::1]", "127.0.0.1", "127.255.255.255"])
      expect(isLoopbackHost(host)).toBe(true);
  });

  it("refuses every name or address that only looks like loopback", () => {
    fc.assert(
      fc.property(fc.domain(), (domain) => {
        const url = `http://127.${domain}`;
        try {
          checkBaseUrl("test", url);
          return false;
        } catch (error) {
          return error instanceof ConfigurationError;
        }
      }),
      { numRuns: 2000 },
    );
    for (const host of [
      "127.0.0.1.nip.io",
      "[::ffff:127.0.0.1]",
      "128.0.0.1",
      "localhost.evil.test",
      "0.0.0.0",
      "[::]",
    ]) {
      expect(() => checkBaseUrl("test", `http://${host}`)).toThrow(ConfigurationError);
    }
  });

  it("normalises other spellings of 127.0.0.1 the way fetch will dial them", () => {
    for (const spelling of ["http://127.1", "http://0x7f.0.0.1", "http://2130706433"]) {
      expect(checkBaseUrl("test", spelling).hostname).toBe("127.0.0.1");
    }
  });
});
