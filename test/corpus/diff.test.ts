/**
 * `cvebuild diff` on a real project lock and an edited copy of it: the update upgrades flask on
 * every platform and replaces the bytes of one conda artifact, and the diff says exactly that.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { diffInventories } from '../../src/diff/lock-diff.ts';
import { readInventory } from '../../src/engine/read-project.ts';
import { runCli } from '../helpers/cli.ts';
import { corpus, hasCorpus } from '../helpers/paths.ts';
import { writeTemp } from '../helpers/temp.ts';

const FLASK_OLD =
  'https://files.pythonhosted.org/packages/61/80/ffe1da13ad9300f87c93af113edd0638c75138c42a0994becfacac078c06/flask-3.0.3-py3-none-any.whl';
const FLASK_NEW = 'https://files.pythonhosted.org/packages/py3/f/flask/flask-3.1.0-py3-none-any.whl';

describe('diff of two real locks of one project', { skip: !hasCorpus && 'needs ../shared/corpus' }, () => {
  const path = hasCorpus ? corpus('pixi/pixi-ex-pypi/pixi.lock') : '';
  const updated = () => {
    const text = readFileSync(path, 'utf8');
    const firstCondaSha = /\n- conda: \S+\n(?: {2}[^\n]*\n)*? {2}sha256: ([0-9a-f]{64})/.exec(text)?.[1] ?? '';
    return {
      path: writeTemp(
        'pixi.lock',
        text
          .replaceAll(FLASK_OLD, FLASK_NEW)
          .replace('  name: flask\n  version: 3.0.3', '  name: flask\n  version: 3.1.0')
          .replace(firstCondaSha, '0'.repeat(64)),
      ),
      replacedSha: firstCondaSha,
    };
  };

  it('finds the upgrade on every platform and the replaced artifact, nothing else', () => {
    const { path: newPath, replacedSha } = updated();
    const before = readInventory(path);
    const diff = diffInventories(before, readInventory(newPath));
    const flaskPlatforms = before.packages
      .filter((p) => p.name === 'flask')
      .map((p) => p.platform)
      .sort();
    const replaced = before.packages.find((p) => p.sha256 === replacedSha);
    assert.ok(replaced);
    assert.deepEqual(
      diff.packages.map((c) => [c.kind, c.name, c.before?.version, c.after?.version]),
      [
        ['hash-changed', replaced.name, replaced.version, replaced.version],
        ['upgraded', 'flask', '3.0.3', '3.1.0'],
      ],
    );
    assert.deepEqual(diff.packages.find((c) => c.name === 'flask')?.platforms, flaskPlatforms);
    assert.equal(diff.redFlags, 1);
    assert.equal(diff.environments.length, 0);
  });

  it('reads well as a table', () => {
    const { status, stdout } = runCli(['diff', path, updated().path, '--checks', 'none']);
    assert.equal(status, 1);
    assert.match(stdout, /^1 upgraded, 1 hash-changed; 1 red flag\(s\)$/m);
    assert.match(stdout, /^upgraded\s+pypi:flask\s+default\s+linux-64,osx-64,osx-arm64,win-64\s+3\.0\.3\s+3\.1\.0$/m);
    console.log(stdout);
  });
});
