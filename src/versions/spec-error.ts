// Where a requirement string came from, so a parse error can name the file, line and key it was read from.
import { CvebuildError, type ErrorCode } from '../errors.ts';

export interface SpecContext {
  /** Error code for an invalid string; readers pass their own (`RECIPE_INVALID`, ...). Default `VERSION_INVALID`. */
  code?: ErrorCode;
  file?: string;
  line?: number;
  key?: string;
}

export function specError(context: SpecContext, kind: string, text: string, reason: string): CvebuildError {
  const shown = JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
  return new CvebuildError(context.code ?? 'VERSION_INVALID', `invalid ${kind} ${shown}: ${reason}`, {
    file: context.file,
    line: context.line,
    key: context.key,
  });
}
