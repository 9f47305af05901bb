/**
 * The shared opening of cvebuild's reviewed data files (data/conda-native.json,
 * data/conda-ecosystems.json): JSON whose top level is an object, and a `fail` that names the file
 * and key in one DATA_INVALID line.
 */
import { CvebuildError } from '../errors.ts';

export type Entry = Record<string, unknown>;

export type Fail = (key: string, message: string) => never;

export function openDataDocument(text: string, file: string): { root: Entry; fail: Fail } {
  const fail: Fail = (key, message) => {
    throw new CvebuildError('DATA_INVALID', message, { file, key });
  };
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return fail('', `not JSON: ${(error as Error).message}`);
  }
  return { root: isEntry(document) ? document : fail('', 'expected an object'), fail };
}

export function isEntry(value: unknown): value is Entry {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
