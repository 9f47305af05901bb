/**
 * Text from outside made safe for a terminal or a log: credentials masked, and every control,
 * bidi or invisible format character (newlines too) shown as a visible escape (`\x1b`, `\u202e`,
 * `\n`), so a package name cannot retitle the terminal, clear the screen, reorder a line or forge a
 * line of its own. Plain-text reports build their lines with `line`, which neutralises every value
 * it is given, so a new field is covered without anyone remembering to.
 */
import { showControls } from './controls.ts';
import { maskCredentials } from './credentials.ts';

/** One field of plain text: credentials masked, every control shown as an escape. */
export function plain(value: unknown): string {
  return showControls(maskCredentials(String(value ?? '')));
}

/**
 * A tagged template for one line of plain text: the literal parts are ours and kept, every
 * interpolated value goes through `plain`. `line\`read ${path} (${format})\``.
 */
export function line(parts: TemplateStringsArray, ...values: unknown[]): string {
  let out = parts[0] ?? '';
  for (let i = 0; i < values.length; i++) out += plain(values[i]) + (parts[i + 1] ?? '');
  return out;
}

/**
 * The last guard over a whole plain-text document: credentials masked and every control shown as
 * an escape except the newlines that separate its lines. Fields were neutralised already; this
 * catches text that reached the document some other way.
 */
export function plainDocument(text: string): string {
  return showControls(maskCredentials(text), '\n');
}
