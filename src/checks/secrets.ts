/**
 * The `secrets` check: credentials committed to the project tree (tokens, keys, passwords in
 * index and channel URLs, `.env` files). Live credentials are critical, so a leaked secret halts
 * the gate; placeholders and keyring usernames in URLs are low. Values are masked in every output.
 */

import { codeFindings, NOT_SCANNED_RULE, skippedFindings } from '../code/findings.ts';
import { applyCodeScanOptions, codeScanDefaults, codeScanShape } from '../code/options.ts';
import { walkForCheck } from '../code/scope.ts';
import type { CodeHit, CodeScanSettings } from '../code/types.ts';
import type { RuleText } from '../model/finding.ts';
import { SECRET_RULES } from '../secrets/rules.ts';
import { type Check, checkOptions } from './check.ts';

const CHECK = { id: 'secrets', version: 1 };

export interface SecretsSettings {
  /** What the secrets check scans. */
  secrets: CodeScanSettings;
}

export const secretsCheck: Check<SecretsSettings> = {
  ...CHECK,
  title: 'Secrets committed to the project tree',
  requires: { intel: false, network: false, tree: true },
  rules: {
    check: {
      title: 'Secret committed to the project',
      help: 'A credential is written in a file of the project. Anyone who can read the repository, its history or a package built from it can use it. Revoke or rotate it, then remove it and read it from the environment or a secret store.',
      cwes: ['CWE-798'],
      tags: ['security', 'secret', 'code'],
    },
    rule: secretsRule,
  },
  options: checkOptions({
    defaults: (): SecretsSettings => ({ secrets: codeScanDefaults() }),
    shape: codeScanShape,
    apply(values, settings) {
      applyCodeScanOptions(values, settings.secrets);
    },
  }),
  async run(_inventory, context) {
    const root = context.root;
    if (!root) return [];
    const settings = context.settings.secrets;
    // Loaded on demand, like every engine; secretlint and its preset (~40 ms more) load only for a file that needs them.
    const { scanSecrets } = await import('../secrets/scan.ts');
    const walk = walkForCheck(context, root, settings);
    const scan = await scanSecrets(walk.files, { maxFileSize: settings.maxFileSize });
    const scope = { check: CHECK, root: walk.root, family: 'secrets' as const };
    return [
      ...(await codeFindings(oncePerFile(scan.hits), scope)),
      ...skippedFindings([...walk.skipped, ...scan.skipped], {
        ...scope,
        what: 'secrets',
        maxFileSize: settings.maxFileSize,
      }),
    ];
  },
};

function secretsRule(id: string): Partial<RuleText> | undefined {
  if (id === `${CHECK.id}/not-scanned`) return NOT_SCANNED_RULE;
  const rule = SECRET_RULES.find((candidate) => candidate.id === id);
  return rule ? { title: rule.title, help: rule.help, cwes: [rule.cwe] } : undefined;
}

/**
 * One hit per secret and file: a channel token repeats in every package URL of a lock, and one
 * finding with the lines it appears on says the same as hundreds.
 */
export function oncePerFile(hits: readonly CodeHit[]): CodeHit[] {
  const first = new Map<string, CodeHit & { extra: Record<string, unknown> }>();
  for (const hit of hits) {
    const key = [hit.file, hit.rule, hit.extra?.fingerprint ?? `${hit.line}:${hit.column}`].join('\u0000');
    const seen = first.get(key);
    if (!seen) {
      first.set(key, { ...hit, extra: { ...hit.extra } });
      continue;
    }
    const lines = (seen.extra.lines as number[] | undefined) ?? [seen.line];
    if (!lines.includes(hit.line)) lines.push(hit.line);
    seen.extra.lines = lines;
    seen.extra.occurrences = ((seen.extra.occurrences as number | undefined) ?? 1) + 1;
  }
  return [...first.values()];
}
