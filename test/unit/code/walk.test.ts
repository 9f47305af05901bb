import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { walkCode } from '../../../src/code/walk.ts';
import { isCvebuildError } from '../../../src/errors.ts';
import { tempDirectory } from '../../helpers/temp.ts';

function tree(files: Record<string, string | Uint8Array>): string {
  const root = tempDirectory();
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

const paths = (root: string, options = {}) => walkCode(root, options).files.map((file) => file.path);

describe('walkCode', () => {
  it('lists regular files relative to the root, sorted, with sizes and absolute paths', () => {
    const root = tree({ 'b.py': 'x = 1\n', 'a/c.py': 'y\n', 'a/b/d.toml': 'k = 1\n' });
    const result = walkCode(root);
    assert.deepEqual(
      result.files.map((file) => file.path),
      ['a/b/d.toml', 'a/c.py', 'b.py'],
    );
    assert.equal(result.files[2]?.size, 6);
    assert.equal(result.files[2]?.absolute, join(root, 'b.py'));
  });

  it('honours .gitignore at every level, with negation and directory-only patterns', () => {
    const root = tree({
      '.gitignore': 'build/\n*.log\n!keep.log\n',
      'build/out.py': '',
      'x.log': '',
      'keep.log': '',
      'pkg/.gitignore': 'generated.py\n/local.py\n',
      'pkg/generated.py': '',
      'pkg/local.py': '',
      'pkg/sub/local.py': '',
      'pkg/sub/generated.py': '',
      'src/build': 'a file named build is not a directory',
    });
    assert.deepEqual(paths(root), ['.gitignore', 'keep.log', 'pkg/.gitignore', 'pkg/sub/local.py', 'src/build']);
  });

  it('honours .cvebuildignore, .git/info/exclude and the policy exclude patterns', () => {
    const root = tree({
      '.cvebuildignore': 'fixtures/\n',
      '.git/info/exclude': 'scratch.py\n',
      'fixtures/leak.env': 'TOKEN=x',
      'scratch.py': '',
      'docs/a.md': '',
      'main.py': '',
    });
    assert.deepEqual(paths(root, { exclude: ['docs/**'] }), ['.cvebuildignore', 'main.py']);
  });

  it('never enters version control, environments or caches', () => {
    const root = tree({
      '.git/config': '[core]',
      '.pixi/envs/default/lib/x.py': '',
      'node_modules/p/index.js': '',
      '.venv/lib/y.py': '',
      'pkg/__pycache__/m.cpython-311.pyc': '',
      'pkg/m.py': '',
    });
    assert.deepEqual(paths(root), ['pkg/m.py']);
  });

  it('sets aside binaries (by extension or a NUL byte) and files over the size bound, and says so', () => {
    const root = tree({
      'logo.png': 'not even read',
      'data.bin': new Uint8Array([1, 2, 0, 3]),
      'big.txt': 'x'.repeat(2000),
      'small.txt': 'ok',
    });
    const result = walkCode(root, { maxFileSize: 1000 });
    assert.deepEqual(
      result.files.map((file) => file.path),
      ['small.txt'],
    );
    assert.deepEqual(result.skipped, [
      { path: 'big.txt', reason: 'too-large', size: 2000 },
      { path: 'data.bin', reason: 'binary', size: 4 },
      { path: 'logo.png', reason: 'binary' },
    ]);
  });

  it('does not follow symbolic links', () => {
    const root = tree({ 'real/a.py': '' });
    symlinkSync(join(root, 'real'), join(root, 'link'));
    symlinkSync('/etc/passwd', join(root, 'passwd'));
    assert.deepEqual(paths(root), ['real/a.py']);
  });

  it('scans a single file given as the root', () => {
    const root = tree({ 'one.py': 'eval(x)\n' });
    const result = walkCode(join(root, 'one.py'));
    assert.deepEqual(
      result.files.map((file) => file.path),
      ['one.py'],
    );
  });

  it('fails with a clear error when the root does not exist', () => {
    assert.throws(
      () => walkCode('/nonexistent/cvebuild-scan'),
      (error) => isCvebuildError(error) && error.code === 'INPUT_NOT_FOUND' && /nonexistent/.test(error.message),
    );
  });
});
