/**
 * One error type for everything the user can cause or fix, with a closed set of codes.
 * The CLI turns these into one-line messages and exit code 2; anything else is a bug.
 */
import { plain } from './text/plain.ts';

export type ErrorCode =
  | 'INPUT_NOT_FOUND'
  | 'INPUT_UNREADABLE'
  | 'INPUT_TOO_LARGE'
  | 'INPUT_BINARY'
  | 'INPUT_UNRECOGNIZED'
  | 'ARCHIVE_BOMB'
  | 'ARCHIVE_INVALID'
  | 'YAML_SYNTAX'
  | 'YAML_ALIAS_BOMB'
  | 'TOML_SYNTAX'
  | 'JSON_SYNTAX'
  | 'LOCK_UNSUPPORTED_VERSION'
  | 'LOCK_INVALID'
  | 'MANIFEST_INVALID'
  | 'RECIPE_INVALID'
  | 'ENV_FILE_INVALID'
  | 'PREFIX_INVALID'
  | 'VERSION_INVALID'
  /** A data file shipped with cvebuild (`data/…`) is malformed: a packaging or editing mistake, named by file and key. */
  | 'DATA_INVALID'
  | 'DB_MISSING'
  | 'DB_CORRUPT'
  | 'DB_STALE'
  | 'DB_SCHEMA'
  | 'FEED_INVALID'
  | 'NETWORK'
  /** The server answered 404: for optional resources (attestation sidecars), an answer rather than a failure. */
  | 'NOT_FOUND'
  /** A trusted_root.json that is not a valid Sigstore trusted root. */
  | 'TRUST_ROOT_INVALID'
  /** A signing or verification key that cannot be used (not PEM, not ECDSA P-256, encrypted). */
  | 'KEY_INVALID'
  /** Signing could not complete (no identity token, Fulcio or Rekor refused or unreachable). */
  | 'SIGNING_FAILED'
  /** A file cvebuild was asked to write cannot be written (no such directory, no space, permission). */
  | 'OUTPUT_UNWRITABLE'
  /** A file cvebuild was asked to write is a symlink, not a regular file, or one of the run's inputs. */
  | 'OUTPUT_REFUSED'
  /** The builder could not build: none on PATH, it failed, ran past its time limit, or left no package. */
  | 'BUILD_FAILED'
  /** A recipe's requirements cannot be solved against the channels (unsatisfiable, or the solver failed). */
  | 'SOLVE_FAILED'
  /** The proxy's state store (its SQLite file or PostgreSQL database) cannot be opened or reached. */
  | 'STATE_UNAVAILABLE'
  | 'USAGE';

export interface ErrorLocation {
  file?: string;
  line?: number;
  /** Dotted key path inside the document (`packages[12].sha256`). */
  key?: string;
}

export class CvebuildError extends Error {
  readonly code: ErrorCode;
  readonly location: ErrorLocation;

  constructor(code: ErrorCode, message: string, location: ErrorLocation = {}) {
    super(message);
    this.name = 'CvebuildError';
    this.code = code;
    this.location = location;
  }

  /**
   * `file:line: key: message` — the single line the CLI prints. File names, keys and messages quote
   * paths, URLs and values from outside, so each part is neutralised (`plain`): credentials masked,
   * controls shown as escapes, nothing that could start a line of its own.
   */
  toLine(): string {
    const { file, line, key } = this.location;
    const where = file ? (line ? `${plain(file)}:${line}` : plain(file)) : '';
    const parts = [where, plain(key ?? ''), plain(this.message.replace(/\s*\n\s*/g, ' '))].filter(Boolean);
    return parts.join(': ');
  }
}

export function isCvebuildError(error: unknown): error is CvebuildError {
  return error instanceof CvebuildError;
}
