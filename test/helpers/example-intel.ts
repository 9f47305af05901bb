/** A threat-data directory for proxy and channel-audit tests, built from the examples' own intel. */
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './paths.ts';
import { tempDirectory } from './temp.ts';

/** The examples' threat data (OpenSSL unless left out, NVD's zlib record, the litellm MAL report), a KEV entry, a name map, and optionally the name lists. */
export function writeExampleIntel(options: { openssl?: boolean; nameLists?: boolean } = {}): string {
  const dir = join(tempDirectory(), 'intel');
  mkdirSync(dir);
  for (const example of ['openssl-cve', 'litellm-compromise']) {
    const from = join(projectRoot, 'examples', example, 'intel');
    for (const file of readdirSync(from)) {
      if (options.openssl === false && file.startsWith('openssl')) continue;
      copyFileSync(join(from, file), join(dir, file));
    }
  }
  writeFileSync(
    join(dir, 'kev.json'),
    JSON.stringify({
      title: 'CISA Catalog of Known Exploited Vulnerabilities',
      catalogVersion: '2026.11.30',
      dateReleased: '2026-11-30T00:00:00.000Z',
      count: 1,
      vulnerabilities: [
        {
          cveID: 'CVE-2022-37434',
          vendorProject: 'zlib',
          product: 'zlib',
          vulnerabilityName: 'zlib heap overflow',
          dateAdded: '2026-11-01',
          shortDescription: 'Heap overflow.',
          requiredAction: 'Update.',
          dueDate: '2026-11-22',
          knownRansomwareCampaignUse: 'Unknown',
          notes: '',
        },
      ],
    }),
  );
  // the name lists the typosquat and confusion checks read (for tests that run them too)
  if (options.nameLists) {
    for (const list of ['feedstock-outputs.json', 'top-pypi-packages.min.json'])
      copyFileSync(join(projectRoot, 'test/fixtures/intel', list), join(dir, list));
  }
  writeFileSync(
    join(dir, 'parselmouth-compressed_mapping.json'),
    JSON.stringify({ litellm: 'litellm', openssl: null, zlib: null, libfoo: null }),
  );
  return dir;
}
