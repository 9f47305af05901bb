/**
 * The secret scanner on the real corpus: the gcp-keyring project's lock carries a keyring
 * placeholder username in an index URL (flagged low, at its line); every other corpus lock, manifest
 * and recipe gives no critical or high hit (no false positives on digests, URLs, build strings).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { CodeHit } from '../../src/code/types.ts';
import { scanText } from '../../src/secrets/scan.ts';
import { corpus, corpusRoot, hasCorpus } from '../helpers/paths.ts';

const SKIP = !hasCorpus && 'needs ../shared/corpus';

function textFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...textFiles(path));
    else if (entry.isFile() && statSync(path).size < 8e6) out.push(path);
  }
  return out;
}

async function scanFile(path: string): Promise<CodeHit[]> {
  const bytes = readFileSync(path);
  if (bytes.subarray(0, 8192).includes(0)) return [];
  return scanText(path.slice(corpusRoot.length), bytes.toString('utf8'));
}

describe('secret scanner on the corpus', { skip: SKIP }, () => {
  it('flags the gcp-keyring lock’s index URL at low severity, at its line', async () => {
    const path = corpus('pixi/pixi-ex-python-library-gcp-keyring/pixi.lock');
    const lines = readFileSync(path, 'utf8').split('\n');
    const expected = lines
      .map((line, i) => [line, i + 1] as const)
      .filter(([line]) => line.includes('://oauth2accesstoken@'))
      .map(([, n]) => n);
    assert.ok(expected.length > 0);
    const hits = await scanFile(path);
    assert.deepEqual(
      hits.map((hit) => [hit.rule, hit.severity, hit.line]),
      expected.map((line) => ['url-credentials', 'low', line]),
    );
    const [hit] = hits;
    assert.equal(hit?.engine, 'cvebuild');
    assert.equal(hit?.cwe, 'CWE-522');
    assert.equal(hit?.extra?.kind, 'package-index-url');
    assert.equal(hit?.extra?.masked, 'oauth2accesstoken@');
    assert.equal(hit?.column, (lines[(hit?.line ?? 1) - 1] ?? '').indexOf('oauth2accesstoken') + 1);
    assert.match(hit?.snippet ?? '', /^- https:\/\/oauth2accesstoken@europe-west4-python\.pkg\.dev\//);
  });

  it('gives no critical or high hit on any corpus pixi lock, manifest, recipe or channel file', async () => {
    const roots = ['pixi', 'recipes', 'channels', 'conda'].map((dir) => corpus(dir));
    let files = 0;
    const serious: string[] = [];
    for (const root of roots) {
      for (const path of textFiles(root)) {
        files++;
        for (const hit of await scanFile(path))
          if (hit.severity === 'critical' || hit.severity === 'high')
            serious.push(`${hit.file}:${hit.line}:${hit.column} ${hit.rule} ${hit.message}`);
      }
    }
    assert.ok(files > 100, `only ${files} files`);
    assert.deepEqual(serious, []);
  });

  it('scans every corpus pixi.lock, and only the gcp-keyring one has a hit', async () => {
    const locks = readdirSync(corpus('pixi'))
      .map((project) => corpus(`pixi/${project}/pixi.lock`))
      .filter((path) => {
        try {
          return statSync(path).isFile();
        } catch {
          return false;
        }
      });
    assert.ok(locks.length >= 15);
    const flagged: string[] = [];
    for (const path of locks) if ((await scanFile(path)).length > 0) flagged.push(path.slice(corpusRoot.length));
    assert.deepEqual(flagged, ['pixi/pixi-ex-python-library-gcp-keyring/pixi.lock']);
  });
});
