/**
 * bench/bombs: the memory and time bombs of issue 12 (items 7 and 8), each generated here in a
 * temp dir and run through the real CLI (this Node, bin/cvebuild.js) under /usr/bin/time -v. For
 * each case: exit status, the outcome (the error line, or the finding that says what was not
 * checked), peak RSS and wall time, and both as ratios to the baseline of its group: the same
 * command on a small benign input, measured in the same run. `cvebuild --version` is the floor.
 * Goal: every case under 5 s and 300 MB, ending in exit 2 or a not-checked finding. Printed, not
 * asserted.
 *   node bench/bombs.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bulkyOsvRecord,
  condaNameBomb,
  doublingSets,
  grownString,
  joinBomb,
  lockFor,
  longExpression,
  longLine,
  metaYaml,
  nestedIfs,
  osvZipBomb,
  PYTHON_NESTING,
} from '../test/helpers/bombs.ts';
import { zipEntries } from '../test/helpers/zip-writer.ts';
import { condaBytes, INDEX_JSON } from '../test/unit/artifacts/archive-builder.ts';
import { ratio } from './measure.ts';

const BIN = fileURLToPath(new URL('../bin/cvebuild.js', import.meta.url));
const TIME = '/usr/bin/time';
const MiB = 1024 * 1024;

if (!existsSync(TIME)) {
  console.log(`skip: ${TIME} not found (GNU time measures the child's peak RSS)`);
  process.exit(0);
}

const root = mkdtempSync(join(tmpdir(), 'cvebuild-bench-bombs-'));
process.on('exit', () => rmSync(root, { recursive: true, force: true }));

function write(path: string, content: string | Uint8Array): string {
  const absolute = join(root, path);
  mkdirSync(dirname(absolute), { recursive: true });
  writeFileSync(absolute, content);
  return absolute;
}

interface Run {
  status: number | null;
  /** The error line, or the report's line naming what was not checked. */
  outcome: string;
  peakMb: number;
  seconds: number;
}

function run(args: string[], notice?: RegExp): Run {
  const result = spawnSync(TIME, ['-v', process.execPath, BIN, ...args], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 256 * MiB,
  });
  const stderr = result.stderr ?? '';
  const peakKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1] ?? Number.NaN);
  const clock = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(stderr);
  const seconds = clock ? Number(clock[1] ?? 0) * 3600 + Number(clock[2]) * 60 + Number(clock[3]) : Number.NaN;
  const ours = stderr.split('\n').find((line) => line.startsWith('cvebuild:'));
  const shown = notice ? `${result.stdout}\n${stderr}`.split('\n').find((line) => notice.test(line)) : undefined;
  const status = Number(/Exit status: (\d+)/.exec(stderr)?.[1] ?? Number.NaN);
  const signal = /Command terminated by signal (\d+)/.exec(stderr)?.[1];
  return {
    status: signal ? 128 + Number(signal) : status,
    outcome: (ours ?? shown?.trim() ?? '').replace(root, '$TMP').slice(0, 110),
    peakMb: peakKb / 1024,
    seconds,
  };
}

interface Case {
  name: string;
  args: string[];
  /** A line of the report that shows the outcome when the command does not fail (a not-scanned finding). */
  notice?: RegExp;
  /** Checked after the run (a temp dir left behind). */
  after?: () => string;
}

interface Group {
  title: string;
  baseline: Case;
  cases: Case[];
}

const groups: Group[] = [];

// --- OSV import (item 7): a zip of a few hundred 15 MB records; records under the cap, streamed.
{
  const small = write('osv/small.zip', zipEntries([{ name: 'PYSEC-1.json', data: bulkyOsvRecord('PYSEC-1', 2_000) }]));
  const bomb = write('osv/bomb.zip', osvZipBomb(300, 15_000_000));
  const streamed = write('osv/streamed.zip', osvZipBomb(10, 4 * MiB - 64 * 1024));
  const line = write('osv/huge-line.jsonl', `${bulkyOsvRecord('PYSEC-9', 60 * MiB)}\n`);
  const storeDir = join(root, 'osv-store');
  mkdirSync(storeDir);
  const leftovers = () => {
    const left = readdirSync(storeDir).filter((name) => name.startsWith('.cvebuild-update-'));
    return left.length === 0 ? 'temp dir removed' : `LEFT BEHIND: ${left.join(', ')}`;
  };
  groups.push({
    title: 'db import / db update (OSV)',
    baseline: { name: 'one 2 KB record', args: ['db', 'import', '--db', join(root, 'base.sqlite'), small] },
    cases: [
      { name: '300 × 15 MB records (zip)', args: ['db', 'import', '--db', join(root, 'a.sqlite'), bomb] },
      {
        name: '10 × 3.9 MB records, streamed',
        args: ['db', 'import', '--db', join(root, 'b.sqlite'), streamed],
        notice: /^imported /,
      },
      { name: 'one 60 MB JSON-lines record', args: ['db', 'import', '--db', join(root, 'c.sqlite'), line] },
      {
        name: 'db update, 300 × 15 MB zip',
        args: [
          'db',
          'update',
          '--db',
          join(storeDir, 'intel.sqlite'),
          '--only',
          'osv-pypi',
          '--feed',
          `osv-pypi=file://${bomb}`,
        ],
        after: leftovers,
      },
    ],
  });
}

// --- Package archives (item 7): 5,000 entries with 1 MB names and 1 MB of data, ~51 MB on disk.
{
  const channel = 'https://conda.example.invalid/bench';
  const base = write(
    'conda/base/noarch/demo-1.0-0.conda',
    condaBytes({ stem: 'demo-1.0-0', info: [{ name: 'info/index.json', data: INDEX_JSON('demo') }], pkg: [] }),
  );
  write('conda/base/pixi.lock', lockFor(channel, ['demo-1.0-0.conda']));
  const named = await condaNameBomb('demo-1.0-0', 5000, 1_000_000, 1_000_000, 50 * MiB);
  write('conda/names/noarch/demo-1.0-0.conda', named);
  write('conda/names/pixi.lock', lockFor(channel, ['demo-1.0-0.conda']));
  const many = await condaNameBomb('demo-1.0-0', 50_000, 4000, 0, 4 * MiB);
  write('conda/many/noarch/demo-1.0-0.conda', many);
  write('conda/many/pixi.lock', lockFor(channel, ['demo-1.0-0.conda']));
  const gate = (dir: string) => [
    'gate',
    join(root, dir, 'pixi.lock'),
    '--checks',
    'link-scripts',
    '--packages',
    join(root, dir),
  ];
  groups.push({
    title: `gate --checks link-scripts (archive ${(named.length / MiB).toFixed(0)} MB on disk)`,
    baseline: { name: 'a small .conda', args: gate('conda/base') },
    cases: [
      { name: '5,000 × 1 MB names + 1 MB data', args: gate('conda/names'), notice: /not checked/ },
      { name: '50,000 × 4,000-byte names', args: gate('conda/many'), notice: /^\d+ packages/ },
    ],
  });
  void base;
}

// --- Recipe templates (item 7).
{
  const recipe = (name: string, text: string) => write(`recipes/${name}/meta.yaml`, text);
  const inventory = (name: string, text: string): Case => ({
    name,
    args: ['inventory', recipe(name.replace(/\W+/g, '-'), text)],
    notice: /^warning: .*cannot resolve/,
  });
  groups.push({
    title: 'inventory meta.yaml (recipe templates)',
    baseline: inventory('a plain recipe', metaYaml('{% set version = "1.0" %}')),
    cases: [
      inventory('{% set a = a + a %} ×40 (list)', metaYaml(doublingSets('list', 40), '{{ a }}')),
      inventory('{% set a = [a, a] %} ×40', metaYaml(doublingSets('nested', 40), '{{ a }}')),
      inventory(
        'replace("", s), s of 32 K',
        metaYaml(grownString(32_768, '{% set b = s | replace("", s) %}'), '{{ b }}'),
      ),
      inventory('join, 4 K items, 32 K separator', metaYaml(joinBomb(12, 32_768), '{{ j }}')),
      inventory('{{ s }} ×400, s of 60 K', metaYaml(grownString(60_000, '{{ s }}\n'.repeat(400)))),
      inventory('100,000-term expression', metaYaml(longExpression(100_000))),
      inventory('2,000-term chain (in one tag)', metaYaml(longExpression(2_000), '{{ a }}')),
      inventory('20,000 nested {% if %}', nestedIfs(20_000, metaYaml(''))),
      inventory('200,000-space line (after "- b")', `${metaYaml('')}${longLine('    - b', 200_000)}\n`),
      inventory('200,000-space line (after "x")', `${metaYaml('')}${longLine('x', 200_000)}\n`),
    ],
  });
}

// --- SAST (item 8): the file and one per way of nesting.
{
  const project = (name: string, text: string) => {
    write(`python/${name}/code.py`, text);
    return join(root, 'python', name);
  };
  const scan = (name: string, text: string): Case => ({
    name,
    args: ['scan-code', project(name.replace(/\W+/g, '-'), text)],
    notice: /not-scanned|finding\(s\)/,
  });
  groups.push({
    title: 'scan-code (Python SAST + secrets)',
    baseline: scan('a plain file', 'import subprocess\nsubprocess.run(["ls"])\n'),
    cases: [
      scan('600 indented blocks (the issue)', PYTHON_NESTING.indent(600)),
      scan('200,000 parentheses', PYTHON_NESTING.parentheses(200_000)),
      scan('300 nested f-strings', PYTHON_NESTING.fstrings(300)),
      scan('50,000 calls chained f()()…', PYTHON_NESTING.callChain(50_000)),
      scan('1,000,000 unary minus', PYTHON_NESTING.minus(1_000_000)),
      scan('2,000 lines ever more indented', PYTHON_NESTING.unblocked(2_000)),
      scan('400,000 lines of eval(x) (4 MB)', 'eval(x)\n'.repeat(400_000)),
      scan('50,000 lines of eval(x), the most parsed', 'eval(x)\n'.repeat(50_000)),
    ],
  });
}

const floor = run(['--version']);
console.log(`floor: cvebuild --version  ${floor.peakMb.toFixed(0)} MB  ${floor.seconds.toFixed(2)} s\n`);
const header = `${'case'.padEnd(34)}exit  ${'peak MB'.padStart(8)} ${'×base'.padStart(7)} ${'s'.padStart(6)} ${'×base'.padStart(7)}  outcome`;
let worst = { mb: 0, s: 0 };
for (const group of groups) {
  const base = run(group.baseline.args, group.baseline.notice);
  console.log(`${group.title}\n${header}`);
  const line = (name: string, result: Run, extra = '') =>
    console.log(
      `${name.slice(0, 33).padEnd(34)}${String(result.status).padEnd(6)}${result.peakMb.toFixed(0).padStart(8)} ${ratio(result.peakMb, base.peakMb).padStart(7)} ${result.seconds.toFixed(2).padStart(6)} ${ratio(result.seconds, base.seconds).padStart(7)}  ${result.outcome}${extra}`,
    );
  line(`baseline: ${group.baseline.name}`, base);
  for (const bomb of group.cases) {
    const result = run(bomb.args, bomb.notice);
    worst = { mb: Math.max(worst.mb, result.peakMb), s: Math.max(worst.s, result.seconds) };
    line(bomb.name, result, bomb.after ? `; ${bomb.after()}` : '');
  }
  console.log('');
}
console.log(`worst case: ${worst.mb.toFixed(0)} MB, ${worst.s.toFixed(2)} s (goal: under 300 MB and 5 s each)`);
