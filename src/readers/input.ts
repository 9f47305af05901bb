/**
 * Reading input files safely: bounded size, binary detection, and errors that name the file.
 */
import { readFileSync, statSync } from 'node:fs';
import { CvebuildError } from '../errors.ts';

/** Larger than any real lock (the biggest real pixi.lock seen is ~20 MB); overridable for odd projects. */
export const DEFAULT_MAX_INPUT_BYTES = 64 * 1024 * 1024;

export function maxInputBytes(): number {
  const fromEnv = Number(process.env.CVEBUILD_MAX_INPUT_BYTES);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_MAX_INPUT_BYTES;
}

/** Read an input's bytes: refuses missing, oversized and non-regular files with a one-line reason. */
export function readInputBytes(path: string): Buffer {
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new CvebuildError('INPUT_UNREADABLE', 'not a regular file', { file: path });
    size = stat.size;
  } catch (error) {
    if (error instanceof CvebuildError) throw error;
    throw fsError(path, error);
  }
  const limit = maxInputBytes();
  if (size > limit) {
    throw new CvebuildError(
      'INPUT_TOO_LARGE',
      `file is ${formatBytes(size)}, more than the ${formatBytes(limit)} limit (set CVEBUILD_MAX_INPUT_BYTES to raise it)`,
      { file: path },
    );
  }
  try {
    return readFileSync(path);
  } catch (error) {
    throw fsError(path, error);
  }
}

/** Read a text input: bounded as `readInputBytes`, and refusing binary data. */
export function readTextInput(path: string): string {
  const bytes = readInputBytes(path);
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    throw new CvebuildError('INPUT_BINARY', `binary data (NUL byte at offset ${nul}), expected a text file`, {
      file: path,
    });
  }
  const text = bytes.toString('utf8');
  if (text.includes('\uFFFD') && !isValidUtf8(bytes)) {
    throw new CvebuildError('INPUT_BINARY', 'not valid UTF-8 text', { file: path });
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function isValidUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

export function fsError(path: string, error: unknown): CvebuildError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return new CvebuildError('INPUT_NOT_FOUND', 'no such file or directory', { file: path });
  if (code === 'EACCES' || code === 'EPERM') {
    return new CvebuildError('INPUT_UNREADABLE', 'permission denied', { file: path });
  }
  if (code === 'EISDIR') return new CvebuildError('INPUT_UNREADABLE', 'is a directory', { file: path });
  return new CvebuildError('INPUT_UNREADABLE', `cannot read (${code ?? String(error)})`, { file: path });
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}
