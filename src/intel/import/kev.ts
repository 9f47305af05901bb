/** CISA Known Exploited Vulnerabilities catalog (`{catalogVersion, vulnerabilities:[{cveID, …}]}`) → kev table. */
import { isDeepStrictEqual } from 'node:util';
import type { KevEntry } from '../model.ts';
import type { PreparedImport } from './prepared.ts';
import { asArray, asString, feedInvalid, isObject, type Json, strings } from './source.ts';

const CVE_ID = /^CVE-\d{4}-\d{4,}$/;

export function isKevCatalog(document: unknown): document is Json {
  if (!isObject(document) || !Array.isArray(document.vulnerabilities)) return false;
  const [first] = document.vulnerabilities;
  return isObject(first) ? typeof first.cveID === 'string' : 'catalogVersion' in document;
}

export function prepareKev(document: Json, path: string): PreparedImport {
  const entries = asArray(document.vulnerabilities).map((item, index) => kevEntry(item, path, index));
  return {
    write(store) {
      let written = 0;
      for (const entry of entries) {
        // Compared first so a re-import of the same catalog writes nothing.
        if (isDeepStrictEqual(store.kevFor([entry.cveId])[0], entry)) continue;
        store.upsertKev(entry);
        written++;
      }
      return { feed: 'kev', records: entries.length, written, skipped: entries.length - written, notes: [] };
    },
  };
}

function kevEntry(item: unknown, path: string, index: number): KevEntry {
  const location = { file: path, key: `vulnerabilities[${index}]` };
  if (!isObject(item)) throw feedInvalid('not a KEV entry object', location);
  const cveId = asString(item.cveID);
  const dateAdded = asString(item.dateAdded);
  if (!cveId || !CVE_ID.test(cveId)) throw feedInvalid('KEV entry without a valid `cveID`', location);
  if (!dateAdded) throw feedInvalid(`KEV entry ${cveId} without \`dateAdded\``, location);
  const dueDate = asString(item.dueDate);
  const ransomware = asString(item.knownRansomwareCampaignUse);
  return {
    cveId,
    vendorProject: asString(item.vendorProject) ?? '',
    product: asString(item.product) ?? '',
    vulnerabilityName: asString(item.vulnerabilityName) ?? '',
    dateAdded,
    ...(dueDate === undefined ? {} : { dueDate }),
    ...(ransomware === undefined ? {} : { knownRansomwareCampaignUse: ransomware }),
    cwes: strings(item.cwes),
  };
}
