/**
 * The secret scanner: secretlint's core (`lintSource`) running the recommended preset (AWS with
 * `enableIDScanRule`) and cvebuild's own detectors as secretlint rules, on each text the walk
 * selected. Hits are uniform `CodeHit`s: our rule ids, 1-based positions, and never the secret itself
 * (message, snippet and `extra` carry a mask and a fingerprint).
 *
 * Speed: every rule is anchored on a literal prefix or keyword, so a text runs only the rules whose
 * anchors occur in it (one Aho-Corasick pass, `prefilter.ts`), and a text with none skips secretlint
 * altogether (secretlint and its preset are not even loaded until a text needs them). `scanSecrets`
 * looks for the anchors in each file's raw bytes first, window by window through one small buffer,
 * and reads a file whole and decodes it only if one may occur: most files of a project (locks,
 * manifests) have none, and reading and decoding a 2.8 MB lock whole took ~25 ms of a gate's
 * ~70 ms secrets check. `node bench/secrets.ts` (2-core runner): ~150-200 MB/s in memory,
 * ~65-80 MB/s for `scanSecrets` from disk. worker_threads were not needed.
 */
import type { CodeFile, CodeHit, NotScanned } from '../code/types.ts';
import { reasonOf } from '../fs/errors.ts';
import { readRegularFileAsync, readRegularFileWindows } from '../fs/regular-file.ts';
import type { Anchors, Detection } from './detection.ts';
import { DETECTORS, type Detector } from './detectors/index.ts';
import { Prefilter } from './prefilter.ts';
import { presetIsTabled, TABLED_PRESET_RULES } from './preset.ts';
import { remedyOf, SECRETS_OWASP, secretRule } from './rules.ts';
import type { Found } from './secretlint.ts';
import { fingerprint, LineIndex, maskSecret, revealsSecret } from './text.ts';

export interface ScanTextOptions {
  /** Run the preset's rules too (default true); false runs only cvebuild's detectors. */
  preset?: boolean;
  /** Skip rules whose anchors do not occur in the text (default true; false is for the bench). */
  prefilter?: boolean;
}

export interface ScanSecretsOptions extends ScanTextOptions {
  /** Files larger than this are skipped (the walk already applies its own limit). Default 8 MiB. */
  maxFileSize?: number;
  /** Files read and scanned at once. Default 16. */
  concurrency?: number;
}

export interface ScanSecretsResult {
  hits: CodeHit[];
  skipped: NotScanned[];
}

const DEFAULT_MAX_FILE_SIZE = 8 * 1024 * 1024;
const SNIPPET_WIDTH = 160;

/** A rule a text may run: one of the preset's (its secretlint id) or a detector of ours. */
type Rule = { preset: string } | { ours: Detector };

/** Every rule there is, and the prefilter choosing among them by their anchors. */
interface RuleSet {
  prefilter: Prefilter<Rule>;
  everything: Rule[];
}

function ruleSet(preset: readonly { id: string; anchors: Anchors }[]): RuleSet {
  const rules = [
    ...preset.map((entry) => ({ item: { preset: entry.id }, anchors: entry.anchors })),
    ...DETECTORS.map((detector) => ({ item: { ours: detector }, anchors: detector.anchors })),
  ];
  return { prefilter: new Prefilter<Rule>(rules), everything: rules.map((rule) => rule.item) };
}

let tabledRules: RuleSet | undefined;
let installedRules: Promise<RuleSet> | undefined;

/**
 * The rules, with the preset's as the table lists them; or, when the installed preset is another
 * version, as it has them (it is loaded for that: a rule the table does not know runs on every text).
 */
async function rules(): Promise<RuleSet> {
  if (presetIsTabled()) {
    tabledRules ??= ruleSet(TABLED_PRESET_RULES);
    return tabledRules;
  }
  installedRules ??= import('./secretlint.ts').then((engine) => ruleSet(engine.PRESET_RULES));
  return installedRules;
}

/** The detections of every rule whose anchors occur in the text, before de-duplication. */
async function detect(path: string, content: string, options: ScanTextOptions): Promise<Found[]> {
  const { prefilter, everything } = await rules();
  const selected = options.prefilter === false ? everything : prefilter.select(content, path);
  const preset = new Set<string>();
  const ours: Detector[] = [];
  for (const rule of selected) {
    if ('ours' in rule) ours.push(rule.ours);
    else if (options.preset !== false) preset.add(rule.preset);
  }
  if (preset.size === 0 && ours.length === 0) return [];
  const { lintText } = await import('./secretlint.ts');
  return lintText(path, content, preset, ours);
}

function overlaps(a: Detection, b: Detection): boolean {
  return a.secretStart < b.secretEnd && b.secretStart < a.secretEnd;
}

/** Which of two overlapping detections to keep: the more specific rule, then ours, then the longer. */
function better(a: Found, b: Found): boolean {
  const specificity = secretRule(a.detection.rule).specificity - secretRule(b.detection.rule).specificity;
  if (specificity !== 0) return specificity > 0;
  if (!a.secretlintRule !== !b.secretlintRule) return !a.secretlintRule;
  return a.detection.secretEnd - a.detection.secretStart >= b.detection.secretEnd - b.detection.secretStart;
}

/** One hit per secret: of detections whose secret spans overlap, the best one stays. */
function deduplicate(found: Found[]): Found[] {
  const sorted = [...found].sort((a, b) => a.detection.secretStart - b.detection.secretStart);
  const kept: Found[] = [];
  for (const candidate of sorted) {
    let keep = true;
    for (let i = kept.length - 1; i >= 0; i--) {
      const other = kept[i] as Found;
      if (!overlaps(candidate.detection, other.detection)) continue;
      if (better(candidate, other)) kept.splice(i, 1);
      else keep = false;
    }
    if (keep) kept.push(candidate);
  }
  return kept.sort((a, b) => a.detection.start - b.detection.start || a.detection.end - b.detection.end);
}

function secretOf(content: string, detection: Detection): string {
  const secret = content.slice(detection.secretStart, detection.secretEnd);
  return detection.normalize === 'pem' ? secret.replace(/\\[rn]|\s/g, '') : secret;
}

/** The line a detection starts on, every secret on it masked, cut to a window around the detection. */
function snippetOf(content: string, lines: LineIndex, detection: Detection, all: Detection[]): string {
  const line = lines.lineOf(detection.start);
  const [lineStart, lineEnd] = lines.lineRange(line);
  let text = '';
  let at = lineStart;
  let anchor = -1;
  const onLine = all
    .filter((other) => other.secretStart < lineEnd && other.secretEnd > lineStart)
    .sort((a, b) => a.secretStart - b.secretStart);
  for (const other of onLine) {
    if (other.public) continue;
    const from = Math.max(other.secretStart, lineStart);
    if (from < at) continue;
    text += content.slice(at, from);
    if (other === detection) anchor = text.length;
    text += other.masked ?? maskSecret(content.slice(other.secretStart, other.secretEnd), other.prefix);
    at = Math.min(other.secretEnd, lineEnd);
  }
  if (anchor < 0) anchor = Math.max(0, detection.start - lineStart);
  text += content.slice(at, lineEnd);
  if (text.length > SNIPPET_WIDTH) {
    const from = Math.max(0, Math.min(anchor - 40, text.length - SNIPPET_WIDTH));
    text = `${from > 0 ? '…' : ''}${text.slice(from, from + SNIPPET_WIDTH)}${from + SNIPPET_WIDTH < text.length ? '…' : ''}`;
  }
  return text.trim();
}

function hitOf(path: string, content: string, lines: LineIndex, found: Found, all: Detection[]): CodeHit {
  const { detection, secretlintRule } = found;
  const rule = secretRule(detection.rule);
  const secret = secretOf(content, detection);
  const masked =
    detection.masked ?? maskSecret(content.slice(detection.secretStart, detection.secretEnd), detection.prefix);
  const start = lines.position(detection.start);
  const end = lines.position(detection.end);
  const hit: CodeHit = {
    engine: secretlintRule ? 'secretlint' : 'cvebuild',
    rule: rule.id,
    message: `${rule.title} (${masked})${detection.detail ? `: ${detection.detail}` : ''}`,
    severity: detection.severity ?? rule.severity,
    confidence: detection.confidence,
    cwe: rule.cwe,
    owasp: SECRETS_OWASP,
    file: path,
    line: start.line,
    column: start.column,
    endLine: end.line,
    endColumn: end.column,
    snippet: snippetOf(content, lines, detection, all),
    remedy: detection.remedy ?? remedyOf(rule.id),
    extra: {
      kind: detection.kind,
      masked,
      fingerprint: fingerprint(secret),
      ...(secretlintRule ? { secretlintRule } : {}),
    },
  };
  // Belt and braces: a hit never carries the secret, whatever a detector got wrong.
  if (hit.snippet && revealsSecret(hit.snippet, secret, detection.prefix)) hit.snippet = '[snippet withheld]';
  if (revealsSecret(hit.message, secret, detection.prefix)) hit.message = rule.title;
  return hit;
}

/**
 * Scan one text: the hits in it, sorted by position. `path` (relative, `/`-separated) names the hit's
 * file and decides path-specific rules (`.env` files, `.npmrc`).
 */
export async function scanText(path: string, content: string, options: ScanTextOptions = {}): Promise<CodeHit[]> {
  const text = content.charCodeAt(0) === 0xfeff ? content.slice(1) : content;
  const found = await detect(path, text, options);
  if (found.length === 0) return [];
  const lines = new LineIndex(text);
  // Snippets mask every detected secret on their line, including those de-duplication dropped.
  const all = found.map((entry) => entry.detection);
  return deduplicate(found).map((entry) => hitOf(path, text, lines, entry, all));
}

/**
 * The text with the secret of every detection masked (the longest overlapping span wins), and how
 * many secrets were found. Keyring placeholder usernames are public and stay. This is what quoting a
 * line of code needs: every secret on it hidden, not only the one a hit is about.
 */
export async function maskSecretsIn(
  path: string,
  content: string,
  options: ScanTextOptions = {},
): Promise<{ text: string; secrets: number }> {
  const detections = (await detect(path, content, options))
    .map((found) => found.detection)
    .filter((detection) => !detection.public)
    .sort((a, b) => a.secretStart - b.secretStart || b.secretEnd - a.secretEnd);
  let text = '';
  let at = 0;
  for (const detection of detections) {
    if (detection.secretEnd <= at) continue;
    const from = Math.max(at, detection.secretStart);
    text += content.slice(at, from);
    text +=
      from === detection.secretStart
        ? (detection.masked ?? maskSecret(content.slice(detection.secretStart, detection.secretEnd), detection.prefix))
        : '****';
    at = detection.secretEnd;
  }
  return { text: text + content.slice(at), secrets: detections.length };
}

const BINARY_PROBE = 8192;

/** Whether the first bytes look binary (a NUL byte): the walk skips those already; this is a guard. */
function binary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, BINARY_PROBE).includes(0);
}

/** Windows a file is screened in: few reads, and a buffer small enough to reuse. */
const WINDOW_BYTES = 256 * 1024;

/**
 * Whether reading, decoding and scanning the file would give no hit and no reason to skip it, told
 * from its bytes read window by window and let go: it is readable, within the size limit, not
 * binary, and no rule's anchors occur in it. Reading a file whole costs a page fault per 4 KiB of
 * fresh buffer, and decoding it as much again (a 2.8 MB lock: ~10 + ~15 ms); most files of a
 * project have no anchor. Anything else, read errors included, is for the full read to decide
 * (`read`), which can start from the bytes screened when the file fit in one window.
 */
async function screenFile(
  file: CodeFile,
  prefilter: Prefilter<Rule>,
  maxFileSize: number,
): Promise<'clean' | 'read' | { whole: Buffer }> {
  const screen = prefilter.screen(file.path);
  if (screen.mayMatch) return 'read';
  const windows = readRegularFileWindows(file.absolute, {
    input: false,
    windowBytes: WINDOW_BYTES,
    overlap: prefilter.overlap,
  });
  let total = 0;
  try {
    for await (const window of windows) {
      const notClean = window.fresh === 0 && window.last ? { whole: window.bytes } : 'read';
      const fresh = window.bytes.subarray(window.fresh);
      if (total < BINARY_PROBE && binary(fresh.subarray(0, BINARY_PROBE - total))) return notClean;
      total += fresh.length;
      if (total > maxFileSize) return notClean;
      screen.scan(window);
      if (screen.mayMatch) return notClean;
    }
  } catch {
    return 'read';
  }
  return 'clean';
}

/**
 * Scan the files a walk selected. Files are read here (UTF-8); unreadable, binary-looking and
 * oversized files are listed in `skipped` with a reason, never thrown. Hits are in file order.
 */
export async function scanSecrets(
  files: readonly CodeFile[],
  options: ScanSecretsOptions = {},
): Promise<ScanSecretsResult> {
  const maxFileSize = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  const concurrency = Math.max(1, options.concurrency ?? 16);
  const { prefilter } = await rules();
  const results: CodeHit[][] = new Array(files.length);
  const skipped: NotScanned[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const index = next++;
      const file = files[index] as CodeFile;
      results[index] = [];
      if (file.size > maxFileSize) {
        skipped.push({ path: file.path, reason: `larger than ${maxFileSize} bytes` });
        continue;
      }
      const screened = options.prefilter === false ? 'read' : await screenFile(file, prefilter, maxFileSize);
      if (screened === 'clean') continue;
      let bytes: Buffer;
      try {
        bytes = screened === 'read' ? await readRegularFileAsync(file.absolute, { input: false }) : screened.whole;
      } catch (error) {
        skipped.push({ path: file.path, reason: `unreadable: ${reasonOf(error)}` });
        continue;
      }
      if (bytes.length > maxFileSize) {
        skipped.push({ path: file.path, reason: `larger than ${maxFileSize} bytes` });
        continue;
      }
      if (binary(bytes)) {
        skipped.push({ path: file.path, reason: 'binary' });
        continue;
      }
      results[index] = await scanText(file.path, bytes.toString('utf8'), options);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
  skipped.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { hits: results.flat(), skipped };
}
