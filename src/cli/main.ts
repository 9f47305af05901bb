/**
 * The `cvebuild` command line. Thin: parse arguments, call the library, pick a renderer, and map
 * errors to one-line messages and exit codes (0 ok, 1 policy failure, 2 bad input or could not run).
 */
import { Command, CommanderError, Option } from 'commander';
import { isCvebuildError } from '../errors.ts';
import { registerDbCommands } from './db.ts';
import { inventoryCommand } from './inventory.ts';

export const EXIT_OK = 0;
export const EXIT_USAGE_OR_INPUT = 2;

export function buildProgram(output: (text: string) => void): Command {
  const program = new Command('cvebuild')
    .description('Supply-chain security gate for conda, pixi and PyPI projects')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: output, writeErr: (text) => process.stderr.write(text) });

  program
    .command('inventory')
    .description('list every package a project resolves to (pixi.lock, conda-lock, environment.yml, prefix, recipe)')
    .argument('[path]', 'project directory or input file', '.')
    .option('--env <name>', 'only this environment')
    .option('--platform <platform>', 'only this platform (subdir such as linux-64, or a pixi.lock v7 platform name)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action((path: string, options: { env?: string; platform?: string; format: 'table' | 'json' }) => {
      output(inventoryCommand(path, options));
    });
  registerDbCommands(program, output);
  return program;
}

const VERSION = '0.1.0';

export async function main(argv: string[]): Promise<number> {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  const program = buildProgram((text) => process.stdout.write(text));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT_OK;
  } catch (error) {
    return reportError(error);
  }
}

function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // commander already printed its one-line message
    return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE_OR_INPUT;
  }
  if (isCvebuildError(error)) {
    process.stderr.write(`cvebuild: ${error.toLine()}\n`);
    return EXIT_USAGE_OR_INPUT;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`cvebuild: internal error: ${message.split('\n', 1)[0]} (set CVEBUILD_DEBUG=1 for details)\n`);
  if (process.env.CVEBUILD_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return EXIT_USAGE_OR_INPUT;
}
