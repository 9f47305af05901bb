/**
 * Colour on a terminal: whether to use it, and the one way cvebuild paints text. Renderers build
 * their text with a `Paint` and stay plain with `noPaint`; only the command line, which knows what
 * the stream is, hands them `ansiPaint`.
 *
 * The decision follows the conventions people set once for every tool: `FORCE_COLOR` (non-empty,
 * not `0` or `false`) forces colour even into a pipe or a CI log; otherwise colour needs a
 * terminal, no `CI`, and the terminal's own answer (`hasColors`), which honours `NO_COLOR`,
 * `NODE_DISABLE_COLORS` and `TERM=dumb`. `--no-color` wins over all of them (`withoutColour`).
 * FORCE_COLOR winning over NO_COLOR is Node's own order, so the spinner's colours, which Node
 * and yoctocolors decide, agree with ours.
 */
import { styleText } from 'node:util';

/**
 * What a piece of text means, which decides its colour: the severities, the verdict, `warning` for
 * what a reader should look at that is no finding (an unmapped package, a lock downgrade), and
 * `added` / `removed` for what a lock update brings in and takes away.
 */
export type Tone =
  | 'critical'
  | 'high'
  | 'medium'
  | 'unknown'
  | 'low'
  | 'info'
  | 'fail'
  | 'pass'
  | 'muted'
  | 'warning'
  | 'added'
  | 'removed';

/** Wraps text in its tone's colour; the text itself must already be safe for a terminal. */
export type Paint = (tone: Tone, text: string) => string;

export const noPaint: Paint = (_tone, text) => text;

const STYLE: Record<Tone, Parameters<typeof styleText>[0]> = {
  critical: ['bold', 'magenta'],
  high: 'red',
  medium: 'yellow',
  unknown: 'yellow',
  low: 'cyan',
  info: 'dim',
  fail: ['bold', 'red'],
  pass: ['bold', 'green'],
  muted: 'dim',
  warning: 'yellow',
  added: 'green',
  removed: 'red',
};

export const ansiPaint: Paint = (tone, text) =>
  text === '' ? text : styleText(STYLE[tone], text, { validateStream: false });

/** A stream as colour and progress see it: standard output or error, or a test's stand-in. */
export interface TerminalStream {
  isTTY?: boolean;
  hasColors?(env?: object): boolean;
}

export function colourWanted(stream: TerminalStream, env: NodeJS.ProcessEnv): boolean {
  const forced = env.FORCE_COLOR;
  if (forced !== undefined && forced !== '') return forced !== '0' && forced !== 'false';
  if (stream.isTTY !== true || env.CI !== undefined) return false;
  return stream.hasColors?.(env) === true;
}

/** The paint for text written to `stream`: colour when it is wanted there, else none. */
export function paintFor(stream: TerminalStream, env: NodeJS.ProcessEnv): Paint | undefined {
  return colourWanted(stream, env) ? ansiPaint : undefined;
}

/**
 * `--no-color`: said once for the whole process, in its environment, so that what decides colour
 * on its own (the spinner's colours, a build tool cvebuild runs) follows it too.
 */
export function withoutColour(env: NodeJS.ProcessEnv): void {
  env.NO_COLOR = '1';
  delete env.FORCE_COLOR;
}
