/**
 * Scanner hits as findings: one finding per hit, located at file / line / column, with the rule's
 * CWE and OWASP category as evidence. A hit under an inline suppression becomes an accepted
 * (waived) finding that stays in every report; files the walk set aside become one informational
 * finding per reason, so a report says what was not read.
 *
 * Hits quote code (snippets; Bandit and Semgrep messages), and a quoted line may hold a credential
 * no rule reported: every quote passes through `maskQuotedCode` here, the one place hits become
 * findings.
 */
import { join } from 'node:path';
import { readRegularFile } from '../fs/regular-file.ts';
import type { Finding, RuleText } from '../model/finding.ts';
import { findSuppression, type SuppressionFamily } from './suppress.ts';
import type { CodeHit, NotScanned } from './types.ts';

export interface CodeFindingContext {
  check: { id: string; version: number };
  /** The scan root: hit paths are relative to it, finding locations are absolute. */
  root: string;
  family: SuppressionFamily;
}

export async function codeFindings(hits: readonly CodeHit[], context: CodeFindingContext): Promise<Finding[]> {
  const lines = new Map<string, readonly string[]>();
  const linesOf = (path: string): readonly string[] => {
    let cached = lines.get(path);
    if (!cached) {
      try {
        cached = readRegularFile(join(context.root, path), { input: false }).toString('utf8').split(/\r?\n/);
      } catch {
        cached = [];
      }
      lines.set(path, cached);
    }
    return cached;
  };
  const masked = await maskQuotes(hits);
  return masked.map((hit) => {
    const finding = codeFinding(hit, context);
    const suppression = findSuppression(linesOf(hit.file), hit, context.family);
    if (!suppression) return finding;
    return {
      ...finding,
      waiver: {
        id: hit.rule,
        reason: `inline suppression (${suppression.marker})`,
        origin: { file: finding.location?.file ?? hit.file, line: suppression.line },
        inline: true,
      },
      blocking: false,
    };
  });
}

/** Snippets, and the messages of external engines (ours never quote code in a message), masked. */
async function maskQuotes(hits: readonly CodeHit[]): Promise<CodeHit[]> {
  if (hits.length === 0) return [];
  // The secret scanner loads on demand (secretlint and its preset take ~100 ms).
  const { maskQuotedCode } = await import('../secrets/quote.ts');
  return Promise.all(
    hits.map(async (hit) => {
      const snippet = hit.snippet ? await maskQuotedCode(hit.file, hit.snippet) : hit.snippet;
      const external = hit.engine === 'bandit' || hit.engine === 'semgrep';
      const message = external ? await maskQuotedCode(hit.file, hit.message) : hit.message;
      return snippet === hit.snippet && message === hit.message ? hit : { ...hit, snippet, message };
    }),
  );
}

function codeFinding(hit: CodeHit, context: CodeFindingContext): Finding {
  const evidence: Record<string, unknown> = {
    path: hit.file,
    engine: hit.engine,
    confidence: hit.confidence,
    ...(hit.cwe ? { cwes: [hit.cwe] } : {}),
    ...(hit.owasp ? { owasp: hit.owasp } : {}),
    ...(hit.bandit ? { bandit: hit.bandit } : {}),
    ...(hit.snippet ? { snippet: hit.snippet } : {}),
    ...hit.extra,
  };
  return {
    check: context.check.id,
    checkVersion: context.check.version,
    rule: hit.rule,
    severity: hit.severity,
    message: `${hit.file}:${hit.line}: ${hit.message}`,
    evidence,
    ...(hit.remedy ? { remedy: hit.remedy } : {}),
    location: {
      file: join(context.root, hit.file),
      line: hit.line,
      column: hit.column,
      endLine: hit.endLine,
      endColumn: hit.endColumn,
    },
  };
}

const SKIP_TEXT: Record<string, string> = {
  'too-large': 'over the size bound',
  unreadable: 'unreadable',
};

/** What a `<check>/not-scanned` finding is, for the code checks' rule metadata. */
export const NOT_SCANNED_RULE: Partial<RuleText> = {
  title: 'Files not scanned',
  help: 'These files were not read: they are over the size bound (max-file-size in the policy), unreadable, or not valid text in their encoding. Raise the bound or exclude the files explicitly, so that nothing found means nothing there.',
  cwes: [],
};

/**
 * One informational finding per reason files were not read. Binaries are expected and left out;
 * oversized, unreadable and undecodable files are named, so "nothing found" never hides "not
 * looked at".
 */
export function skippedFindings(
  skipped: readonly NotScanned[],
  context: CodeFindingContext & { what: string; maxFileSize: number },
): Finding[] {
  const byReason = new Map<string, string[]>();
  for (const file of skipped) {
    if (file.reason === 'binary') continue;
    byReason.set(file.reason, [...(byReason.get(file.reason) ?? []), file.path]);
  }
  return [...byReason].map(([reason, files]) => {
    const shown = files.slice(0, 5).join(', ') + (files.length > 5 ? `, … (${files.length - 5} more)` : '');
    const bound = reason === 'too-large' ? ` (${context.maxFileSize} bytes; raise max-file-size to include them)` : '';
    return {
      check: context.check.id,
      checkVersion: context.check.version,
      rule: `${context.check.id}/not-scanned`,
      severity: 'info' as const,
      message: `${files.length} file(s) ${SKIP_TEXT[reason] ?? reason} not scanned for ${context.what}${bound}: ${shown}`,
      evidence: { reason, files },
      location: { file: join(context.root, files[0] as string) },
    };
  });
}
