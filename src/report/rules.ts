/**
 * What a rule is, for readers who did not write it: a title, help text, CWE ids and tags per
 * check, refined by the advisory's own data (its CWEs, CVSS score) for vulnerability findings.
 * SARIF rule metadata, HTML details and Markdown all read it from here.
 */
import { type Finding, isAdvisoryFinding, type Severity } from '../model/finding.ts';
import { SAST_RULE_INFO } from '../sast/rules.ts';
import { SECRET_RULES } from '../secrets/rules.ts';

export interface RuleInfo {
  id: string;
  /** Short title (one line). */
  title: string;
  /** What the rule detects and why it matters (plain text, a few sentences). */
  help: string;
  /** `CWE-1395` style ids. */
  cwes: string[];
  tags: string[];
  /** A 0.1–10 score GitHub uses to rank security results (from CVSS when known). */
  securitySeverity: number;
}

interface CheckRuleTemplate {
  title: string;
  help: string;
  cwes: string[];
  tags: string[];
}

const CHECK_RULES: Record<string, CheckRuleTemplate> = {
  vulnerability: {
    title: 'Dependency with a known vulnerability',
    help: 'A locked package version is inside the affected range of a published advisory (OSV, PyPA, GHSA, or a vendor feed such as OpenSSL or curl). Upgrade to the safe version the finding names, or waive it with a reason and an expiry date if the vulnerable code cannot be reached.',
    cwes: ['CWE-1395'],
    tags: ['security', 'dependency', 'vulnerability'],
  },
  malicious: {
    title: 'Known-malicious package release',
    help: 'A malicious-package report (OpenSSF malicious-packages, OSV MAL records) names this release. Installing it runs attacker code. Remove it, rotate every credential the environment could reach, and pin a release published before the compromise.',
    cwes: ['CWE-506'],
    tags: ['security', 'dependency', 'malicious', 'supply-chain'],
  },
  'lock-integrity': {
    title: 'Lock record disagrees with its artifact',
    help: 'The lock names one package or version, but the artifact it installs (its URL and sha256) is another. Package managers never write such a record: the lock was edited, typically so that a known-bad release passes a gate that reads the version field. cvebuild audits what the artifact is. Re-create the lock with the package manager and find out who changed it.',
    cwes: ['CWE-345', 'CWE-494'],
    tags: ['security', 'dependency', 'lock-integrity', 'supply-chain'],
  },
  typosquat: {
    title: 'Name one edit away from a popular package',
    help: 'The package name is a near miss of a popular PyPI or conda-forge name (an edit, transposition, homoglyph, separator or affix). Typosquats install attacker code under a name that looks right. Check the name is the one you meant; add it to the typosquat allow-list if it is.',
    cwes: ['CWE-1357'],
    tags: ['security', 'dependency', 'typosquat', 'supply-chain'],
  },
  confusion: {
    title: 'Dependency confusion between private and public sources',
    help: 'A name meant to come from a private channel or index resolved from a public one, or a private source serves a name that also exists publicly. An attacker who registers the private name publicly wins the resolution. Pin the source for the name (a channel or index per package) in the manifest.',
    cwes: ['CWE-427'],
    tags: ['security', 'dependency', 'dependency-confusion', 'supply-chain'],
  },
  cooldown: {
    title: 'Release newer than the cooldown',
    help: 'The locked release was published after the cutoff the cooldown (pixi exclude-newer) allows. Most hijacked releases are found and yanked within days; waiting lets the community catch them first. Re-lock with the cutoff, or exempt the package if you need the release.',
    cwes: ['CWE-1357'],
    tags: ['security', 'dependency', 'cooldown', 'supply-chain'],
  },
  'link-scripts': {
    title: 'Conda package runs scripts at install time',
    help: 'The conda package ships a pre-link, post-link or pre-unlink script, which runs with the installing user’s rights when the environment is created. Review the script; prefer packages without one.',
    cwes: ['CWE-829'],
    tags: ['security', 'dependency', 'install-script', 'supply-chain'],
  },
  sources: {
    title: 'Package from an untrusted channel or index',
    help: 'The policy lists the channels and indexes packages may come from, and this package came from somewhere else (or by a direct URL or git reference, which bypasses the indexes). Take it from a trusted source, or add its source to [sources] in the policy after reviewing it.',
    cwes: ['CWE-829'],
    tags: ['security', 'dependency', 'untrusted-source', 'supply-chain'],
  },
  attestation: {
    title: 'Conda package without a valid attestation from a trusted publisher',
    help: 'The policy requires this package to carry a CEP-27 publish attestation (a Sigstore bundle over the artifact’s filename and sha256, and the channel it was published to), signed by one of the trusted publishers. It is missing, does not verify, comes from another signer, or earlier versions were attested and this one is not — the shape of a release published outside its usual pipeline. Use an attested build, or review the release and relax the requirement.',
    cwes: ['CWE-347', 'CWE-494'],
    tags: ['security', 'dependency', 'attestation', 'supply-chain'],
  },
  policy: {
    title: 'Policy requirement not met',
    help: 'The policy itself could not be satisfied: a waiver has expired, or the policy requires a verification that no check could perform. Renew or remove the waiver (with a new reason and expiry), or relax the requirement explicitly.',
    cwes: [],
    tags: ['security', 'policy'],
  },
};

const CODE_RULES: Record<string, CheckRuleTemplate> = {
  sast: {
    title: 'Insecure code pattern',
    help: 'A static-analysis rule matched the project’s own code or recipe scripts. cvebuild reports it and never changes code: review the place, fix it, or accept it with an inline `# cvebuild: ignore[rule]` comment (Bandit’s `# nosec` is honoured too) or a waiver.',
    cwes: [],
    tags: ['security', 'sast', 'code'],
  },
  secrets: {
    title: 'Secret committed to the project',
    help: 'A credential is written in a file of the project. Anyone who can read the repository, its history or a package built from it can use it. Revoke or rotate it, then remove it and read it from the environment or a secret store.',
    cwes: ['CWE-798'],
    tags: ['security', 'secret', 'code'],
  },
};

/** What a code check says about its own run rather than about the code: `sast/not-scanned`, `sast/engine-failed`. */
const CODE_RUN_RULES: Record<string, Partial<CheckRuleTemplate>> = {
  'not-scanned': {
    title: 'Files not scanned',
    help: 'These files were not read: they are over the size bound (max-file-size in the policy), unreadable, or not valid text in their encoding. Raise the bound or exclude the files explicitly, so that nothing found means nothing there.',
    cwes: [],
  },
  'engine-failed': {
    title: 'External SAST engine could not run',
    help: 'The policy enables an external engine (bandit or semgrep) that is not installed or failed, so the scan is incomplete and the gate fails closed. Install it, or remove it from [checks.sast] engines.',
    cwes: [],
  },
};

/** `link-scripts` rules about the archive or prefix itself rather than a script it runs. */
const LINK_SCRIPT_PROBLEMS: Record<string, CheckRuleTemplate> = {
  'link-scripts/path-traversal': {
    title: 'Package archive with paths that escape the install prefix',
    help: 'An entry name in the package archive is absolute or climbs out with `..`, so extracting it writes outside the environment. No honest package has one: do not install the archive.',
    cwes: ['CWE-22'],
    tags: ['security', 'dependency', 'path-traversal', 'supply-chain'],
  },
  'link-scripts/escaping-link': {
    title: 'Package with a link that leads outside it',
    help: 'A symlink or hardlink in the package (or left in an installed environment) resolves outside the package root: an absolute target, or `..` climbing out, possibly through other links. Whatever is later written or extracted through it lands outside the environment (`etc → /etc`). Do not install the archive; remove the package from the environment.',
    cwes: ['CWE-59'],
    tags: ['security', 'dependency', 'link-following', 'supply-chain'],
  },
  'link-scripts/unknown-entry-type': {
    title: 'Package archive with entries of an unknown type',
    help: 'The archive holds tar entries of a type cvebuild does not know. Installers may extract them as regular files, so the package was not fully checked and the gate fails closed. Do not install the archive until it is understood.',
    cwes: [],
    tags: ['security', 'dependency', 'supply-chain'],
  },
  'link-scripts/unreadable-archive': {
    title: 'Package archive that could not be inspected',
    help: 'The package archive is damaged, or crosses a limit that protects the scan (entry count, size, compression ratio), so its install scripts were not checked and the gate fails closed. Do not install it; obtain a good copy.',
    cwes: [],
    tags: ['security', 'dependency', 'supply-chain'],
  },
};

const FALLBACK: CheckRuleTemplate = {
  title: 'Supply-chain finding',
  help: 'A cvebuild check reported this finding.',
  cwes: [],
  tags: ['security'],
};

/** Typical scores per severity when the source gives no CVSS score. */
const SEVERITY_SCORE: Record<Severity, number> = {
  critical: 9.5,
  high: 8.0,
  medium: 5.5,
  unknown: 5.5,
  low: 2.0,
  info: 0.1,
};

/** A check's report that it could not look (offline, missing data): about the run, not a package's flaw. */
const NOT_CHECKED: CheckRuleTemplate = {
  title: 'Could not be checked',
  help: 'The check could not look at these packages: the threat-intel store lacks the data they need (advisories of their ecosystem, malicious-package reports, the KEV catalogue, the conda→PyPI name map), a lookup needed the network, or an input could not be read. Nothing found would not have meant nothing there, so the gate fails closed. Fill the store with `cvebuild db update` (or `db import` offline), run online, or relax the policy explicitly with fail-on-unchecked = false.',
  cwes: [],
  tags: ['security', 'not-checked'],
};

export function describeRule(finding: Finding): RuleInfo {
  const template =
    (finding.rule === `${finding.check}/not-checked` ? NOT_CHECKED : undefined) ??
    codeRuleTemplate(finding) ??
    (Object.hasOwn(LINK_SCRIPT_PROBLEMS, finding.rule) ? LINK_SCRIPT_PROBLEMS[finding.rule] : undefined) ??
    CHECK_RULES[finding.check] ??
    FALLBACK;
  const evidence = finding.evidence;
  const ownCwes = Array.isArray(evidence.cwes) ? (evidence.cwes as unknown[]).filter(isText) : [];
  const score = typeof evidence.score === 'number' && evidence.score > 0 ? evidence.score : undefined;
  const isAdvisory = isAdvisoryFinding(finding);
  const summary = typeof evidence.summary === 'string' ? evidence.summary : undefined;
  return {
    id: finding.rule,
    title: isAdvisory && summary ? `${finding.rule}: ${summary}` : template.title,
    help: template.help,
    cwes: [...new Set([...ownCwes, ...template.cwes])].sort(),
    tags: template.tags,
    securitySeverity: Math.min(
      10,
      Math.max(0.1, score ?? SEVERITY_SCORE[finding.originalSeverity ?? finding.severity]),
    ),
  };
}

/** A code rule's own title and help (from its rule pack), else the check's. */
function codeRuleTemplate(finding: Finding): CheckRuleTemplate | undefined {
  const base = CODE_RULES[finding.check];
  if (!base) return undefined;
  if (finding.rule.includes('/'))
    return { ...base, ...CODE_RUN_RULES[finding.rule.slice(finding.rule.indexOf('/') + 1)] };
  const rule = codeRuleText(finding.check, finding.rule);
  return rule ? { ...base, title: rule.title, help: rule.help, cwes: [rule.cwe] } : base;
}

function codeRuleText(check: string, rule: string): { title: string; help: string; cwe: string } | undefined {
  if (check === 'secrets') return SECRET_RULES.find((candidate) => candidate.id === rule);
  if (check === 'sast') return SAST_RULE_INFO.find((candidate) => candidate.id === rule);
  return undefined;
}

/**
 * Link to read more about an advisory id, when the id's namespace has a public page. Ids come from
 * feeds: one with characters no real id has (`GHSA-<x>`, `[`, spaces, controls) gets no link, and
 * the id is percent-encoded into the URL all the same, so no id can break out of a link or make the
 * URL invalid.
 */
export function advisoryUrl(id: string): string | undefined {
  if (!/^[A-Za-z0-9._:-]+$/.test(id)) return undefined;
  if (/^(GHSA|PYSEC|MAL|OSV|RUSTSEC|GSD)-/.test(id)) return `https://osv.dev/vulnerability/${encodeURIComponent(id)}`;
  if (/^CVE-\d{4}-\d+$/.test(id)) return `https://www.cve.org/CVERecord?id=${id}`;
  return undefined;
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}
