/**
 * Validators for the machine-readable reports: CycloneDX 1.6 with the schema the CycloneDX library
 * ships (always available), SARIF 2.1.0 with the official OASIS schema from the shared corpus.
 * Each returns the schema errors as lines; an empty list means valid.
 */
import { readFileSync } from 'node:fs';
import * as CDX from '@cyclonedx/cyclonedx-library';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { corpus } from './paths.ts';

let cycloneDx: CDX.Validation.JsonStrictValidator | undefined;

export async function cycloneDxErrors(json: string): Promise<string[]> {
  cycloneDx ??= new CDX.Validation.JsonStrictValidator(CDX.Spec.Spec1dot6.version);
  const errors = (await cycloneDx.validate(json)) as ErrorObject[] | null;
  return (errors ?? []).map(describe);
}

let sarif: ValidateFunction | undefined;

/** Needs ../shared/corpus (the schema is not vendored); corpus tests only. */
export function sarifErrors(document: unknown): string[] {
  if (!sarif) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    sarif = ajv.compile(JSON.parse(readFileSync(corpus('schemas/sarif-schema-2.1.0.json'), 'utf8')));
  }
  return sarif(document) ? [] : (sarif.errors ?? []).map(describe);
}

function describe(error: ErrorObject): string {
  return `${error.instancePath || '/'} ${error.keyword}: ${error.message ?? ''} ${JSON.stringify(error.params)}`;
}
