/**
 * Recipe rules: rattler-build `recipe.yaml` / conda-build `meta.yaml` and the build scripts next
 * to them (`build.sh`, `bld.bat`, other `.sh`/`.bat`/`.ps1` in a recipe directory, and `script:`
 * entries inside the recipe). Three families:
 * - a download piped into an interpreter (`curl … | sh`),
 * - a recipe `source` with a `url` but no `sha256` (md5/sha1 alone: a separate, lower rule),
 * - a script that downloads a file and never verifies a checksum.
 *
 * Line-based on purpose. Shell: there is no bash grammar among our dependencies (ast-grep ships
 * none, lang-bash is not installed), and these patterns live on one line. YAML: meta.yaml is a
 * Jinja template that YAML parsers reject before rendering, and we need line numbers; the source
 * entries are found by indentation, which handles both `source: {url: …}` and `source: [- url: …]`.
 */
import type { CodeFile, CodeHit } from '../code/types.ts';
import { readRegularFile } from '../fs/regular-file.ts';
import { compareHits, snippetOf } from './hits.ts';
import { RECIPE_RULES, type SastRuleInfo } from './rules/index.ts';

export { RECIPE_RULES };

const RULE = new Map(RECIPE_RULES.map((rule) => [rule.id, rule]));

const RECIPE_NAMES = new Set(['recipe.yaml', 'recipe.yml', 'meta.yaml', 'meta.yml']);
const SCRIPT_NAMES = new Set(['build.sh', 'bld.bat']);
const SCRIPT_EXTENSIONS = /\.(sh|bash|bat|cmd|ps1)$/i;

const DOWNLOADER = /\b(curl|wget|Invoke-WebRequest|iwr|Start-BitsTransfer|bitsadmin)\b|\bcertutil\b.*-urlcache/i;
const PIPE_TO_INTERPRETER =
  /\b(curl|wget)\b[^|\n]*\|\s*(sudo\s+(-\S+\s+)*)?(env\s+)?((ba|da|z|k|c|tc|fi)?sh|python[0-9.]*|perl|ruby|node|php)\b/;
const SUBSTITUTION_TO_INTERPRETER =
  /\b((ba|da|z|k)?sh|python[0-9.]*)\s+(-c\s+)?["']?(<\(|\$\()\s*(curl|wget)\b|\b(iex|Invoke-Expression)\b.*\b(iwr|Invoke-WebRequest|DownloadString|irm|Invoke-RestMethod)\b|\b(iwr|irm|Invoke-WebRequest|Invoke-RestMethod)\b.*\|\s*(iex|Invoke-Expression)\b/i;
const VERIFIER =
  /\b(sha256sum|sha512sum|sha384sum|b2sum|shasum\s+(-\S+\s+)*-a\s*(256|384|512)|openssl\s+(dgst|sha256|sha512)|certutil\s+(-\S+\s+)*-hashfile|Get-FileHash|gpg\s+(--\S+\s+)*--verify|cosign\s+verify|minisign\s+-V)\b/i;

/** Recipe and script files among `files`, by name: recipes, and scripts in a recipe's directory. */
export function recipeFilesOf<File extends { path: string }>(files: readonly File[]): File[] {
  const dirOf = (path: string) => path.slice(0, Math.max(0, path.lastIndexOf('/')));
  const nameOf = (path: string) => path.slice(path.lastIndexOf('/') + 1);
  const recipeDirs = new Set(files.filter((f) => RECIPE_NAMES.has(nameOf(f.path))).map((f) => dirOf(f.path)));
  return files.filter((file) => {
    const name = nameOf(file.path);
    if (RECIPE_NAMES.has(name) || SCRIPT_NAMES.has(name)) return true;
    return SCRIPT_EXTENSIONS.test(name) && recipeDirs.has(dirOf(file.path));
  });
}

/** Scans the recipe and build-script files among `files` (it picks them by name). */
export async function scanRecipeFiles(files: readonly CodeFile[]): Promise<CodeHit[]> {
  const hits: CodeHit[] = [];
  for (const file of recipeFilesOf(files)) {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(readRegularFile(file.absolute, { input: false }));
    } catch {
      continue; // unreadable or not UTF-8: the Python scan's `skipped` covers reporting for .py; recipes are text
    }
    hits.push(...scanRecipeText(file.path, text));
  }
  return hits.sort(compareHits);
}

/** Scans one file's text; the kind (recipe or script) follows from its name. */
export function scanRecipeText(path: string, text: string): CodeHit[] {
  const lines = text.split(/\r?\n/);
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (RECIPE_NAMES.has(name)) {
    return [...sourceHits(path, lines), ...scriptHits(path, lines, scriptLinesOfRecipe(lines), 'sh')];
  }
  const flavour = /\.(bat|cmd)$/i.test(name) ? 'bat' : /\.ps1$/i.test(name) ? 'ps1' : 'sh';
  return scriptHits(
    path,
    lines,
    lines.map((_, i) => i),
    flavour,
  );
}

function hit(ruleId: string, path: string, lines: readonly string[], index: number, column = 1): CodeHit {
  const rule = RULE.get(ruleId) as SastRuleInfo;
  const text = lines[index] ?? '';
  return {
    engine: 'cvebuild',
    rule: rule.id,
    message: rule.message,
    severity: rule.severity,
    confidence: rule.confidence,
    cwe: rule.cwe,
    owasp: rule.owasp,
    file: path,
    line: index + 1,
    column,
    endLine: index + 1,
    endColumn: text.length + 1,
    snippet: snippetOf(text),
    remedy: rule.remedy,
  };
}

// ---------------------------------------------------------------------------------------------
// Scripts

function isComment(line: string, flavour: 'sh' | 'bat' | 'ps1'): boolean {
  const trimmed = line.trim();
  if (flavour === 'bat') return /^(::|rem\b|@rem\b)/i.test(trimmed);
  return trimmed.startsWith('#');
}

/** Shell rules over the given line indexes (a script file, or a recipe's `script:` blocks). */
function scriptHits(
  path: string,
  lines: readonly string[],
  indexes: number[],
  flavour: 'sh' | 'bat' | 'ps1',
): CodeHit[] {
  const hits: CodeHit[] = [];
  const downloads: number[] = [];
  let verified = false;
  for (const index of indexes) {
    const line = lines[index] ?? '';
    if (isComment(line, flavour)) continue;
    const code = flavour === 'sh' ? line.replace(/\s#.*$/, '') : line;
    if (PIPE_TO_INTERPRETER.test(code) || SUBSTITUTION_TO_INTERPRETER.test(code)) {
      const column = (code.search(/\b(curl|wget|iex|iwr|irm|Invoke-|bash|sh|python)/i) ?? 0) + 1;
      hits.push(hit('recipe-pipe-to-shell', path, lines, index, Math.max(1, column)));
      continue;
    }
    if (VERIFIER.test(code)) verified = true;
    if (DOWNLOADER.test(code) && !/(^|\s)(--version|-V|--help|-h)(\s|$)/.test(code)) downloads.push(index);
  }
  if (!verified) {
    for (const index of downloads) {
      const column = (lines[index] ?? '').search(DOWNLOADER) + 1;
      hits.push(hit('recipe-script-download-unverified', path, lines, index, Math.max(1, column)));
    }
  }
  return hits;
}

// ---------------------------------------------------------------------------------------------
// YAML, by indentation

interface KeyLine {
  /** Column of the key (after any `- `). */
  indent: number;
  key: string;
  value: string;
  /** Column of the line's first non-space character (a `-` for list items). */
  start: number;
}

const KEY_LINE = /^(\s*)((?:-\s+)*)(["']?)([A-Za-z_][\w-]*)\3\s*:(?:\s+(.*)|\s*)$/;

function keyLine(line: string): KeyLine | undefined {
  const match = KEY_LINE.exec(line);
  if (!match) return undefined;
  const lead = match[1] ?? '';
  return {
    indent: lead.length + (match[2] ?? '').length,
    key: match[4] ?? '',
    value: (match[5] ?? '').replace(/\s+#.*$/, '').trim(),
    start: lead.length,
  };
}

/** Lines that carry no structure: blank, comments, Jinja statements. */
function isNoise(line: string): boolean {
  const trimmed = line.trim();
  return trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('{%');
}

const startOf = (line: string): number => line.length - line.trimStart().length;

/** Keys of the mappings enclosing line `index` (nearest first). */
function ancestors(lines: readonly string[], index: number, indent: number): string[] {
  const keys: string[] = [];
  let limit = indent;
  for (let i = index - 1; i >= 0 && limit > 0; i--) {
    const line = lines[i] ?? '';
    if (isNoise(line)) continue;
    const start = startOf(line);
    if (start >= limit) continue;
    const parsed = keyLine(line);
    // A `- ` item line at a lower column opens a list entry: its key is a sibling, its parent is above.
    if (parsed && parsed.indent < limit) keys.push(parsed.key);
    limit = start;
  }
  return keys;
}

function sourceHits(path: string, lines: readonly string[]): CodeHit[] {
  const hits: CodeHit[] = [];
  lines.forEach((line, index) => {
    const parsed = keyLine(line);
    if (parsed?.key !== 'url') return;
    const parents = ancestors(lines, index, parsed.indent);
    if (!parents.includes('source') && !parents.includes('sources')) return;
    if (/^["']?file:\/\//.test(parsed.value)) return;
    const keys = entryKeys(lines, index, parsed.indent);
    if (keys.has('sha256')) return;
    const id = keys.has('md5') || keys.has('sha1') ? 'recipe-source-weak-checksum' : 'recipe-source-no-checksum';
    hits.push(hit(id, path, lines, index, parsed.indent + 1));
  });
  return hits;
}

/** Sibling keys of the mapping holding the key at `index` (column `indent`), in both directions. */
function entryKeys(lines: readonly string[], index: number, indent: number): Set<string> {
  const keys = new Set<string>(['url']);
  const opensEntry = (parsed: KeyLine) => parsed.start < parsed.indent; // `- key:`
  const first = keyLine(lines[index] ?? '');
  if (first && !opensEntry(first)) {
    for (let i = index - 1; i >= 0; i--) {
      const line = lines[i] ?? '';
      if (isNoise(line) || startOf(line) > indent) continue;
      const parsed = keyLine(line);
      if (!parsed || parsed.indent !== indent) break;
      keys.add(parsed.key);
      if (opensEntry(parsed)) break;
    }
  }
  for (let i = index + 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (isNoise(line) || startOf(line) > indent) continue;
    const parsed = keyLine(line);
    if (!parsed || parsed.indent !== indent || opensEntry(parsed)) break;
    keys.add(parsed.key);
  }
  return keys;
}

/** Line indexes of `script:` values in a recipe: inline, block scalar, list, or `content:`. */
function scriptLinesOfRecipe(lines: readonly string[]): number[] {
  const out: number[] = [];
  lines.forEach((line, index) => {
    const parsed = keyLine(line);
    if (parsed?.key !== 'script') return;
    if (parsed.value && !/^[|>][-+]?\d*$/.test(parsed.value)) out.push(index);
    for (let i = index + 1; i < lines.length; i++) {
      const next = lines[i] ?? '';
      if (next.trim() === '') continue;
      if (startOf(next) <= parsed.start && !(startOf(next) === parsed.start && next.trimStart().startsWith('- '))) {
        break;
      }
      if (startOf(next) === parsed.start && keyLine(next)) break;
      out.push(i);
    }
  });
  return [...new Set(out)].sort((a, b) => a - b);
}
