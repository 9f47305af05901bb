/**
 * The `link-scripts` check: conda packages that run their own scripts when installed or removed
 * (`pre-link`, `post-link`, `pre-unlink`, `post-unlink`). Looks in installed prefixes, in package
 * archives found under `settings.packageDirs`, and, when no archive is at hand, at a local
 * channel's channeldata.json flags as a lower-confidence hint.
 */
import { basename, resolve } from 'node:path';
import { shownName } from '../artifacts/limits.ts';
import type { ArchiveLinkScripts, LinkAction, LinkScript } from '../artifacts/link-scripts.ts';
import { CHANNELDATA_FLAGS, indexPackageDirs, type PackageDirIndex } from '../artifacts/package-dirs.ts';
import { CvebuildError } from '../errors.ts';
import {
  describePackage,
  type Finding,
  type FindingFlags,
  packageFinding,
  type RuleText,
  type Severity,
} from '../model/finding.ts';
import type { Package } from '../model/package.ts';
import { zod } from '../policy/zod.ts';
import type { PackageDirsSettings } from './backports.ts';
import { type Check, checkOptions } from './check.ts';
import { archiveFor, ownArchiveOf, prefixOf, prefixRecordFiles } from './package-contents.ts';

const CHECK_ID = 'link-scripts';
const VERSION = 1;

/** conda warns pre-link scripts are dangerous: they run from the package cache before anything is linked. */
const SEVERITY: Record<LinkAction, Severity> = {
  'pre-link': 'high',
  'post-link': 'medium',
  'pre-unlink': 'medium',
  'post-unlink': 'medium',
};

const WHEN: Record<LinkAction, string> = {
  'pre-link': 'runs before the package is linked',
  'post-link': 'runs after the package is installed',
  'pre-unlink': 'runs before the package is removed',
  'post-unlink': 'runs after the package is removed',
};

const REMEDY =
  'review the script before installing; conda runs link scripts by default, pixi/rattler only with run-post-link-scripts = "insecure"';

type ArchiveResult = ArchiveLinkScripts | CvebuildError;

/** Rules about the archive itself rather than a script it runs. */
const ARCHIVE_PROBLEMS = new Set(['path-traversal', 'unreadable-archive', 'escaping-link', 'unknown-entry-type']);

/** Rules about the archive or prefix itself rather than a script it runs. */
const LINK_SCRIPT_PROBLEMS = new Map<string, RuleText>([
  [
    'link-scripts/path-traversal',
    {
      title: 'Package archive with paths that escape the install prefix',
      help: 'An entry name in the package archive is absolute or climbs out with `..`, so extracting it writes outside the environment. No honest package has one: do not install the archive.',
      cwes: ['CWE-22'],
      tags: ['security', 'dependency', 'path-traversal', 'supply-chain'],
    },
  ],
  [
    'link-scripts/escaping-link',
    {
      title: 'Package with a link that leads outside it',
      help: 'A symlink or hardlink in the package (or left in an installed environment) resolves outside the package root: an absolute target, or `..` climbing out, possibly through other links. Whatever is later written or extracted through it lands outside the environment (`etc → /etc`). Do not install the archive; remove the package from the environment.',
      cwes: ['CWE-59'],
      tags: ['security', 'dependency', 'link-following', 'supply-chain'],
    },
  ],
  [
    'link-scripts/unknown-entry-type',
    {
      title: 'Package archive with entries of an unknown type',
      help: 'The archive holds tar entries of a type cvebuild does not know. Installers may extract them as regular files, so the package was not fully checked and the gate fails closed. Do not install the archive until it is understood.',
      cwes: [],
      tags: ['security', 'dependency', 'supply-chain'],
    },
  ],
  [
    'link-scripts/unreadable-archive',
    {
      title: 'Package archive that could not be inspected',
      help: 'The package archive is damaged, or crosses a limit that protects the scan (entry count, size, compression ratio), so its install scripts were not checked and the gate fails closed. Do not install it; obtain a good copy.',
      cwes: [],
      tags: ['security', 'dependency', 'supply-chain'],
    },
  ],
]);

/** The package directories (also read by the vulnerability check, for recipe patches). */
export type LinkScriptsSettings = PackageDirsSettings;

export const linkScriptsCheck: Check<LinkScriptsSettings> = {
  id: CHECK_ID,
  version: VERSION,
  title: 'Conda packages with install-time link scripts',
  requires: { intel: false, network: false, archives: true },
  rules: {
    check: {
      title: 'Conda package runs scripts at install time',
      help: 'The conda package ships a pre-link, post-link or pre-unlink script, which runs with the installing user’s rights when the environment is created. Review the script; prefer packages without one.',
      cwes: ['CWE-829'],
      tags: ['security', 'dependency', 'install-script', 'supply-chain'],
    },
    rule: (id) => LINK_SCRIPT_PROBLEMS.get(id),
  },
  options: checkOptions({
    defaults: (): LinkScriptsSettings => ({ packageDirs: [] }),
    shape: () => ({ 'package-dirs': zod().array(zod().string().min(1)) }),
    apply(values, settings, baseDir) {
      const dirs = values['package-dirs'];
      if (dirs) settings.packageDirs.push(...dirs.map((dir) => resolve(baseDir, dir)));
    },
  }),
  async run(inventory, context) {
    // the archive readers (zip, zstd, bzip2, tar) load only when a run has packages to open
    const [{ archiveLinkScripts, prefixLinkScripts }, { prefixEscapingLinks }] = await Promise.all([
      import('../artifacts/link-scripts.ts'),
      import('../artifacts/prefix-links.ts'),
    ]);
    const installedFindings = (pkg: Package, prefix: string): Finding[] => {
      const found = prefixLinkScripts(prefix, pkg.name).map((script) =>
        scriptFinding(pkg, script, `installed in ${prefix}`, { prefix }),
      );
      const record = prefixRecordFiles(pkg.origin.file);
      const escaping = prefixEscapingLinks(prefix, record.files, record.packageCache);
      if (escaping.length > 0) found.push(escapingLinksFinding(pkg, escaping, { prefix }));
      return found;
    };
    const dirs = context.settings.packageDirs;
    const index: PackageDirIndex = dirs.length > 0 ? indexPackageDirs(dirs) : { archives: new Map(), channeldata: [] };
    const scans = new Map<string, Promise<ArchiveResult>>();
    const hashes = new Map<string, string>();
    const findings: Finding[] = [];
    for (const pkg of inventory.packages) {
      if (pkg.ecosystem !== 'conda') continue;
      const prefix = prefixOf(pkg);
      if (prefix) findings.push(...installedFindings(pkg, prefix));
      const archive = ownArchiveOf(pkg) ?? archiveFor(pkg, index, hashes);
      if (archive) {
        let scan = scans.get(archive);
        if (!scan) {
          scan = archiveLinkScripts(archive, pkg.name).catch((error: unknown) => {
            if (error instanceof CvebuildError && error.code.startsWith('ARCHIVE_')) return error;
            throw error;
          });
          scans.set(archive, scan);
        }
        findings.push(...archiveFindings(pkg, await scan));
      } else if (!prefix) {
        findings.push(...hintFindings(pkg, index));
      }
    }
    return findings;
  },
};

function archiveFindings(pkg: Package, scan: ArchiveResult): Finding[] {
  if (scan instanceof CvebuildError) {
    return [
      finding(
        pkg,
        'unreadable-archive',
        'medium',
        `${describePackage(pkg)}: archive could not be inspected: ${scan.toLine()}`,
        {
          archive: scan.location.file,
          error: scan.code,
        },
        { unchecked: true },
      ),
    ];
  }
  const findings: Finding[] = [];
  if (scan.unsafePaths.length > 0) {
    const paths = scan.unsafePaths.map(({ path, reason, member }) => ({ path, reason, member }));
    findings.push(
      finding(
        pkg,
        'path-traversal',
        'high',
        `${describePackage(pkg)} has ${scan.unsafeCount} archive path(s) that escape the install prefix, e.g. "${shownName(paths[0]?.path ?? '')}" (${paths[0]?.reason}): the package is malicious or broken`,
        { archive: scan.archive, count: scan.unsafeCount, paths },
      ),
    );
  }
  if (scan.escapingLinks.length > 0) {
    findings.push(escapingLinksFinding(pkg, scan.escapingLinks, { archive: scan.archive }));
  }
  if (scan.unknownEntries.length > 0) {
    const entries = scan.unknownEntries;
    const first = entries[0];
    findings.push(
      finding(
        pkg,
        'unknown-entry-type',
        'medium',
        `${describePackage(pkg)}: ${basename(scan.archive)} holds ${entries.length} tar entr${entries.length === 1 ? 'y' : 'ies'} of a type cvebuild does not know, e.g. "${first?.path}" (typeflag ${first?.typeflag}); installers may extract ${entries.length === 1 ? 'it' : 'them'} as files, so the archive was not fully checked`,
        { archive: scan.archive, entries: entries.slice(0, 20) },
        { unchecked: true },
      ),
    );
  }
  const where = `in ${basename(scan.archive)}`;
  for (const script of scan.scripts) {
    findings.push(scriptFinding(pkg, script, where, { archive: scan.archive }));
  }
  if (scan.scripts.length === 0) {
    for (const copy of scan.recipeCopies) {
      findings.push(
        finding(
          pkg,
          'recipe-copy',
          'low',
          `${describePackage(pkg)} keeps a recipe copy of a ${copy.action} script (${copy.path}) ${where} but its payload has none to run`,
          { ...scriptEvidence(copy), archive: scan.archive },
        ),
      );
    }
  }
  return findings;
}

function escapingLinksFinding(
  pkg: Package,
  links: readonly { path: string; type: string; target: string; reason: string }[],
  source: Record<string, string>,
): Finding {
  const first = links[0];
  const where = source.archive ? `in ${basename(source.archive)}` : `installed in ${source.prefix}`;
  return finding(
    pkg,
    'escaping-link',
    'high',
    `${describePackage(pkg)} has ${links.length} link(s) ${where} whose target resolves outside the ${source.archive ? 'package' : 'prefix'}, e.g. ${first?.path} → ${first?.target} (${first?.reason}): whatever is written through ${links.length === 1 ? 'it' : 'them'} lands there`,
    { ...source, links: links.slice(0, 20) },
  );
}

function scriptFinding(pkg: Package, script: LinkScript, where: string, source: Record<string, string>): Finding {
  return finding(
    pkg,
    script.action,
    SEVERITY[script.action],
    `${describePackage(pkg)} has a ${script.action} script ${script.path}${describeLink(script)} ${where} (${WHEN[script.action]})`,
    { ...scriptEvidence(script), ...source },
  );
}

/** ` (a symlink to share/x.sh)`: a link to a script is the script, and the finding says which file runs. */
function describeLink(script: LinkScript): string {
  const link = script.link;
  const unread = script.unread ? `; not read: ${script.unread}` : '';
  if (!link) return unread ? ` (${unread.slice(2)})` : '';
  const to = link.type === 'linked directory' ? `, really ${link.target}` : ` to ${link.target}`;
  return ` (a ${link.type}${to}${unread})`;
}

function hintFindings(pkg: Package, index: PackageDirIndex): Finding[] {
  const findings: Finding[] = [];
  for (const channeldata of index.channeldata) {
    for (const flag of channeldata.packages.get(pkg.name) ?? []) {
      const action = CHANNELDATA_FLAGS[flag];
      findings.push(
        finding(
          pkg,
          action,
          'low',
          `${describePackage(pkg)} may have a ${action} script: ${channeldata.file} sets ${flag} for ${pkg.name} (archive not available to confirm)`,
          { channeldata: channeldata.file, flag, confidence: 'hint' },
        ),
      );
    }
  }
  return findings;
}

function scriptEvidence(script: LinkScript): Record<string, unknown> {
  return {
    path: script.path,
    ...(script.link ? { link: script.link } : {}),
    ...(script.sha256 !== undefined ? { sha256: script.sha256, size: script.size } : {}),
    firstLines: script.firstLines,
    ...(script.unread ? { unread: script.unread } : {}),
  };
}

function finding(
  pkg: Package,
  rule: string,
  severity: Severity,
  message: string,
  evidence: Record<string, unknown>,
  flags?: FindingFlags,
): Finding {
  const remedy = !ARCHIVE_PROBLEMS.has(rule)
    ? REMEDY
    : evidence.prefix
      ? 'remove this package from the environment, and check what the links point at'
      : 'do not install this archive';
  return packageFinding({ id: CHECK_ID, version: VERSION }, pkg, {
    rule: `${CHECK_ID}/${rule}`,
    severity,
    message,
    evidence,
    remedy,
    flags,
  });
}
