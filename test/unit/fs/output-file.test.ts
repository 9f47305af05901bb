import assert from 'node:assert/strict';
import {
  chmodSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writeOutputFile } from '../../../src/fs/output-file.ts';
import { readRegularFile } from '../../../src/fs/regular-file.ts';
import { assertCvebuildError } from '../../helpers/errors.ts';
import { tempDirectory } from '../../helpers/temp.ts';

describe('writeOutputFile', () => {
  it('writes a new file, and replaces an existing one keeping its mode, leaving no temporary file', () => {
    const dir = tempDirectory();
    const file = join(dir, 'report.json');
    writeOutputFile(file, 'one');
    assert.equal(readFileSync(file, 'utf8'), 'one');
    chmodSync(file, 0o600);
    writeOutputFile(file, 'two');
    assert.equal(readFileSync(file, 'utf8'), 'two');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    writeOutputFile(join(dir, 'key'), 'secret', { mode: 0o600, exclusive: true });
    assert.equal(statSync(join(dir, 'key')).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir).sort(), ['key', 'report.json']);
  });

  it('never writes through a symlink, dangling or not', () => {
    const dir = tempDirectory();
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'precious');
    symlinkSync(victim, join(dir, 'cvebuild.sarif'));
    symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling.sarif'));
    for (const name of ['cvebuild.sarif', 'dangling.sarif']) {
      assertCvebuildError(() => writeOutputFile(join(dir, name), 'x'), 'OUTPUT_REFUSED', 'is a symbolic link');
      assertCvebuildError(
        () => writeOutputFile(join(dir, name), 'x', { exclusive: true }),
        'OUTPUT_REFUSED',
        'is a symbolic link',
      );
    }
    assert.equal(readFileSync(victim, 'utf8'), 'precious');
    assert.deepEqual(readdirSync(dir).sort(), ['cvebuild.sarif', 'dangling.sarif', 'victim']);
  });

  it('refuses a symlinked directory inside the working directory or the project, not above them', () => {
    const project = tempDirectory();
    const outside = tempDirectory();
    symlinkSync(outside, join(project, 'reports'));
    assertCvebuildError(
      () => writeOutputFile(join(project, 'reports', 'x.sarif'), 'x', { untrusted: [project] }),
      'OUTPUT_REFUSED',
      `${join(project, 'reports')} is a symbolic link`,
    );
    assert.deepEqual(readdirSync(outside), []);
    // the same directory, reached from outside the project: the machine's own layout, taken as it is
    const alias = join(tempDirectory(), 'alias');
    symlinkSync(outside, alias);
    writeOutputFile(join(alias, 'x.sarif'), 'x', { untrusted: [project] });
    assert.deepEqual(readdirSync(outside), ['x.sarif']);
  });

  it('never overwrites an input of the run, by any name', () => {
    const dir = tempDirectory();
    const lock = join(dir, 'pixi.lock');
    writeFileSync(lock, 'version: 6\n');
    readRegularFile(lock);
    linkSync(lock, join(dir, 'hardlink.json'));
    mkdirSync(join(dir, 'sub'));
    assertCvebuildError(() => writeOutputFile(lock, '{}'), 'OUTPUT_REFUSED', 'is an input of this run');
    assertCvebuildError(
      () => writeOutputFile(join(dir, 'sub', '..', 'pixi.lock'), '{}'),
      'OUTPUT_REFUSED',
      'is an input of this run',
    );
    assertCvebuildError(
      () => writeOutputFile(join(dir, 'hardlink.json'), '{}'),
      'OUTPUT_REFUSED',
      `the same file as ${lock}`,
    );
    assert.equal(readFileSync(lock, 'utf8'), 'version: 6\n');
    // a file read in order to be rewritten (a sidecar appended to) may be replaced when the caller says so
    writeOutputFile(lock, 'appended', { replacing: lock });
    assert.equal(readFileSync(lock, 'utf8'), 'appended');
  });

  it('reads files read only for scanning as free to overwrite', () => {
    const dir = tempDirectory();
    const report = join(dir, 'report.sarif');
    writeFileSync(report, 'last run');
    readRegularFile(report, { input: false });
    writeOutputFile(report, 'this run');
    assert.equal(readFileSync(report, 'utf8'), 'this run');
  });

  it('says in one line why a file cannot be written', () => {
    const dir = tempDirectory();
    assertCvebuildError(
      () => writeOutputFile(join(dir, 'missing', 'x.json'), 'x'),
      'OUTPUT_UNWRITABLE',
      'cannot write: no such file or directory (ENOENT)',
    );
    assertCvebuildError(() => writeOutputFile(dir, 'x'), 'OUTPUT_REFUSED', 'is not a regular file (a directory)');
    assertCvebuildError(() => writeOutputFile('/dev/full', 'x'), 'OUTPUT_REFUSED', 'not a regular file');
    writeFileSync(join(dir, 'kept'), 'old');
    assertCvebuildError(
      () => writeOutputFile(join(dir, 'kept'), 'new', { exclusive: true }),
      'OUTPUT_REFUSED',
      'already exists',
    );
    assert.equal(readFileSync(join(dir, 'kept'), 'utf8'), 'old');
  });
});
