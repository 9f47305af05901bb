// Conda MatchSpec parsing: conda's `_parse_spec_str` cases (and its doctests), normalization of `=` forms, failures.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type MatchSpec, parseMatchSpec } from '../../../src/versions/matchspec.ts';
import { assertCvebuildError } from '../../helpers/errors.ts';

const VALID: [string, MatchSpec][] = [
  ['numpy', { name: 'numpy' }],
  ['pip', { name: 'pip' }],
  ['numpy=1.26', { name: 'numpy', version: '1.26.*' }],
  ['numpy=1.26.*', { name: 'numpy', version: '1.26.*' }],
  ['numpy=1.26*', { name: 'numpy', version: '1.26*' }],
  ['python =3.11.0', { name: 'python', version: '3.11.0.*' }],
  ['numpy==1.26.4', { name: 'numpy', version: '==1.26.4' }],
  ['numpy>=1.2,<2', { name: 'numpy', version: '>=1.2,<2' }],
  ['python >=3.9', { name: 'python', version: '>=3.9' }],
  ['python <3.11', { name: 'python', version: '<3.11' }],
  ['__glibc >=2.17,<3.0.a0', { name: '__glibc', version: '>=2.17,<3.0.a0' }],
  ['x264 >=1!164.3095,<1!165', { name: 'x264', version: '>=1!164.3095,<1!165' }],
  ['python ==2.7.*|>=3.6', { name: 'python', version: '==2.7.*|>=3.6' }],
  ['foo =1.2|=1.3', { name: 'foo', version: '=1.2|=1.3' }],
  ['numpy 1.26.* py312*', { name: 'numpy', version: '1.26.*', build: 'py312*' }],
  ['python_abi 3.13.* *_cp313', { name: 'python_abi', version: '3.13.*', build: '*_cp313' }],
  ['python 3.8.* *_cpython', { name: 'python', version: '3.8.*', build: '*_cpython' }],
  ['blas=*=mkl', { name: 'blas', version: '*', build: 'mkl' }],
  ['libblas=*=*openblas', { name: 'libblas', version: '*', build: '*openblas' }],
  ['pytorch=*=cuda*', { name: 'pytorch', version: '*', build: 'cuda*' }],
  ['numpy=1.26=py312_0', { name: 'numpy', version: '==1.26', build: 'py312_0' }],
  ['foo==1.0=py27_0', { name: 'foo', version: '==1.0', build: 'py27_0' }],
  ['ros2-distro-mutex 0.3 humble', { name: 'ros2-distro-mutex', version: '==0.3', build: 'humble' }],
  ['python 3.9', { name: 'python', version: '==3.9' }],
  ['rust ==1.88.0.dev20250428', { name: 'rust', version: '==1.88.0.dev20250428' }],
  // conda's `_parse_version_plus_build` doctests, after a name
  ['foo =1.2.3 0', { name: 'foo', version: '==1.2.3', build: '0' }],
  ['foo 1.2.3=0', { name: 'foo', version: '==1.2.3', build: '0' }],
  ['foo >=1.0 , < 2.0 py34_0', { name: 'foo', version: '>=1.0,<2.0', build: 'py34_0' }],
  ['foo >=1.0 , < 2.0 =py34_0', { name: 'foo', version: '>=1.0,<2.0', build: 'py34_0' }],
  ['foo >1.8,<2|==1.7', { name: 'foo', version: '>1.8,<2|==1.7' }],
  ['foo * openblas_0', { name: 'foo', version: '*', build: 'openblas_0' }],
  ['foo * *', { name: 'foo', version: '*', build: '*' }],
  // channels and subdirs
  ['conda-forge::numpy>=1.2', { name: 'numpy', version: '>=1.2', channel: 'conda-forge' }],
  ['conda-forge/linux-64::numpy', { name: 'numpy', channel: 'conda-forge', subdir: 'linux-64' }],
  ['conda-forge/label/dev::numpy', { name: 'numpy', channel: 'conda-forge/label/dev' }],
  [
    'https://conda.anaconda.org/conda-forge/noarch::tzdata',
    { name: 'tzdata', channel: 'https://conda.anaconda.org/conda-forge', subdir: 'noarch' },
  ],
  ['*::numpy', { name: 'numpy' }],
  ['defaults::libgomp', { name: 'libgomp', channel: 'defaults' }],
  // brackets override the positional parts
  ["numpy[version='>=1.2',build=py312*]", { name: 'numpy', version: '>=1.2', build: 'py312*' }],
  ['blas[build=mkl]', { name: 'blas', build: 'mkl' }],
  ['conda-forge::foo[version="1.0.*", build_number=">6"]', { name: 'foo', version: '1.0.*', channel: 'conda-forge' }],
  ['numpy[channel=conda-forge/osx-arm64]', { name: 'numpy', channel: 'conda-forge', subdir: 'osx-arm64' }],
  [
    'numpy 1.2 [build=py312_0 subdir=linux-64]',
    { name: 'numpy', version: '==1.2', build: 'py312_0', subdir: 'linux-64' },
  ],
  // comments and package archives
  ['numpy >=1.2  # pinned for ABI', { name: 'numpy', version: '>=1.2' }],
  [
    'https://conda.anaconda.org/conda-forge/linux-64/numpy-1.26.4-py312heda63a1_0.conda',
    {
      name: 'numpy',
      version: '==1.26.4',
      build: 'py312heda63a1_0',
      channel: 'https://conda.anaconda.org/conda-forge',
      subdir: 'linux-64',
      url: 'https://conda.anaconda.org/conda-forge/linux-64/numpy-1.26.4-py312heda63a1_0.conda',
    },
  ],
  [
    '/home/user/conda-bld/linux-64/foo-1.0-py27_0.tar.bz2',
    {
      name: 'foo',
      version: '==1.0',
      build: 'py27_0',
      subdir: 'linux-64',
      url: '/home/user/conda-bld/linux-64/foo-1.0-py27_0.tar.bz2',
    },
  ],
];

describe('parseMatchSpec: valid specs', () => {
  for (const [text, expected] of VALID) {
    it(text, () => assert.deepEqual(parseMatchSpec(text), expected));
  }
});

describe('parseMatchSpec: conda-build reads a bare version as a prefix', () => {
  const cases: [string, string | undefined][] = [
    ['python 3.9', '3.9.*'],
    ['numpy 1.26 py312_0', '==1.26'],
    ['numpy >=1.26', '>=1.26'],
    ['numpy', undefined],
  ];
  for (const [text, version] of cases) {
    it(text, () => assert.equal(parseMatchSpec(text, { bareVersionIsPrefix: true }).version, version));
  }
});

const INVALID: [string, string][] = [
  ['', 'empty spec'],
  ['   # only a comment', 'empty spec'],
  ['>=1.2', 'no package name'],
  ['numpy[version=">=1.2"', 'unbalanced brackets'],
  ['numpy]', 'unbalanced brackets'],
  ['numpy[build=x][version=1]', 'more than one bracket section'],
  ['numpy[version=1] extra', 'text after the bracket section'],
  ['numpy[version=]', 'brackets must hold key=value pairs'],
  ['numpy[version=""]', 'empty value for version'],
  ['numpy==', 'operator without a version'],
  ['num(py', 'not a package name'],
  ['https://example.org/files/numpy.tar.bz2', 'not a conda package file name'],
];

describe('parseMatchSpec: invalid specs', () => {
  for (const [text, reason] of INVALID) {
    it(`${JSON.stringify(text)} → VERSION_INVALID (${reason})`, () => {
      assertCvebuildError(() => parseMatchSpec(text), 'VERSION_INVALID', reason);
    });
  }

  it('uses the caller’s code and location', () => {
    assertCvebuildError(
      () =>
        parseMatchSpec('numpy[', { code: 'RECIPE_INVALID', file: 'recipe.yaml', line: 12, key: 'requirements.run[0]' }),
      'RECIPE_INVALID',
      /^recipe\.yaml:12: .*requirements\.run\[0\].*invalid conda MatchSpec "numpy\[": unbalanced brackets$/,
    );
  });
});
