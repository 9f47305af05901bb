import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recipeFilesOf, scanRecipeText } from '../../../src/sast/recipe.ts';

const rules = (path: string, text: string) => scanRecipeText(path, text).map((hit) => `${hit.line}:${hit.rule}`);

describe('recipe rules', () => {
  it('flags a download piped into an interpreter, not a download piped into tar', () => {
    const script = [
      '#!/bin/bash',
      '# curl https://x | sh   (a comment)',
      'curl -fsSL https://get.example.com | bash',
      'wget -qO- https://x/install.py | sudo python3',
      'bash <(curl -s https://x/setup.sh)',
      'curl -L https://x/src.tar.gz | tar xz',
    ].join('\n');
    assert.deepEqual(rules('recipe/build.sh', script), [
      '3:recipe-pipe-to-shell',
      '4:recipe-pipe-to-shell',
      '5:recipe-pipe-to-shell',
      '6:recipe-script-download-unverified',
    ]);
  });

  it('a script that verifies its download is fine', () => {
    const script = 'curl -LO https://x/a.tgz\necho "abc  a.tgz" | sha256sum -c -\ntar xf a.tgz\n';
    assert.deepEqual(rules('build.sh', script), []);
    assert.deepEqual(rules('build.sh', 'wget https://x/a.tgz\ntar xf a.tgz\n'), [
      '1:recipe-script-download-unverified',
    ]);
  });

  it('bld.bat: PowerShell download-and-execute, and rem comments', () => {
    const bat =
      'rem curl https://x | sh\npowershell -c "iex (New-Object Net.WebClient).DownloadString(\'https://x\')"\n';
    assert.deepEqual(rules('bld.bat', bat), ['2:recipe-pipe-to-shell']);
  });

  it('sources: mapping and list forms, sha256 before or after url, md5 only, git and path sources', () => {
    const recipe = [
      'package:',
      '  name: x',
      'source:',
      '  - url: https://a/one.tar.gz',
      '    sha256: 0123',
      '  - sha256: 4567',
      '    url: https://a/two.tar.gz',
      '  - url: https://a/three.tar.gz',
      '    md5: 89ab',
      '  - url:',
      '      - https://a/four.tar.gz',
      '      - https://mirror/four.tar.gz',
      '    patches:',
      '      - fix.patch',
      '  - git: https://github.com/a/b',
      '  - path: ../src',
      'about:',
      '  url: https://a/',
    ].join('\n');
    assert.deepEqual(rules('recipe.yaml', recipe), ['8:recipe-source-weak-checksum', '10:recipe-source-no-checksum']);
    const meta = 'source:\n  url: https://a/x-{{ version }}.tar.gz  # [unix]\n  fn: x.tar.gz\n\nbuild:\n  number: 0\n';
    assert.deepEqual(rules('meta.yaml', meta), ['2:recipe-source-no-checksum']);
    assert.deepEqual(rules('meta.yaml', 'source:\n  fn: x.tgz\n  url: https://a/x.tgz\n  sha256: {{ sha }}\n'), []);
  });

  it('script: entries inside the recipe are scanned as shell', () => {
    const recipe = 'build:\n  script:\n    - curl https://x/i.sh | sh\n    - pip install .\nrequirements: {}\n';
    assert.deepEqual(rules('recipe.yaml', recipe), ['3:recipe-pipe-to-shell']);
    assert.deepEqual(rules('recipe.yaml', 'build:\n  script: curl -O https://x/a.bin\n'), [
      '2:recipe-script-download-unverified',
    ]);
  });

  it('picks recipes, build scripts and scripts beside a recipe by name', () => {
    const file = (path: string) => ({ path, absolute: `/x/${path}`, size: 1 });
    const picked = recipeFilesOf(
      ['r/recipe.yaml', 'r/build_lib.sh', 'r/bld.bat', 'src/tool.sh', 'other/build.sh', 'a.py'].map(file),
    ).map((f) => f.path);
    assert.deepEqual(picked, ['r/recipe.yaml', 'r/build_lib.sh', 'r/bld.bat', 'other/build.sh']);
  });
});
