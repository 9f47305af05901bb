/**
 * `--format F` and `--output [FORMAT=]FILE ...`, as the gate and the build read them: one report
 * on standard output, and one more per `--output`, its format from `FORMAT=` or else from the
 * file's name (`.sarif`, `.html`, `.md`, `.json`, `.txt` ...); a name that tells no format is an
 * error rather than a guess.
 */
import { CvebuildError } from '../errors.ts';
import { formatForFile } from '../report/formats.ts';

export interface Outputs<F extends string> {
  stdout: F;
  files: { format: F; file: string }[];
}

export function parseOutputs<F extends string>(
  options: { format?: string; output?: readonly string[] },
  formats: readonly F[],
  defaultFormat: F,
): Outputs<F> {
  const stdout = parseFormat(options.format ?? defaultFormat, formats, '--format');
  const files = (options.output ?? []).map((spec) => {
    const match = /^([a-z]+)=(.+)$/.exec(spec);
    if (match?.[1] && match[2]) return { format: parseFormat(match[1], formats, '--output'), file: match[2] };
    const format = formatForFile(spec);
    if (!format)
      throw new CvebuildError(
        'USAGE',
        `--output ${spec}: cannot tell the format from the file name; write FORMAT=FILE (formats: ${formats.join(', ')})`,
      );
    if (!(formats as readonly string[]).includes(format))
      throw new CvebuildError(
        'USAGE',
        `--output ${spec}: the name says ${format}, which this command does not write (formats: ${formats.join(', ')})`,
      );
    return { format: format as F, file: spec };
  });
  return { stdout, files };
}

function parseFormat<F extends string>(text: string, formats: readonly F[], flag: string): F {
  if ((formats as readonly string[]).includes(text)) return text as F;
  throw new CvebuildError('USAGE', `${flag}: unknown format ${JSON.stringify(text)} (have: ${formats.join(', ')})`);
}
