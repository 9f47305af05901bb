/**
 * Progress on a terminal: whether to show it, and one status line with a spinner that a command
 * updates as it goes and leaves behind as a result line (or clears). `build`, `db update`, and the
 * gate's runs (`gate`, `audit`, `scan-code`) draw theirs with it.
 *
 * It shows only when a person is watching and nothing reads the stream (`progressWanted`):
 * standard error is a terminal, `CI` is not set (to any value, as the spinner library itself
 * decides), `TERM` is not `dumb`, and the report is not JSON or SARIF (machine formats: a
 * pipeline's job, whatever the terminal). Standard output is not the question: the report goes
 * there after the work, so `> report.html` still shows progress. `FORCE_COLOR` forces colour,
 * never progress: cursor movements in a log help nobody.
 *
 * The spinner is yocto-spinner: one dependency (yoctocolors, which has none), from ora's author
 * and last released in July 2026; ora pulls eight packages for the same line, and nanospinner has
 * had no release since 2024. It restores the cursor on Ctrl-C, and clears its line before anything
 * else is written to the terminal.
 */
import type { Writable } from 'node:stream';
import type { Spinner, Options as SpinnerOptions } from 'yocto-spinner';
import { ansiPaint, colourWanted, noPaint, type Paint, type TerminalStream } from './colour.ts';

/** The stream progress goes to: standard error (a `tty.WriteStream` on a terminal), or a test's stand-in. */
export type ProgressStream = Writable & TerminalStream & { columns?: number };

/** Formats whose output a program reads: no progress beside them. */
const MACHINE_FORMATS = new Set(['json', 'sarif']);

export function progressWanted(stream: ProgressStream, env: NodeJS.ProcessEnv, format?: string): boolean {
  return (
    stream.isTTY === true &&
    env.CI === undefined &&
    env.TERM !== 'dumb' &&
    (format === undefined || !MACHINE_FORMATS.has(format))
  );
}

type CreateSpinner = (options?: SpinnerOptions) => Spinner;
let loading: Promise<CreateSpinner> | undefined;

/** One status line: a spinner and a text while work runs; `done` leaves a result line, `clear` nothing. */
export interface StatusLine {
  /** The paint for this stream (`noPaint` when colour is off). */
  readonly paint: Paint;
  /** Shows the spinner with this text (starting it if it is not running). */
  update(text: string): void;
  /** Stops the spinner and leaves `mark text` on the line. */
  done(mark: string, text: string): void;
  /** Stops the spinner and removes its line. */
  clear(): void;
}

/**
 * Text given to the line is ours, already neutralised where it quotes outside text (`plain`); it is
 * cut to the terminal's width so that it never wraps (a wrapped spinner line leaves copies behind).
 *
 * Asynchronous because yocto-spinner (ESM only) is loaded here, by the first line shown, rather
 * than at start-up: most runs (a pipe, CI, a JSON report) never show one.
 */
export async function statusLine(stream: ProgressStream, env: NodeJS.ProcessEnv): Promise<StatusLine> {
  loading ??= import('yocto-spinner').then((spinnerModule) => spinnerModule.default);
  const createSpinner = await loading;
  const paint = colourWanted(stream, env) ? ansiPaint : noPaint;
  const width = () => Math.max(40, (stream.columns || 80) - 1);
  let spinner: Spinner | undefined;
  return {
    paint,
    update(text) {
      const shown = fit(text, width() - 2);
      if (spinner) spinner.text = shown;
      else spinner = createSpinner({ text: shown, stream }).start();
    },
    done(mark, text) {
      const line = `${mark} ${fit(text, width() - 2)}`;
      if (spinner) spinner.stop(line);
      else stream.write(`${line}\n`);
      spinner = undefined;
    },
    clear() {
      spinner?.stop();
      spinner = undefined;
    },
  };
}

/** One terminal line: longer text is cut with an ellipsis rather than wrapped under the next one. */
export function fit(text: string, columns: number): string {
  const chars = Array.from(text);
  return chars.length <= columns ? text : `${chars.slice(0, columns - 1).join('')}…`;
}
