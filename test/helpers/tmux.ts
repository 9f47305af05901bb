/**
 * The real `cvebuild` in a real terminal: a tmux pane on a private server (its own socket, so no
 * one's tmux is touched), read back with `capture-pane -p` as a person would see it at that moment.
 * A machine without tmux skips these tests with a message; CI (env CI set) installs tmux, so there
 * a missing one fails, as the browser tests do.
 */
import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/cvebuild.js', import.meta.url));

const tmuxInstalled = spawnSync('tmux', ['-V'], { encoding: 'utf8' }).status === 0;

/** Why tmux tests cannot run here, or false when they can (in CI they must: a missing tmux fails). */
export function tmuxSkip(): string | false {
  if (tmuxInstalled || process.env.CI) return false;
  return 'tmux is not installed (apt-get install tmux); the real-terminal tests are skipped';
}

/** What the pane shows when the command has ended: `[exit N]` on a line of its own. */
const EXITED = /^\[exit (\d+)\]$/m;

let sessions = 0;

export interface Pane {
  /** The pane's text now, as shown; with `escapes`, its colours and attributes as SGR sequences. */
  capture(options?: { escapes?: boolean }): Promise<string>;
  /** Captures until `pattern` shows (or fails after `limitMs`, naming what was shown). */
  waitFor(pattern: RegExp, limitMs?: number): Promise<string>;
  /** Waits for the command to end; its exit status and the pane's text then, plain and with its colours. */
  exited(limitMs?: number): Promise<{ status: number; shown: string; painted: string }>;
  /** Stops the private tmux server (and whatever still runs in it). */
  close(): Promise<void>;
}

/**
 * Runs `cvebuild ARGS` in a 160×50 pane. The environment is the one given over a plain base (no
 * CI, NO_COLOR or FORCE_COLOR), so a test decides exactly what the command sees.
 */
export async function cliInTmux(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Pane> {
  if (!tmuxInstalled) throw new Error('tmux is required here (CI is set), but it is not installed');
  const socket = `cvebuild-test-${process.pid}-${++sessions}`;
  const { CI: _ci, NO_COLOR: _noColor, FORCE_COLOR: _forceColor, TMUX: _tmux, ...inherited } = process.env;
  const command = `${[process.execPath, BIN, ...args].map(quote).join(' ')}; echo "[exit $?]"; exec sleep 600`;
  const tmux = (...more: string[]) =>
    run('tmux', ['-L', socket, '-f', '/dev/null', ...more], {
      env: { ...inherited, TERM: 'xterm-256color', ...env },
      encoding: 'utf8',
    });
  await tmux('new-session', '-d', '-s', 'main', '-x', '160', '-y', '50', command);
  const capture = async ({ escapes = false } = {}) =>
    (await tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', 'main')).stdout;
  const waitFor = async (pattern: RegExp, limitMs = 30_000) => {
    const until = Date.now() + limitMs;
    for (;;) {
      const shown = await capture();
      if (pattern.test(shown)) return shown;
      if (Date.now() > until) throw new Error(`the pane never showed ${pattern}; it shows:\n${shown}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  return {
    capture,
    waitFor,
    async exited(limitMs) {
      const shown = await waitFor(EXITED, limitMs);
      return { status: Number(EXITED.exec(shown)?.[1]), shown, painted: await capture({ escapes: true }) };
    },
    async close() {
      await tmux('kill-server').catch(() => {});
    },
  };
}

function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
