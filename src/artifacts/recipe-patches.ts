/**
 * What a conda package's own recipe says it patches. conda-build and rattler-build copy the recipe
 * into every package (`info/recipe/`); conda-forge fixes CVEs there with patches, without a new
 * version. A CVE id counts only where the recipe states it about a patch the build applied:
 * - in the patch's file name (`patches/CVE-2018-25032.patch`);
 * - in the patch's header, before its first diff (a `git format-patch` subject or body);
 * - in a comment on the patch's entry in the recipe's `patches:` list (`- x.patch  # CVE-…`, or
 *   comment lines just above it).
 * Applied means listed in the rendered recipe (`meta.yaml` for conda-build, `rendered_recipe.yaml`
 * for rattler-build), after selectors and conditions: a Windows-only patch does not fix a Linux
 * build. A CVE named anywhere else (a test, a changelog, the payload) is not evidence.
 */
import { posix } from 'node:path';
import { CvebuildError } from '../errors.ts';
import type { PatchEvidence } from '../model/finding.ts';
import { loadYaml } from '../readers/yaml.ts';

/** One file of `info/recipe/`, by its path below that directory, as far as it was read. */
export interface RecipeFile {
  text: string;
  /** Only the first bytes were read. */
  truncated: boolean;
}

export interface BackportEvidence {
  /** The archive or package directory the recipe was read from. */
  source: string;
  /** Patches the rendered recipe applies, as paths below `info/recipe/`. */
  applied: string[];
  /** CVE id (upper case) → what names it, at most MAX_CLAIMS_PER_CVE each. */
  claims: Map<string, PatchEvidence[]>;
  /** Why something could not be counted (no rendered recipe, a listed patch missing …). */
  notes: string[];
}

export const RECIPE_DIR = 'info/recipe/';
/** The rendered recipe: which patches were applied to this build. */
const RENDERED = [
  {
    file: 'rendered_recipe.yaml',
    block: 'recipe',
    sources: (doc: Record<string, unknown>) => field(doc.recipe, 'source'),
  },
  { file: 'meta.yaml', block: 'source', sources: (doc: Record<string, unknown>) => doc.source },
] as const;
/** The recipe as written, whose comments the rendered one has lost (rattler-build, conda-build, old conda-build). */
const WRITTEN = ['recipe.yaml', 'meta.yaml.template', 'meta.yaml'] as const;

const MAX_CLAIMS_PER_CVE = 5;
const MAX_CVES = 2000;
const MAX_NOTES = 20;
const LINE_SHOWN = 200;

/** `CVE-2018-25032`, also `cve_2018_25032` in file names; not inside a longer word or number. */
const CVE = /(?<![A-Za-z0-9])CVE[-_]?(\d{4})[-_](\d{4,7})(?!\d)/gi;

/** Recipe files and patch files: what a reader of `info/recipe/` must keep (path below it). */
export function isRecipeEvidenceFile(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return (
    RENDERED.some(({ file }) => file === path) ||
    (WRITTEN as readonly string[]).includes(path) ||
    /\.(patch|diff)$/i.test(base) ||
    /(^|\/)patch(es)?\//i.test(path)
  );
}

export function cveIdsIn(text: string): string[] {
  return [...text.matchAll(CVE)].map((match) => `CVE-${match[1]}-${match[2]}`);
}

export function backportEvidence(source: string, files: ReadonlyMap<string, RecipeFile>): BackportEvidence {
  const evidence: BackportEvidence = { source, applied: [], claims: new Map(), notes: [] };
  const applied = appliedPatches(files, evidence);
  if (!applied) return evidence;
  evidence.applied = [...applied].sort();
  for (const patch of evidence.applied) {
    const file = files.get(patch);
    if (!file) {
      note(evidence, `${patch} is listed in the rendered recipe but not in ${RECIPE_DIR}: not counted`);
      continue;
    }
    const where = `${RECIPE_DIR}${patch}`;
    for (const cve of cveIdsIn(patch))
      claim(evidence, cve, { how: 'file-name', patch: where, file: where, line: patch });
    headerLines(file.text).forEach((text, index) => {
      for (const cve of cveIdsIn(text)) {
        claim(evidence, cve, {
          how: 'patch-header',
          patch: where,
          file: where,
          line: shown(text),
          lineNumber: index + 1,
        });
      }
    });
  }
  const written = WRITTEN.find((name) => files.has(name));
  if (written) {
    for (const comment of patchComments(files.get(written)?.text ?? '')) {
      const patch = normalizePatchPath(comment.patch);
      if (patch === undefined || !applied.has(patch)) continue;
      for (const cve of cveIdsIn(comment.text)) {
        claim(evidence, cve, {
          how: 'recipe-comment',
          patch: `${RECIPE_DIR}${patch}`,
          file: `${RECIPE_DIR}${written}`,
          line: shown(comment.text),
          lineNumber: comment.lineNumber,
        });
      }
    }
  }
  return evidence;
}

/** Paths below `info/recipe/` of the patches the rendered recipe applies; undefined when it cannot say. */
function appliedPatches(files: ReadonlyMap<string, RecipeFile>, evidence: BackportEvidence): Set<string> | undefined {
  const rendered = RENDERED.find(({ file }) => files.has(file));
  const file = rendered && files.get(rendered.file);
  if (!rendered || !file) {
    note(
      evidence,
      `no rendered recipe (${RENDERED.map(({ file }) => file).join(' or ')}): which patches were applied is unknown`,
    );
    return undefined;
  }
  const block = topLevelBlock(file.text, rendered.block, file.truncated);
  if (block === undefined) {
    note(evidence, `${RECIPE_DIR}${rendered.file}: its ${rendered.block} section is not within the bytes read`);
    return undefined;
  }
  let document: unknown;
  try {
    document = loadYaml(block, `${evidence.source}:${RECIPE_DIR}${rendered.file}`);
  } catch (error) {
    if (!(error instanceof CvebuildError)) throw error;
    note(evidence, `${RECIPE_DIR}${rendered.file} is not readable YAML: ${error.message}`);
    return undefined;
  }
  const applied = new Set<string>();
  if (!isRecord(document)) return applied;
  const sources = rendered.sources(document);
  for (const source of Array.isArray(sources) ? sources : [sources]) {
    const patches = field(source, 'patches');
    for (const patch of Array.isArray(patches) ? patches : [patches]) {
      if (typeof patch !== 'string') continue;
      const path = normalizePatchPath(patch);
      if (path === undefined) note(evidence, `patch "${shown(patch)}" lies outside the recipe directory: not counted`);
      else applied.add(path);
    }
  }
  return applied;
}

/**
 * The text of one top-level key's section, up to the next top-level key. Rendered recipes are
 * machine-written, and the sections that matter come first, so a file read only in part is still
 * enough when the section ends inside what was read.
 */
function topLevelBlock(text: string, key: string, truncated: boolean): string | undefined {
  const start = new RegExp(`^${key}:`, 'm').exec(text);
  if (!start) return truncated ? undefined : '';
  const rest = text.slice(start.index);
  const next = /\n(?=[^\s#-])/.exec(rest.slice(key.length + 1));
  if (next) return rest.slice(0, key.length + 1 + next.index);
  return truncated ? undefined : rest;
}

/** `./patches/x.patch`, `patches\x.patch` → `patches/x.patch`; undefined when it leaves the recipe directory. */
function normalizePatchPath(patch: string): string | undefined {
  const trimmed = patch.trim().replace(/\\/g, '/');
  if (trimmed === '' || trimmed.includes('{{') || trimmed.startsWith('/')) return undefined;
  const path = posix.normalize(trimmed);
  return path === '..' || path.startsWith('../') ? undefined : path;
}

/** A patch's lines before its first diff: a format-patch mail's headers and message, or a plain preamble. */
function headerLines(text: string): string[] {
  const lines: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (/^(---(\s|$)|\+\+\+ |diff |@@ |Index: |={5,}$)/.test(line)) break;
    lines.push(line);
  }
  return lines;
}

interface PatchComment {
  patch: string;
  text: string;
  lineNumber: number;
}

/**
 * Comments on the entries of every `patches:` list in a recipe as written: on the entry's own line,
 * or on comment lines right above it. Read by lines, since YAML parsers drop comments; the entries
 * only count when the rendered recipe applies them, so a stray match cannot claim a fix.
 */
function patchComments(text: string): PatchComment[] {
  const found: PatchComment[] = [];
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const key = /^(\s*)(?:-\s+)?patches\s*:\s*(?:#.*)?$/.exec(lines[index] ?? '');
    if (!key) continue;
    const indent = (key[1] ?? '').length;
    let above: { text: string; lineNumber: number }[] = [];
    for (index++; index < lines.length; index++) {
      const line = lines[index] ?? '';
      const trimmed = line.trim();
      const lineIndent = line.length - line.trimStart().length;
      if (trimmed === '') continue;
      if (trimmed.startsWith('#')) {
        if (lineIndent < indent) break;
        above.push({ text: trimmed, lineNumber: index + 1 });
        continue;
      }
      if (lineIndent < indent || (lineIndent === indent && !trimmed.startsWith('- '))) break;
      const item = /^-\s+(.*)$/.exec(trimmed);
      if (!item) {
        above = [];
        continue;
      }
      const [value = '', comment] = splitComment(item[1] ?? '');
      const patch = unquote(value);
      if (patch !== '' && !/^[\w-]+\s*:/.test(patch)) {
        for (const { text, lineNumber } of above) found.push({ patch, text, lineNumber });
        if (comment) found.push({ patch, text: comment, lineNumber: index + 1 });
      }
      above = [];
    }
    index--;
  }
  return found;
}

/** A YAML plain scalar and its trailing comment (a `#` after whitespace starts one). */
function splitComment(value: string): [string, string | undefined] {
  const at = /\s#/.exec(value);
  return at ? [value.slice(0, at.index).trim(), value.slice(at.index).trim()] : [value.trim(), undefined];
}

function unquote(value: string): string {
  const quoted = /^(['"])(.*)\1$/.exec(value);
  return quoted ? (quoted[2] ?? '') : value;
}

function claim(evidence: BackportEvidence, cve: string, fields: Omit<PatchEvidence, 'id'>): void {
  let list = evidence.claims.get(cve);
  if (!list) {
    if (evidence.claims.size >= MAX_CVES) {
      note(evidence, `more than ${MAX_CVES} CVE ids named: the rest not counted`);
      return;
    }
    list = [];
    evidence.claims.set(cve, list);
  }
  if (list.length >= MAX_CLAIMS_PER_CVE) return;
  if (list.some((other) => other.how === fields.how && other.patch === fields.patch && other.line === fields.line))
    return;
  list.push({ id: cve, ...fields });
}

function note(evidence: BackportEvidence, text: string): void {
  if (evidence.notes.length < MAX_NOTES && !evidence.notes.includes(text)) evidence.notes.push(text);
}

function shown(line: string): string {
  const text = line.replace(/\s+/g, ' ').trim();
  return text.length > LINE_SHOWN ? `${text.slice(0, LINE_SHOWN - 1)}…` : text;
}

function field(value: unknown, key: string): unknown {
  return isRecord(value) ? value[key] : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
