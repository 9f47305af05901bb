/**
 * Node's system errors (ENOENT, EACCES, EISDIR, ENOSPC …) as the one line a user reads: the path,
 * what went wrong in words, and the code. Environment problems are never "internal errors".
 */
import { getSystemErrorMessage } from 'node:util';
import { CvebuildError } from '../errors.ts';

export interface SystemError extends Error {
  code: string;
  errno?: number;
  syscall?: string;
  path?: string;
  dest?: string;
}

/** An error from the operating system (it carries an `E…` code and the failing system call). */
export function isSystemError(error: unknown): error is SystemError {
  if (!(error instanceof Error)) return false;
  const { code, syscall } = error as Partial<SystemError>;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) && typeof syscall === 'string';
}

/** `no such file or directory (ENOENT)`: the system's own wording, and the code to search for. */
export function describeSystemError(error: unknown): string {
  const { code, errno } = (error ?? {}) as Partial<SystemError>;
  if (typeof code !== 'string') return error instanceof Error ? (error.message.split('\n', 1)[0] ?? '') : String(error);
  let words: string | undefined;
  if (typeof errno === 'number') {
    try {
      words = getSystemErrorMessage(errno);
    } catch {
      words = undefined;
    }
  }
  return words ? `${words} (${code})` : code;
}

/** Why a read failed, without the path (for lists of files set aside). */
export function reasonOf(error: unknown): string {
  return error instanceof CvebuildError ? error.message : describeSystemError(error);
}

/** Reading `path` failed: a missing file is INPUT_NOT_FOUND, anything else INPUT_UNREADABLE. */
export function readError(path: string, error: unknown): CvebuildError {
  if (error instanceof CvebuildError) return error;
  const code = (error as Partial<SystemError> | undefined)?.code;
  if (code === 'ENOENT') return new CvebuildError('INPUT_NOT_FOUND', 'no such file or directory', { file: path });
  if (code === 'EACCES' || code === 'EPERM') {
    return new CvebuildError('INPUT_UNREADABLE', 'permission denied', { file: path });
  }
  if (code === 'EISDIR') return new CvebuildError('INPUT_UNREADABLE', 'is a directory', { file: path });
  return new CvebuildError('INPUT_UNREADABLE', `cannot read: ${describeSystemError(error)}`, { file: path });
}

/** Writing `path` failed. */
export function writeError(path: string, error: unknown): CvebuildError {
  if (error instanceof CvebuildError) return error;
  return new CvebuildError('OUTPUT_UNWRITABLE', `cannot write: ${describeSystemError(error)}`, { file: path });
}

/**
 * The line for a system error nothing wrapped on its way up: the path it names (when it names
 * one), the call, and the reason.
 */
export function systemErrorLine(error: SystemError): string {
  const where = error.path ? `${error.path}${error.dest ? ` → ${error.dest}` : ''}: ` : '';
  return `${where}${error.syscall}: ${describeSystemError(error)}`;
}
