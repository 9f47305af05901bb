/**
 * `cvebuild diff` output: a table for the terminal, Markdown for a pull-request comment or
 * $GITHUB_STEP_SUMMARY, and JSON (schemaVersion 1). All three come from the same LockDiff plus the
 * findings of the checks run on the new packages. Names, versions, channels and messages come from
 * the locks: each format neutralises them in its one way (`line` and table cells, the Markdown text
 * helpers, `toJson`).
 */

import type { ArtifactRef, LockDiff, PackageChange } from '../diff/lock-diff.ts';
import type { AuditResult } from '../engine/run-checks.ts';
import type { Paint, Tone } from '../terminal/colour.ts';
import { toJson } from '../text/json.ts';
import { line, plain } from '../text/plain.ts';
import { code, markdownDocument, row, text } from './markdown-text.ts';
import { paintedDocument } from './painted.ts';
import { renderTable } from './text-table.ts';

export const DIFF_SCHEMA_VERSION = 1;

const ORDER = ['hash-changed', 'source-changed', 'downgraded', 'added', 'upgraded', 'rebuilt', 'removed'];

function sortedChanges(diff: LockDiff): PackageChange[] {
  return [...diff.packages].sort(
    (a, b) =>
      Number(Boolean(b.redFlag)) - Number(Boolean(a.redFlag)) ||
      ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind) ||
      (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : a.name.toLowerCase() > b.name.toLowerCase() ? 1 : 0) ||
      (a.environment < b.environment ? -1 : a.environment > b.environment ? 1 : 0),
  );
}

function describe(ref: ArtifactRef | undefined): string {
  if (!ref) return '-';
  return `${ref.version}${ref.build ? ` (${ref.build})` : ''}`;
}

function headline(diff: LockDiff): string {
  const parts = Object.entries(diff.counts)
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => `${count} ${kind}`);
  return `${parts.join(', ') || 'no package changes'}${diff.redFlags ? `; ${diff.redFlags} red flag(s)` : ''}`;
}

export interface DiffTableOptions {
  /** Colours for a terminal (default: none): red flags, what is added and removed, severities. */
  paint?: Paint;
}

export function renderDiffTable(
  diff: LockDiff,
  audit: AuditResult | undefined,
  options: DiffTableOptions = {},
): string {
  return paintedDocument((paint) => composeTable(diff, audit, paint), options.paint);
}

/** A red flag (a changed hash, a new source, a downgrade the policy flags) first, then what came and went. */
function changeTone(change: PackageChange): Tone | undefined {
  if (change.redFlag) return 'fail';
  if (change.kind === 'added') return 'added';
  if (change.kind === 'removed') return 'removed';
  return change.kind === 'downgraded' ? 'warning' : undefined;
}

function composeTable(diff: LockDiff, audit: AuditResult | undefined, paint: Paint): string {
  const out = [headline(diff)];
  for (const env of diff.environments) {
    const channels =
      env.before.length || env.after.length
        ? line` (${env.before.join(', ') || '-'} → ${env.after.join(', ') || '-'})`
        : '';
    out.push(line`environment ${env.environment}: ${env.kind}` + channels);
  }
  const changes = sortedChanges(diff);
  if (changes.length > 0) {
    out.push('');
    out.push(
      renderTable(
        changes,
        [
          { header: 'CHANGE', value: (c: PackageChange) => (c.redFlag ? `${c.kind} (!)` : c.kind), tone: changeTone },
          { header: 'PACKAGE', value: (c) => `${c.ecosystem}:${c.name}`, maxWidth: 40 },
          { header: 'ENV', value: (c) => c.environment },
          { header: 'PLATFORMS', value: (c) => c.platforms.join(','), maxWidth: 60 },
          { header: 'BEFORE', value: (c) => describe(c.before), maxWidth: 36 },
          { header: 'AFTER', value: (c) => describe(c.after), maxWidth: 36 },
        ],
        paint,
      ),
    );
  }
  for (const change of changes.filter((c) => c.redFlag))
    out.push(`${paint('fail', 'red flag')}${line`: ${change.name} (${change.environment}): ${change.redFlag}`}`);
  if (audit) {
    out.push('');
    out.push(`checks on new packages: ${audit.findings.length} finding(s)`);
    for (const finding of audit.findings)
      out.push(
        `  ${paint(finding.severity, plain(finding.severity.toUpperCase()))}${line` ${finding.check} ${finding.message}`}`,
      );
  }
  return `${out.join('\n')}\n`;
}

export function renderDiffMarkdown(diff: LockDiff, audit: AuditResult | undefined): string {
  const out = ['## cvebuild: lock diff', '', `**${headline(diff)}**`, ''];
  const flags = sortedChanges(diff).filter((c) => c.redFlag);
  if (flags.length > 0) {
    out.push('> [!WARNING]');
    for (const change of flags)
      out.push(
        `> **${text(change.name)}** (${text(change.environment)}, ${text(change.platforms.join(', '))}): ${text(change.redFlag ?? '')}`,
      );
    out.push('');
  }
  for (const env of diff.environments) out.push(`- environment ${code(env.environment)}: ${env.kind}`);
  if (diff.environments.length) out.push('');
  const changes = sortedChanges(diff);
  if (changes.length > 0) {
    out.push('| Change | Package | Environment | Platforms | Before | After |', '|---|---|---|---|---|---|');
    for (const c of changes.slice(0, 200)) {
      out.push(
        row([
          c.redFlag ? `⚠️ ${c.kind}` : c.kind,
          `${code(c.name)} (${c.ecosystem})`,
          text(c.environment),
          text(c.platforms.join(', ')),
          text(describe(c.before)),
          text(describe(c.after)),
        ]),
      );
    }
    if (changes.length > 200) out.push('', `… and ${changes.length - 200} more changes (see the JSON report).`);
    out.push('');
  }
  if (audit) {
    out.push(`### Checks on the new packages: ${audit.verdict.outcome === 'fail' ? '❌ fail' : '✅ pass'}`, '');
    if (audit.findings.length > 0) {
      out.push('| Severity | Check | Package | Finding | Fix |', '|---|---|---|---|---|');
      for (const f of audit.findings.slice(0, 100)) {
        out.push(
          row([
            f.severity,
            f.check,
            code(`${f.subject?.name ?? ''} ${f.subject?.version ?? ''}`),
            `${code(f.rule)}: ${text(f.message)}`,
            text(f.remedy ?? ''),
          ]),
        );
      }
      out.push('');
    }
  }
  return markdownDocument(`${out.join('\n')}\n`);
}

export function renderDiffJson(diff: LockDiff, audit: AuditResult | undefined): string {
  const document = {
    schemaVersion: DIFF_SCHEMA_VERSION,
    summary: { ...diff.counts, redFlags: diff.redFlags },
    environments: diff.environments,
    packages: sortedChanges(diff).map((c) => ({
      kind: c.kind,
      ecosystem: c.ecosystem,
      name: c.name,
      environment: c.environment,
      platforms: c.platforms,
      before: artifactJson(c.before),
      after: artifactJson(c.after),
      redFlag: c.redFlag ?? null,
    })),
    findings: audit?.findings ?? [],
    verdict: audit?.verdict ?? null,
  };
  return `${toJson(document)}\n`;
}

function artifactJson(ref: ArtifactRef | undefined) {
  if (!ref) return null;
  return { version: ref.version, build: ref.build ?? null, source: ref.source ?? null, sha256: ref.sha256 ?? null };
}
