/** The files of ../shared/corpus/intel that make a complete store for auditing (tests and benchmarks). */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { corpus } from './paths.ts';

export function auditIntelFiles(): string[] {
  const intel = corpus('intel');
  return [
    'osv-pypi-pysec.jsonl',
    'osv-pypi-ghsa.jsonl',
    'osv-pypi-malicious.jsonl',
    'osv-pypi-malicious-recent.jsonl',
    'pypi-malicious-names.jsonl',
    'cisa-kev.json',
    'top-pypi-packages.min.json',
    'conda-forge/parselmouth-conda-forge-compressed_mapping.v0.json',
    'conda-forge/feedstock-outputs.json',
    'clibs/openssl-secjson-cve5.jsonl',
    'clibs/curl-vulns.derived.jsonl',
    ...readdirSync(join(intel, 'clibs/nvd')).map((name) => `clibs/nvd/${name}`),
  ].map((path) => join(intel, path));
}
