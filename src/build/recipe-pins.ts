/**
 * The safe pins the CVE audit proposes, as an edit of the recipe: a requirement the recipe declares
 * gets its lower bound raised on its own line; a package the recipe only pulls in is added to the
 * requirements section it was solved into. Edits are made on the text, line by line, because a
 * recipe is a template (`${{ }}`, `{% %}`, `# [linux]` selectors) that no YAML round trip keeps.
 */
import { writeFileSync } from 'node:fs';
import { applyPatch, createTwoFilesPatch } from 'diff';
import { CvebuildError } from '../errors.ts';
import { readTextInput } from '../fs/read-input.ts';
import type { DeclaredDependency, DependencyScope } from '../model/inventory.ts';
import { schemeFor } from '../versions/index.ts';

export interface SafePin {
  name: string;
  /** The lowest release the advisories call safe. */
  version: string;
  /** The recipe section the package was found in, when it is not a declared requirement. */
  scope?: DependencyScope;
}

export interface PinEdit {
  pin: SafePin;
  line: number;
  before: string;
  after: string;
  /** `raise`: a declared requirement's bound; `add`: a new line for a package the recipe only pulls in. */
  kind: 'raise' | 'add';
}

export interface RecipePinPlan {
  file: string;
  edits: PinEdit[];
  /** Pins that cannot be written into this recipe, and why. */
  unplaced: { pin: SafePin; reason: string }[];
  text: string;
  /** A unified diff of the recipe; empty when nothing changes. */
  diff: string;
}

const TEMPLATE = /\$\{\{|\{\{|\{%/;
/** `  - "name spec"  # [selector]`: the indent and dash, the entry (quoted or not), the rest. */
const LIST_ENTRY = /^(\s*-\s+)(["']?)([^"'#]*?)\2(\s*(?:#.*)?)$/;
const PIN_NAME = /^[a-z0-9_][a-z0-9_.+-]*$/i;
const PIN_VERSION = /^[0-9][0-9A-Za-z_.+!]*$/;
/** Bounds a raised lower bound leaves standing; anything else is what the pin replaces. */
const KEPT_BOUND = /^(<=?|!=)/;

export function planRecipePins(
  file: string,
  text: string,
  declared: readonly DeclaredDependency[],
  pins: readonly SafePin[],
): RecipePinPlan {
  const lines = text.split('\n');
  const edits: PinEdit[] = [];
  const unplaced: RecipePinPlan['unplaced'] = [];
  const inserts = new Map<number, string[]>();
  const conda = declared.filter((d) => d.ecosystem === 'conda' && d.origin.file === file && d.origin.line);
  for (const pin of pins) {
    // both come from outside (a lock's or a channel's name, an advisory's version): written into a
    // recipe line only when they are plainly a conda name and version, never YAML of their own
    if (!PIN_NAME.test(pin.name) || !PIN_VERSION.test(pin.version)) {
      unplaced.push({ pin, reason: 'not a plain conda name and version; not written into the recipe' });
      continue;
    }
    const own = conda.filter((d) => d.normalizedName === pin.name.toLowerCase() && d.scope !== 'constraint');
    if (own.length > 0) {
      for (const dependency of own) {
        const line = dependency.origin.line as number;
        const raised = raiseLine(lines[line - 1] ?? '', pin);
        if ('reason' in raised) unplaced.push({ pin, reason: `line ${line}: ${raised.reason}` });
        else if (raised.after !== lines[line - 1]) {
          edits.push({ pin, line, before: lines[line - 1] as string, after: raised.after, kind: 'raise' });
          lines[line - 1] = raised.after;
        }
      }
      continue;
    }
    const scope = pin.scope ?? 'host';
    const section = conda.filter((d) => d.scope === scope);
    const last = section.at(-1);
    const anchor = last ? LIST_ENTRY.exec(lines[(last.origin.line as number) - 1] ?? '') : null;
    if (!last || !anchor) {
      unplaced.push({
        pin,
        reason: `not a requirement of the recipe, and it has no ${scope} requirements to add it to`,
      });
      continue;
    }
    const line = last.origin.line as number;
    const added = `${anchor[1]}${pin.name} >=${pin.version}`;
    inserts.set(line, [...(inserts.get(line) ?? []), added]);
    edits.push({ pin, line: line + 1, before: '', after: added, kind: 'add' });
  }
  const out: string[] = [];
  lines.forEach((line, index) => {
    out.push(line);
    out.push(...(inserts.get(index + 1) ?? []));
  });
  const after = out.join('\n');
  const diff = after === text ? '' : createTwoFilesPatch(file, file, text, after, 'recipe', 'with safe pins');
  return { file, edits, unplaced, text: after, diff };
}

function raiseLine(line: string, pin: SafePin): { after: string } | { reason: string } {
  const entry = LIST_ENTRY.exec(line);
  if (!entry) return { reason: 'the requirement is not a plain list entry; pin it by hand' };
  const [, lead, quote, body, tail] = entry as unknown as [string, string, string, string, string];
  if (TEMPLATE.test(body)) return { reason: `"${body.trim()}" is a template; pin it by hand` };
  const [name, spec = ''] = body.trim().split(/\s+/);
  if (spec.includes('|')) return { reason: `"${spec}" has alternatives; pin it by hand` };
  const conda = schemeFor('conda');
  const parts = spec.split(',');
  const kept = parts.filter((part) => KEPT_BOUND.test(part));
  // a series (`2.32.*`) stays when the safe release is in it; else the fix is the move out of it
  const series = parts.filter((part) => part.endsWith('*') && conda.satisfies(pin.version, part));
  for (const bound of kept)
    if (!conda.satisfies(pin.version, bound))
      return { reason: `"${bound}" excludes ${pin.version}, the lowest safe release: the bound must move first` };
  if (spec !== '' && !KEPT_BOUND.test(spec) && safeAlready(spec, pin.version)) return { after: line };
  const raised = [...series, `>=${pin.version}`, ...kept].join(',');
  return { after: `${lead}${quote}${name} ${raised}${quote}${tail}` };
}

/** A lower bound at or above the safe release already keeps vulnerable releases out. */
function safeAlready(spec: string, safe: string): boolean {
  const lower = spec.split(',').find((part) => part.startsWith('>'));
  const version = lower?.replace(/^>=?/, '');
  if (!version) return false;
  const conda = schemeFor('conda');
  return conda.isValid(version) && conda.compare(version, safe) >= 0;
}

/**
 * Writes a run's proposed pins into the recipe. The diff is applied, not re-planned, so what is
 * written is exactly what the report showed; a recipe edited since the run no longer takes it.
 */
export function applyRecipeDiff(recipeFile: string, diffFile: string): void {
  const patched = applyPatch(readTextInput(recipeFile), readTextInput(diffFile));
  if (patched === false)
    throw new CvebuildError(
      'RECIPE_INVALID',
      `the recipe changed since the run proposed its pins (${diffFile}); run the build again`,
      {
        file: recipeFile,
      },
    );
  writeFileSync(recipeFile, patched);
}
