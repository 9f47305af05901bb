import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeArchivePath } from '../../../src/artifacts/paths.ts';

describe('normalizeArchivePath', () => {
  it('normalizes harmless variants', () => {
    assert.deepEqual(normalizeArchivePath('./bin//x.sh'), { path: 'bin/x.sh' });
    assert.deepEqual(normalizeArchivePath('Scripts\\.x-post-link.bat'), { path: 'Scripts/.x-post-link.bat' });
    assert.deepEqual(normalizeArchivePath('lib/..foo/x'), { path: 'lib/..foo/x' });
  });

  it('flags names that escape', () => {
    assert.equal(normalizeArchivePath('a/../../b').unsafe, 'parent-directory (..) segment');
    assert.equal(normalizeArchivePath('a\\..\\b').unsafe, 'parent-directory (..) segment');
    assert.equal(normalizeArchivePath('/etc/passwd').unsafe, 'absolute path');
    assert.equal(normalizeArchivePath('\\\\server\\share').unsafe, 'absolute path');
    assert.equal(normalizeArchivePath('c:evil').unsafe, 'drive-letter path');
    assert.equal(normalizeArchivePath('a\0b').unsafe, 'contains a NUL byte');
  });
});
