/**
 * SMS segment estimation (GSM 03.38 / UCS-2). Implementation owned by the segments work item;
 * the exported names below are the public contract the facade and adapters rely on.
 */
export type Encoding = "GSM-7" | "UCS-2";

export interface SegmentEstimate {
  encoding: Encoding;
  /** Parts the text is sent in. */
  segments: number;
  /** GSM-7: septets (extension-table characters count 2). UCS-2: UTF-16 code units. */
  units: number;
  /** Capacity of one part for this text: 160/153 (GSM-7) or 70/67 (UCS-2), single vs concatenated. */
  perSegment: number;
  /** The distinct characters that forced UCS-2, in order of first appearance; empty for GSM-7. */
  nonGsmCharacters: string[];
}

// 3GPP TS 23.038 default alphabet, in code order 0x00–0x7F. 0x1B (ESC) is the escape to the
// extension table, not a user character, so it is left out. 0x09 is Ç, not ç: the v1.1 Unicode
// mapping, AOSP and Twilio agree on it, and carriers follow them (see providers.md §5.1).
const GSM_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
// Sent as ESC + code, hence 2 septets each. FF is U+000C.
const GSM_EXTENSION = "\f^{}\\[]~|€";

/** Septets per UTF-16 code unit; every GSM character is a single BMP code unit. */
const GSM_SEPTETS: ReadonlyMap<number, 1 | 2> = new Map<number, 1 | 2>([
  ...Array.from(GSM_BASIC, (ch) => [ch.charCodeAt(0), 1] as const),
  ...Array.from(GSM_EXTENSION, (ch) => [ch.charCodeAt(0), 2] as const),
]);

const GSM_SINGLE = 160;
const GSM_MULTI = 153;
const UCS2_SINGLE = 70;
const UCS2_MULTI = 67;

/** Whether the whole text can be sent in the GSM 03.38 default alphabet (basic or extension table). */
export function isGsm7(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (!GSM_SEPTETS.has(text.charCodeAt(i))) return false;
  }
  return true;
}

export function estimateSegments(text: string): SegmentEstimate {
  return isGsm7(text) ? estimateGsm7(text) : estimateUcs2(text);
}

function estimateGsm7(text: string): SegmentEstimate {
  let units = 0;
  for (let i = 0; i < text.length; i++) units += GSM_SEPTETS.get(text.charCodeAt(i)) ?? 1;
  if (units <= GSM_SINGLE) {
    return { encoding: "GSM-7", segments: 1, units, perSegment: GSM_SINGLE, nonGsmCharacters: [] };
  }
  // Greedy packing: an ESC + code pair that does not fit whole moves to the next part, as AOSP's
  // findGsmSeptetLimitIndex does, so a part can end at 152 septets.
  let segments = 1;
  let used = 0;
  for (let i = 0; i < text.length; i++) {
    const cost = GSM_SEPTETS.get(text.charCodeAt(i)) ?? 1;
    if (used + cost > GSM_MULTI) {
      segments++;
      used = 0;
    }
    used += cost;
  }
  return { encoding: "GSM-7", segments, units, perSegment: GSM_MULTI, nonGsmCharacters: [] };
}

function estimateUcs2(text: string): SegmentEstimate {
  const units = text.length;
  const nonGsm = new Set<string>();
  const single = units <= UCS2_SINGLE;
  let segments = 1;
  let used = 0;
  for (let i = 0; i < text.length; ) {
    const code = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    // A lone surrogate half counts as one unit of its own; only a well-formed pair is kept together.
    const width = code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff ? 2 : 1;
    if (!GSM_SEPTETS.has(code)) nonGsm.add(text.slice(i, i + width));
    // Splitting a surrogate pair garbles the character on many handsets (AOSP
    // findNextUnicodePosition), so a pair that does not fit whole opens a new part.
    if (!single) {
      if (used + width > UCS2_MULTI) {
        segments++;
        used = 0;
      }
      used += width;
    }
    i += width;
  }
  return {
    encoding: "UCS-2",
    segments,
    units,
    perSegment: single ? UCS2_SINGLE : UCS2_MULTI,
    nonGsmCharacters: [...nonGsm],
  };
}

/** Half of a surrogate pair with no other half: no gateway can encode it (UTF-8 and UCS-2 alike). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether a text holds half an emoji (a lone surrogate), which `encodeURIComponent` and every SMS encoding refuse. */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}
