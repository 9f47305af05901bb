/**
 * The `vendored-libs` check: native libraries built into a package's binaries (OpenSSL, zlib,
 * curl, libpng, sqlite, expat), recognised by the version strings their code embeds, and matched
 * as that upstream product and version through the same matcher as the vulnerability check, so a
 * copy of OpenSSL 1.1.1t inside lib/libfoo.so gets OpenSSL 1.1.1t's CVEs. The package's own
 * library (openssl's libcrypto) is its own record's business, not a vendored copy.
 *
 * It requires intel: what it finds is only worth reporting through the lookup, and a run that
 * selected it without a store must fail, not pass having looked nothing up.
 */
import { basename } from 'node:path';
import type { ArtifactFiles } from '../artifacts/artifact-files.ts';
import { CvebuildError } from '../errors.ts';
import { nativeProduct, nativeProductForConda } from '../mapping/native.ts';
import { describePackage, type Finding, packageFinding, type RuleText, subjectOf } from '../model/finding.ts';
import type { Package } from '../model/package.ts';
import { advisoryFinding } from './advisory-findings.ts';
import { artifactFiles, packageArchives } from './artifact-contents.ts';
import { unreadable } from './artifact-files.ts';
import { type AdvisoryFindingOf, markBackports, type PackageDirsSettings } from './backports.ts';
import { type Check, requireIntel } from './check.ts';

const CHECK_ID = 'vendored-libs';
const VERSION = 1;

const RULES = new Map<string, RuleText>([
  [
    `${CHECK_ID}/vendored`,
    {
      title: 'Native library built into a package binary',
      help: 'A binary in the package holds its own copy of a native library (its version banner is embedded), which the environment cannot update by upgrading that library. Listed so the copy is known; its advisories are reported as their CVE ids.',
      cwes: [],
      tags: ['dependency', 'vendored', 'supply-chain'],
    },
  ],
  [
    `${CHECK_ID}/partly-scanned`,
    {
      title: 'Package binaries searched only in part',
      help: 'Some files are longer than the bytes searched per file, so a library built into their tail would not be seen.',
      cwes: [],
      tags: ['dependency', 'vendored'],
    },
  ],
]);

export const vendoredLibsCheck: Check<PackageDirsSettings> = {
  id: CHECK_ID,
  version: VERSION,
  title: 'Vulnerable native libraries built into package binaries',
  requires: { intel: true, network: false, archives: true },
  rules: {
    check: {
      title: 'Package binary with a vulnerable built-in copy of a native library',
      help: 'A shared object or executable in the package embeds its own copy of a native library (OpenSSL, zlib, curl, libpng, sqlite, expat) whose version has known vulnerabilities. Upgrading the library in the environment does not fix the copy: rebuild the package against a fixed version, or link the library dynamically.',
      cwes: ['CWE-1395'],
      tags: ['security', 'dependency', 'vulnerability', 'vendored'],
    },
    rule: (id) => RULES.get(id),
  },
  async run(inventory, context) {
    const { matcher } = requireIntel(context, CHECK_ID);
    const findings: Finding[] = [];
    const advisories: AdvisoryFindingOf[] = [];
    for (const { pkg, archive } of packageArchives(inventory, context.settings.packageDirs ?? [])) {
      const read = await artifactFiles(inventory, archive);
      if (read instanceof CvebuildError) {
        findings.push(unreadable(CHECK_ID, VERSION, pkg, read));
        continue;
      }
      for (const copy of vendoredCopies(pkg, read)) {
        findings.push(vendoredFinding(pkg, read, copy));
        for (const group of matcher.match(syntheticPackage(pkg, copy)).groups) {
          if (group.malicious || group.target.ecosystem !== 'upstream') continue;
          advisories.push({ pkg, finding: copyAdvisoryFinding(pkg, read, copy, advisoryFinding(pkg, group)) });
        }
      }
      if (read.partlyScanned.length > 0) findings.push(partlyScanned(pkg, read));
    }
    const remote = {
      offline: context.offline,
      cacheDir: context.cacheDir,
      ...(context.http ? { http: context.http } : {}),
    };
    return [
      ...findings,
      ...(await markBackports(advisories, { packageDirs: context.settings.packageDirs ?? [] }, remote)),
    ];
  },
};

/** One library at one version, and the files holding it. */
interface VendoredCopy {
  product: string;
  version: string;
  text: string;
  files: string[];
}

function vendoredCopies(pkg: Package, read: ArtifactFiles): VendoredCopy[] {
  const own = new Set(
    [read.name, pkg.normalizedName].flatMap((name) => (name ? [nativeProductForConda(name)?.product] : [])),
  );
  const copies = new Map<string, VendoredCopy>();
  for (const hit of read.vendored) {
    if (own.has(hit.product)) continue;
    const key = `${hit.product}\u0000${hit.version}`;
    const copy = copies.get(key) ?? { product: hit.product, version: hit.version, text: hit.text, files: [] };
    copy.files.push(hit.path);
    copies.set(key, copy);
  }
  return [...copies.values()];
}

/** The library as a conda package of its own (the product map's first conda name), at the embedded version. */
function syntheticPackage(pkg: Package, copy: VendoredCopy): Package {
  const name = nativeProduct(copy.product)?.conda[0] ?? copy.product;
  return {
    ...pkg,
    name,
    normalizedName: name,
    version: copy.version,
    build: undefined,
    purls: [],
    purlsKnown: true,
    depends: [],
  };
}

function label(copy: VendoredCopy): string {
  const files = copy.files.length > 1 ? ` (+${copy.files.length - 1} more)` : '';
  return `${copy.product} ${copy.version} in ${copy.files[0]}${files}`;
}

function copyEvidence(read: ArtifactFiles, copy: VendoredCopy): Record<string, unknown> {
  return {
    archive: read.archive,
    product: copy.product,
    version: copy.version,
    text: copy.text,
    files: copy.files.slice(0, 20),
  };
}

function copyAdvisoryFinding(pkg: Package, read: ArtifactFiles, copy: VendoredCopy, advisory: Finding): Finding {
  const { safeVersion } = advisory.evidence as { safeVersion?: string | null };
  const { summary } = advisory.evidence as { summary?: string };
  return {
    ...advisory,
    check: CHECK_ID,
    checkVersion: VERSION,
    subject: subjectOf(pkg),
    location: pkg.origin,
    message: `${describePackage(pkg)}: vendored ${label(copy)}: ${advisory.rule}${summary ? `: ${summary}` : ''}`,
    evidence: { ...advisory.evidence, vendored: copyEvidence(read, copy) },
    remedy: `rebuild ${pkg.name} against ${copy.product} ${safeVersion ?? '(a fixed version)'} or later, or link ${copy.product} dynamically`,
  };
}

function vendoredFinding(pkg: Package, read: ArtifactFiles, copy: VendoredCopy): Finding {
  return packageFinding({ id: CHECK_ID, version: VERSION }, pkg, {
    rule: `${CHECK_ID}/vendored`,
    severity: 'info',
    message: `${describePackage(pkg)} has ${label(copy)} built in (${basename(read.archive)}: "${copy.text}")`,
    evidence: copyEvidence(read, copy),
  });
}

function partlyScanned(pkg: Package, read: ArtifactFiles): Finding {
  const first = read.partlyScanned[0];
  return packageFinding({ id: CHECK_ID, version: VERSION }, pkg, {
    rule: `${CHECK_ID}/partly-scanned`,
    severity: 'info',
    message: `${describePackage(pkg)}: ${read.partlyScanned.length} file(s) in ${basename(read.archive)} were searched only in part, e.g. ${first?.path} (${first?.size} bytes)`,
    evidence: { archive: read.archive, files: read.partlyScanned.slice(0, 20) },
  });
}
