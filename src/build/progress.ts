/**
 * `cvebuild build`'s progress on a terminal: one line per stage, a spinner while it runs (with the
 * check the engine is on), then `✓` passed, `!` surfaced, `✗` halted or `–` skipped, its time, its
 * findings and, for a stage that did not pass, its reason. It reads the pipeline's own
 * stage-start / stage-end / check-start events and changes nothing in the pipeline. When it shows,
 * and how, is `terminal/progress.ts`.
 */
import type { Tone } from '../terminal/colour.ts';
import { type ProgressStream, type StatusLine, statusLine } from '../terminal/progress.ts';
import { plain } from '../text/plain.ts';
import { formatDuration } from './report-view.ts';
import { type BuildEvent, STAGE_NAMES, type StageName, type StageOutcome } from './types.ts';

export { type ProgressStream, progressWanted } from '../terminal/progress.ts';

const MARK: Record<StageOutcome, string> = { passed: '✓', surfaced: '!', halted: '✗', skipped: '–' };
const TONE: Record<StageOutcome, Tone> = { passed: 'pass', surfaced: 'medium', halted: 'fail', skipped: 'muted' };
const NAME_WIDTH = Math.max(...STAGE_NAMES.map((name) => name.length));

export interface StageProgress {
  onEvent(event: BuildEvent): void;
  /** The run stopped with an error: the running stage's line says it could not run. */
  abort(): void;
}

export async function stageProgress(stream: ProgressStream, env: NodeJS.ProcessEnv): Promise<StageProgress> {
  const line: StatusLine = await statusLine(stream, env);
  let stage: StageName | undefined;
  const finish = (mark: string, text: string) => {
    line.done(mark, text);
    stage = undefined;
  };
  return {
    onEvent(event) {
      if (event.type === 'stage-start') {
        stage = event.stage;
        line.update(event.stage);
      } else if (event.type === 'check-start' && stage === event.stage) {
        line.update(`${event.stage} · ${event.id} (${event.index + 1}/${event.total})`);
      } else if (event.type === 'stage-end') {
        const findings = event.findings > 0 ? `  ${event.findings} finding${event.findings === 1 ? '' : 's'}` : '';
        const reason = event.outcome !== 'passed' && event.reason ? `  ${event.outcome}: ${plain(event.reason)}` : '';
        const text = `${event.stage.padEnd(NAME_WIDTH)}  ${formatDuration(event.ms).padStart(8)}${findings}${reason}`;
        finish(line.paint(TONE[event.outcome], MARK[event.outcome]), text);
      }
    },
    abort() {
      if (stage) finish(line.paint('fail', '✗'), `${stage.padEnd(NAME_WIDTH)}  could not run`);
    },
  };
}
