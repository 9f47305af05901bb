/**
 * Which rules could fire on a text, in one pass: an Aho-Corasick automaton over every rule's literal
 * anchors (`literal-matcher.ts`), plus the few regex anchors (each tested once per text) and path
 * predicates. Measured on the 24.9 MB of corpus text: `includes` per literal (75 literals) took
 * ~720 ms, one alternation RegExp of all literals ~320-440 ms, this automaton ~50 ms.
 *
 * The same can be asked of a file's raw bytes (`literalsIn`, `maySelect`), so that a file with no
 * anchor is never decoded.
 */
import type { Anchors } from './detection.ts';
import { LiteralMatcher } from './literal-matcher.ts';

/** Selects, per text, the rules whose anchors occur: literals through one automaton, patterns once each. */
export class Prefilter<T> {
  private readonly rules: readonly { item: T; anchors: Anchors; literals: number[] }[];
  private readonly matcher: LiteralMatcher;

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
  }

  /** Which literal anchors occur in a text, or in its UTF-8 bytes (the same: anchors are ASCII). */
  literalsIn(text: string | Buffer): Uint8Array {
    const found = new Uint8Array(this.matcher.literals.length);
    if (typeof text === 'string') this.matcher.scan(text, found);
    else this.matcher.scanBytes(text, found);
    return found;
  }

  select(text: string, path: string, literals = this.literalsIn(text)): T[] {
    const tested = new Map<RegExp, boolean>();
    const selected: T[] = [];
    for (const rule of this.rules) {
      let hit = rule.anchors.path?.(path) ?? false;
      if (!hit) for (const index of rule.literals) if (literals[index]) hit = true;
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

  /**
   * Whether any rule could be selected for the text these UTF-8 bytes decode to: false only if
   * `select` would select none (patterns are tested loosened, `Anchors.patternInBytes`).
   */
  maySelect(bytes: Buffer, path: string, literals = this.literalsIn(bytes)): boolean {
    const tested = new Map<(bytes: Buffer) => boolean, boolean>();
    for (const rule of this.rules) {
      if (rule.anchors.path?.(path)) return true;
      for (const index of rule.literals) if (literals[index]) return true;
      if (!rule.anchors.pattern) continue;
      const inBytes = rule.anchors.patternInBytes;
      if (!inBytes) return true;
      let result = tested.get(inBytes);
      if (result === undefined) {
        result = inBytes(bytes);
        tested.set(inBytes, result);
      }
      if (result) return true;
    }
    return false;
  }
}
