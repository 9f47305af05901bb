/**
 * The `artifact-files` check: what a package archive's payload files are. Files with setuid or
 * setgid bits (an installer keeps the bits, so the environment gains a program that runs with its
 * owner's rights), and build-machine paths that no installer rewrites. Symlinks leaving the
 * package are the link-scripts check's `escaping-link` findings, not repeated here.
 */
import { basename } from 'node:path';
import type { ArtifactFiles } from '../artifacts/artifact-files.ts';
import { CvebuildError } from '../errors.ts';
import { describePackage, type Finding, packageFinding, type RuleText, type Severity } from '../model/finding.ts';
import type { Package } from '../model/package.ts';
import { artifactFiles, packageArchives } from './artifact-contents.ts';
import type { PackageDirsSettings } from './backports.ts';
import type { Check } from './check.ts';

const CHECK_ID = 'artifact-files';
const VERSION = 1;

const RULES = new Map<string, RuleText>([
  [
    `${CHECK_ID}/setuid`,
    {
      title: 'Package file with the setuid or setgid bit',
      help: 'A file in the package carries the setuid or setgid bit, which installers keep: run by anyone, it runs with its owner’s (or group’s) rights. conda packages have no reason for one. Rebuild without the bit, or do not install the archive.',
      cwes: ['CWE-250'],
      tags: ['security', 'dependency', 'supply-chain'],
    },
  ],
  [
    `${CHECK_ID}/build-path`,
    {
      title: 'Package files with build-machine paths installers do not rewrite',
      help: 'Files hold absolute paths of the machine that built the package (its feedstock root, conda-bld, the build or host environment, a /tmp work directory) that are not registered as a prefix placeholder in info/paths.json or info/has_prefix, so installers leave them as they are. The installed package then looks for files in a directory that does not exist, or that another user can create. Register the prefix (conda-build and rattler-build do so for files they detect), or fix the build so the path is not embedded.',
      cwes: ['CWE-426'],
      tags: ['security', 'dependency', 'supply-chain', 'relocation'],
    },
  ],
  [
    `${CHECK_ID}/unreadable-archive`,
    {
      title: 'Package archive whose files could not be inspected',
      help: 'The package archive is damaged, or crosses a limit that protects the scan, so its files were not checked and the gate fails closed. Do not install it; obtain a good copy.',
      cwes: [],
      tags: ['security', 'dependency', 'supply-chain'],
    },
  ],
]);

export const artifactFilesCheck: Check<PackageDirsSettings> = {
  id: CHECK_ID,
  version: VERSION,
  title: 'Package files with setuid bits or unrewritten build paths',
  requires: { intel: false, network: false, archives: true },
  rules: {
    check: {
      title: 'Package archive file that should not be installed as it is',
      help: 'A file in the package archive is privileged (setuid/setgid) or holds build-machine paths.',
      cwes: [],
      tags: ['security', 'dependency', 'supply-chain'],
    },
    rule: (id) => RULES.get(id),
  },
  async run(inventory, context) {
    const findings: Finding[] = [];
    for (const { pkg, archive } of packageArchives(inventory, context.settings.packageDirs ?? [])) {
      const read = await artifactFiles(inventory, archive);
      findings.push(
        ...(read instanceof CvebuildError ? [unreadable(CHECK_ID, VERSION, pkg, read)] : filesFindings(pkg, read)),
      );
    }
    return findings;
  },
};

function filesFindings(pkg: Package, files: ArtifactFiles): Finding[] {
  const findings: Finding[] = [];
  const where = basename(files.archive);
  if (files.privileged.length > 0) {
    const shown = files.privileged
      .slice(0, 3)
      .map((file) => `${file.path} (mode ${file.mode}, ${file.bits.join('+')})`);
    const more = files.privileged.length > 3 ? ` and ${files.privileged.length - 3} more` : '';
    findings.push(
      finding(
        pkg,
        'setuid',
        'high',
        `${describePackage(pkg)} installs ${files.privileged.length} setuid/setgid file(s) from ${where}: ${shown.join(', ')}${more}`,
        {
          archive: files.archive,
          files: files.privileged,
        },
        'rebuild without the setuid/setgid bit; do not install this archive',
      ),
    );
  }
  if (files.buildPathFiles > 0) {
    const first = files.buildPaths[0];
    findings.push(
      finding(
        pkg,
        'build-path',
        'medium',
        `${describePackage(pkg)}: ${files.buildPathFiles} file(s) in ${where} hold build-machine paths that installers do not rewrite, e.g. ${first?.path}: ${first?.paths[0]}${first?.placeholder ? ` (registered placeholder ${first.placeholder} does not cover it)` : ' (not registered in info/paths.json or info/has_prefix)'}`,
        { archive: files.archive, count: files.buildPathFiles, files: files.buildPaths.slice(0, 20) },
        'register the build prefix for these files (info/paths.json prefix_placeholder) or rebuild so the path is not embedded',
      ),
    );
  }
  return findings;
}

export function unreadable(check: string, version: number, pkg: Package, error: CvebuildError): Finding {
  return packageFinding({ id: check, version }, pkg, {
    rule: `${check}/unreadable-archive`,
    severity: 'medium',
    message: `${describePackage(pkg)}: archive could not be inspected: ${error.toLine()}`,
    evidence: { archive: error.location.file, error: error.code },
    remedy: 'do not install this archive',
    flags: { unchecked: true },
  });
}

function finding(
  pkg: Package,
  rule: string,
  severity: Severity,
  message: string,
  evidence: Record<string, unknown>,
  remedy: string,
): Finding {
  return packageFinding({ id: CHECK_ID, version: VERSION }, pkg, {
    rule: `${CHECK_ID}/${rule}`,
    severity,
    message,
    evidence,
    remedy,
  });
}
