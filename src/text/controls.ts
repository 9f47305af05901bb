/**
 * Characters that change how text is shown rather than what it says: C0 and C1 controls and DEL
 * (ESC starts terminal escape sequences, U+009B is a one-character CSI, CR and NEL move the
 * cursor), invisible format characters (every bidi control — U+202A–U+202E, U+2066–U+2069,
 * U+200E/U+200F, U+061C — and zero-widths, soft hyphen, BOM, tag characters), the line and
 * paragraph separators, and lone surrogates. Text from outside (lock files, advisories, file names,
 * arguments) may carry any of them; each output format neutralises them through this one class.
 */

const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
const EVERY_UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;
// Most text is printable ASCII (and line breaks): a plain character class rules it out far faster
// than the Unicode property classes (a 2 MB report: 1 ms instead of 35).
const BEYOND_PRINTABLE_ASCII = /[^\x20-\x7e]/;
const BEYOND_PRINTABLE_ASCII_OR_NEWLINE = /[^\n\x20-\x7e]/;
// By code unit, not code point (`u`, 4x slower): both halves of a surrogate pair are beyond ASCII,
// so the runs are the same, and each run is then tested by code point.
const BEYOND_PRINTABLE_ASCII_OR_NEWLINE_ALL = /[^\n\x20-\x7e]+/g;

/** Whether the text holds any character of the class. */
export function hasUnsafeCharacters(text: string): boolean {
  return BEYOND_PRINTABLE_ASCII.test(text) && UNSAFE.test(text);
}

const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `\x1b`, `\u202e`, `\u{e0041}`, `\n`: a character of the class as text a reader can see and no terminal acts on. */
export function visibleEscape(char: string): string {
  const short = SHORT[char];
  if (short) return short;
  const code = char.codePointAt(0) ?? 0;
  if (code <= 0xff) return `\\x${hex(code, 2)}`;
  if (code <= 0xffff) return `\\u${hex(code, 4)}`;
  return `\\u{${code.toString(16)}}`;
}

/**
 * Every character of the class replaced by its visible escape, except those in `keep` (the line
 * breaks a multi-line document is made of, say). Field text keeps nothing: a newline inside a
 * package name must not start a line of its own.
 */
export function showControls(text: string, keep = ''): string {
  // A document that keeps its line breaks is mostly printable ASCII and newlines: ruled out at once.
  const beyond = keep.includes('\n') ? BEYOND_PRINTABLE_ASCII_OR_NEWLINE : BEYOND_PRINTABLE_ASCII;
  if (!beyond.test(text) || !UNSAFE.test(text)) return text;
  return text.replace(EVERY_UNSAFE, (char) => (keep.includes(char) ? char : visibleEscape(char)));
}

/**
 * JSON.stringify output whose text holds none of the class: JSON.stringify escapes C0 inside strings
 * (a raw C0 character in its output is layout whitespace) but leaves DEL, C1, bidi and the
 * separators raw. Each becomes a `\uXXXX` escape, so the data is unchanged for a parser and the
 * file is inert when printed.
 */
export function jsonAsciiSafe(json: string): string {
  if (!BEYOND_PRINTABLE_ASCII_OR_NEWLINE.test(json) || !hasUnsafeBeyondAscii(json)) return json;
  return json.replace(EVERY_UNSAFE, (char) => {
    if (char.charCodeAt(0) < 0x20) return char;
    let out = '';
    for (let i = 0; i < char.length; i++) out += `\\u${hex(char.charCodeAt(i), 4)}`;
    return out;
  });
}

/**
 * Whether text holds a character of the class, looking only at its characters outside printable
 * ASCII and newlines: a report of megabytes has a few hundred of them (names, advisory prose), and
 * testing those beats running the Unicode class over every character (~10 ms on a 2 MB report).
 */
function hasUnsafeBeyondAscii(text: string): boolean {
  BEYOND_PRINTABLE_ASCII_OR_NEWLINE_ALL.lastIndex = 0;
  for (let match = BEYOND_PRINTABLE_ASCII_OR_NEWLINE_ALL.exec(text); match !== null; ) {
    if (UNSAFE.test(match[0])) return true;
    match = BEYOND_PRINTABLE_ASCII_OR_NEWLINE_ALL.exec(text);
  }
  return false;
}

function hex(value: number, width: number): string {
  return value.toString(16).padStart(width, '0');
}
