/**
 * `gate`, `audit` and `scan-code` on a terminal: a status line saying what the run is on (reading
 * the project, then each check as the engine's events announce it), cleared before the report is
 * printed. When it shows is `terminal/progress.ts`; it changes nothing in the run.
 */
import type { EngineEvent } from '../engine/events.ts';
import { type ProgressStream, progressWanted, statusLine } from '../terminal/progress.ts';
import { plain } from '../text/plain.ts';

export interface RunProgress {
  reading(path: string): void;
  checking(packages: number): void;
  onEvent(event: EngineEvent): void;
  /** The run is over (or failed): the line goes. */
  stop(): void;
}

export async function runProgress(
  stream: ProgressStream,
  env: NodeJS.ProcessEnv,
  format: string,
): Promise<RunProgress | undefined> {
  if (!progressWanted(stream, env, format)) return undefined;
  const line = await statusLine(stream, env);
  let packages = 0;
  return {
    reading: (path) => line.update(`reading ${plain(path)}`),
    checking(count) {
      packages = count;
      line.update(`checking ${packageCount(count)}`);
    },
    onEvent(event) {
      if (event.type === 'run-start') packages = event.packages;
      if (event.type === 'check-start')
        line.update(`${plain(event.id)} (${event.index + 1}/${event.total}) · ${packageCount(packages)}`);
    },
    stop: () => line.clear(),
  };
}

function packageCount(count: number): string {
  return `${count.toLocaleString('en-US')} package${count === 1 ? '' : 's'}`;
}
