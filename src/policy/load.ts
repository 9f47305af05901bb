/**
 * Finding and reading the policy: `--policy FILE`, else `cvebuild.toml` beside the project, else
 * `[tool.cvebuild]` in its pyproject.toml or pixi.toml (pixi accepts a `[tool]` table since 0.17).
 * Two policies for one project are an error rather than a silent choice: a gate must not depend on
 * which file someone thinks is in force. Every mistake is one line naming the file, line and key.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { z } from 'zod';
import type { Check } from '../checks/check.ts';
import { CHECKS } from '../checks/registry.ts';
import { CvebuildError } from '../errors.ts';
import { readTextInput } from '../fs/read-input.ts';
import { isSeverity, SEVERITIES, type Severity } from '../model/finding.ts';
import { parseTomlText } from '../readers/pixi-manifest.ts';
import { TomlLines, tablePath } from '../readers/toml-lines.ts';
import { parseDuration } from '../util/duration.ts';
import { defaultPolicy, type Policy } from './policy.ts';
import { type PolicyDocument, policySchema } from './schema.ts';

export const POLICY_FILE = 'cvebuild.toml';

export interface PolicyText {
  file: string;
  text: string;
  /** Table path of the policy inside the file: [] for cvebuild.toml, ['tool', 'cvebuild'] elsewhere. */
  prefix: string[];
  document: Record<string, unknown>;
}

/** The policy for a project (a directory or an input file inside it), or the defaults if it has none. */
export function loadPolicy(projectPath: string, explicit?: string): Policy {
  const found = explicit ? readExplicit(explicit) : discover(projectPath);
  if (!found) return defaultPolicy();
  return resolvePolicy(validate(found, CHECKS), found, CHECKS);
}

/**
 * A policy from its text, read as the file `file` would be: `pyproject.toml` and `pixi.toml` hold
 * it under `[tool.cvebuild]`; errors name the file, and its paths are relative to its directory.
 */
export function parsePolicy(text: string, file: string, options: PolicyOptions = {}): Policy {
  const found = policyText(text, file);
  const checks = options.checks ?? CHECKS;
  return resolvePolicy(validate(found, checks), found, checks);
}

export interface PolicyOptions {
  /**
   * The checks whose `[checks.<id>]` tables the policy may hold (default: the registered ones). A
   * library user with checks of its own passes the same list it gives `createEngine`, so their keys
   * are validated and their settings start from their defaults.
   */
  checks?: readonly Check[];
}

function readExplicit(path: string): PolicyText {
  return policyText(readPolicyFile(path), path);
}

function policyText(text: string, path: string): PolicyText {
  const document = parseTomlText(text, path);
  if (basename(path) === 'pyproject.toml' || basename(path) === 'pixi.toml') {
    const table = toolTable(document);
    if (!table) throw new CvebuildError('MANIFEST_INVALID', 'no [tool.cvebuild] table', { file: path });
    return { file: path, text, prefix: ['tool', 'cvebuild'], document: table };
  }
  return { file: path, text, prefix: [], document };
}

function discover(projectPath: string): PolicyText | undefined {
  const dir = isDirectory(projectPath) ? projectPath : dirname(projectPath);
  const found: PolicyText[] = [];
  const own = join(dir, POLICY_FILE);
  if (existsSync(own)) {
    const text = readPolicyFile(own);
    found.push({ file: own, text, prefix: [], document: parseTomlText(text, own) });
  }
  for (const name of ['pyproject.toml', 'pixi.toml']) {
    const file = join(dir, name);
    if (!existsSync(file)) continue;
    const text = readPolicyFile(file);
    if (!/^\s*\[+\s*tool\s*\.\s*cvebuild\b|^\s*tool\s*\.\s*cvebuild\b/m.test(text)) continue;
    const table = toolTable(parseTomlText(text, file));
    if (table) found.push({ file, text, prefix: ['tool', 'cvebuild'], document: table });
  }
  if (found.length > 1) {
    throw new CvebuildError(
      'USAGE',
      `two policies for one project: ${found.map((policy) => policy.file).join(' and ')}; keep one, or choose with --policy`,
      { file: found[0]?.file },
    );
  }
  return found[0];
}

function readPolicyFile(path: string): string {
  if (!existsSync(path)) throw new CvebuildError('INPUT_NOT_FOUND', 'policy file not found', { file: path });
  return readTextInput(path);
}

function toolTable(document: Record<string, unknown>): Record<string, unknown> | undefined {
  const tool = document.tool;
  if (!isTable(tool)) return undefined;
  const table = tool.cvebuild;
  if (table === undefined) return undefined;
  if (!isTable(table)) throw new CvebuildError('MANIFEST_INVALID', 'tool.cvebuild: expected a table');
  return table;
}

function validate(found: PolicyText, checks: readonly Check[]): PolicyDocument {
  return validateToml(policySchema(checks), found) as PolicyDocument;
}

/**
 * A TOML document checked against a zod schema (the policy's, the proxy configuration's): the
 * first problem becomes one line naming the file, the line and the key.
 */
export function validateToml<T>(schema: z.ZodType<T>, found: PolicyText): T {
  const result = schema.safeParse(found.document);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const first = issues[0] as z.core.$ZodIssue;
  const path = issuePath(first);
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  throw new CvebuildError('MANIFEST_INVALID', `${describeIssue(first, valueAt(found.document, path))}${more}`, {
    file: found.file,
    line: lineOf(found, path),
    key: [...found.prefix, ...path]
      .map((part, index) => (typeof part === 'number' ? `[${part}]` : index === 0 ? part : `.${part}`))
      .join('')
      .replace(/\.\[/g, '['),
  });
}

function issuePath(issue: z.core.$ZodIssue): (string | number)[] {
  const path = issue.path.filter((part): part is string | number => typeof part !== 'symbol');
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) return [...path, issue.keys[0]];
  return path;
}

function valueAt(document: unknown, path: (string | number)[]): unknown {
  let value = document;
  for (const part of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string | number, unknown>)[part];
  }
  return value;
}

function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? `s ${issue.keys.join(', ')}` : ''}`;
    case 'invalid_type':
      return `expected ${issue.expected}${value !== undefined ? `, got ${typeOf(value)}` : ''}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    default:
      return issue.message;
  }
}

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a date';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a table';
  return `${typeof value === 'string' ? 'a string' : typeof value} ${JSON.stringify(value)}`;
}

function lineOf(found: PolicyText, path: (string | number)[]): number | undefined {
  const lines = new TomlLines(found.text);
  const parts = [...found.prefix, ...path];
  const arrayAt = parts.findIndex((part) => typeof part === 'number');
  if (arrayAt > 0) {
    const table = tablePath(...(parts.slice(0, arrayAt) as string[]));
    const key = parts[arrayAt + 1];
    const line = lines.lineOfEntry(table, parts[arrayAt] as number, typeof key === 'string' ? key : undefined);
    if (line !== undefined) return line;
    // an inline array (`waivers = [{...}]`): the line of the array's key
    const parent = parts.slice(0, arrayAt) as string[];
    return lines.lineOf(tablePath(...parent.slice(0, -1)), parent.at(-1));
  }
  const names = parts as string[];
  for (let end = names.length; end > 0; end--) {
    const line =
      lines.lineOf(tablePath(...names.slice(0, end - 1)), names[end - 1]) ??
      lines.lineOf(tablePath(...names.slice(0, end)));
    if (line !== undefined) return line;
  }
  return undefined;
}

function resolvePolicy(document: PolicyDocument, found: PolicyText, checks: readonly Check[]): Policy {
  const policy = defaultPolicy(checks);
  const baseDir = dirname(resolve(found.file));
  const lines = new TomlLines(found.text);
  policy.source = found.file;
  if (document['fail-on']) policy.failOn = document['fail-on'] as Severity;
  if (document['fail-on-malicious'] !== undefined) policy.failOnMalicious = document['fail-on-malicious'];
  if (document['fail-on-kev'] !== undefined) policy.failOnKev = document['fail-on-kev'];
  if (document['fail-on-unchecked'] !== undefined) policy.failOnUnchecked = document['fail-on-unchecked'];
  if (document['max-db-age']) policy.maxDbAgeMs = parseDuration(document['max-db-age']) ?? policy.maxDbAgeMs;
  const checkTables = (document.checks ?? {}) as Record<string, Record<string, unknown> | undefined>;
  for (const check of checks) {
    if (!Object.hasOwn(checkTables, check.id)) continue;
    const table = checkTables[check.id];
    if (!table) continue;
    policy.checks.set(check.id, {
      enabled: table.enabled !== false,
      severity: table.severity as Severity | undefined,
      rules: ruleSeverities(found, check.id),
    });
    check.options?.apply?.(table, policy.settings, baseDir);
  }
  const sources = document.sources ?? {};
  policy.settings.trustedChannels = sources.channels ?? [];
  policy.settings.trustedIndexes = sources.indexes ?? [];
  policy.settings.privateSources = sources.private ?? [];
  policy.settings.privateNames = sources['private-names'] ?? [];
  const requireTable = tablePath(...found.prefix, 'attestations', 'require');
  policy.settings.attestationRequirements = (document.attestations?.require ?? []).map((requirement, index) => ({
    channel: requirement.channel,
    index: requirement.index,
    package: requirement.package,
    publishers: (requirement.publishers ?? []).map((publisher) => ({
      identity: publisher.identity,
      identityRegexp: publisher['identity-regexp'],
      issuer: publisher.issuer,
    })),
    origin: { file: found.file, line: lines.lineOfEntry(requireTable, index) },
  }));
  const waiverTable = tablePath(...found.prefix, 'waivers');
  policy.waivers = (document.waivers ?? []).map((waiver, index) => ({
    id: waiver.id,
    package: waiver.package,
    check: waiver.check,
    reason: waiver.reason,
    by: waiver.by,
    expires: waiver.expires,
    origin: { file: found.file, line: lines.lineOfEntry(waiverTable, index) },
  }));
  return policy;
}

/**
 * `[checks.<id>.rules]` as a Map, read from the TOML table itself: its keys are advisory ids, which
 * may be any text (`constructor`, `__proto__`), and zod's record parse silently drops `__proto__`.
 */
function ruleSeverities(found: PolicyText, checkId: string): Map<string, Severity> {
  const checks = found.document.checks;
  const table = isTable(checks) && Object.hasOwn(checks, checkId) ? checks[checkId] : undefined;
  const rules = isTable(table) && Object.hasOwn(table, 'rules') ? table.rules : undefined;
  const severities = new Map<string, Severity>();
  if (!isTable(rules)) return severities;
  for (const [id, value] of Object.entries(rules)) {
    if (!isSeverity(value)) {
      const path = ['checks', checkId, 'rules', id];
      throw new CvebuildError(
        'MANIFEST_INVALID',
        `expected one of ${SEVERITIES.map((s) => JSON.stringify(s)).join(', ')}`,
        {
          file: found.file,
          line: lineOf(found, path),
          key: [...found.prefix, ...path].join('.'),
        },
      );
    }
    severities.set(id, value);
  }
  return severities;
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
