/**
 * smol-toml (1.9.1) hands TOML date literals to JavaScript's `Date`, which rolls an impossible day
 * over: `expires = 2026-02-31` parses as 3 March. TOML requires RFC 3339 dates, so such a file is
 * invalid; this scan finds the first date literal outside strings and comments that names no real
 * day. (Upstream: squirrelchat/smol-toml#57; once a fixed release is out this can go.)
 */
import { isCalendarDate } from '../util/dates.ts';

const DATE_LITERAL = /(\d{4})-(\d{2})-(\d{2})/y;

export interface InvalidDate {
  literal: string;
  line: number;
}

export function findInvalidTomlDate(text: string): InvalidDate | undefined {
  let line = 1;
  let at = 0;
  while (at < text.length) {
    const char = text[at];
    if (char === '\n') {
      line++;
      at++;
    } else if (char === '#') {
      at = endOfLine(text, at);
    } else if (char === '"' || char === "'") {
      const end = endOfString(text, at);
      line += countNewlines(text, at, end);
      at = end;
    } else if (isDigit(char) && !isBareKeyChar(text[at - 1])) {
      DATE_LITERAL.lastIndex = at;
      const match = DATE_LITERAL.exec(text);
      const [literal, year, month, day] = match ?? [];
      const after = at + (literal?.length ?? 0);
      const timeFollows = /^[Tt]\d/.test(text.slice(after, after + 2));
      if (literal && (timeFollows || !isBareKeyChar(text[after])) && !isKey(text, after)) {
        if (!isCalendarDate(Number(year), Number(month), Number(day))) return { literal, line };
        at += literal.length;
      } else {
        while (isBareKeyChar(text[at])) at++;
      }
    } else {
      at++;
    }
  }
  return undefined;
}

/** The index just past a string starting at `start`: basic or literal, single- or multi-line. */
function endOfString(text: string, start: number): number {
  const quote = text[start] as string;
  const triple = text.startsWith(quote.repeat(3), start);
  const delimiter = triple ? quote.repeat(3) : quote;
  let at = start + delimiter.length;
  while (at < text.length) {
    if (quote === '"' && text[at] === '\\') at += 2;
    else if (text.startsWith(delimiter, at)) {
      // a multi-line string may end in up to two more quotes than its delimiter
      at += delimiter.length;
      while (triple && text[at] === quote && at - start < text.length) at++;
      return at;
    } else if (!triple && text[at] === '\n') return at;
    else at++;
  }
  return at;
}

function endOfLine(text: string, at: number): number {
  const newline = text.indexOf('\n', at);
  return newline === -1 ? text.length : newline;
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let at = from; at < to; at++) if (text[at] === '\n') count++;
  return count;
}

/** A bare key that looks like a date (`2026-01-01 = "x"`, `[2026-01-01]`) is a key, not a date. */
function isKey(text: string, after: number): boolean {
  let at = after;
  while (text[at] === ' ' || text[at] === '\t') at++;
  return text[at] === '=' || text[at] === '.';
}

const isDigit = (char: string | undefined) => char !== undefined && char >= '0' && char <= '9';
const isBareKeyChar = (char: string | undefined) => char !== undefined && /[A-Za-z0-9_-]/.test(char);
