import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { diffInventories } from '../../../src/diff/lock-diff.ts';
import { readInventory } from '../../../src/engine/read-project.ts';
import { runCli } from '../../helpers/cli.ts';
import { projectRoot } from '../../helpers/paths.ts';
import { writeTemp } from '../../helpers/temp.ts';

const OLD = join(projectRoot, 'examples/ml-service/pixi.lock');
const IDNA_OLD =
  'https://files.pythonhosted.org/packages/22/7e/d71db821f177828df9dea8c42ac46473366f191be53080e552e628aad991/idna-3.8-py3-none-any.whl';
const IDNA_NEW = 'https://files.pythonhosted.org/packages/py3/i/idna/idna-3.10-py3-none-any.whl';
const OPENSSL = 'https://conda.anaconda.org/conda-forge/linux-64/openssl-3.3.1-hb9d3cd8_3.conda';
const OPENSSL_PRIVATE = 'https://conda.example-corp.com/mirror/linux-64/openssl-3.3.1-hb9d3cd8_3.conda';
const TZDATA_SHA = '7d21c95f61319dba9209ca17d1935e6128af4235a67ee4e57a00908a1450081e';

/** The update under review: idna upgraded, openssl moved to a private mirror, tzdata replaced, a package added, one removed. */
function updatedLock(): string {
  let text = readFileSync(OLD, 'utf8');
  text = text
    .replaceAll(IDNA_OLD, IDNA_NEW)
    .replace("  name: idna\n  version: '3.8'", "  name: idna\n  version: '3.10'");
  text = text.replaceAll(OPENSSL, OPENSSL_PRIVATE);
  text = text.replace(TZDATA_SHA, 'f'.repeat(64));
  text = text.replace(/\n {6}- conda: \S+\/xz-[^\n]+/g, '');
  text = text.replace(/\n- conda: \S+\/xz-[^\n]+(\n {2}[^\n]*)*/, '');
  text = text.replace(
    '      linux-64:\n',
    '      linux-64:\n      - pypi: https://files.pythonhosted.org/packages/py3/r/rich/rich-13.9.4-py3-none-any.whl\n',
  );
  text = `${text.trimEnd()}\n- pypi: https://files.pythonhosted.org/packages/py3/r/rich/rich-13.9.4-py3-none-any.whl\n  name: rich\n  version: 13.9.4\n`;
  return writeTemp('pixi.lock', text);
}

describe('lock diff', () => {
  const diff = diffInventories(readInventory(OLD), readInventory(updatedLock()));
  const rows = diff.packages.map((c) => [
    c.kind,
    c.name,
    c.environment,
    c.before?.version ?? '-',
    c.after?.version ?? '-',
    Boolean(c.redFlag),
  ]);

  it('lists every change per environment', () => {
    const sorted = [...rows].sort(
      (a, b) => String(a[1]).localeCompare(String(b[1])) || String(a[2]).localeCompare(String(b[2])),
    );
    assert.deepEqual(sorted, [
      ['upgraded', 'idna', 'default', '3.8', '3.10', false],
      ['source-changed', 'openssl', 'default', '3.3.1', '3.3.1', true],
      ['source-changed', 'openssl', 'minimal', '3.3.1', '3.3.1', true],
      ['added', 'rich', 'default', '-', '13.9.4', false],
      ['hash-changed', 'tzdata', 'default', '2024a', '2024a', true],
      ['hash-changed', 'tzdata', 'minimal', '2024a', '2024a', true],
      ['removed', 'xz', 'default', '5.2.6', '-', false],
      ['removed', 'xz', 'minimal', '5.2.6', '-', false],
    ]);
    assert.equal(diff.redFlags, 4);
    assert.equal(diff.counts.upgraded, 1);
  });

  it('compares versions by their scheme, not as text (3.8 → 3.10 is an upgrade)', () => {
    assert.equal(diff.packages.find((c) => c.name === 'idna')?.kind, 'upgraded');
  });

  it('explains the red flags', () => {
    assert.match(diff.packages.find((c) => c.name === 'tzdata')?.redFlag ?? '', /different sha256/);
    assert.match(diff.packages.find((c) => c.name === 'openssl')?.redFlag ?? '', /from a public to a private source/);
  });
});

describe('cvebuild diff', () => {
  it('prints Markdown for a pull request and exits 1 on red flags', () => {
    const { status, stdout, stderr } = runCli(['diff', OLD, updatedLock(), '--format', 'markdown', '--checks', 'none']);
    assert.equal(status, 1, stderr);
    assert.match(stdout, /^## cvebuild: lock diff$/m);
    assert.match(
      stdout,
      /^\*\*1 added, 2 removed, 1 upgraded, 2 source-changed, 2 hash-changed; 4 red flag\(s\)\*\*$/m,
    );
    assert.match(stdout, /^> \*\*tzdata\*\* \(default, linux-64\): same version and build, different sha256/m);
    assert.match(stdout, /^\| upgraded \| `idna` \(pypi\) \| default \| linux-64 \| 3\.8 \| 3\.10 \|$/m);
  });

  it('runs the checks on what is new, and is quiet for an unchanged lock', () => {
    const same = runCli(['diff', OLD, OLD, '--checks', 'none']);
    assert.equal(same.status, 0, same.stderr);
    assert.match(same.stdout, /^no package changes$/m);
    const json = JSON.parse(runCli(['diff', OLD, updatedLock(), '--format', 'json', '--checks', 'none']).stdout);
    assert.equal(json.schemaVersion, 1);
    assert.equal(json.summary.redFlags, 4);
    assert.equal(json.packages[0].redFlag !== null, true);
  });
});
