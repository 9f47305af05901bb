/**
 * Byte spans of the members of a JSON object, so a filter can copy the members it keeps exactly
 * as upstream wrote them (hashes, escapes, number spellings) instead of re-stringifying parsed
 * values. Hand-written because no JSON library reports byte offsets of values; it only walks
 * text that `JSON.parse` has already accepted, so it skips values by bracket depth and string
 * escapes and does not validate.
 */

export interface MemberSpan {
  key: string;
  /** Byte offset of the value's first byte. */
  start: number;
  /** Byte offset just past the value's last byte. */
  end: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

/** The members of the object whose `{` is at `at` (after whitespace), in document order. */
export function objectMembers(bytes: Uint8Array, at: number): MemberSpan[] {
  let position = skipSpace(bytes, at);
  if (bytes[position] !== OPEN_BRACE) throw new Error(`expected an object at byte ${position}`);
  position = skipSpace(bytes, position + 1);
  const members: MemberSpan[] = [];
  if (bytes[position] === CLOSE_BRACE) return members;
  for (;;) {
    const keyEnd = stringEnd(bytes, position);
    const key = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + position, keyEnd - position).toString('utf8'));
    position = skipSpace(bytes, keyEnd);
    if (bytes[position] !== COLON) throw new Error(`expected ":" at byte ${position}`);
    const start = skipSpace(bytes, position + 1);
    const end = valueEnd(bytes, start);
    members.push({ key, start, end });
    position = skipSpace(bytes, end);
    if (bytes[position] === COMMA) {
      position = skipSpace(bytes, position + 1);
      continue;
    }
    if (bytes[position] === CLOSE_BRACE) return members;
    throw new Error(`expected "," or "}" at byte ${position}`);
  }
}

/** Past the end of the value starting at `start`. */
export function valueEnd(bytes: Uint8Array, start: number): number {
  const first = bytes[start];
  if (first === QUOTE) return stringEnd(bytes, start);
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    let depth = 0;
    let position = start;
    while (position < bytes.length) {
      const byte = bytes[position];
      if (byte === QUOTE) {
        position = stringEnd(bytes, position);
        continue;
      }
      if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth++;
      else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) return position + 1;
      }
      position++;
    }
    throw new Error('unterminated value');
  }
  // number, true, false, null
  let position = start;
  while (position < bytes.length && !isDelimiter(bytes[position] as number)) position++;
  return position;
}

function stringEnd(bytes: Uint8Array, start: number): number {
  if (bytes[start] !== QUOTE) throw new Error(`expected a string at byte ${start}`);
  let position = start + 1;
  while (position < bytes.length) {
    const byte = bytes[position];
    if (byte === BACKSLASH) position += 2;
    else if (byte === QUOTE) return position + 1;
    else position++;
  }
  throw new Error('unterminated string');
}

function skipSpace(bytes: Uint8Array, position: number): number {
  while (position < bytes.length) {
    const byte = bytes[position];
    if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) break;
    position++;
  }
  return position;
}

function isDelimiter(byte: number): boolean {
  return (
    byte === COMMA ||
    byte === CLOSE_BRACE ||
    byte === CLOSE_BRACKET ||
    byte === 0x20 ||
    byte === 0x0a ||
    byte === 0x0d ||
    byte === 0x09
  );
}
