/**
 * Untrusted text (package names, advisory summaries, waiver reasons) made safe for GitHub-flavoured
 * Markdown: no HTML, no formatting, no links, autolinks, e-mail links or mentions it did not ask
 * for, no table cell it can break out of, credentials in URLs masked, and controls and bidi
 * characters shown as visible escapes. Every piece of outside text in a Markdown report goes
 * through `text`, `code` or `link`.
 */
import { showControls } from '../text/controls.ts';
import { maskCredentials } from '../text/credentials.ts';

/** Longest text a table cell or list item shows; the SARIF / HTML reports carry the rest. */
export const MAX_TEXT = 240;

/** Plain text on one line, shown exactly as written. */
export function text(value: string, max = MAX_TEXT): string {
  let out = shorten(inert(value), max)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]~#|]/g, '\\$&')
    // GitHub notifies anyone @mentioned in a comment, and links `a@b.org` as an e-mail: a package
    // summary must do neither. A zero-width space after `@` breaks both.
    .replace(/@(?=\w)/g, '@\u200b')
    // GitHub turns bare `https://…` and `www.…` into links (GFM autolinks); the same space breaks them.
    .replace(/:\/\//g, ':\u200b//')
    .replace(/(www)\./gi, '$1\u200b.');
  // At the start of a list item these would begin a nested list, heading or rule.
  out = out.replace(/^([-+=])/, '\\$1').replace(/^(\d+)([.)])(?=\s|$)/, '$1\\$2');
  return out;
}

/** A name or id in a code span; text with characters a code span cannot hold in a table falls back to `text`. */
export function code(value: string, max = MAX_TEXT): string {
  const line = shorten(inert(value), max);
  if (line === '') return '';
  if (/[`\\|]/.test(line)) return text(line, max);
  return `\`${line}\``;
}

/** A link, only to an http(s) URL; anything else is shown as text. */
export function link(label: string, url: string | undefined): string {
  if (!url || !/^https?:\/\/[^\s]+$/i.test(url)) return text(label);
  const destination = maskCredentials(url).replace(/[^A-Za-z0-9\-._~:/?#@!$&'*+,;=%]/gu, percentEncode);
  return `[${text(label)}](${destination})`;
}

/** One table row; pipes inside cells are escaped so a cell cannot end early. */
export function row(cells: readonly string[]): string {
  return `| ${cells.map((cell) => escapePipes(cell) || ' ').join(' | ')} |`;
}

function percentEncode(char: string): string {
  return [...new TextEncoder().encode(char)]
    .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)
    .join('');
}

/**
 * The last guard over a whole Markdown document: any control or bidi character that reached it
 * some other way is shown as an escape. Newlines are its lines; zero-width spaces are ours.
 */
export function markdownDocument(markdown: string): string {
  return showControls(markdown, '\n\u200b');
}

/** One line, credentials masked, controls and bidi characters shown as escapes. */
function inert(value: string): string {
  return showControls(maskCredentials(oneLine(value)));
}

export function oneLine(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

export function shorten(value: string, max: number): string {
  const chars = Array.from(value);
  return chars.length <= max ? value : `${chars.slice(0, max - 1).join('')}…`;
}

/** `|` not already escaped by `text` becomes `\|` (GFM also honours it inside code spans). */
function escapePipes(cell: string): string {
  let out = '';
  for (let i = 0; i < cell.length; i++) {
    const char = cell[i];
    if (char === '\\' && i + 1 < cell.length) {
      out += char + cell[i + 1];
      i++;
    } else if (char === '|') {
      out += '\\|';
    } else {
      out += char;
    }
  }
  return out;
}
