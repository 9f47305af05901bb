/**
 * Lock files of the rattler_lock family — pixi.lock (v1–v7) and conda-lock.yml — dispatched on
 * their `version:` field, as rattler does.
 */
import { CvebuildError } from '../errors.ts';
import { readTextInput } from '../fs/read-input.ts';
import { readCondaLockDocument } from './conda-lock.ts';
import { describeType, isDict } from './fields.ts';
import { readPixiLockDocument } from './pixi-lock/index.ts';
import type { Reader, ReaderOutput } from './types.ts';
import { loadYaml } from './yaml.ts';

export const NEWEST_LOCK_VERSION = 7;

export function readLockText(text: string, file: string): ReaderOutput {
  const document = loadYaml(text, file, { lockFile: true });
  if (!isDict(document)) {
    throw new CvebuildError('LOCK_INVALID', `expected a lock file (a YAML mapping), found ${describeType(document)}`, {
      file,
    });
  }
  const version = lockVersion(document.version, file);
  if (version <= 3) {
    if (!('package' in document)) {
      throw new CvebuildError('LOCK_INVALID', `version ${version} lock file has no \`package\` list`, { file });
    }
    return readCondaLockDocument(document, text, file, version);
  }
  if (!('environments' in document) || !('packages' in document)) {
    throw new CvebuildError(
      'LOCK_INVALID',
      `version ${version} lock file needs both \`environments\` and \`packages\``,
      { file },
    );
  }
  return readPixiLockDocument(document, text, file, version);
}

function lockVersion(value: unknown, file: string): number {
  if (value === undefined || value === null) {
    throw new CvebuildError('LOCK_INVALID', 'missing `version` field', { file, key: 'version' });
  }
  const version = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new CvebuildError('LOCK_INVALID', `\`version\` must be a positive integer, found ${describeType(value)}`, {
      file,
      key: 'version',
    });
  }
  if (version > NEWEST_LOCK_VERSION) {
    throw new CvebuildError(
      'LOCK_UNSUPPORTED_VERSION',
      `lock file format version ${version} is newer than this cvebuild supports (up to ${NEWEST_LOCK_VERSION}); upgrade cvebuild`,
      { file, key: 'version' },
    );
  }
  return version;
}

export const lockReader: Reader = {
  format: 'pixi-lock',
  read(path: string): ReaderOutput {
    return readLockText(readTextInput(path), path);
  },
};
