import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readInventory } from '../../../src/engine/read-project.ts';
import { environmentYmlEditor } from '../../../src/fix/environment-yml.ts';
import { recipeEditor } from '../../../src/fix/recipe.ts';
import { pixiManifestEditor } from '../../../src/fix/toml-manifest.ts';
import type { BlockingPackage, FixIntent, ManifestEditor } from '../../../src/fix/types.ts';
import { normalizeName } from '../../../src/model/package.ts';
import { writeTemp } from '../../helpers/temp.ts';

function intent(
  ecosystem: 'conda' | 'pypi',
  name: string,
  version: string,
  blocked: string[],
  mode: 'raise' | 'pin' = 'raise',
): FixIntent {
  const pkg: BlockingPackage = {
    ecosystem,
    name,
    normalizedName: normalizeName(ecosystem, name),
    versions: blocked,
    platforms: ['linux-64'],
    environments: ['default'],
    packages: [],
    advisories: [],
    malicious: mode === 'pin',
  };
  return { pkg, version, mode };
}

async function apply(editor: ManifestEditor, ...requests: [FixIntent, boolean][]) {
  return editor.apply(requests.map(([request, add]) => ({ intent: request, add })));
}

const PIXI = `# the workspace
[workspace]
channels = ["conda-forge"]
platforms = ["linux-64"]

[dependencies]
numpy = "1.26.*"   # pinned for the ABI
openssl = { version = ">=3.0,<4", channel = "conda-forge" }

[pypi-dependencies]
# imaging
Pillow = ">=9"
"ruamel.yaml" = "*"
tool = { git = "https://example.org/tool.git" }

[feature.test.pypi-dependencies]
pillow = "<11"  # old tests

[target.osx-arm64.dependencies]
numpy = ">=1.26"
`;

describe('fix: pixi.toml and pyproject.toml constraints', () => {
  it('edits every declaration in place and keeps comments, quoting and inline tables', async () => {
    const editor = pixiManifestEditor('/p/pixi.toml', PIXI, false);
    const numpy = intent('conda', 'numpy', '1.26.5', ['1.26.4']);
    const openssl = intent('conda', 'openssl', '3.0.8', ['3.0.7']);
    const yaml = intent('pypi', 'ruamel.yaml', '0.18.6', ['0.17.0']);
    const applied = await apply(editor, [numpy, false], [openssl, false], [yaml, false]);
    assert.equal(
      applied.text,
      PIXI.replace('numpy = "1.26.*"   #', 'numpy = "1.26.*,>=1.26.5"   #')
        .replace('>=3.0,<4', '>=3.0.8,<4')
        .replace('"ruamel.yaml" = "*"', '"ruamel.yaml" = ">=0.18.6"')
        .replace('numpy = ">=1.26"\n', 'numpy = ">=1.26.5"\n'),
    );
    const numpyEdits = applied.outcomes.get(numpy)?.edits ?? [];
    assert.deepEqual(
      numpyEdits.map((edit) => [edit.line, edit.place, edit.constraint]),
      [
        [7, 'pixi.toml [dependencies]', 'numpy = "1.26.*,>=1.26.5"'],
        [20, 'pixi.toml [target.osx-arm64.dependencies]', 'numpy = ">=1.26.5"'],
      ],
    );
    assert.deepEqual(applied.outcomes.get(openssl)?.edits[0], {
      file: '/p/pixi.toml',
      line: 8,
      before: 'openssl = { version = ">=3.0,<4", channel = "conda-forge" }',
      after: 'openssl = { version = ">=3.0.8,<4", channel = "conda-forge" }',
      place: 'pixi.toml [dependencies]',
      constraint: 'openssl.version = ">=3.0.8,<4"',
      spec: '>=3.0.8,<4',
    });
  });

  it('matches names as the ecosystem does, and reports a declared bound that excludes the fix', async () => {
    const editor = pixiManifestEditor('/p/pixi.toml', PIXI, false);
    const pillow = intent('pypi', 'pillow', '11.3.0', ['10.4.0']);
    assert.equal(editor.declares(pillow.pkg), true);
    const applied = await apply(editor, [pillow, false]);
    const outcome = applied.outcomes.get(pillow);
    assert.deepEqual(
      outcome?.edits.map((edit) => edit.after),
      ['Pillow = ">=11.3.0"'],
    );
    assert.deepEqual(outcome?.conflicts, [
      { by: 'pixi.toml [feature.test.pypi-dependencies]', requirement: '<11', file: '/p/pixi.toml' },
    ]);
  });

  it('adds a package no table declares to the workspace table, and leaves a git dependency to a person', async () => {
    const editor = pixiManifestEditor('/p/pixi.toml', PIXI, false);
    const urllib3 = intent('pypi', 'urllib3', '2.2.2', ['2.0.0']);
    const libexpat = intent('conda', 'libexpat', '2.6.4', ['2.6.2']);
    const tool = intent('pypi', 'tool', '2.0', ['1.0']);
    const applied = await apply(editor, [urllib3, true], [libexpat, true], [tool, false]);
    assert.match(applied.text, /\[dependencies\]\n(?:.*\n){2}libexpat = ">=2\.6\.4"\n\n\[pypi-dependencies\]/);
    assert.match(
      applied.text,
      /"ruamel\.yaml" = "\*"\ntool = \{ git = "https:\/\/example\.org\/tool\.git" \}\nurllib3 = ">=2\.2\.2"\n/,
    );
    assert.deepEqual(applied.outcomes.get(tool)?.unplaced, [
      'pixi.toml [pypi-dependencies] tool is a git = https://example.org/tool.git dependency: change it by hand',
    ]);
    assert.deepEqual(
      applied.outcomes.get(urllib3)?.edits.map((edit) => [edit.line, edit.before, edit.after]),
      [[16, '', 'urllib3 = ">=2.2.2"']],
    );
  });

  it('pins a malicious release exactly', async () => {
    const editor = pixiManifestEditor('/p/pixi.toml', '[pypi-dependencies]\nlitellm = "==1.82.7"\n', false);
    const litellm = intent('pypi', 'litellm', '1.82.6', ['1.82.7'], 'pin');
    const applied = await apply(editor, [litellm, false]);
    assert.equal(applied.text, '[pypi-dependencies]\nlitellm = "==1.82.6"\n');
  });

  it('keeps CRLF line ends and a missing final newline', async () => {
    const text = '[dependencies]\r\nnumpy = "<3" # np\r\n\r\n[pypi-dependencies]\r\nrich = "*"';
    const applied = await apply(pixiManifestEditor('/p/pixi.toml', text, false), [
      intent('conda', 'numpy', '2.0.1', ['1.26.4']),
      false,
    ]);
    assert.equal(applied.text, '[dependencies]\r\nnumpy = ">=2.0.1,<3" # np\r\n\r\n[pypi-dependencies]\r\nrich = "*"');
  });

  it('in a pyproject.toml: [tool.pixi] tables and the PEP 508 strings of [project]', async () => {
    const text = `[project]
name = "app"
dependencies = [
    "requests[socks]>=2.0 ; python_version >= '3.9'",  # http
    "rich",
]

[tool.pixi.workspace]
channels = ["conda-forge"]

[tool.pixi.pypi-dependencies]
app = { path = ".", editable = true }
`;
    const editor = pixiManifestEditor('/p/pyproject.toml', text, true);
    const requests = intent('pypi', 'requests', '2.32.0', ['2.31.0']);
    const urllib3 = intent('pypi', 'urllib3', '2.2.2', ['2.0.0']);
    const applied = await apply(editor, [requests, false], [urllib3, true]);
    assert.match(applied.text, /^ {4}"requests\[socks\]>=2\.32\.0; python_version >= '3\.9'", {2}# http$/m);
    assert.match(
      applied.text,
      /\[tool\.pixi\.pypi-dependencies\]\napp = \{ path = "\.", editable = true \}\nurllib3 = ">=2\.2\.2"\n$/,
    );
    assert.equal(applied.outcomes.get(requests)?.edits[0]?.place, 'pyproject.toml [project] dependencies');
  });

  it('a pyproject.toml without pixi tables takes no new package', async () => {
    const editor = pixiManifestEditor('/p/pyproject.toml', '[project]\nname = "app"\ndependencies = []\n', true);
    const urllib3 = intent('pypi', 'urllib3', '2.2.2', ['2.0.0']);
    const applied = await apply(editor, [urllib3, true]);
    assert.equal(applied.text, '[project]\nname = "app"\ndependencies = []\n');
    assert.match(applied.outcomes.get(urllib3)?.unplaced[0] ?? '', /has no \[tool\.pixi\] tables/);
  });
});

describe('fix: environment.yml and recipe constraints', () => {
  const ENV = `name: analysis
channels:
  - conda-forge
dependencies:
  - python=3.12
  - numpy >=1.26,<3  # fast arrays
  - conda-forge::pandas==2.2.3
  - pip
  - pip:
    - requests[socks]>=2.31 ; python_version >= "3.8"
    - rich
`;

  it('rewrites a conda entry and a pip entry on their lines, and adds beside the last of their kind', async () => {
    const file = writeTemp('env/environment.yml', ENV);
    const inventory = readInventory(file);
    const editor = environmentYmlEditor(file, ENV, inventory.manifest.dependencies);
    const numpy = intent('conda', 'numpy', '2.0.1', ['1.26.4']);
    const requests = intent('pypi', 'requests', '2.32.0', ['2.31.0']);
    const urllib3 = intent('pypi', 'urllib3', '2.2.2', ['2.0.0']);
    const openssl = intent('conda', 'openssl', '3.0.8', ['3.0.7']);
    const pandas = intent('conda', 'pandas', '2.2.4', ['2.2.3']);
    const applied = await apply(
      editor,
      [numpy, false],
      [requests, false],
      [urllib3, true],
      [openssl, true],
      [pandas, false],
    );
    assert.equal(
      applied.text,
      ENV.replace('  - numpy >=1.26,<3  # fast arrays', '  - numpy >=2.0.1,<3  # fast arrays')
        .replace('  - pip\n', '  - pip\n  - openssl >=3.0.8\n')
        .replace('requests[socks]>=2.31 ; python_version >= "3.8"', 'requests[socks]>=2.32.0 ; python_version >= "3.8"')
        .replace('    - rich\n', '    - rich\n    - urllib3>=2.2.2\n'),
    );
    assert.deepEqual(
      applied.outcomes.get(urllib3)?.edits.map((edit) => [edit.line, edit.after]),
      [[13, '    - urllib3>=2.2.2']],
    );
    // lines below an added one are numbered as the file is written
    assert.deepEqual(
      applied.outcomes.get(requests)?.edits.map((edit) => [edit.line, edit.before.trim()]),
      [[11, '- requests[socks]>=2.31 ; python_version >= "3.8"']],
    );
    assert.match(applied.outcomes.get(pandas)?.unplaced[0] ?? '', /names a channel, build or file: edit it by hand/);
  });

  it('a recipe takes raised pins through the recipe-pin planner', async () => {
    const recipe = `package:\n  name: demo\n  version: "1.0"\nrequirements:\n  host:\n    - python\n    - openssl >=3.0\n  run:\n    - python\n`;
    const file = writeTemp('recipe/recipe.yaml', recipe);
    const editor = recipeEditor(file, recipe, readInventory(file).manifest.dependencies);
    const openssl = intent('conda', 'openssl', '3.0.8', ['3.0.7']);
    const applied = await apply(editor, [openssl, false]);
    assert.match(applied.text, /^ {4}- openssl >=3\.0\.8$/m);
    assert.equal(applied.outcomes.get(openssl)?.edits[0]?.constraint, 'openssl >=3.0.8');
  });
});

describe('fix: recipe lines', () => {
  it('numbers raised and added lines as the recipe is written', async () => {
    const recipe = `package:\n  name: demo\n  version: "1.0"\nrequirements:\n  host:\n    - python\n    - zlib\n  run:\n    - python\n    - openssl >=3.0\n`;
    const file = writeTemp('recipe2/recipe.yaml', recipe);
    const editor = recipeEditor(file, recipe, readInventory(file).manifest.dependencies);
    const requests = [intent('conda', 'openssl', '3.0.8', ['3.0.7']), intent('conda', 'libexpat', '2.6.4', ['2.6.2'])];
    const applied = await editor.apply(requests.map((request) => ({ intent: request, add: true })));
    const lines = applied.text.split('\n');
    for (const request of requests) {
      for (const edit of applied.outcomes.get(request)?.edits ?? []) assert.equal(lines[edit.line - 1], edit.after);
    }
    assert.equal(applied.outcomes.get(requests[1] as FixIntent)?.edits.length, 1);
  });
});
