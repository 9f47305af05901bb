/**
 * Text from outside (advisory summaries, finding messages built from package metadata, recipe and
 * source snippets) as a model may see it: only when a tool was asked for it, stripped of what hides
 * or restyles text (invisible, bidi and tag characters, markup, code-fence info strings), capped,
 * masked of credentials, and wrapped so that it reads as quoted data rather than as instructions.
 */
import { maskCredentials } from '../text/credentials.ts';

/** What a tool result carries instead of raw text. */
export interface UntrustedText {
  untrusted: true;
  /** Where the text came from: `advisory:GHSA-…`, `finding:F3`. */
  source: string;
  text: string;
  /** Set when the text was cut to the cap. */
  truncated?: true;
}

export const UNTRUSTED_CAP = 2000;

// Controls, format characters (bidi, zero-width, BOM, Unicode tags U+E0000–E007F), separators,
// lone surrogates, and variation selectors (which can also smuggle bytes: one per selector).
// biome-ignore lint/suspicious/noMisleadingCharacterClass: the variation selectors are matched on their own, on purpose
const HIDING = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\u{fe00}-\u{fe0f}\u{e0100}-\u{e01ef}]/gu;
const TAG = /<\/?[a-z][^<>]*>|<!--[\s\S]*?-->/gi;
const FENCE_INFO = /```[^\n`]*/g;
const ENTITY = /&(?:#(\d+)|#x([0-9a-f]+)|(lt|gt|amp|quot|apos|nbsp));/gi;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", nbsp: ' ' };

export function sanitizeText(text: string): string {
  // twice: decoding an entity can bring back what the first pass took out
  return clean(clean(text));
}

function clean(text: string): string {
  return text
    .replace(ENTITY, (_m, dec: string, hex: string, name: string) =>
      name
        ? (NAMED[name.toLowerCase()] ?? '')
        : String.fromCodePoint(Number.parseInt(dec ?? hex, dec ? 10 : 16) || 0x20),
    )
    .replace(TAG, '')
    .replace(FENCE_INFO, '```')
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, ' ')
    .replace(HIDING, (char) => (char === '\n' ? char : ''));
}

export function untrusted(source: string, text: string, cap = UNTRUSTED_CAP): UntrustedText {
  const clean = maskCredentials(sanitizeText(text)).trim();
  const chars = [...clean];
  if (chars.length <= cap) return { untrusted: true, source, text: clean };
  return { untrusted: true, source, text: `${chars.slice(0, cap).join('')}…`, truncated: true };
}
