/**
 * Optional external engines: Bandit and Semgrep, run when the user enables them and they are on
 * PATH, their results mapped to `CodeHit`s and merged with ours. Failures (not installed, crash,
 * unreadable output) come back as `{ error }`, never thrown and never dropped silently.
 *
 * Bandit: `bandit -f json -q -o <tmp> <files…>`. Exit code 1 means "issues found", not failure;
 * Bandit 1.6.2 also prints an IndexError traceback on some files yet still writes its JSON, so the
 * JSON decides, not the exit code. 1.6.2 has no `issue_cwe`; the CWE then comes from our rule of
 * the same Bandit family. Semgrep: `semgrep scan --json --config <config> --metrics=off <files…>`
 * (its documented CLI JSON: `results[].check_id/path/start/end/extra.{message,severity,metadata}`).
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { CodeFile, CodeHit, Confidence } from '../code/types.ts';
import type { Severity } from '../model/finding.ts';
import { compareHits, snippetOf } from './hits.ts';
import { PYTHON_RULES } from './rules/index.ts';

export type ExternalEngine = 'bandit' | 'semgrep';

export interface ExternalOptions {
  /** Semgrep `--config` (a registry name such as `p/python`, or a local rules file). */
  semgrepConfig?: string;
  /** Kill the tool after this long (default 10 minutes). */
  timeoutMs?: number;
  /** Where to look for the executable (default: PATH). */
  path?: string;
}

export type ExternalResult = { hits: CodeHit[] } | { error: string };

/** Files per invocation: keeps command lines well under ARG_MAX. */
const CHUNK = 1000;

export async function runExternal(
  engine: ExternalEngine,
  root: string,
  files: readonly CodeFile[],
  options: ExternalOptions = {},
): Promise<ExternalResult> {
  const executable = findOnPath(engine, options.path ?? process.env.PATH ?? '');
  if (!executable) return { error: `${engine} is not on PATH` };
  const python = files.filter((file) => file.path.endsWith('.py'));
  if (python.length === 0) return { hits: [] };
  const hits: CodeHit[] = [];
  for (let i = 0; i < python.length; i += CHUNK) {
    const chunk = python.slice(i, i + CHUNK);
    const result =
      engine === 'bandit'
        ? await runBandit(executable, root, chunk, options)
        : await runSemgrep(executable, root, chunk, options);
    if ('error' in result) return result;
    hits.push(...result.hits);
  }
  return { hits: hits.sort(compareHits) };
}

function findOnPath(name: string, path: string): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {}
  }
  return undefined;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  error?: string;
}

function run(executable: string, args: string[], cwd: string, timeoutMs: number): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(executable, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => {
      clearTimeout(timer);
      done({ code: null, stdout: '', stderr: '', error: error.message });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        error: signal ? `killed by ${signal}${signal === 'SIGKILL' ? ' (timeout)' : ''}` : undefined,
      });
    });
  });
}

const tail = (text: string): string => text.trim().split('\n').slice(-3).join(' | ').slice(0, 400);

async function runBandit(
  executable: string,
  root: string,
  files: readonly CodeFile[],
  options: ExternalOptions,
): Promise<ExternalResult> {
  const dir = mkdtempSync(join(tmpdir(), 'cvebuild-bandit-'));
  const output = join(dir, 'bandit.json');
  try {
    const result = await run(
      executable,
      ['-f', 'json', '-q', '-o', output, ...files.map((file) => file.absolute)],
      root,
      options.timeoutMs ?? 600_000,
    );
    let text: string;
    try {
      text = readFileSync(output, 'utf8');
    } catch {
      return {
        error: `bandit failed (${result.error ?? `exit ${result.code}`}) without writing JSON: ${tail(result.stderr || result.stdout)}`,
      };
    }
    try {
      return { hits: parseBanditJson(text, root, files) };
    } catch (error) {
      return { error: `bandit wrote unreadable JSON: ${(error as Error).message}` };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runSemgrep(
  executable: string,
  root: string,
  files: readonly CodeFile[],
  options: ExternalOptions,
): Promise<ExternalResult> {
  const config = options.semgrepConfig ?? 'p/python';
  const result = await run(
    executable,
    ['scan', '--json', '--config', config, '--metrics=off', '--quiet', ...files.map((file) => file.absolute)],
    root,
    options.timeoutMs ?? 600_000,
  );
  if (result.error && !result.stdout) return { error: `semgrep failed: ${result.error}` };
  try {
    return { hits: parseSemgrepJson(result.stdout, root, files) };
  } catch (error) {
    return {
      error: `semgrep failed (exit ${result.code}): ${(error as Error).message}; ${tail(result.stderr)}`,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Parsers (exported for tests)

interface BanditResult {
  filename: string;
  test_id: string;
  test_name?: string;
  issue_text: string;
  issue_severity: string;
  issue_confidence: string;
  issue_cwe?: { id?: number | string; link?: string };
  line_number: number;
  line_range?: number[];
  col_offset?: number;
  end_col_offset?: number;
  code?: string;
  more_info?: string;
}

const RULE_BY_BANDIT = new Map(PYTHON_RULES.filter((rule) => rule.bandit).map((rule) => [rule.bandit, rule]));

const level = (text: string | undefined): 'low' | 'medium' | 'high' => {
  const lower = String(text ?? '').toLowerCase();
  return lower === 'high' ? 'high' : lower === 'low' ? 'low' : 'medium';
};

/** Maps a reported file name back to the walker's file (or a root-relative path). */
function fileResolver(root: string, files: readonly CodeFile[]): (name: string) => string {
  const byAbsolute = new Map(files.map((file) => [file.absolute, file.path]));
  return (name) => {
    const absolute = isAbsolute(name) ? name : resolve(root, name);
    return byAbsolute.get(absolute) ?? relative(root, absolute).split(sep).join('/');
  };
}

/** Bandit's `-f json` output → hits (`bandit.B602`). Throws on malformed JSON. */
export function parseBanditJson(text: string, root: string, files: readonly CodeFile[]): CodeHit[] {
  const data = JSON.parse(text) as { results?: BanditResult[] };
  if (!Array.isArray(data.results)) throw new Error('no "results" array');
  const fileOf = fileResolver(root, files);
  return data.results.map((result): CodeHit => {
    const ours = RULE_BY_BANDIT.get(result.test_id);
    const cweId = result.issue_cwe?.id;
    const line = result.line_number;
    const column = (result.col_offset ?? 0) + 1;
    const codeLine = (result.code ?? '')
      .split('\n')
      .find((l) => l.startsWith(`${line} `))
      ?.replace(/^\d+\s/, '');
    const hit: CodeHit = {
      engine: 'bandit',
      rule: `bandit.${result.test_id}`,
      message: result.issue_text,
      severity: level(result.issue_severity) as Severity,
      confidence: level(result.issue_confidence) as Confidence,
      cwe: cweId !== undefined && cweId !== '' && Number(cweId) !== 0 ? `CWE-${cweId}` : ours?.cwe,
      owasp: ours?.owasp,
      bandit: result.test_id,
      file: fileOf(result.filename),
      line,
      column,
      endLine: Math.max(line, ...(result.line_range ?? [])),
      endColumn: result.end_col_offset !== undefined ? result.end_col_offset + 1 : column,
      snippet: codeLine !== undefined ? snippetOf(codeLine) : undefined,
    };
    if (result.more_info) hit.extra = { moreInfo: result.more_info, testName: result.test_name };
    return hit;
  });
}

interface SemgrepResult {
  check_id: string;
  path: string;
  start: { line: number; col: number };
  end: { line: number; col: number };
  extra?: {
    message?: string;
    severity?: string;
    lines?: string;
    metadata?: {
      cwe?: string | string[];
      owasp?: string | string[];
      confidence?: string;
      references?: string[];
    };
  };
}

// A Map, because the key is the tool's output: `CONSTRUCTOR` must not find Object's.
const SEMGREP_SEVERITY = new Map<string, Severity>([
  ['ERROR', 'high'],
  ['WARNING', 'medium'],
  ['INFO', 'low'],
  ['CRITICAL', 'critical'],
  ['HIGH', 'high'],
  ['MEDIUM', 'medium'],
  ['LOW', 'low'],
]);

const first = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

/** Semgrep's `--json` output → hits (`semgrep.<check_id>`). Throws on malformed JSON. */
export function parseSemgrepJson(text: string, root: string, files: readonly CodeFile[]): CodeHit[] {
  const data = JSON.parse(text) as { results?: SemgrepResult[] };
  if (!Array.isArray(data.results)) throw new Error('no "results" array');
  const fileOf = fileResolver(root, files);
  return data.results.map((result): CodeHit => {
    const metadata = result.extra?.metadata ?? {};
    const cwe = /CWE-\d+/.exec(first(metadata.cwe) ?? '')?.[0];
    const owaspList = Array.isArray(metadata.owasp) ? metadata.owasp : metadata.owasp ? [metadata.owasp] : [];
    const owasp = owaspList.find((entry) => entry.includes(':2021'))?.replace(/^(A\d\d:2021)\s*-\s*/, '$1-');
    const hit: CodeHit = {
      engine: 'semgrep',
      rule: `semgrep.${result.check_id}`,
      message: (result.extra?.message ?? result.check_id).split('\n')[0]?.trim() ?? result.check_id,
      severity: SEMGREP_SEVERITY.get(String(result.extra?.severity ?? '').toUpperCase()) ?? 'medium',
      confidence: level(metadata.confidence) as Confidence,
      file: fileOf(result.path),
      line: result.start.line,
      column: result.start.col,
      endLine: result.end.line,
      endColumn: result.end.col,
    };
    if (cwe) hit.cwe = cwe;
    if (owasp) hit.owasp = owasp;
    if (result.extra?.lines) hit.snippet = snippetOf(result.extra.lines);
    return hit;
  });
}

/**
 * Ours plus theirs, without duplicates: a hit of another engine on the same file and CWE whose
 * line falls within one of our hits' lines (Bandit reports some calls at an argument's line) is
 * dropped and named in our hit's `extra.alsoReportedBy` (`bandit.B602`). Inputs are not modified.
 */
export function mergeHits(ours: readonly CodeHit[], theirs: readonly CodeHit[]): CodeHit[] {
  const merged = ours.map((hit) => ({ ...hit, extra: hit.extra ? { ...hit.extra } : undefined }));
  const byFile = new Map<string, CodeHit[]>();
  for (const hit of merged) byFile.set(hit.file, [...(byFile.get(hit.file) ?? []), hit]);
  const kept: CodeHit[] = [];
  for (const hit of theirs) {
    const same = hit.cwe
      ? byFile.get(hit.file)?.find((mine) => mine.cwe === hit.cwe && hit.line >= mine.line && hit.line <= mine.endLine)
      : undefined;
    if (!same) {
      kept.push(hit);
      continue;
    }
    const extra = same.extra ?? {};
    const also = Array.isArray(extra.alsoReportedBy) ? (extra.alsoReportedBy as string[]) : [];
    if (!also.includes(hit.rule)) also.push(hit.rule);
    extra.alsoReportedBy = also;
    same.extra = extra;
  }
  for (const hit of merged) if (hit.extra === undefined) delete hit.extra;
  return [...merged, ...kept].sort(compareHits);
}
