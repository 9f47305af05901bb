/**
 * `cvebuild fix` output: one line per package for the terminal, Markdown for a pull request, and
 * JSON (schemaVersion 1) for tools. Names, versions, requirements and file text come from the
 * project and its sources: each format neutralises them its own way (`line`, the Markdown text
 * helpers, `toJson`).
 */
import { basename } from 'node:path';
import { compareSeverity, SEVERITIES, type Severity } from '../model/finding.ts';
import { code, markdownDocument, row, text } from '../report/markdown-text.ts';
import { maskCredentials } from '../text/credentials.ts';
import { toJson } from '../text/json.ts';
import { line, plainDocument } from '../text/plain.ts';
import { type FixPlan, isComplete, isFixReady, type PackageFix } from './types.ts';

export const FIX_SCHEMA_VERSION = 1;

export type FixFormat = 'table' | 'json' | 'markdown';

export function renderFix(plan: FixPlan, format: FixFormat): string {
  return format === 'json'
    ? renderFixJson(plan)
    : format === 'markdown'
      ? renderFixMarkdown(plan)
      : renderFixTable(plan);
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

function bySeverity(fix: PackageFix): [Severity, number][] {
  const counts = new Map<Severity, number>();
  for (const advisory of fix.pkg.advisories) counts.set(advisory.severity, (counts.get(advisory.severity) ?? 0) + 1);
  return [...counts].sort((a, b) => compareSeverity(b[0], a[0]));
}

/** `12 advisories (3 critical, 9 high; 1 exploited)`, or `malicious release (MAL-…)`. */
function advisoryText(fix: PackageFix): string {
  const { advisories } = fix.pkg;
  const malicious = advisories.filter((advisory) => advisory.malicious);
  const kev = advisories.filter((advisory) => advisory.kev).length;
  const severities = bySeverity(fix)
    .map(([severity, count]) => `${count} ${severity}`)
    .join(', ');
  const rest = advisories.length - malicious.length;
  const parts: string[] = [];
  if (malicious.length > 0) parts.push(`malicious release (${malicious.map((advisory) => advisory.id).join(', ')})`);
  if (rest > 0 || malicious.length === 0)
    parts.push(
      `${advisories.length} ${advisories.length === 1 ? 'advisory' : 'advisories'} (${severities}${kev ? `; ${kev} exploited` : ''})`,
    );
  return parts.join(', ');
}

/** `11.3.0`, `1.82.6, the last clean release`, `remove it`, `no fix`, with what the edit says. */
function outcomeText(fix: PackageFix): string {
  const first = fix.edits[0];
  const edit = first ? `${basename(first.file)} ${first.place.replace(/^\S+\s/, '')} ${first.constraint}` : undefined;
  switch (fix.action) {
    case 'remove':
      return `remove it${fix.reason ? ` (${fix.reason})` : ''}`;
    case 'none':
      return `no fix${fix.reason ? ` (${fix.reason})` : ''}`;
    default: {
      const version = fix.action === 'downgrade' ? `${fix.version}, the last clean release` : `${fix.version}`;
      if (!fix.confirmed) return `${version}, ${fix.reason ?? 'not confirmed to exist'}`;
      if (edit) return `${version} (${edit})`;
      if (fix.alreadyRequired) return `${version} (the manifest already requires it: re-solve the lock)`;
      return `${version} (not written: ${fix.unplaced ?? 'no manifest to write it into'})`;
    }
  }
}

export function renderFixTable(plan: FixPlan): string {
  const out: string[] = [];
  if (plan.fixes.length === 0 && plan.notChecked.length === 0) out.push('no blocking advisories: nothing to fix');
  for (const fix of plan.fixes) {
    const { pkg } = fix;
    out.push(
      line`${pkg.name} ${pkg.versions.join(', ')}: ${advisoryText(fix)}, on ${plural(pkg.platforms.length, 'platform')} → ${outcomeText(fix)}`,
    );
    for (const edit of fix.edits.slice(1))
      out.push(line`    also ${basename(edit.file)} ${edit.place.replace(/^\S+\s/, '')} ${edit.constraint}`);
    if (fix.unplaced && fix.edits.length > 0) out.push(line`    not written: ${fix.unplaced}`);
    for (const conflict of fix.conflicts) out.push(line`    conflict: ${conflict.by} requires ${conflict.requirement}`);
    if (fix.laterAffected.length > 0)
      out.push(line`    blocked too, and the constraint lets them in: ${shownList(fix.laterAffected)}`);
  }
  for (const message of plan.notChecked) out.push(line`not checked: ${message}`);
  out.push('');
  out.push(summaryLine(plan));
  const unconfirmed = plan.fixes.filter((fix) => !fix.confirmed && fix.version);
  if (unconfirmed.length > 0)
    out.push(line`not confirmed to exist: ${unconfirmed.map((fix) => `${fix.pkg.name} ${fix.version}`).join(', ')}`);
  for (const read of uniqueReads(plan)) out.push(line`read ${read}`);
  const written = plan.files.map((file) => basename(file.file));
  if (written.length > 0) {
    out.push(plan.applied ? line`wrote ${written.join(', ')}` : line`run with --apply to write ${written.join(', ')}`);
  }
  for (const command of plan.update) out.push(line`${plan.applied ? 'now run' : 'then run'}: ${command}`);
  return plainDocument(`${out.join('\n')}\n`);
}

/** Releases listed up to a handful, the rest counted. */
function shownList(versions: readonly string[], shown = 5): string {
  const rest = versions.length - shown;
  return `${versions.slice(0, shown).join(', ')}${rest > 0 ? ` and ${rest} more` : ''}`;
}

function summaryLine(plan: FixPlan): string {
  const ready = plan.fixes.filter(isFixReady).length;
  const rest = plan.fixes.length - ready;
  const head = `${plural(plan.fixes.length, 'package')} with blocking advisories: ${ready} with a confirmed fix${rest > 0 ? `, ${rest} need a decision` : ''}`;
  return `${head}${plan.notChecked.length > 0 ? `; ${plan.notChecked.length} not checked` : ''}`;
}

/** Reads that need saying: answered from a cache, or a local channel. */
function uniqueReads(plan: FixPlan): string[] {
  const seen = new Set<string>();
  for (const fix of plan.fixes) {
    for (const read of fix.reads) {
      if (read.from === 'network') continue;
      seen.add(
        read.from === 'cache'
          ? `${read.source} from the cache (fetched ${read.fetchedAt}${read.note ? `; ${read.note}` : ''})`
          : `${read.source} (local channel)`,
      );
    }
  }
  return [...seen].sort();
}

export function renderFixMarkdown(plan: FixPlan): string {
  const ready = plan.fixes.filter(isFixReady).length;
  const out = [
    `## cvebuild fix: ${plural(plan.fixes.length, 'package')} with blocking advisories`,
    '',
    `**${ready} with a confirmed fix**${plan.fixes.length > ready ? `, ${plan.fixes.length - ready} need a decision` : ''}.`,
    '',
  ];
  if (plan.fixes.length > 0) {
    out.push(row(['Package', 'Locked', 'Advisories', 'Platforms', 'Fix', 'Constraint']));
    out.push(row(['---', '---', '---', '---', '---', '---']));
    for (const fix of plan.fixes) {
      const first = fix.edits[0];
      out.push(
        row([
          code(fix.pkg.name),
          text(fix.pkg.versions.join(', ')),
          text(advisoryText(fix)),
          String(fix.pkg.platforms.length),
          text(fixCell(fix)),
          first
            ? `${text(`${basename(first.file)} ${first.place.replace(/^\S+\s/, '')}`)} ${code(first.constraint)}`
            : '',
        ]),
      );
    }
    out.push('');
  }
  const notes = plan.fixes.flatMap((fix) => [
    ...fix.conflicts.map(
      (conflict) => `- ${code(fix.pkg.name)}: ${text(conflict.by)} requires ${code(conflict.requirement)}`,
    ),
    ...(fix.unplaced ? [`- ${code(fix.pkg.name)}: not written: ${text(fix.unplaced)}`] : []),
    ...(fix.laterAffected.length > 0
      ? [`- ${code(fix.pkg.name)}: blocked too, and the constraint lets them in: ${text(shownList(fix.laterAffected))}`]
      : []),
  ]);
  if (notes.length > 0) out.push('### Conflicts and notes', '', ...notes, '');
  if (plan.notChecked.length > 0)
    out.push('### Not checked', '', ...plan.notChecked.map((message) => `- ${text(message)}`), '');
  for (const file of plan.files) {
    out.push(`### ${text(basename(file.file))}`, '', ...fenced(maskCredentials(file.diff), 'diff'), '');
  }
  if (plan.update.length > 0) out.push(`Then run: ${plan.update.map((command) => code(command)).join(', ')}`, '');
  return markdownDocument(`${out.join('\n').replace(/\n+$/, '')}\n`);
}

function fixCell(fix: PackageFix): string {
  if (fix.action === 'remove') return `remove it${fix.reason ? ` (${fix.reason})` : ''}`;
  if (fix.action === 'none') return `no fix${fix.reason ? ` (${fix.reason})` : ''}`;
  const version = fix.action === 'downgrade' ? `${fix.version} (last clean)` : `${fix.version}`;
  if (!fix.confirmed) return `${version}, ${fix.reason ?? 'not confirmed to exist'}`;
  return fix.edits.length === 0 && fix.unplaced ? `${version} (not written)` : version;
}

/** A fence longer than any run of backticks inside, so the content cannot close it. */
function fenced(content: string, info: string): string[] {
  const longest = Math.max(0, ...[...content.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}${info}`, content.replace(/\n$/, ''), fence];
}

export function renderFixJson(plan: FixPlan): string {
  const document = {
    schemaVersion: FIX_SCHEMA_VERSION,
    target: plan.target,
    complete: isComplete(plan),
    applied: plan.applied,
    packages: plan.fixes.map((fix) => ({
      name: fix.pkg.name,
      ecosystem: fix.pkg.ecosystem,
      currentVersions: fix.pkg.versions,
      platforms: fix.pkg.platforms,
      environments: fix.pkg.environments,
      advisories: {
        count: fix.pkg.advisories.length,
        bySeverity: Object.fromEntries(
          SEVERITIES.map((severity) => [severity, fix.pkg.advisories.filter((a) => a.severity === severity).length]),
        ),
        kev: fix.pkg.advisories.filter((advisory) => advisory.kev).length,
        malicious: fix.pkg.malicious,
        ids: fix.pkg.advisories.map((advisory) => advisory.id),
      },
      action: fix.action,
      fixVersion: fix.version ?? null,
      confirmed: fix.confirmed,
      ready: isFixReady(fix),
      reason: fix.reason ?? null,
      sources: fix.reads.map((read) => ({
        source: read.source,
        from: read.from,
        fetchedAt: read.fetchedAt ?? null,
        note: read.note ?? null,
      })),
      laterAffected: fix.laterAffected,
      edit: fix.edits[0] ? editJson(fix.edits[0]) : null,
      edits: fix.edits.map(editJson),
      unplaced: fix.unplaced ?? null,
      alreadyRequired: fix.alreadyRequired === true,
      conflicts: fix.conflicts.map((conflict) => ({
        by: conflict.by,
        requirement: conflict.requirement,
        file: conflict.file ?? null,
        line: conflict.line ?? null,
      })),
    })),
    notChecked: plan.notChecked,
    files: plan.files.map((file) => ({ file: file.file, diff: file.diff })),
    update: plan.update,
  };
  return `${toJson(document)}\n`;
}

function editJson(edit: PackageFix['edits'][number]) {
  return {
    file: edit.file,
    line: edit.line,
    before: edit.before,
    after: edit.after,
    place: edit.place,
    constraint: edit.constraint,
    spec: edit.spec,
  };
}
