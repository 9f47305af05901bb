/**
 * rattler's `simpleSolve` in a worker thread. The WebAssembly module fetches repodata with the
 * global `fetch` (so plain HTTP channels work, loopback included), but it cannot read `file://`
 * channels, has no timeout of its own, and a panic inside it (a malformed input it did not
 * expect) aborts whatever thread runs it. In a worker, a panic or a hung channel ends the worker,
 * not cvebuild: the worker's `fetch` gets a timeout per request and remembers what failed, its
 * standard error (where the panic hook writes) is kept for the message, and the whole solve has a
 * time limit past which the worker is terminated. The module loads only in runs that solve.
 */
import { createRequire } from 'node:module';
import { finished } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { DEFAULT_TIMEOUT_MS } from '../../net/defaults.ts';
import type { VirtualPackage } from './platforms.ts';

export interface SolveCall {
  specs: string[];
  channels: string[];
  /** The subdir solved for, and `noarch`. */
  platforms: string[];
  virtualPackages: VirtualPackage[];
}

/** One solved record, as rattler returns it (numbers instead of bigints). */
export interface SolvedRecord {
  name: string;
  version: string;
  build: string;
  buildNumber?: number;
  subdir?: string;
  channel?: string;
  url: string;
  filename: string;
  sha256?: string;
  md5?: string;
  size?: number;
  depends: string[];
}

export interface FailedRequest {
  url: string;
  reason: string;
}

export type SolveAnswer =
  | { ok: true; records: SolvedRecord[] }
  | { ok: false; message: string; failedRequests: FailedRequest[] };

export type SolveOutcome =
  | { status: 'answered'; answers: SolveAnswer[] }
  /** The worker died (a panic in the WebAssembly module) or ran past the time limit. */
  | { status: 'crashed'; message: string }
  | { status: 'timeout'; ms: number };

export interface SolveOptions {
  requestTimeoutMs?: number;
  /** The whole run of solves. */
  timeoutMs?: number;
}

const DEFAULT_SOLVE_TIMEOUT_MS = 10 * 60_000;
const MAX_STDERR = 16_384;

export async function solveInWorker(calls: SolveCall[], options: SolveOptions = {}): Promise<SolveOutcome> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_SOLVE_TIMEOUT_MS;
  const workerData = {
    rattler: createRequire(import.meta.url).resolve('@conda-org/rattler'),
    calls,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
  const worker = new Worker(`(${solverWorker.toString()})(require);`, {
    eval: true,
    workerData,
    stdout: true,
    stderr: true,
  });
  let stderr = '';
  worker.stderr.setEncoding('utf8');
  worker.stderr.on('data', (chunk: string) => {
    if (stderr.length < MAX_STDERR) stderr += chunk;
  });
  worker.stdout.resume();
  return new Promise<SolveOutcome>((resolve) => {
    let settled = false;
    const settle = (outcome: SolveOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const timer = setTimeout(() => {
      settle({ status: 'timeout', ms: timeoutMs });
      void worker.terminate();
    }, timeoutMs);
    worker.once('message', (answers: SolveAnswer[]) => {
      settle({ status: 'answered', answers });
      // idle keep-alive connections to the channels are no reason to wait
      void worker.terminate();
    });
    let failure: unknown;
    worker.once('error', (error) => {
      failure = error;
    });
    worker.once('exit', (code) => {
      // the panic hook's text ("panicked at <file>:\n<message>") says more than "unreachable":
      // wait for the rest of the worker's standard error before reading it
      finished(worker.stderr, () => {
        const cause = failure === undefined ? `the solver's worker exited (code ${code})` : String(failure);
        settle({ status: 'crashed', message: panicMessage(stderr) ?? cause });
      });
    });
  });
}

function panicMessage(stderr: string): string | undefined {
  const lines = stderr.split('\n').map((line) => line.trim());
  const at = lines.findIndex((line) => line.startsWith('panicked at'));
  if (at === -1) return undefined;
  return `rattler panicked: ${lines[at + 1] || lines[at]}`;
}

/**
 * The worker's whole program. It runs from its source text (`eval`), so it refers to nothing
 * outside itself and gets `require` as its argument: a bundler rewrites `require` calls it sees.
 */
function solverWorker(load: (id: string) => unknown): void {
  const threads = load('node:worker_threads') as typeof import('node:worker_threads');
  const data = threads.workerData as {
    rattler: string;
    calls: SolveCall[];
    requestTimeoutMs: number;
  };
  const rattler = load(data.rattler) as typeof import('@conda-org/rattler');
  let failed: FailedRequest[] = [];
  const networkFetch = globalThis.fetch;
  const reasonOf = (error: unknown): string => {
    const { name, message, cause } = error as { name?: string; message?: string; cause?: Error & { code?: string } };
    if (name === 'TimeoutError') return `no answer within ${data.requestTimeoutMs / 1000} s`;
    const detail = cause?.code ?? cause?.message;
    return detail ? `${message ?? name}: ${detail}` : String(message ?? error);
  };
  globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    try {
      const response = await networkFetch(request, { signal: AbortSignal.timeout(data.requestTimeoutMs) });
      // a 404 is an answer: the optional forms of repodata (shards, .zst, .bz2) are asked for first
      if (!response.ok && response.status !== 404)
        failed.push({ url: request.url, reason: `HTTP ${response.status} ${response.statusText}`.trim() });
      return response;
    } catch (error) {
      failed.push({ url: request.url, reason: reasonOf(error) });
      throw error;
    }
  };
  const solveAll = async (): Promise<SolveAnswer[]> => {
    const answers: SolveAnswer[] = [];
    for (const call of data.calls) {
      failed = [];
      const locked = call.virtualPackages.map((pkg) => ({
        url: `virtual:///${pkg.name}`,
        packageName: pkg.name,
        version: pkg.version,
        build: pkg.build,
        filename: `${pkg.name}-${pkg.version}-${pkg.build}.conda`,
        subdir: call.platforms[0],
      }));
      try {
        const solved = await rattler.simpleSolve(
          call.specs,
          call.channels,
          call.platforms as Parameters<typeof rattler.simpleSolve>[2],
          locked,
        );
        const records: SolvedRecord[] = [];
        for (const pkg of solved) {
          // the platform's virtual packages come back as part of the solution: they are not installed
          if (pkg.packageName.startsWith('__')) continue;
          const record: SolvedRecord = {
            name: pkg.packageName,
            version: pkg.version,
            build: pkg.build,
            url: pkg.url,
            filename: pkg.filename,
            depends: pkg.depends ?? [],
          };
          if (pkg.buildNumber !== undefined) record.buildNumber = Number(pkg.buildNumber);
          if (pkg.subdir) record.subdir = pkg.subdir;
          if (pkg.repoName) record.channel = pkg.repoName;
          if (pkg.sha256) record.sha256 = pkg.sha256;
          if (pkg.md5) record.md5 = pkg.md5;
          if (pkg.size !== undefined) record.size = Number(pkg.size);
          records.push(record);
          pkg.free();
        }
        answers.push({ ok: true, records });
      } catch (error) {
        answers.push({ ok: false, message: String(error), failedRequests: failed });
      }
    }
    return answers;
  };
  void solveAll().then((answers) => threads.parentPort?.postMessage(answers));
}
