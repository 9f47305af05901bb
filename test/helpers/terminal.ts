/**
 * The real `cvebuild` with a pseudo-terminal for its standard error, through util-linux's `script`
 * (in every Debian, as bsdutils): what a person at a terminal sees, while standard output goes to
 * a file as `> report.txt` would send it. The environment is the one given, over a plain base
 * without CI, so a test decides exactly what the command sees.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { tempDirectory } from './temp.ts';

const BIN = fileURLToPath(new URL('../../bin/cvebuild.js', import.meta.url));

/** Why terminal tests cannot run here, or undefined when they can. */
export const noScript =
  spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0
    ? undefined
    : 'util-linux script is not installed (apt-get install bsdutils)';

export interface TerminalRun {
  status: number | null;
  /** Everything written to the terminal, escape sequences and all. */
  terminal: string;
  stdout: string;
}

export function runCliInTerminal(args: string[], env: NodeJS.ProcessEnv = {}): TerminalRun {
  const stdoutFile = join(tempDirectory(), 'stdout.txt');
  const command = [process.execPath, BIN, ...args].map(quote).join(' ');
  const { CI: _ci, NO_COLOR: _noColor, FORCE_COLOR: _forceColor, ...inherited } = process.env;
  const result = spawnSync('script', ['-q', '-e', '-c', `${command} > ${quote(stdoutFile)}`, '/dev/null'], {
    env: { ...inherited, TERM: 'xterm-256color', COLUMNS: '120', ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { status: result.status, terminal: result.stdout, stdout: readFileSync(stdoutFile, 'utf8') };
}

/**
 * The lines the terminal finally shows: a spinner redraws its line after erasing it (`CSI 0K`),
 * so what stays is the text after the last erase; every other escape (cursor, colour,
 * synchronised output) is dropped.
 */
export function shownLines(terminal: string): string[] {
  return terminal
    .replace(/\r/g, '')
    .split('\n')
    .map((line) => stripVTControlCharacters(line.split(ERASE_LINE).at(-1) ?? ''))
    .filter((line) => line !== '');
}

export const ESC = '\u001b';
const ERASE_LINE = new RegExp(`${ESC}\\[0?K`);

/** An SGR colour sequence: `ESC [ 32 m` and the like. */
export const COLOUR = new RegExp(`${ESC}\\[(3[0-9]|9[0-7])m`);

function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
