/**
 * One finding in full, as the package details show it: the message, the fix, and the evidence
 * behind it (aliases, fixed versions, safe version, KEV, CVSS, CWEs, references, waiver). Evidence
 * keys the report does not know are still shown, generically, so no check's facts are hidden.
 */
import { type Finding, isFixedInBuild, isKnownExploited } from '../model/finding.ts';
import { maskCredentials } from '../text/credentials.ts';
import { esc, externalLink } from './html-escape.ts';
import type { ReportInput } from './report.ts';
import { fixText, locationText } from './report-view.ts';
import { advisoryUrl, describeRule } from './rules.ts';

/** Keys drawn by `knownFacts` (or shown elsewhere on the card). */
const KNOWN = new Set([
  'id',
  'summary',
  'aliases',
  'kev',
  'kevDateAdded',
  'score',
  'vectors',
  'cwes',
  'fixed',
  'safeVersion',
  'mappedBy',
  'target',
  'source',
  'references',
  'matchedBy',
  'fixedInBuild',
]);

const MAX_LIST = 20;

export type Fact = [label: string, html: string];

export function facts(list: readonly (Fact | undefined)[], className = 'facts'): string {
  const shown = list.filter((fact): fact is Fact => fact !== undefined && fact[1] !== '');
  if (shown.length === 0) return '';
  return `<dl class="${className}">
${shown.map(([label, html]) => `<dt>${esc(label)}</dt><dd>${html}</dd>`).join('\n')}
</dl>`;
}

export function severityPill(finding: Pick<Finding, 'severity'>): string {
  return `<span class="pill sev-${esc(finding.severity)}">${esc(finding.severity)}</span>`;
}

/** Link to the advisory page when the id has one, else the id as code. */
export function ruleLink(rule: string): string {
  const url = advisoryUrl(rule);
  return url ? externalLink(rule, url, 'rule-id') : `<code class="rule-id">${esc(rule)}</code>`;
}

export function statusTags(finding: Finding): string {
  const tags: string[] = [];
  if (finding.blocking && !finding.waiver) tags.push('<span class="tag tag-block">blocks</span>');
  if (finding.waiver) tags.push('<span class="tag tag-waived">waived</span>');
  if (isFixedInBuild(finding)) tags.push('<span class="tag tag-fixed">fixed in build</span>');
  if (isKnownExploited(finding)) tags.push('<span class="tag tag-kev">KEV</span>');
  return tags.join(' ');
}

export interface CardContext {
  /** The lock location the surrounding package already shows. */
  shownLocation?: string;
  /** Whether to explain the check (once per check is enough). */
  explain: boolean;
}

/** The finding in full. */
export function findingCard(finding: Finding, report: ReportInput, context: CardContext): string {
  // Without the summary, describeRule gives the check's own title, not the advisory's.
  const rule = describeRule({ ...finding, evidence: { ...finding.evidence, summary: undefined } });
  const location = locationText(report.root, finding.location);
  return `<li class="finding-card sev-edge-${esc(finding.severity)}" data-rule="${esc(finding.rule)}">
<div class="finding-head">${severityPill(finding)} ${ruleLink(finding.rule)} <span class="finding-check">${esc(finding.check)}</span> ${statusTags(finding)}</div>
<p class="finding-message">${esc(finding.message)}</p>
${facts([
  ['Fix', esc(fixText(finding))],
  finding.originalSeverity
    ? [
        'Severity',
        `${esc(finding.severity)} <span class="muted">(the policy maps ${esc(finding.originalSeverity)} to it)</span>`,
      ]
    : undefined,
  ...knownFacts(finding),
  ...otherFacts(finding.evidence),
  ['Lock location', location && location !== context.shownLocation ? `<code>${esc(location)}</code>` : ''],
])}
${waiverNote(finding, report)}
${fixedNote(finding)}
${context.explain ? `<p class="rule-help"><strong>${esc(rule.title)}.</strong> ${esc(rule.help)}</p>` : ''}
</li>`;
}

/** The patches that fix it in this build, each with the line that names the advisory. */
function fixedNote(finding: Finding): string {
  const fixed = finding.flags?.fixedInBuild;
  if (!fixed || !isFixedInBuild(finding)) return '';
  const items = fixed.patches.map(
    ({ patch, how, line, file, lineNumber }) =>
      `<li><code>${esc(patch)}</code> (${esc(how)}${how === 'file-name' ? '' : ` in <code>${esc(file)}${lineNumber !== undefined ? `:${esc(lineNumber)}` : ''}</code>`}): <q>${esc(line)}</q></li>`,
  );
  return `<div class="fixed-note"><strong>Fixed in this build</strong>: the package's own recipe (<code>${esc(fixed.source)}</code>) applies a patch naming this advisory; it does not block.<ul>${items.join('')}</ul></div>`;
}

function waiverNote(finding: Finding, report: ReportInput): string {
  const waiver = finding.waiver;
  if (!waiver) return '';
  return `<div class="waiver-note"><strong>Waived</strong>${waiver.by ? ` by ${esc(waiver.by)}` : ''}${
    waiver.expires ? ` until ${esc(waiver.expires)}` : ', without an expiry'
  }: ${esc(waiver.reason)} <span class="muted">(${esc(locationText(report.root, waiver.origin))})</span></div>`;
}

function knownFacts(finding: Finding): (Fact | undefined)[] {
  const evidence = finding.evidence;
  const aliases = strings(finding.flags?.aliases);
  const fixed = strings(evidence.fixed);
  const cwes = strings(evidence.cwes);
  const references = strings(evidence.references);
  const vectors = strings(evidence.vectors);
  const score = typeof evidence.score === 'number' ? evidence.score : undefined;
  const safe = evidence.safeVersion;
  const isAdvisory = 'safeVersion' in evidence || 'fixed' in evidence;
  return [
    aliases.length > 0 ? ['Aliases', aliases.map((alias) => ruleLink(alias)).join(', ')] : undefined,
    finding.flags?.kev
      ? [
          'Known exploited',
          `yes — in CISA KEV${finding.flags.kev.dateAdded !== undefined ? ` since ${esc(finding.flags.kev.dateAdded)}` : ''}`,
        ]
      : undefined,
    score !== undefined || vectors.length > 0
      ? [
          'CVSS',
          `${score !== undefined ? `<strong>${esc(score)}</strong>` : ''}${vectors.map((vector) => ` <code>${esc(vector)}</code>`).join('')}`,
        ]
      : undefined,
    cwes.length > 0 ? ['Weakness', cwes.map((cwe) => externalLink(cwe, cweUrl(cwe))).join(', ')] : undefined,
    isAdvisory
      ? [
          'Fixed in',
          fixed.length > 0 ? fixed.map((v) => `<code>${esc(v)}</code>`).join(', ') : 'no fixed release listed',
        ]
      : undefined,
    isAdvisory
      ? ['Safe version', typeof safe === 'string' && safe ? `<code>${esc(safe)}</code>` : 'none known']
      : undefined,
    typeof evidence.target === 'string'
      ? [
          'Matched as',
          `<code>${esc(evidence.target)}</code>${typeof evidence.mappedBy === 'string' ? ` via ${esc(evidence.mappedBy)}` : ''}${
            strings(evidence.matchedBy).length > 0 ? ` (${esc(strings(evidence.matchedBy).join(', '))})` : ''
          }`,
        ]
      : undefined,
    typeof evidence.source === 'string' ? ['Source', esc(evidence.source)] : undefined,
    references.length > 0
      ? [
          'References',
          `<ul class="refs">${references
            .slice(0, MAX_LIST)
            .map((url) => `<li>${externalLink(url, url)}</li>`)
            .join('')}</ul>`,
        ]
      : undefined,
  ];
}

function otherFacts(evidence: Record<string, unknown>): Fact[] {
  return Object.keys(evidence)
    .filter((key) => !KNOWN.has(key))
    .sort()
    .map((key): Fact => [words(key), valueHtml(evidence[key])])
    .filter(([, html]) => html !== '');
}

function valueHtml(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return esc(value);
  if (typeof value === 'number' || typeof value === 'boolean') return esc(String(value));
  if (Array.isArray(value)) {
    const items = value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item)));
    return items.length === 0 ? '' : esc(items.slice(0, MAX_LIST).join(', ') + (items.length > MAX_LIST ? ', …' : ''));
  }
  return `<code>${esc(JSON.stringify(value))}</code>`;
}

/** `kevDateAdded` → `Kev date added` (masked first: splitting words would hide a URL from `esc`). */
function words(key: string): string {
  const spaced = maskCredentials(key)
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[-_]+/g, ' ')
    .toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

function cweUrl(cwe: string): string | undefined {
  const number = /^CWE-(\d+)$/.exec(cwe)?.[1];
  return number ? `https://cwe.mitre.org/data/definitions/${number}.html` : undefined;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string' && item !== '') : [];
}
