/**
 * Opt-out replies ("STOP"). A message counts as an opt-out when, ignoring case and every kind of
 * whitespace, it is exactly one of the keywords: "Stop", " STOP\n" and "S T O P" are opt-outs,
 * "stop sending me ads" is not (a person reads that one, a keyword match would guess).
 */

/** English and Norwegian opt-out words: STOP, STOPP, AVMELD, UNSUBSCRIBE. */
export const DEFAULT_OPT_OUT_KEYWORDS: readonly string[] = Object.freeze([
  "STOP",
  "STOPP",
  "AVMELD",
  "UNSUBSCRIBE",
]);

// \s misses the zero-width characters phones insert (word joiner, ZWSP, BOM).
const IGNORED = /[\s\u200B-\u200D\u2060\uFEFF]/gu;

function normalized(text: string): string {
  return text.normalize("NFKC").replace(IGNORED, "").toUpperCase();
}

/** Builds the check used for `optOut`; throws a TypeError for a list that is not non-empty words. */
export function createOptOutMatcher(
  keywords: readonly string[] = DEFAULT_OPT_OUT_KEYWORDS,
): (text: string | undefined) => boolean {
  if (!Array.isArray(keywords) || keywords.length === 0) {
    throw new TypeError("optOutKeywords must be a non-empty array of strings");
  }
  const words = new Set<string>();
  for (const keyword of keywords) {
    const word = typeof keyword === "string" ? normalized(keyword) : "";
    if (word === "") throw new TypeError("optOutKeywords must contain only non-empty strings");
    words.add(word);
  }
  return (text) => typeof text === "string" && words.has(normalized(text));
}

/** Whether `text` is an opt-out reply (see {@link DEFAULT_OPT_OUT_KEYWORDS}). */
export function isOptOutText(text: string, keywords: readonly string[] = DEFAULT_OPT_OUT_KEYWORDS): boolean {
  return createOptOutMatcher(keywords)(text);
}
