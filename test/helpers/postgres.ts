/**
 * A throwaway PostgreSQL cluster for tests: Debian's server binaries (`postgresql` package), a new
 * cluster in a temporary directory, listening on 127.0.0.1 on a free port, trust authentication for
 * the user `cvebuild`. A developer machine without the binaries skips these tests with a message;
 * CI (env CI set) installs them, so there a missing server fails.
 *
 * PostgreSQL refuses to run as root: when the tests run as root, the cluster belongs to the
 * `postgres` user the Debian package creates, and the server runs under its uid.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const POSTGRES_BIN = process.env.CVEBUILD_POSTGRES_BIN ?? newestDebianBin();
const USER = 'cvebuild';
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

function newestDebianBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((name) => /^\d+$/.test(name) && existsSync(join(root, name, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  return join(root, versions[0] ?? '15', 'bin');
}

export function postgresAvailable(): boolean {
  return existsSync(join(POSTGRES_BIN, 'initdb')) && existsSync(join(POSTGRES_BIN, 'postgres'));
}

/** A reason to skip PostgreSQL tests, or false to run them (always in CI, where a missing server then fails). */
export function postgresSkip(): string | false {
  if (postgresAvailable() || process.env.CI) return false;
  return `no PostgreSQL server at ${POSTGRES_BIN} (apt-get install postgresql, or set CVEBUILD_POSTGRES_BIN); PostgreSQL tests skipped`;
}

export interface TestPostgres {
  /** `postgres://cvebuild@127.0.0.1:<port>/postgres` */
  url: string;
  port: number;
  /** Stops the server (fast shutdown, then SIGKILL) and removes the cluster. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<TestPostgres> {
  if (!postgresAvailable()) {
    throw new Error(`PostgreSQL is required here (CI is set) but ${POSTGRES_BIN}/initdb does not exist`);
  }
  const owner = clusterOwner();
  const dir = mkdtempSync(join(tmpdir(), 'cvebuild-pg-'));
  const data = join(dir, 'data');
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const env = { ...process.env, HOME: dir, LC_ALL: 'C', LANG: 'C' };
  try {
    execFileSync(
      join(POSTGRES_BIN, 'initdb'),
      ['-D', data, '-A', 'trust', '-U', USER, '-E', 'UTF8', '--locale=C', '--no-sync'],
      { env, stdio: ['ignore', 'ignore', 'pipe'], ...owner },
    );
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`initdb failed: ${stderr.trim() || String(error)}`);
  }
  const port = await freePort();
  const server = spawn(
    join(POSTGRES_BIN, 'postgres'),
    ['-D', data, '-k', dir, '-h', '127.0.0.1', '-p', String(port), '-c', 'max_connections=40'],
    { env, stdio: ['ignore', 'ignore', 'pipe'], detached: true, ...owner },
  );
  let log = '';
  server.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const killOnExit = () => killGroup(server, 'SIGKILL');
  process.once('exit', killOnExit);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killOnExit);
    killGroup(server, 'SIGINT');
    const timer = setTimeout(() => killGroup(server, 'SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  };
  const url = `postgres://${USER}@127.0.0.1:${port}/postgres`;
  try {
    await waitReady(url, server, () => log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port, stop };
}

/** Root cannot run PostgreSQL: the Debian package's `postgres` user owns the cluster then. */
function clusterOwner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return { uid, gid };
  } catch {
    throw new Error('running as root and there is no `postgres` user to run PostgreSQL as (install postgresql)');
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

async function waitReady(url: string, server: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (server.exitCode !== null || server.signalCode !== null) {
      throw new Error(`postgres exited before it was ready: ${log().trim()}`);
    }
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => {});
      if (Date.now() > deadline) throw new Error(`postgres did not become ready: ${String(error)}; ${log().trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
