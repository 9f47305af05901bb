/** `cvebuild sbom [PATH]`: the project's resolved packages as a CycloneDX 1.6 or SPDX 2.3 document. */
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { filterInventory, readProjectInventory } from '../engine/read-project.ts';
import { CvebuildError } from '../errors.ts';
import { checkOutputFile, writeOutputFile } from '../fs/output-file.ts';
import { projectDirectory } from '../fs/project-root.ts';
import { inventoryReport } from '../report/from-inventory.ts';
import { renderSbom, type SbomFormat } from '../report/sbom.ts';
import { parseNow } from './audit.ts';

export type { SbomFormat };

export interface SbomOptions {
  format: SbomFormat;
  output?: string;
  env?: string;
  platform?: string;
  /** The document's creation time (ISO 8601); default `$SOURCE_DATE_EPOCH`, else now. */
  now?: string;
}

/** Writes the SBOM to `--output`, or returns it for standard output. */
export async function sbomCommand(path: string, options: SbomOptions): Promise<string | undefined> {
  if (options.output) checkOutputFile(options.output, { untrusted: [projectDirectory(path)] });
  const text = await sbomDocument(path, options);
  if (!options.output) return text;
  writeDocument(options.output, text, projectDirectory(path));
  return undefined;
}

export async function sbomDocument(path: string, options: SbomOptions): Promise<string> {
  const generatedAt = creationTime(options.now);
  const inventory = filterInventory(await readProjectInventory(path), {
    environment: options.env,
    platform: options.platform,
  });
  const root = statSync(path).isDirectory() ? path : dirname(path);
  return renderSbom(inventoryReport({ inventory, target: path, root, generatedAt }), options.format);
}

/** `--now`, else `SOURCE_DATE_EPOCH` (the reproducible-builds convention, seconds since the epoch), else now. */
function creationTime(now: string | undefined): Date {
  if (now !== undefined) return parseNow(now);
  const epoch = process.env.SOURCE_DATE_EPOCH;
  if (epoch === undefined || epoch === '') return new Date();
  const date = new Date(Number(epoch) * 1000);
  if (!/^\d+$/.test(epoch) || Number.isNaN(date.getTime())) {
    throw new CvebuildError('USAGE', `SOURCE_DATE_EPOCH: not a number of seconds: ${JSON.stringify(epoch)}`);
  }
  return date;
}

function writeDocument(file: string, text: string, project: string): void {
  writeOutputFile(file, text, { untrusted: [project] });
}
