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

/**
 * `auditIntelFiles` plus the C/C++ records issue 13 added: NVD records for mapped products, CVE 5
 * records with CNA and CISA ADP data, and OSS-Fuzz's OSV records. The bench compares the gate
 * over both stores (its cost must stay within 1.2× as the data grows).
 */
export function grownIntelFiles(): string[] {
  const intel = corpus('intel');
  const jsonIn = (folder: string) =>
    readdirSync(join(intel, folder))
      .filter((name) => name.endsWith('.json'))
      .map((name) => join(intel, folder, name));
  return [
    ...auditIntelFiles(),
    ...jsonIn('nvd-products'),
    ...jsonIn('cve5-vulnrichment'),
    ...jsonIn('clibs/cve5'),
    join(intel, 'clibs/osv-ossfuzz-clibs.jsonl'),
  ];
}
