/**
 * `cvebuild build`'s progress on a terminal: one line per stage, a spinner while it runs (with the
 * check the engine is on), then `✓` passed, `!` surfaced, `✗` halted or `–` skipped, its time, its
 * findings and, for a stage that did not pass, its reason. It reads the pipeline's own
 * stage-start / stage-end / check-start events and changes nothing in the pipeline.
 *
 * It shows only when a person is watching and nothing reads the stream (`progressWanted`):
 * standard error is a terminal, `CI` is not set (to any value, as the spinner library itself
 * decides), `TERM` is not `dumb`, and the report is not JSON or SARIF (machine formats: a
 * pipeline's job, whatever the terminal). Standard output is not the question: the report goes
 * there after the last stage, so `> report.html` still shows progress. Colour follows the
 * terminal's own answer (`hasColors`), which honours NO_COLOR, NODE_DISABLE_COLORS and FORCE_COLOR.
 *
 * The spinner is yocto-spinner: one dependency (yoctocolors, which has none), from ora's author
 * and last released in July 2026; ora pulls eight packages for the same line, and nanospinner has
 * had no release since 2024. It restores the cursor on Ctrl-C.
 */
import type { Writable } from 'node:stream';
import { styleText } from 'node:util';
import yoctoSpinner, { type Spinner } from 'yocto-spinner';
import { plain } from '../text/plain.ts';
import { formatDuration } from './report-view.ts';
import { type BuildEvent, STAGE_NAMES, type StageName, type StageOutcome } from './types.ts';

/** The stream progress goes to: standard error (a `tty.WriteStream` on a terminal), or a test's stand-in. */
export type ProgressStream = Writable & {
  isTTY?: boolean;
  columns?: number;
  hasColors?(env?: object): boolean;
};

/** Formats whose output a program reads: no progress beside them. */
const MACHINE_FORMATS = new Set(['json', 'sarif']);

export function progressWanted(stream: ProgressStream, env: NodeJS.ProcessEnv, format: string): boolean {
  return stream.isTTY === true && env.CI === undefined && env.TERM !== 'dumb' && !MACHINE_FORMATS.has(format);
}

const MARK: Record<StageOutcome, string> = { passed: '✓', surfaced: '!', halted: '✗', skipped: '–' };
const COLOUR: Record<StageOutcome, Parameters<typeof styleText>[0]> = {
  passed: 'green',
  surfaced: 'yellow',
  halted: 'red',
  skipped: 'dim',
};
const NAME_WIDTH = Math.max(...STAGE_NAMES.map((name) => name.length));

export interface StageProgress {
  onEvent(event: BuildEvent): void;
  /** The run stopped with an error: the running stage's line says it could not run. */
  abort(): void;
}

export function stageProgress(stream: ProgressStream, env: NodeJS.ProcessEnv): StageProgress {
  const colours = stream.hasColors?.(env) === true;
  const paint = (format: Parameters<typeof styleText>[0], text: string) =>
    colours ? styleText(format, text, { validateStream: false }) : text;
  const width = () => Math.max(40, (stream.columns || 80) - 1);
  let spinner: Spinner | undefined;
  let stage: StageName | undefined;
  const finish = (mark: string, text: string) => {
    spinner?.stop(`${mark} ${fit(text, width() - 2)}`);
    spinner = undefined;
    stage = undefined;
  };
  return {
    onEvent(event) {
      if (event.type === 'stage-start') {
        stage = event.stage;
        spinner = yoctoSpinner({ text: event.stage, stream }).start();
      } else if (event.type === 'check-start' && spinner && stage === event.stage) {
        spinner.text = fit(`${event.stage} · ${event.id} (${event.index + 1}/${event.total})`, width() - 2);
      } else if (event.type === 'stage-end') {
        const findings = event.findings > 0 ? `  ${event.findings} finding${event.findings === 1 ? '' : 's'}` : '';
        const reason = event.outcome !== 'passed' && event.reason ? `  ${event.outcome}: ${plain(event.reason)}` : '';
        const text = `${event.stage.padEnd(NAME_WIDTH)}  ${formatDuration(event.ms).padStart(8)}${findings}${reason}`;
        finish(paint(COLOUR[event.outcome], MARK[event.outcome]), text);
      }
    },
    abort() {
      if (spinner && stage) finish(paint('red', '✗'), `${stage.padEnd(NAME_WIDTH)}  could not run`);
    },
  };
}

/** One terminal line: longer text is cut with an ellipsis rather than wrapped under the next stage. */
function fit(text: string, columns: number): string {
  const chars = Array.from(text);
  return chars.length <= columns ? text : `${chars.slice(0, columns - 1).join('')}…`;
}
