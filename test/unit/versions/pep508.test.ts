// PEP 508 requirements and pip's nameless forms (-e, paths, URLs): names, extras, specifiers, markers, inferred names.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Pep508Requirement, parsePep508 } from '../../../src/versions/pep508.ts';
import { assertCvebuildError } from '../../helpers/errors.ts';

type Expected = Partial<Pep508Requirement> & Pick<Pep508Requirement, 'name'>;

const NAMED: [string, Expected][] = [
  ['requests', { name: 'requests', normalizedName: 'requests', extras: [], specifier: '' }],
  ['Django>=4.2', { name: 'Django', normalizedName: 'django', specifier: '>=4.2' }],
  ['zope.interface_foo==5.*', { name: 'zope.interface_foo', normalizedName: 'zope-interface-foo', specifier: '==5.*' }],
  [
    'name[extra1,extra2] (>=1.0,<2) ; python_version < "3.10"',
    { name: 'name', extras: ['extra1', 'extra2'], specifier: '>=1.0,<2', marker: 'python_version < "3.10"' },
  ],
  ['requests[socks] >= 2.31 , < 3', { name: 'requests', extras: ['socks'], specifier: '>=2.31,<3' }],
  ['numpy~=1.26.0;sys_platform=="linux"', { name: 'numpy', specifier: '~=1.26.0', marker: 'sys_platform=="linux"' }],
  ['flit-core === 3.9.0 --hash=sha256:1234', { name: 'flit-core', specifier: '===3.9.0' }],
  ['psutil  # [linux64]', { name: 'psutil', specifier: '' }],
  [
    'requests @ https://github.com/psf/requests/releases/download/v2.31.0/requests-2.31.0-py3-none-any.whl',
    {
      name: 'requests',
      url: 'https://github.com/psf/requests/releases/download/v2.31.0/requests-2.31.0-py3-none-any.whl',
      specifier: '',
      nameInferred: false,
    },
  ],
  [
    'pydantic @ git+https://github.com/pydantic/pydantic@v2.0 ; python_version >= "3.8"',
    { name: 'pydantic', url: 'git+https://github.com/pydantic/pydantic@v2.0', marker: 'python_version >= "3.8"' },
  ],
];

const NAMELESS: [string, Expected][] = [
  ['-e ./local', { name: 'local', url: './local', editable: true, nameInferred: true }],
  ['--editable=../libs/core/', { name: 'core', url: '../libs/core/', editable: true, nameInferred: true }],
  ['./path/to/pkg', { name: 'pkg', url: './path/to/pkg', editable: false, nameInferred: true }],
  ['-e .', { name: 'project', url: '.', editable: true, nameInferred: true }],
  [
    'git+https://github.com/pydantic/pydantic@v2.0b2',
    { name: 'pydantic', url: 'git+https://github.com/pydantic/pydantic@v2.0b2' },
  ],
  ['git+ssh://git@github.com/org/tool.git@v1.2', { name: 'tool', url: 'git+ssh://git@github.com/org/tool.git@v1.2' }],
  [
    '-e git+https://github.com/CompVis/taming-transformers.git@master#egg=taming-transformers',
    { name: 'taming-transformers', editable: true, nameInferred: false },
  ],
  [
    'https://files.pythonhosted.org/packages/24/21/typing_extensions-4.8.0-py3-none-any.whl#sha256=8f92',
    { name: 'typing_extensions', normalizedName: 'typing-extensions', nameInferred: true },
  ],
  ['dist/my_pkg-2.0.tar.gz', { name: 'my_pkg', normalizedName: 'my-pkg', url: 'dist/my_pkg-2.0.tar.gz' }],
  [
    'file:///tmp/wheels/tool-1.0-py3-none-any.whl',
    { name: 'tool', url: 'file:///tmp/wheels/tool-1.0-py3-none-any.whl' },
  ],
  ['./plugins/extra-tool[cli]', { name: 'extra-tool', extras: ['cli'], url: './plugins/extra-tool' }],
];

function check(text: string, expected: Expected): void {
  const parsed = parsePep508(text, { baseDir: '/work/project' });
  for (const [key, value] of Object.entries(expected)) {
    assert.deepEqual(parsed[key as keyof Pep508Requirement], value, `${key} of ${text}`);
  }
  assert.equal(parsed.normalizedName, parsed.name.replace(/[-_.]+/g, '-').toLowerCase());
}

describe('parsePep508: named requirements', () => {
  for (const [text, expected] of NAMED)
    it(text, () => check(text, { editable: false, nameInferred: false, ...expected }));
});

describe('parsePep508: nameless pip forms infer the name', () => {
  for (const [text, expected] of NAMELESS) it(text, () => check(text, { specifier: '', ...expected }));
});

const INVALID: [string, string][] = [
  ['', 'empty requirement'],
  ['-e', 'empty requirement'],
  ['numpy=1.2', 'invalid version clause "=1.2"'],
  ['name >=1 junk', 'invalid version clause'],
  ['[extra]', 'does not start with a package name'],
  ['name[extra', 'unclosed extras bracket'],
  ['name[bad extra]', 'invalid extra'],
  ['name @', 'missing URL after @'],
  ['name ;', 'empty environment marker'],
  ['numpy (>=1', 'unclosed parenthesis'],
  ['-e .', 'cannot tell the package name'],
];

describe('parsePep508: invalid requirements', () => {
  for (const [text, reason] of INVALID) {
    it(`${JSON.stringify(text)} → VERSION_INVALID (${reason})`, () => {
      assertCvebuildError(() => parsePep508(text), 'VERSION_INVALID', reason);
    });
  }

  it('uses the caller’s code and location', () => {
    assertCvebuildError(
      () => parsePep508('requests=2', { code: 'ENV_FILE_INVALID', file: 'environment.yml', line: 9 }),
      'ENV_FILE_INVALID',
      /^environment\.yml:9: invalid PEP 508 requirement "requests=2"/,
    );
  });
});
