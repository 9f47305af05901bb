/**
 * bench/sast: cvebuild's Python SAST (ast-grep rule pack) against Bandit on the same files, in
 * the same run: wall time of each, and per Bandit test both implement, how often both report the
 * same place. Default tree: the stdlib of /usr/bin/python3 (Debian: /usr/lib/python3.11, 668 files).
 * Goals: ≥ 10× faster than Bandit, ≥ 90% agreement over the shared Bandit ids.
 *   node bench/sast.ts [TREE]
 *
 * "Same place": same file, and Bandit's line within our hit's line range (Bandit reports some
 * calls at an argument's line, e.g. B602 at `shell=`). Agreement = both / (ours ∪ bandit).
 * Hits we mark `beyondBandit` (callees or cases Bandit 1.6.2 does not know) are left out of the
 * comparison and counted separately. Only ids Bandit itself lists count as shared.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { CodeFile, CodeHit } from '../src/code/types.ts';
import { runExternal } from '../src/sast/external.ts';
import { scanPython } from '../src/sast/python.ts';
import { PYTHON_RULES } from '../src/sast/rules/index.ts';
import { ratio } from './measure.ts';

const tree =
  process.argv[2] ??
  execFileSync('/usr/bin/python3', ['-c', "import sysconfig; print(sysconfig.get_paths()['stdlib'])"], {
    encoding: 'utf8',
  }).trim();

/** Every .py file under `dir`, skipping installed packages. */
function pythonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'site-packages' || entry.name === 'dist-packages') continue;
      out.push(...pythonFiles(path));
    } else if (entry.isFile() && entry.name.endsWith('.py')) out.push(path);
  }
  return out;
}

let banditAvailable = true;
try {
  execFileSync('bandit', ['--version'], { stdio: 'ignore' });
} catch {
  banditAvailable = false;
}

const files: CodeFile[] = pythonFiles(tree)
  .sort()
  .map((absolute) => ({ path: relative(tree, absolute), absolute, size: statSync(absolute).size }));
const megabytes = files.reduce((sum, file) => sum + file.size, 0) / 1e6;

// Ours: first (cold: language registration, rule compilation) and the median of 3 warm runs.
let start = performance.now();
const scan = await scanPython(files);
const coldMs = performance.now() - start;
const warm: number[] = [];
for (let i = 0; i < 3; i++) {
  start = performance.now();
  await scanPython(files);
  warm.push(performance.now() - start);
}
const oursMs = warm.sort((a, b) => a - b)[1] ?? coldMs;

console.log(`tree                            ${tree}`);
console.log(`files                           ${files.length} .py, ${megabytes.toFixed(1)} MB`);
console.log(
  `cvebuild scanPython             ${oursMs.toFixed(0)} ms (cold ${coldMs.toFixed(0)} ms; ${scan.hits.length} hits, ${scan.skipped.length} skipped)`,
);
for (const skipped of scan.skipped) console.log(`  skipped ${skipped.path}: ${skipped.reason}`);

if (!banditAvailable) {
  console.log('bandit                          not on PATH: comparison skipped');
  process.exit(0);
}

start = performance.now();
const bandit = await runExternal('bandit', tree, files);
const banditMs = performance.now() - start;
if ('error' in bandit) {
  console.log(`bandit                          failed: ${bandit.error}`);
  process.exit(1);
}
console.log(`bandit (all tests)              ${(banditMs / 1000).toFixed(1)} s (${bandit.hits.length} results)`);
console.log(
  `cvebuild / bandit               ${ratio(oursMs, banditMs)} (${(banditMs / oursMs).toFixed(1)}× faster; goal ≥ 10×)`,
);

const banditIds = new Set(
  execFileSync('bandit', ['-h'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s+(B\d{3})\s/.exec(line)?.[1])
    .filter((id): id is string => id !== undefined),
);
const ourIds = [...new Set(PYTHON_RULES.map((rule) => rule.bandit).filter((id): id is string => id !== undefined))];
const shared = ourIds.filter((id) => banditIds.has(id)).sort();
const notShared = ourIds.filter((id) => !banditIds.has(id)).sort();

const key = (hit: CodeHit) => `${hit.file}\u0000${hit.line}`;
const oursCompared = scan.hits.filter((hit) => hit.extra?.beyondBandit !== true);
const beyond = scan.hits.filter((hit) => hit.extra?.beyondBandit === true);

interface Row {
  id: string;
  bandit: number;
  ours: number;
  both: number;
  union: number;
}
const rows: Row[] = [];
const misses: string[] = [];
for (const id of shared) {
  const theirs = new Map<string, CodeHit>();
  for (const hit of bandit.hits) if (hit.bandit === id) theirs.set(key(hit), hit);
  const mine = oursCompared.filter((hit) => hit.bandit === id);
  const mineByFile = new Map<string, CodeHit[]>();
  for (const hit of mine) mineByFile.set(hit.file, [...(mineByFile.get(hit.file) ?? []), hit]);
  // Places: each Bandit line once, each of our hits once; a pair counts once.
  const matchedMine = new Set<CodeHit>();
  let both = 0;
  for (const hit of theirs.values()) {
    const match = mineByFile
      .get(hit.file)
      ?.find((m) => !matchedMine.has(m) && hit.line >= m.line && hit.line <= m.endLine);
    if (match) {
      matchedMine.add(match);
      both++;
    } else misses.push(`  bandit only ${id} ${hit.file}:${hit.line} ${hit.snippet ?? ''}`);
  }
  const oursPlaces = new Set(mine.map(key)).size;
  for (const m of mine)
    if (!matchedMine.has(m)) misses.push(`  ours only   ${id} ${m.file}:${m.line} ${m.snippet ?? ''}`);
  rows.push({ id, bandit: theirs.size, ours: oursPlaces, both, union: theirs.size + mine.length - both });
}

const excluded = new Map(
  PYTHON_RULES.filter((rule) => rule.benchExcluded && rule.bandit).map((rule) => [rule.bandit, rule.benchExcluded]),
);

console.log('');
console.log('bandit id  rule                            bandit   ours   both  agreement');
for (const row of rows) {
  const rule = PYTHON_RULES.filter((r) => r.bandit === row.id)
    .map((r) => r.id)
    .join(',');
  const mark = excluded.has(row.id) ? '*' : ' ';
  const agreement = row.union === 0 ? '   (none)' : `${((100 * row.both) / row.union).toFixed(1).padStart(8)}%`;
  console.log(
    `${(row.id + mark).padEnd(10)} ${rule.padEnd(30).slice(0, 30)} ${String(row.bandit).padStart(7)} ${String(row.ours).padStart(6)} ${String(row.both).padStart(6)} ${agreement}`,
  );
}
const total = rows
  .filter((row) => !excluded.has(row.id))
  .reduce((sum, row) => ({ both: sum.both + row.both, union: sum.union + row.union }), { both: 0, union: 0 });
console.log(
  `overall (shared ids, * excluded) ${total.both} / ${total.union} = ${((100 * total.both) / Math.max(1, total.union)).toFixed(1)}% (goal ≥ 90%)`,
);
for (const [id, why] of excluded) console.log(`* ${id} excluded from the goal: ${why}`);
console.log(`not compared: ids Bandit ${[...banditIds].length ? 'lacks' : '?'}: ${notShared.join(', ') || '-'}`);
console.log(`not compared: ${beyond.length} hits marked beyondBandit (cases Bandit 1.6.2 does not flag)`);
for (const rule of PYTHON_RULES.filter((r) => r.benchNote)) console.log(`note: ${rule.id}: ${rule.benchNote}`);
if (process.env.SAST_BENCH_VERBOSE) for (const line of misses) console.log(line);
else console.log(`(${misses.length} disagreements; SAST_BENCH_VERBOSE=1 lists them)`);
