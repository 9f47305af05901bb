/**
 * The `cvebuild` command line. Thin: parse arguments, call the library, pick a renderer, and map
 * errors to one-line messages and exit codes (0 ok, 1 policy failure, 2 bad input or could not run).
 */
import { Command, CommanderError, Option } from 'commander';
import { isCvebuildError } from '../errors.ts';
import { describeSystemError, isSystemError, systemErrorLine } from '../fs/errors.ts';
import { forgetInputs } from '../fs/inputs.ts';
import { FORMAT_NAMES } from '../report/formats.ts';
import { TOOL } from '../report/report.ts';
import { plain } from '../text/plain.ts';
import { registerAttestCommands } from './attest.ts';
import { type AuditCommandOptions, auditCommand } from './audit.ts';
import { registerDbCommands } from './db.ts';
import { diffCommand } from './diff.ts';
import { inventoryCommand } from './inventory.ts';
import { registerSbomCommand } from './sbom.ts';
import { TrackedOutput } from './stdout.ts';

export const EXIT_OK = 0;
export const EXIT_USAGE_OR_INPUT = 2;

/** What commands report back besides their output: the exit code (0 unless a command sets it). */
export interface CommandOutcome {
  exitCode: number;
}

export function buildProgram(output: (text: string) => void, outcome: CommandOutcome = { exitCode: EXIT_OK }): Command {
  const program = new Command('cvebuild')
    .description('Supply-chain security gate for conda, pixi and PyPI projects')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: output,
      writeErr: (text) => process.stderr.write(text),
      // commander quotes the arguments it rejects (an unknown option, a bad choice): from outside.
      // One line, like every other error (a suggestion reads `…'--fromat'\n(Did you mean --format?)`).
      outputError: (text, write) => write(`${plain(text.replace(/\n$/, ''))}\n`),
    })
    .hook('preAction', () => forgetInputs());

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
  withEngineOptions(program.command('gate'))
    .description(
      'apply the policy to every check and decide: exit 0 pass, 1 fail, 2 could not run (bad input, missing or stale threat data)',
    )
    .action(async (path: string, options: AuditCommandOptions) => {
      const result = await auditCommand(path, options, 'gate');
      output(result.text);
      outcome.exitCode = result.exitCode;
    });
  withEngineOptions(program.command('audit'))
    .description('the gate in report-only mode: the same checks, policy and reports, exit 0 whatever the verdict')
    .action(async (path: string, options: AuditCommandOptions) => {
      const result = await auditCommand(path, options, 'audit');
      output(result.text);
      outcome.exitCode = result.exitCode;
    });
  withReportOptions(withRunOptions(program.command('scan-code')))
    .description(
      "scan the project's own files: SAST on Python code and recipe scripts, and committed secrets (exit 0 pass, 1 fail, 2 could not run)",
    )
    .argument('[path]', 'directory (or one file) to scan', '.')
    .option('--checks <ids>', 'code checks to run: sast, secrets (default: those the policy enables)')
    .action(async (path: string, options: AuditCommandOptions) => {
      const result = await auditCommand(path, options, 'scan-code');
      output(result.text);
      outcome.exitCode = result.exitCode;
    });
  withRunOptions(withSettingsOptions(program.command('diff')))
    .description(
      'review a lock update: what changed per environment and platform, red flags, and the checks on what is new',
    )
    .argument('<old>', 'the lock (or project directory) before the update')
    .argument('<new>', 'the lock (or project directory) after the update')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'markdown']).default('table'))
    .option('--db <file>', 'threat-intel store, or threat-data files / a directory to load for this run')
    .option('--checks <ids>', "checks to run on the new packages (comma-separated; 'none' for none)")
    .option('--policy <file>', "policy file (default: the new project's cvebuild.toml or [tool.cvebuild])")
    .action(async (oldPath: string, newPath: string, options: Parameters<typeof diffCommand>[2]) => {
      const result = await diffCommand(oldPath, newPath, options);
      output(result.text);
      outcome.exitCode = result.exitCode;
    });
  registerSbomCommand(program, output);
  registerAttestCommands(program, output, outcome);
  registerDbCommands(program, output);
  return program;
}

const VERSION = TOOL.version;

/** Everything `gate` and `audit` share: they are one engine. */
function withEngineOptions(command: Command): Command {
  return withReportOptions(withRunOptions(withSettingsOptions(command)))
    .argument('[path]', 'project directory or input file', '.')
    .option(
      '--db <file>',
      'threat-intel store (default: $CVEBUILD_DB or the user cache), or threat-data files / a directory to load for this run',
    )
    .option('--env <name>', 'only this environment')
    .option('--platform <platform>', 'only this platform')
    .option('--checks <ids>', 'comma-separated checks to run (default: those the policy enables)');
}

/** The policy file and the report destinations, shared by every command that applies the policy. */
function withReportOptions(command: Command): Command {
  return command
    .option('--policy <file>', 'policy file (default: cvebuild.toml, or [tool.cvebuild] in pyproject.toml / pixi.toml)')
    .option('--format <format>', `report on stdout: ${FORMAT_NAMES.join(', ')} (default: table)`)
    .option(
      '--output <[format=]file...>',
      'also write a report to a file; the format comes from the name (.sarif, .cdx.json, .html, .md, .json) or FORMAT=FILE',
    );
}

/** Overrides of the policy and of the clock, shared by every command that runs the checks. */
function withRunOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--fail-on <severity>', 'override the policy: fail on findings at or above this severity').choices([
        'low',
        'medium',
        'high',
        'critical',
      ]),
    )
    .option('--max-db-age <duration>', 'override the policy: oldest threat data accepted (default 48h)')
    .option('--offline', 'no network lookups (checks say what they could not check)')
    .addOption(new Option('--now <time>', 'evaluate as of this time (ISO 8601), for reproducible runs').hideHelp());
}

/** The flags that fill the checks' settings, shared by `audit` and `diff`. */
function withSettingsOptions(command: Command): Command {
  return command
    .option('--cooldown <cutoff>', 'cooldown replacing the manifest exclude-newer (7d, a date, RFC 3339)')
    .addOption(
      new Option('--cooldown-unknown-timestamp <action>', 'conda records without a build time').choices([
        'warn',
        'fail',
        'ignore',
      ]),
    )
    .option('--allow-name <name...>', 'names never flagged as typosquats')
    .option('--private-source <url...>', 'channel or index URL prefixes that are private')
    .option('--private-name <name...>', 'names that must only come from private sources')
    .option('--packages <dir...>', 'directories with package archives to inspect for link scripts');
}

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
