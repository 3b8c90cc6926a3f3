/**
 * Half of a UTF-16 surrogate pair without its other half: a high surrogate not followed by a low one, or a
 * low one not preceded by a high one. UTF-8 decoding never yields one (bad bytes become U+FFFD), but a JSON
 * escape can spell one (`"\ud800"`), and it is no Unicode character at all.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether a string is Unicode text (I-JSON, RFC 7493 §2.1): no lone surrogate. */
export const isWellFormedUnicode = (s: string): boolean => !LONE_SURROGATE.test(s);
