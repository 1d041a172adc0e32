import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodedForms } from "../../../tools/testing/leaks.js";
import { createRedactor, REDACTED, redactDeep } from "../src/index.js";

const RUNS = { numRuns: 2000 };

/** How a gateway or a proxy may echo a secret back: every encoding the redactor must catch. */
function echoes(secret: string): string[] {
  const utf8 = [...new TextEncoder().encode(secret)];
  const latin1 = [...secret].every((char) => (char.codePointAt(0) as number) <= 0xff)
    ? [...secret]
        .map((char) => `%${(char.codePointAt(0) as number).toString(16).toUpperCase().padStart(2, "0")}`)
        .join("")
    : undefined;
  const entity = [...secret].map((char) => `&#${char.codePointAt(0)};`).join("");
  const hexEntity = [...secret].map((char) => `&#x${(char.codePointAt(0) as number).toString(16)};`).join("");
  const json = Array.from(
    { length: secret.length },
    (_, i) => `\\u${secret.charCodeAt(i).toString(16).padStart(4, "0")}`,
  ).join("");
  const mixed = [...secret]
    .map((char, index) => (index % 2 === 0 ? char : encodeURIComponent(char)))
    .join("");
  const doubled = encodeURIComponent(encodeURIComponent(secret));
  return [
    ...encodedForms(secret),
    utf8.map((byte) => `%${byte.toString(16).padStart(2, "0")}`).join(""),
    ...(latin1 ? [latin1] : []),
    entity,
    hexEntity,
    json,
    mixed,
    doubled,
  ];
}

describe("createRedactor", () => {
  it("removes a secret in every form it may be echoed in, for arbitrary secrets", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 3, maxLength: 24, unit: "binary" }),
        fc.string({ maxLength: 8 }),
        fc.nat(),
        (secret, around, pick) => {
          // One echoed form per run (the property picks which), so 2000 runs stay cheap under load.
          const forms = echoes(secret);
          const form = forms[pick % forms.length] as string;
          return !createRedactor([secret]).text(`${around}<${form}>${around}`).includes(form);
        },
      ),
      RUNS,
    );
    // Regex compilation per run is what costs; on a loaded 2-core machine this is a safety net, not a measurement.
  }, 300_000);

  it("catches the forms named in the bug reports", () => {
    const password = "p'a/ss wö&rd";
    const redactor = createRedactor([password]);
    for (const echo of [
      "p%27a%2Fss%20w%C3%B6%26rd",
      "p%27a%2fss+w%c3%b6%26rd",
      "p&#39;a/ss w&#246;&amp;rd",
      "p'a/ss wö&amp;rd",
    ]) {
      expect(redactor.text(`_password=${echo}&x=1`)).toBe(`_password=${REDACTED}&x=1`);
    }
    // The websms simple endpoints send ISO-8859-1: ö goes out as %F6, not as UTF-8's %C3%B6.
    expect(redactor.text("_password=p%27a%2Fss%20w%F6%26rd")).toBe(`_password=${REDACTED}`);
    const basic = btoa("user:pa55-word");
    expect(createRedactor(["pa55-word", basic]).text(`Authorization: Basic ${basic}`)).toBe(
      `Authorization: Basic ${REDACTED}`,
    );
  });

  it("removes secret query parameters by name, even for secrets it was not told about", () => {
    const redactor = createRedactor([]);
    expect(redactor.url("https://gw.test/api?_login=me&_password=pw&destination_number=47")).toBe(
      `https://gw.test/api?_login=${REDACTED}&_password=${REDACTED}&destination_number=47`,
    );
  });

  it("removes user-info and literal secrets anywhere in a URL", () => {
    const redactor = createRedactor(["tok3n"]);
    expect(redactor.url("https://u:p@gw.test/tok3n/x?q=tok3n")).toBe(
      `https://${REDACTED}:${REDACTED}@gw.test/${REDACTED}/x?q=${REDACTED}`,
    );
  });

  it("ignores secrets too short to redact without mangling ordinary text", () => {
    expect(createRedactor(["ab"]).text("about abc")).toBe("about abc");
  });

  it("redacts keys and values of a parsed body, however deep, without overflowing", () => {
    const redactor = createRedactor(["s3cret"]);
    expect(redactDeep({ s3cret: ["x s3cret"], n: 1 }, redactor)).toEqual({
      [REDACTED]: [`x ${REDACTED}`],
      n: 1,
    });
    let deep: unknown = "s3cret";
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(JSON.stringify(redactDeep(deep, redactor))).not.toContain("s3cret");
  });
});
