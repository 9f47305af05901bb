/**
 * The `cvebuild` command line. Thin: parse arguments, call the library, pick a renderer, and map
 * errors to one-line messages and exit codes (0 ok, 1 policy failure, 2 bad input or could not run).
 */
import { CommanderError } from 'commander';
import { isCvebuildError } from '../errors.ts';
import { describeSystemError, isSystemError, systemErrorLine } from '../fs/errors.ts';
import { plain } from '../text/plain.ts';
import { buildProgram, type CommandOutcome, EXIT_OK } from './program.ts';
import { TrackedOutput } from './stdout.ts';

export { buildProgram, type CommandOutcome, EXIT_OK } from './program.ts';
export const EXIT_USAGE_OR_INPUT = 2;

export async function main(argv: string[]): Promise<number> {
  // stderr is where failures are told; when even that fails there is nobody left to tell
  process.stderr.on('error', () => {});
  const stdout = new TrackedOutput(process.stdout);
  const outcome: CommandOutcome = { exitCode: EXIT_OK };
  const program = buildProgram((text) => stdout.write(text), outcome);
  let exitCode: number;
  try {
    await program.parseAsync(argv, { from: 'user' });
    exitCode = outcome.exitCode;
  } catch (error) {
    exitCode = reportError(error);
  }
  const failure = await stdout.finished();
  if (!failure) return exitCode;
  // a closed pipe (`| head`) is the reader's choice and needs no message, but the output was still not delivered
  if (failure.code !== 'EPIPE')
    process.stderr.write(`cvebuild: standard output: ${plain(describeOutputFailure(failure))}\n`);
  return EXIT_USAGE_OR_INPUT;
}

function describeOutputFailure(error: NodeJS.ErrnoException): string {
  return `cannot write: ${isSystemError(error) || error.code ? describeSystemError(error) : error.message}`;
}

/** The one line (and exit code) for whatever a command threw. */
export function reportError(
  error: unknown,
  writeErr: (text: string) => void = (text) => process.stderr.write(text),
): number {
  if (error instanceof CommanderError) {
    // commander already printed its one-line message
    return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE_OR_INPUT;
  }
  if (isCvebuildError(error)) {
    writeErr(`cvebuild: ${error.toLine()}\n`);
    return EXIT_USAGE_OR_INPUT;
  }
  // an environment problem no caller wrapped (a directory that vanished, a full disk) is still not a bug
  if (isSystemError(error)) {
    writeErr(`cvebuild: ${plain(systemErrorLine(error))}\n`);
    if (process.env.CVEBUILD_DEBUG) writeErr(`${error.stack}\n`);
    return EXIT_USAGE_OR_INPUT;
  }
  const message = error instanceof Error ? error.message : String(error);
  writeErr(`cvebuild: internal error: ${plain(message.split('\n', 1)[0])} (set CVEBUILD_DEBUG=1 for details)\n`);
  if (process.env.CVEBUILD_DEBUG && error instanceof Error) writeErr(`${error.stack}\n`);
  return EXIT_USAGE_OR_INPUT;
}
