/**
 * Which rules could fire on a text, in one pass: an Aho-Corasick automaton over every rule's literal
 * anchors (`literal-matcher.ts`), plus the few regex anchors (each tested once per text) and path
 * predicates. Measured on the 24.9 MB of corpus text: `includes` per literal (75 literals) took
 * ~720 ms, one alternation RegExp of all literals ~320-440 ms, this automaton ~50 ms.
 *
 * The same can be asked of a file's raw bytes read window by window (`screen`), so that a file with
 * no anchor is neither decoded nor held whole.
 */
import type { FileWindow } from '../fs/regular-file.ts';
import type { Anchors, BytePattern } from './detection.ts';
import { LiteralMatcher } from './literal-matcher.ts';

interface PrefilterRule<T> {
  item: T;
  anchors: Anchors;
  /** Indices of the rule's literals in the matcher. */
  literals: number[];
}

/** Selects, per text, the rules whose anchors occur: literals through one automaton, patterns once each. */
export class Prefilter<T> {
  private readonly rules: readonly PrefilterRule<T>[];
  private readonly matcher: LiteralMatcher;
  /** How much consecutive windows of a file must overlap for `screen` to see each byte pattern's match whole. */
  readonly overlap: number;
  /** The patterns' byte forms; undefined if a pattern has none (then every file may match). */
  private readonly bytePatterns: readonly BytePattern[] | undefined;

  constructor(items: readonly { item: T; anchors: Anchors }[]) {
    const literals: string[] = [];
    const indexOf = new Map<string, number>();
    this.rules = items.map(({ item, anchors }) => {
      return {
        item,
        anchors,
        literals: (anchors.literals ?? []).map((literal) => {
          let index = indexOf.get(literal);
          if (index === undefined) {
            index = literals.length;
            literals.push(literal);
            indexOf.set(literal, index);
          }
          return index;
        }),
      };
    });
    this.matcher = new LiteralMatcher(literals);
    const patterns = this.rules.filter((rule) => rule.anchors.pattern).map((rule) => rule.anchors.patternInBytes);
    this.bytePatterns = patterns.every((pattern) => pattern !== undefined) ? [...new Set(patterns)] : undefined;
    this.overlap = Math.max(0, ...(this.bytePatterns ?? []).map((pattern) => pattern.maxBytes - 1));
  }

  select(text: string, path: string): T[] {
    const found = new Uint8Array(this.matcher.literals.length);
    this.matcher.scan(text, found);
    const tested = new Map<RegExp, boolean>();
    const selected: T[] = [];
    for (const rule of this.rules) {
      let hit = rule.anchors.path?.(path) ?? false;
      if (!hit) for (const index of rule.literals) if (found[index]) hit = true;
      const pattern = rule.anchors.pattern;
      if (!hit && pattern) {
        let result = tested.get(pattern);
        if (result === undefined) {
          result = pattern.test(text);
          tested.set(pattern, result);
        }
        hit = result;
      }
      if (hit) selected.push(rule.item);
    }
    return selected;
  }

  /** `select`, loosened, on the file at `path` read in windows overlapping by `overlap` bytes. */
  screen(path: string): ByteScreen {
    const bytePatterns = this.bytePatterns;
    const byPath = this.rules.some((rule) => rule.anchors.path?.(path));
    return new ByteScreen(this.matcher, this.rules, byPath || !bytePatterns ? undefined : bytePatterns);
  }
}

/**
 * Whether a file may select a rule, told from its path, then window by window from its raw UTF-8
 * bytes: once yes it stays yes, and it stays no to the end only for a file `select` would select
 * nothing for once decoded (literals are ASCII, so found alike in bytes; patterns are loosened).
 */
export class ByteScreen {
  private readonly matcher: LiteralMatcher;
  private readonly rules: readonly PrefilterRule<unknown>[];
  private readonly patterns: readonly BytePattern[];
  private readonly found: Uint8Array;
  private state = 0;
  private selects: boolean;

  /** `patterns` undefined: the file may select a rule whatever its bytes (by its path, or a pattern without a byte form). */
  constructor(
    matcher: LiteralMatcher,
    rules: readonly PrefilterRule<unknown>[],
    patterns: readonly BytePattern[] | undefined,
  ) {
    this.matcher = matcher;
    this.rules = rules;
    this.patterns = patterns ?? [];
    this.found = new Uint8Array(matcher.literals.length);
    this.selects = patterns === undefined;
  }

  /** Whether some rule may be selected, given the path and the windows scanned so far. */
  get mayMatch(): boolean {
    return this.selects;
  }

  /** Takes the file's next window into account. */
  scan(window: FileWindow): void {
    if (this.selects) return;
    this.state = this.matcher.scanBytes(window.bytes.subarray(window.fresh), this.found, this.state);
    const found = this.found;
    this.selects =
      this.rules.some((rule) => rule.literals.some((index) => found[index] === 1)) ||
      this.patterns.some((pattern) => pattern.test(window.bytes));
  }
}
