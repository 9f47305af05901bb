import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadYaml } from '../../../src/readers/yaml.ts';
import { assertCvebuildError } from '../../helpers/errors.ts';

describe('loadYaml', () => {
  it('keeps version-like scalars as text', () => {
    assert.deepEqual(loadYaml('a: 1.10\nb: 010\nc: 2021.05.30\nd: 1_000\ne: 1e3\nf: .inf\n', 'x.yml'), {
      a: '1.10',
      b: '010',
      c: '2021.05.30',
      d: '1_000',
      e: '1e3',
      f: '.inf',
    });
  });

  it('still reads canonical integers, booleans and nulls in human-written files', () => {
    assert.deepEqual(loadYaml('a: 7\nb: -3\nc: true\nd: ~\ne:\nf: !!float 1.5\n', 'x.yml'), {
      a: 7,
      b: -3,
      c: true,
      d: null,
      e: null,
      f: 1.5,
    });
  });

  it('reads every scalar of a lock file as text except booleans and nulls', () => {
    assert.deepEqual(
      loadYaml('version: 6\nsize: 123\neditable: true\nx: null\nv: 1.10\n', 'pixi.lock', { lockFile: true }),
      {
        version: '6',
        size: '123',
        editable: true,
        x: null,
        v: '1.10',
      },
    );
  });

  it('refuses any alias in a lock file', () => {
    assertCvebuildError(
      () => loadYaml('a: &x [1]\nb: *x\n', 'pixi.lock', { lockFile: true }),
      'YAML_ALIAS_BOMB',
      'pixi.lock:2',
      'not allowed',
    );
  });

  it('allows a few harmless aliases elsewhere but refuses an alias bomb', () => {
    assert.deepEqual(loadYaml('a: &x [1, 2]\nb: *x\n', 'env.yml'), { a: [1, 2], b: [1, 2] });
    const levels = ['l0: &l0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++)
      levels.push(
        `l${i}: &l${i} [${Array(10)
          .fill(`*l${i - 1}`)
          .join(', ')}]`,
      );
    assertCvebuildError(() => loadYaml(levels.join('\n'), 'env.yml'), 'YAML_ALIAS_BOMB', 'env.yml', 'alias bomb');
  });

  it('reports syntax errors, duplicate keys and excessive nesting with the line', () => {
    assertCvebuildError(() => loadYaml('a: [1, 2\nb: 3\n', 'x.yml'), 'YAML_SYNTAX', 'x.yml:2', 'YAML syntax error');
    assertCvebuildError(() => loadYaml('a: 1\na: 2\n', 'x.yml'), 'YAML_SYNTAX', 'x.yml:2', 'duplicated mapping key');
    assertCvebuildError(() => loadYaml(`${'['.repeat(200)}${']'.repeat(200)}`, 'x.yml'), 'YAML_SYNTAX', 'x.yml');
  });
});
