/**
 * SPDX 2.3 JSON: the project as the described package, one package per inventory package (one per
 * artifact per platform), and the lock's dependency graph as DEPENDS_ON relationships, the same
 * graph the CycloneDX output draws.
 *
 * Licenses: a declared license that is a valid SPDX expression is kept; every `LicenseRef-` it uses
 * is declared in `hasExtractedLicensingInfos`, as SPDX requires. Any other text becomes
 * NOASSERTION, with the text kept in `licenseComments`.
 */

import { fileNameOf, isUrl } from '../conda/url.ts';
import type { Package } from '../model/package.ts';
import { maskCredentials } from '../text/credentials.ts';
import { toJson } from '../text/json.ts';
import { dependencyGraph } from './dependency-graph.ts';
import { declaredLicense } from './license.ts';
import { packageUrl } from './purl.ts';
import type { ReportInput } from './report.ts';
import { nameUuid, packageRefBase, projectName, sbomUri, sha256, uniqueIds } from './sbom-identity.ts';

const NOASSERTION = 'NOASSERTION';
const DOCUMENT_ID = 'SPDXRef-DOCUMENT';
const PROJECT_ID = 'SPDXRef-Project';
const SHA256 = /^[0-9a-f]{64}$/i;
const MD5 = /^[0-9a-f]{32}$/i;

interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo?: string;
  packageFileName?: string;
  downloadLocation: string;
  filesAnalyzed: false;
  checksums?: { algorithm: 'SHA256' | 'MD5'; checksumValue: string }[];
  licenseConcluded: string;
  licenseDeclared: string;
  licenseComments?: string;
  copyrightText: string;
  comment?: string;
  externalRefs?: { referenceCategory: 'PACKAGE-MANAGER'; referenceType: 'purl'; referenceLocator: string }[];
  primaryPackagePurpose: 'APPLICATION' | 'LIBRARY';
}

interface Relationship {
  spdxElementId: string;
  relationshipType: 'DESCRIBES' | 'DEPENDS_ON';
  relatedSpdxElement: string;
}

export function renderSpdx(report: ReportInput): string {
  const { inventory } = report;
  const name = projectName(report);
  const ids = uniqueIds(
    inventory.packages,
    (pkg) => `SPDXRef-Package-${packageRefBase(pkg).replace(/[^A-Za-z0-9.-]+/g, '-')}`,
  );
  const idOf = (pkg: Package) => ids.get(pkg) ?? '';
  const licenseRefs = new Set<string>();
  const packages: SpdxPackage[] = [
    {
      SPDXID: PROJECT_ID,
      name,
      downloadLocation: NOASSERTION,
      filesAnalyzed: false,
      licenseConcluded: NOASSERTION,
      licenseDeclared: NOASSERTION,
      copyrightText: NOASSERTION,
      primaryPackagePurpose: 'APPLICATION',
    },
    ...inventory.packages.map((pkg) => spdxPackage(pkg, idOf(pkg), licenseRefs)),
  ];

  const graph = dependencyGraph(inventory);
  const relationships: Relationship[] = [
    { spdxElementId: DOCUMENT_ID, relationshipType: 'DESCRIBES', relatedSpdxElement: PROJECT_ID },
    ...graph.direct.map((pkg) => dependsOn(PROJECT_ID, idOf(pkg))),
  ];
  for (const [pkg, targets] of graph.dependsOn) {
    for (const target of targets) relationships.push(dependsOn(idOf(pkg), idOf(target)));
  }

  const body = {
    creationInfo: {
      created: report.generatedAt.toISOString().replace(/\.\d+Z$/, 'Z'),
      creators: [`Tool: ${report.tool.name}-${report.tool.version}`],
    },
    packages,
    relationships,
    ...(licenseRefs.size > 0 ? { hasExtractedLicensingInfos: [...licenseRefs].sort().map(extractedLicense) } : {}),
  };
  // Of the masked content: a hash of the unmasked one would depend on the credentials it hides.
  const digest = sha256(toJson({ name, body }, { indent: 0 }));
  const document = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: DOCUMENT_ID,
    name,
    documentNamespace: `${report.tool.informationUri}/spdx/${encodeURIComponent(maskCredentials(name))}-${nameUuid(`cvebuild:spdx:${digest}`)}`,
    ...body,
  };
  return `${toJson(document)}\n`;
}

function spdxPackage(pkg: Package, id: string, licenseRefs: Set<string>): SpdxPackage {
  const license = declaredLicense(pkg.license);
  if (license?.kind === 'expression') for (const ref of license.licenseRefs) licenseRefs.add(ref);
  const checksums: SpdxPackage['checksums'] = [];
  if (pkg.sha256 && SHA256.test(pkg.sha256))
    checksums.push({ algorithm: 'SHA256', checksumValue: pkg.sha256.toLowerCase() });
  if (pkg.md5 && MD5.test(pkg.md5)) checksums.push({ algorithm: 'MD5', checksumValue: pkg.md5.toLowerCase() });
  const fileName = pkg.url ? fileNameOf(pkg.url) : '';
  const environments = pkg.environments.length > 0 ? `; environments ${pkg.environments.join(', ')}` : '';
  const purl = packageUrl(pkg);
  return {
    SPDXID: id,
    name: pkg.name,
    ...(pkg.version ? { versionInfo: pkg.version } : {}),
    ...(fileName ? { packageFileName: fileName } : {}),
    downloadLocation: downloadLocation(pkg),
    filesAnalyzed: false,
    ...(checksums.length > 0 ? { checksums } : {}),
    licenseConcluded: NOASSERTION,
    licenseDeclared: license?.kind === 'expression' ? license.expression : NOASSERTION,
    ...(license?.kind === 'name'
      ? { licenseComments: `Declared license (not an SPDX expression): ${license.name}` }
      : {}),
    copyrightText: NOASSERTION,
    comment: `${pkg.ecosystem} package on platform ${pkg.platform}${environments}`,
    ...(purl
      ? { externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: purl }] }
      : {}),
    primaryPackagePurpose: 'LIBRARY',
  };
}

/** Where the artifact can be downloaded (`toJson` masks credentials); NOASSERTION for local paths and source trees. */
function downloadLocation(pkg: Package): string {
  const git = pkg.kind === 'git' ? pkg.location.replace(/^git\+/, '') : undefined;
  if (git !== undefined && isUrl(git)) return sbomUri(`git+${git}`);
  if (git === undefined && pkg.url && isUrl(pkg.url)) return sbomUri(pkg.url);
  return NOASSERTION;
}

function dependsOn(from: string, to: string): Relationship {
  return { spdxElementId: from, relationshipType: 'DEPENDS_ON', relatedSpdxElement: to };
}

function extractedLicense(licenseId: string) {
  return {
    licenseId,
    name: licenseId.slice('LicenseRef-'.length),
    extractedText: `Declared as ${licenseId} in the package metadata; the license text is not part of the metadata.`,
  };
}
