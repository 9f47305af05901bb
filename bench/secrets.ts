/**
 * bench/secrets: throughput of the secret scanner (secretlint core + preset + cvebuild detectors,
 * anchor prefilter) over (a) a generated tree of realistic source/config text (~20 MB: Python,
 * pixi.lock, pixi.toml, YAML, JSON, Markdown) with the labelled fake secrets planted, in memory and
 * through `scanSecrets` from disk; (b) the real corpus text files (../shared/corpus, bounded) if
 * present. Baselines measured interleaved in the same run: one plain RegExp (GitHub classic tokens)
 * over the same strings, and reading the same files. Goal: ≥ 50 MB/s.
 *   node bench/secrets.ts [MB]
 *
 * Options measured (2-core runner, in the same process, Node 24):
 *   - every rule on every text, no prefilter: 14.8 MB/s on the generated tree, 21.1 MB/s on the
 *     corpus (per-text setup of ~40 secretlint rule contexts and ~60 regex passes per text);
 *   - prefilter by `content.includes` per anchor (75 literals = 75 passes): ~35 MB/s for the
 *     prefilter alone on the corpus, before any rule runs;
 *   - prefilter by one alternation RegExp of all anchors: ~60-80 MB/s for the prefilter alone;
 *   - prefilter by an Aho-Corasick automaton over the anchors (kept, src/secrets/prefilter.ts):
 *     134 MB/s scanText on the generated tree, 104 MB/s on the corpus, 67 MB/s for scanSecrets from
 *     disk (reading + UTF-8 decoding + scanning). worker_threads were not needed for the goal.
 * Then scanSecrets screens each file's bytes in 256 KiB windows through one buffer and reads it
 * whole and decodes it only if some rule's anchors may occur in it; secretlint loads only for a
 * text that selects a rule. Measured on the same (busier) runner, alternating with the version
 * before: scanSecrets over the corpus files on disk (mostly anchor-free locks) 49-55 -> 67-78 MB/s;
 * the generated tree from disk 67-71 -> 65-79 MB/s (most of its files have anchors); scanText in
 * memory unchanged (~150-170 and ~185-220 MB/s). The screen is for a gate's wall time more than for
 * throughput: pixi-ex-ros2-nav2's secrets check went from ~70 to ~22 ms (median).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CodeFile } from '../src/code/types.ts';
import { scanSecrets, scanText } from '../src/secrets/scan.ts';
import { FakeSecrets, fillerLines, negatives, positives } from '../test/helpers/fake-secrets.ts';
import { compareAsync, ratio } from './measure.ts';

const corpusRoot = fileURLToPath(new URL('../../shared/corpus/', import.meta.url));
const targetMb = Number(process.argv[2] ?? 20);
const CORPUS_LIMIT = 64 * 1024 * 1024;

type Text = [path: string, content: string];

function pythonModule(fake: FakeSecrets, i: number): string {
  const lines = [
    '"""Helpers for the build pipeline."""',
    'from __future__ import annotations',
    'import os',
    'import subprocess',
    '',
  ];
  for (let f = 0; f < 30; f++) {
    lines.push(`def step_${i}_${f}(config: dict[str, str]) -> str:`);
    lines.push(`    """Run step ${f}: see https://docs.acme-corp.io/build/${f}#details."""`);
    lines.push(`    token = os.environ.get("BUILD_TOKEN_${f}", "")`);
    lines.push(`    digest = "${fake.hex(64)}"`);
    lines.push(`    run_id = "${fake.uuid()}"`);
    lines.push(...fillerLines(fake, 4).map((line) => `    ${line.trim()}`));
    lines.push(`    return subprocess.run(["make", "-j", str(${f})], check=True).stdout + digest + run_id + token`);
    lines.push('');
  }
  return lines.join('\n');
}

function pixiLock(fake: FakeSecrets): string {
  const lines = [
    'version: 6',
    'environments:',
    '  default:',
    '    channels:',
    '    - url: https://conda.anaconda.org/conda-forge/',
    '    indexes:',
    '    - https://pypi.org/simple',
    'packages:',
  ];
  for (let p = 0; p < 120; p++) {
    const name = `pkg${p}`;
    lines.push(`- conda: https://conda.anaconda.org/conda-forge/linux-64/${name}-1.${p}.0-h${fake.hex(7)}_0.conda`);
    lines.push(
      `  sha256: ${fake.hex(64)}`,
      `  md5: ${fake.hex(32)}`,
      '  depends:',
      '  - libgcc >=13',
      '  - __glibc >=2.17,<3.0.a0',
    );
    lines.push(
      '  license: BSD-3-Clause',
      `  size: ${fake.int(1000, 9999999)}`,
      `  timestamp: ${fake.int(1600000000000, 1760000000000)}`,
    );
    lines.push(
      `- pypi: https://files.pythonhosted.org/packages/${fake.hex(2)}/${fake.hex(2)}/${fake.hex(60)}/${name}-2.${p}-py3-none-any.whl`,
    );
    lines.push(`  name: ${name}`, `  version: 2.${p}`, `  sha256: ${fake.hex(64)}`, "  requires_python: '>=3.9'");
  }
  return lines.join('\n');
}

function workflow(fake: FakeSecrets): string {
  return [
    'name: release',
    'on: { push: { tags: ["v*"] } }',
    'jobs:',
    '  build:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    `      - uses: actions/checkout@${fake.hex(40)}`,
    `      - uses: prefix-dev/setup-pixi@${fake.hex(40)}`,
    '      - run: pixi run build',
    '        env:',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, as written in workflows
    '          TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}',
    ...fillerLines(fake, 40, 'yaml').map((line) => `      ${line}`),
  ].join('\n');
}

function manifest(fake: FakeSecrets): string {
  return [
    '[workspace]',
    'channels = ["conda-forge"]',
    'platforms = ["linux-64", "osx-arm64", "win-64"]',
    '[dependencies]',
    ...fillerLines(fake, 60, 'toml'),
    '[pypi-options]',
    'index-url = "https://pypi.org/simple"',
  ].join('\n');
}

function jsonData(fake: FakeSecrets): string {
  const items = Array.from({ length: 80 }, (_, i) => ({
    id: fake.uuid(),
    name: `item-${i}`,
    sha256: fake.hex(64),
    blob: fake.base64Bytes(60),
  }));
  return JSON.stringify({ items }, null, 2);
}

function markdown(fake: FakeSecrets): string {
  return [
    '# Project',
    'Install with `pixi install`, then `git clone https://git@github.com/acme/project.git`.',
    'Set `GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx` to a real token (not this one).',
    ...fillerLines(fake, 80, 'sh').map((line) => `- ${line}`),
  ].join('\n');
}

/** ~`megabytes` of text: ordinary files, and every labelled case (positives and negatives) planted among them. */
function generatedTree(megabytes: number): Text[] {
  const fake = new FakeSecrets(42);
  const texts: Text[] = [];
  let bytes = 0;
  const labelled = [...positives(42), ...negatives(43)];
  for (let i = 0; bytes < megabytes * 1e6; i++) {
    const kind = i % 6;
    const [path, content]: Text =
      kind === 0
        ? [`src/pkg${i}/module.py`, pythonModule(fake, i)]
        : kind === 1
          ? [`envs/e${i}/pixi.lock`, pixiLock(fake)]
          : kind === 2
            ? [`.github/workflows/w${i}.yml`, workflow(fake)]
            : kind === 3
              ? [`projects/p${i}/pixi.toml`, manifest(fake)]
              : kind === 4
                ? [`data/d${i}.json`, jsonData(fake)]
                : [`docs/d${i}.md`, markdown(fake)];
    const planted = labelled[i % labelled.length];
    texts.push([path, content]);
    if (planted && i < labelled.length * 4) texts.push([`planted/${i}/${planted.path}`, planted.content]);
    bytes += content.length + (planted?.content.length ?? 0);
  }
  return texts;
}

function corpusTexts(): Text[] {
  if (!existsSync(corpusRoot)) return [];
  const texts: Text[] = [];
  let bytes = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && bytes < CORPUS_LIMIT && statSync(path).size < 8e6) {
        const raw = readFileSync(path);
        if (raw.subarray(0, 8192).includes(0)) continue;
        texts.push([relative(corpusRoot, path), raw.toString('utf8')]);
        bytes += raw.length;
      }
    }
  };
  walk(corpusRoot);
  return texts;
}

const megabytes = (texts: readonly Text[]) =>
  texts.reduce((sum, [, content]) => sum + Buffer.byteLength(content), 0) / 1e6;

const GITHUB = /(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36}(?![A-Za-z0-9_])/g;
function baselineRegex(texts: readonly Text[]): number {
  let count = 0;
  for (const [, content] of texts) for (const _ of content.matchAll(GITHUB)) count++;
  return count;
}

async function scanAll(texts: readonly Text[], options = {}): Promise<number> {
  let hits = 0;
  for (const [path, content] of texts) hits += (await scanText(path, content, options)).length;
  return hits;
}

async function report(label: string, texts: readonly Text[]): Promise<void> {
  const mb = megabytes(texts);
  const hits = await scanAll(texts);
  const { baselineMs, candidateMs, runs } = await compareAsync(
    () => baselineRegex(texts),
    () => scanAll(texts),
    { warmup: 2, runs: 9 },
  );
  console.log(`${label}: ${texts.length} texts, ${mb.toFixed(1)} MB, ${hits} hits`);
  console.log(
    `  scanText (prefilter)   ${candidateMs.toFixed(0).padStart(6)} ms  ${(mb / (candidateMs / 1000)).toFixed(1).padStart(7)} MB/s  (median of ${runs})`,
  );
  console.log(
    `  baseline: one RegExp   ${baselineMs.toFixed(0).padStart(6)} ms  ${(mb / (baselineMs / 1000)).toFixed(1).padStart(7)} MB/s  → scanner costs ${ratio(candidateMs, baselineMs)} the one-regex pass`,
  );
  const start = performance.now();
  await scanAll(texts, { prefilter: false });
  const noPrefilterMs = performance.now() - start;
  console.log(
    `  no prefilter (1 run)   ${noPrefilterMs.toFixed(0).padStart(6)} ms  ${(mb / (noPrefilterMs / 1000)).toFixed(1).padStart(7)} MB/s  → prefilter saves ${ratio(noPrefilterMs, candidateMs)}`,
  );
}

/** `scanSecrets` over files on disk, next to just reading the same files. */
async function reportDisk(texts: readonly Text[], files: readonly CodeFile[]): Promise<void> {
  const mb = megabytes(texts);
  const { baselineMs, candidateMs, runs } = await compareAsync(
    () => {
      for (const file of files) readFileSync(file.absolute);
    },
    () => scanSecrets(files),
    { warmup: 1, runs: 7 },
  );
  console.log(
    `  scanSecrets from disk  ${candidateMs.toFixed(0).padStart(6)} ms  ${(mb / (candidateMs / 1000)).toFixed(1).padStart(7)} MB/s  (median of ${runs})`,
  );
  console.log(
    `  baseline: read files   ${baselineMs.toFixed(0).padStart(6)} ms  ${(mb / (baselineMs / 1000)).toFixed(1).padStart(7)} MB/s  → scanning costs ${ratio(candidateMs, baselineMs)} reading`,
  );
}

/** The generated tree written to a temporary directory while `report` runs. */
async function onDisk(texts: readonly Text[], report: (files: CodeFile[]) => Promise<void>): Promise<void> {
  const root = join(tmpdir(), `cvebuild-bench-secrets-${process.pid}`);
  const files: CodeFile[] = texts.map(([path, content]) => {
    const absolute = join(root, path);
    mkdirSync(dirname(absolute), { recursive: true });
    writeFileSync(absolute, content);
    return { path, absolute, size: Buffer.byteLength(content) };
  });
  try {
    await report(files);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const tree = generatedTree(targetMb);
await report('generated tree', tree);
await onDisk(tree, (files) => reportDisk(tree, files));
const corpus = corpusTexts();
if (corpus.length === 0) console.log(`skip corpus: ${corpusRoot} not found`);
else {
  await report('corpus text files', corpus);
  // In place: most are locks and manifests without any anchor, which are screened and never decoded.
  const files = corpus.map(([path, content]) => ({
    path,
    absolute: join(corpusRoot, path),
    size: Buffer.byteLength(content),
  }));
  await reportDisk(corpus, files);
}
