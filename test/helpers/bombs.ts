/**
 * Inputs built to exhaust memory or time, generated at run time (nothing big is committed). Unit
 * tests build them small and lower the limits; bench/bombs.ts builds them at full size and runs the
 * CLI on them. Each generator says which cost it drives up.
 */
import { randomBytes } from 'node:crypto';
import { constants, createZstdCompress, zstdCompressSync } from 'node:zlib';
import { INDEX_JSON, tarBytes } from '../unit/artifacts/archive-builder.ts';
import { zipEntries } from './zip-writer.ts';

/**
 * One OSV record of about `bytes` characters whose size is its `versions` list: a list that size
 * is what a parse multiplies in memory. Runs of `run` equal versions set how well it compresses
 * (64 gives ~100:1, under the archive reader's 200:1 bomb ratio).
 */
export function bulkyOsvRecord(id: string, bytes: number, run = 64): string {
  const versions: string[] = [];
  let seed = 1;
  let version = '';
  let size = 0;
  while (size < bytes) {
    if (versions.length % run === 0) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      version = `1.${seed % 100000}`;
    }
    versions.push(version);
    size += version.length + 3;
  }
  return JSON.stringify({
    id,
    modified: '2025-01-01T00:00:00Z',
    affected: [{ package: { ecosystem: 'PyPI', name: 'bulky' }, versions }],
  });
}

/** osv.dev's all.zip shape: `count` entries, each the same bulky record (compressed once). */
export function osvZipBomb(count: number, recordBytes: number): Buffer {
  const record = bulkyOsvRecord('PYSEC-0', recordBytes);
  return zipEntries(Array.from({ length: count }, (_, index) => ({ name: `PYSEC-${index}.json`, data: record })));
}

/** conda-build recipe text: the bomb's Jinja lines, then a minimal recipe that reads (and may use a variable as its version). */
export function metaYaml(jinja: string, version = '1.0'): string {
  return `${jinja}\npackage:\n  name: demo\n  version: "${version}"\nrequirements:\n  run:\n    - python\n`;
}

/** `{% set a = a + a %}` `times` times, from a two-character string or a two-item list: doubling per line. */
export function doublingSets(start: 'string' | 'list' | 'nested', times: number): string {
  const first = start === 'string' ? '"xy"' : '[1, 2]';
  const step = start === 'nested' ? '[a, a]' : 'a + a';
  return [`{% set a = ${first} %}`, ...Array.from({ length: times }, () => `{% set a = ${step} %}`)].join('\n');
}

/** `s` doubled up to `length` characters with short lines (no tag is long), then `use` applied to it. */
export function grownString(length: number, use: string): string {
  const lines = ['{% set s = "xxxxxxxx" %}'];
  for (let size = 8; size < length; size *= 2) lines.push('{% set s = s ~ s %}');
  return [...lines, use].join('\n');
}

/** A list of 2^`doublings` items and a long separator `s`, joined. */
export function joinBomb(doublings: number, separatorLength: number): string {
  const lines = ['{% set l = ["a", "b"] %}', ...Array.from({ length: doublings - 1 }, () => '{% set l = l + l %}')];
  return grownString(separatorLength, [...lines, '{% set j = l | join(s) %}'].join('\n'));
}

/** One expression of `terms` terms: `1 + 1 + …`. */
export function longExpression(terms: number, operator = '+'): string {
  return `{% set a = ${Array.from({ length: terms }, () => '1').join(` ${operator} `)} %}`;
}

/** `{% if %}` blocks nested `depth` deep around the recipe body. */
export function nestedIfs(depth: number, body: string): string {
  return `${'{% if win %}\n'.repeat(depth)}${body}${'{% endif %}\n'.repeat(depth)}`;
}

/** A recipe line of `length` blanks after `prefix`. */
export function longLine(prefix: string, length: number): string {
  return `${prefix}${' '.repeat(length)}x`;
}

/**
 * Python nested `depth` deep, one shape per way Python nests. `indent` is the file: blocks
 * one column apart with a string at the bottom (511 levels abort tree-sitter with one string open).
 */
export const PYTHON_NESTING = {
  indent: (depth: number, body = 'x = "s"') =>
    `${Array.from({ length: depth }, (_, i) => `${' '.repeat(i)}if x:\n`).join('')}${' '.repeat(depth)}${body}\n`,
  /** Lines ever more indented without any block: only the width counts for the scanner. */
  unblocked: (depth: number) => Array.from({ length: depth }, (_, i) => `${' '.repeat(i + 1)}$$ "s"\n`).join(''),
  parentheses: (depth: number) => `x = ${'('.repeat(depth)}1${')'.repeat(depth)}\n`,
  calls: (depth: number) => `x = ${'f('.repeat(depth)}1${')'.repeat(depth)}\n`,
  fstrings: (depth: number) => `x = ${'f"{'.repeat(depth)}1${'}"'.repeat(depth)}\n`,
  sum: (depth: number) => `x = ${Array.from({ length: depth + 1 }, () => 'a').join(' + ')}\n`,
  power: (depth: number) => `x = ${Array.from({ length: depth + 1 }, () => '2').join(' ** ')}\n`,
  not: (depth: number) => `x = ${'not '.repeat(depth)}a\n`,
  minus: (depth: number) => `x = ${'-'.repeat(depth)}a\n`,
  lambda: (depth: number) => `x = ${'lambda: '.repeat(depth)}a\n`,
  conditional: (depth: number) => `x = ${'a if b else '.repeat(depth)}c\n`,
  callChain: (depth: number) => `x = f${'()'.repeat(depth)}\n`,
  attributes: (depth: number) => `x = a${'.b'.repeat(depth)}\n`,
  subscripts: (depth: number) => `x = a${'[0]'.repeat(depth)}\n`,
  await: (depth: number) => `async def f():\n    x = ${'await '.repeat(depth)}a\n`,
} as const;

/**
 * A `.conda` whose payload holds `entries` entries, each named by a pax path of `nameBytes` and
 * holding `dataBytes`, then `padBytes` of random data: the padding keeps the stream's ratio under
 * the reader's bomb limit, so only names (kept per entry) can exhaust memory. Streamed through
 * zstd, one frame, as the format has it.
 */
export async function condaNameBomb(
  stem: string,
  entries: number,
  nameBytes: number,
  dataBytes: number,
  padBytes: number,
): Promise<Buffer> {
  const unit = tarBytes(
    [{ name: 'x', paxPath: `share/${'n'.repeat(nameBytes)}`, data: Buffer.alloc(dataBytes, 0x61) }],
    { endMarker: false },
  );
  const zstd = createZstdCompress({ params: { [constants.ZSTD_c_compressionLevel]: 1 } });
  const chunks: Buffer[] = [];
  zstd.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise((resolve, reject) => zstd.on('end', resolve).on('error', reject));
  for (let i = 0; i < entries; i++) {
    if (!zstd.write(unit)) await new Promise((resolve) => zstd.once('drain', resolve));
  }
  zstd.end(tarBytes([{ name: 'share/pad.bin', data: randomBytes(padBytes) }]));
  await done;
  return zipEntries([
    { name: 'metadata.json', data: '{"conda_pkg_format_version": 2}' },
    { name: `pkg-${stem}.tar.zst`, data: Buffer.concat(chunks) },
    {
      name: `info-${stem}.tar.zst`,
      data: zstdCompressSync(tarBytes([{ name: 'info/index.json', data: INDEX_JSON('demo') }])),
    },
  ]);
}

/** A pixi.lock (v6) installing `files` (archive names) from one noarch channel. */
export function lockFor(channel: string, files: readonly string[]): string {
  const urls = files.map((file) => `${channel}/noarch/${file}`);
  return [
    'version: 6',
    'environments:',
    '  default:',
    '    channels:',
    `    - url: ${channel}/`,
    '    packages:',
    '      linux-64:',
    ...urls.map((url) => `      - conda: ${url}`),
    'packages:',
    ...urls.map((url) => `- conda: ${url}`),
    '',
  ].join('\n');
}
