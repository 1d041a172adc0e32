import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { estimateSegments, isGsm7 } from "../src/segments.js";

// Written out again from 3GPP TS 23.038 (providers.md §5.1/5.2) rather than imported, so a typo
// in the implementation's table cannot hide behind the same typo here.
const BASIC_ROWS = [
  "@£$¥èéùìòÇ\nØø\rÅå",
  "Δ_ΦΓΛΩΠΨΣΘΞ", // 0x1B is ESC, not a character
  "ÆæßÉ",
  " !\"#¤%&'()*+,-./",
  "0123456789:;<=>?",
  "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§",
  "¿abcdefghijklmnopqrstuvwxyzäöñüà",
];
const BASIC = [...BASIC_ROWS.join("")];
const EXTENSION = ["\f", "^", "{", "}", "\\", "[", "]", "~", "|", "€"];
const GSM = new Set([...BASIC, ...EXTENSION]);

const gsmChar = fc.constantFrom(...BASIC, ...EXTENSION);
const gsmText = (maxLength: number) => fc.string({ unit: gsmChar, maxLength, size: "max" });
const nonGsmChar = fc.string({ unit: "binary", minLength: 1, maxLength: 1 }).filter((c) => !GSM.has(c));
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
// Mostly GSM so texts cross part boundaries in both encodings, with emoji, other scripts and
// lone surrogate halves mixed in.
const anyChar = fc.oneof(
  { weight: 6, arbitrary: gsmChar },
  { weight: 2, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.constantFrom("😀", "ś", "’", "ç", "`", "中") },
  { weight: 1, arbitrary: loneSurrogate },
);
const anyText = (maxLength: number) => fc.string({ unit: anyChar, maxLength, size: "max" });

const ceilDiv = (a: number, b: number) => Math.ceil(a / b);

describe("estimateSegments: known vectors", () => {
  const vectors: Array<
    [name: string, text: string, encoding: string, units: number, segments: number, per: number]
  > = [
    ["empty", "", "GSM-7", 0, 1, 160],
    ["a×160", "a".repeat(160), "GSM-7", 160, 1, 160],
    ["a×161", "a".repeat(161), "GSM-7", 161, 2, 153],
    ["a×306", "a".repeat(306), "GSM-7", 306, 2, 153],
    ["a×307", "a".repeat(307), "GSM-7", 307, 3, 153],
    ["æøå×53+a", `${"æøå".repeat(53)}a`, "GSM-7", 160, 1, 160],
    ["€×80", "€".repeat(80), "GSM-7", 160, 1, 160],
    ["€×81", "€".repeat(81), "GSM-7", 162, 2, 153],
    // 154 septets still fit one 160-septet part: the 153 limit and escape packing only apply
    // once the text needs concatenation.
    ["a×152+€", `${"a".repeat(152)}€`, "GSM-7", 154, 1, 160],
    ["a×152+€+a×6", `${"a".repeat(152)}€${"a".repeat(6)}`, "GSM-7", 160, 1, 160],
    // Part 1 carries only 152 septets; the € opens part 2.
    ["a×152+€+a×7", `${"a".repeat(152)}€${"a".repeat(7)}`, "GSM-7", 161, 2, 153],
    ["LF and CR", "a\nb\r\nc", "GSM-7", 6, 1, 160],
    ["Ç", "Ç", "GSM-7", 1, 1, 160],
    ["ś×70", "ś".repeat(70), "UCS-2", 70, 1, 70],
    ["ś×71", "ś".repeat(71), "UCS-2", 71, 2, 67],
    ["😀×35", "😀".repeat(35), "UCS-2", 70, 1, 70],
    // 68 units fit one 70-unit part, as for a×152+€ above.
    ["a×66+😀", `${"a".repeat(66)}😀`, "UCS-2", 68, 1, 70],
    // Part 1 carries only 66 units; the emoji opens part 2.
    ["a×66+😀+a×3", `${"a".repeat(66)}😀aaa`, "UCS-2", 71, 2, 67],
    ["ç", "ç", "UCS-2", 1, 1, 70],
    ["backtick", "`", "UCS-2", 1, 1, 70],
  ];

  it.each(vectors)("%s", (_name, text, encoding, units, segments, per) => {
    const estimate = estimateSegments(text);
    expect(estimate).toMatchObject({ encoding, units, segments, perSegment: per });
    expect(isGsm7(text)).toBe(encoding === "GSM-7");
  });

  it("moves an escape pair that straddles a part boundary whole, costing a part ceil(units/153) misses", () => {
    // Part 1: 152 × a (the € would need septets 153–154). Part 2: € + 151 × a = 153. Part 3: a.
    const text = `${"a".repeat(152)}€${"a".repeat(152)}`;
    const estimate = estimateSegments(text);
    expect(estimate.units).toBe(306);
    expect(ceilDiv(estimate.units, 153)).toBe(2);
    expect(estimate.segments).toBe(3);
  });

  it("moves a surrogate pair that straddles a part boundary whole, costing a part ceil(units/67) misses", () => {
    // Part 1: 66 × ś (the emoji would need units 67–68). Part 2: 😀 + 65 × ś = 67. Part 3: ś.
    const text = `${"ś".repeat(66)}😀${"ś".repeat(66)}`;
    const estimate = estimateSegments(text);
    expect(estimate.encoding).toBe("UCS-2");
    expect(estimate.units).toBe(134);
    expect(ceilDiv(estimate.units, 67)).toBe(2);
    expect(estimate.segments).toBe(3);
  });

  it("switches the whole text to UCS-2 for one curly apostrophe and names it", () => {
    const text = `${"It’s a GSM text otherwise. ".repeat(5)}`;
    const estimate = estimateSegments(text);
    expect(estimate.encoding).toBe("UCS-2");
    expect(estimate.units).toBe(text.length);
    expect(estimate.segments).toBe(3);
    expect(estimate.nonGsmCharacters).toEqual(["’"]);
  });

  it("lists whole code points that forced UCS-2, once each, in order of first appearance", () => {
    expect(estimateSegments("😀a😀ś").nonGsmCharacters).toEqual(["😀", "ś"]);
    expect(estimateSegments("çÇç`").nonGsmCharacters).toEqual(["ç", "`"]);
    expect(estimateSegments("plain {GSM} [text] ~ | ^ \\ €").nonGsmCharacters).toEqual([]);
  });

  it("counts a lone surrogate half as one unit of its own", () => {
    const estimate = estimateSegments(`a\ud83d`);
    expect(estimate).toMatchObject({
      encoding: "UCS-2",
      units: 2,
      segments: 1,
      nonGsmCharacters: ["\ud83d"],
    });
  });

  it("handles 10 000-character texts", () => {
    // 65 × 153 = 9945 < 10 000; 149 × 67 = 9983 < 10 000.
    expect(estimateSegments("a".repeat(10_000))).toMatchObject({ units: 10_000, segments: 66 });
    expect(estimateSegments("ś".repeat(10_000))).toMatchObject({ units: 10_000, segments: 150 });
    // 76 € per part (152 septets): 20 000 septets in 132 parts, where ceil(20 000 / 153) says 131.
    expect(estimateSegments("€".repeat(10_000))).toMatchObject({ units: 20_000, segments: 132 });
  });
});

describe("estimateSegments: properties", () => {
  it("counts septets for any GSM text, extension characters double", () => {
    fc.assert(
      fc.property(gsmText(400), (text) => {
        const estimate = estimateSegments(text);
        const extensions = [...text].filter((c) => EXTENSION.includes(c)).length;
        expect(estimate.encoding).toBe("GSM-7");
        expect(estimate.nonGsmCharacters).toEqual([]);
        expect(estimate.units).toBe(text.length + extensions);
        expect(estimate.segments === 1).toBe(estimate.units <= 160);
        if (estimate.units > 160)
          expect(estimate.segments).toBeGreaterThanOrEqual(ceilDiv(estimate.units, 153));
      }),
      { numRuns: 300 },
    );
  });

  it("sends any GSM text with one other character inserted as UCS-2 code units", () => {
    fc.assert(
      fc.property(gsmText(200), nonGsmChar, fc.nat(), (gsm, extra, at) => {
        const i = at % (gsm.length + 1);
        const text = gsm.slice(0, i) + extra + gsm.slice(i);
        const estimate = estimateSegments(text);
        expect(estimate.encoding).toBe("UCS-2");
        expect(estimate.units).toBe(text.length);
        expect(estimate.nonGsmCharacters).toEqual([extra]);
        expect(isGsm7(text)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it("never lowers the segment count when text is appended", () => {
    fc.assert(
      fc.property(anyText(300), anyText(100), (s, t) => {
        expect(estimateSegments(s + t).segments).toBeGreaterThanOrEqual(estimateSegments(s).segments);
      }),
      { numRuns: 400 },
    );
  });

  it("fits units into its parts, losing at most one unit per part boundary", () => {
    fc.assert(
      fc.property(anyText(400), (text) => {
        const { segments, perSegment, units } = estimateSegments(text);
        expect(segments * perSegment).toBeGreaterThanOrEqual(units);
        // Every part but the last carries at least perSegment − 1 units, and the last at least one
        // (an empty text is the one exception: a single part carrying nothing).
        if (segments > 1) expect((segments - 1) * perSegment).toBeLessThan(units + (segments - 1));
        else expect(units).toBeLessThanOrEqual(perSegment);
      }),
      { numRuns: 400 },
    );
  });
});
