/**
 * Constraints in a conda `environment.yml`: a declared entry (`- numpy >=1.26`, a pip requirement
 * under `- pip:`) gets its requirement rewritten on its own line; a package the file does not
 * declare is added after the last entry of its kind. Edited by lines, as recipe pins are: a YAML
 * round trip would drop the file's comments and selectors.
 */
import { basename } from 'node:path';
import type { DeclaredDependency } from '../model/inventory.ts';
import { parseMatchSpec } from '../versions/matchspec.ts';
import { parsePep508 } from '../versions/pep508.ts';
import { pinnedSpec, raisedSpec } from './specs.ts';
import { emptyOutcome, type FileOutcome, type FixIntent, type ManifestEditor } from './types.ts';

interface ListEntry {
  lead: string;
  quote: string;
  body: string;
  tail: string;
}

/**
 * `  - "entry"  # comment`: the indent and dash, the entry (quoted or plain), and what follows it.
 * A plain entry ends where ` #` starts a comment (`#` alone, as in `#egg=`, is part of it).
 */
function listEntry(text: string): ListEntry | undefined {
  const item = /^(\s*-\s+)(.*)$/.exec(text.replace(/\r$/, ''));
  if (!item) return undefined;
  const [, lead = '', rest = ''] = item;
  const quote = rest[0] === '"' || rest[0] === "'" ? rest[0] : '';
  if (quote) {
    const close = rest.indexOf(quote, 1);
    const tail = close === -1 ? '' : rest.slice(close + 1);
    if (close === -1 || !/^\s*(?:#.*)?$/.test(tail)) return undefined;
    return { lead, quote, body: rest.slice(1, close), tail };
  }
  const [, body = '', tail = ''] = /^(.*?)((?:\s+#.*)?)$/.exec(rest) ?? [];
  // a mapping (`- pip:`), a flow collection or an alias is no requirement string
  if (!body || /^[[{&*!|>]|:(\s|$)/.test(body)) return undefined;
  return { lead, quote, body, tail };
}

export function environmentYmlEditor(
  file: string,
  text: string,
  declared: readonly DeclaredDependency[],
  relock: 'pixi' | 'conda' = 'conda',
): ManifestEditor {
  const name = basename(file);
  const own = declared.filter((dependency) => dependency.origin.file === file && dependency.origin.line);
  const of = (intent: FixIntent) =>
    own.filter(
      (dependency) =>
        dependency.ecosystem === intent.pkg.ecosystem && dependency.normalizedName === intent.pkg.normalizedName,
    );
  return {
    file,
    text,
    relock,
    declares: (pkg) => own.some((d) => d.ecosystem === pkg.ecosystem && d.normalizedName === pkg.normalizedName),
    async apply(requests) {
      const lines = text.split('\n');
      const inserts = new Map<number, string[]>();
      const outcomes = new Map<FixIntent, FileOutcome>();
      const pending: { outcome: FileOutcome; added: string; where: string; spec: string }[] = [];
      for (const { intent, add } of requests) {
        const outcome = emptyOutcome();
        outcomes.set(intent, outcome);
        const mine = of(intent);
        outcome.declared = mine.length > 0;
        const spec = (declaredSpec: string) =>
          intent.mode === 'pin'
            ? { spec: pinnedSpec(intent.version) }
            : raisedSpec(declaredSpec, intent.version, intent.pkg.versions, intent.pkg.ecosystem);
        const where = `${name} ${intent.pkg.ecosystem === 'pypi' ? 'pip:' : 'dependencies:'}`;
        for (const dependency of mine) {
          const index = (dependency.origin.line as number) - 1;
          const entry = listEntry(lines[index] ?? '');
          if (!entry) {
            outcome.unplaced.push(`${name}:${index + 1} is not a plain list entry: edit it by hand`);
            continue;
          }
          const { lead, quote, body, tail } = entry;
          const rewritten = rewriteEntry(body, intent, spec);
          if ('unchanged' in rewritten) continue;
          if ('conflict' in rewritten) {
            outcome.conflicts.push({ by: `${name}:${index + 1}`, requirement: body.trim(), file, line: index + 1 });
            continue;
          }
          if ('reason' in rewritten) {
            outcome.unplaced.push(`${name}:${index + 1}: ${rewritten.reason}`);
            continue;
          }
          const cr = lines[index]?.endsWith('\r') ? '\r' : '';
          const after = `${lead}${quote}${rewritten.entry}${quote}${tail}`;
          outcome.edits.push({
            file,
            line: index + 1,
            before: lines[index]?.replace(/\r$/, '') ?? '',
            after,
            place: where,
            constraint: rewritten.entry,
            spec: rewritten.spec,
          });
          lines[index] = `${after}${cr}`;
        }
        if (!add || outcome.declared) continue;
        const sameKind = own.filter((dependency) => dependency.ecosystem === intent.pkg.ecosystem);
        const last = sameKind.at(-1);
        const anchor = last ? listEntry(lines[(last.origin.line as number) - 1] ?? '') : undefined;
        if (!last || !anchor) {
          outcome.unplaced.push(
            `${name} has no ${intent.pkg.ecosystem === 'pypi' ? 'pip:' : 'conda'} entries to add ${intent.pkg.name} beside`,
          );
          continue;
        }
        const made = spec('');
        if (!('spec' in made)) continue;
        const added = `${anchor.lead}${intent.pkg.ecosystem === 'pypi' ? `${intent.pkg.name}${made.spec}` : `${intent.pkg.name} ${made.spec}`}`;
        const line = last.origin.line as number;
        inserts.set(line, [...(inserts.get(line) ?? []), added]);
        pending.push({ outcome, added, where, spec: made.spec });
      }
      const out: string[] = [];
      const crlf = text.includes('\r\n');
      const newLineOf = new Map<string, number>();
      // where each line of the file ends up once the added lines are in
      const moved = new Map<number, number>();
      lines.forEach((line, index) => {
        out.push(line);
        moved.set(index + 1, out.length);
        for (const added of inserts.get(index + 1) ?? []) {
          out.push(crlf ? `${added}\r` : added);
          newLineOf.set(added, out.length);
        }
      });
      for (const outcome of outcomes.values())
        for (const edit of outcome.edits) edit.line = moved.get(edit.line) ?? edit.line;
      for (const { outcome, added, where, spec } of pending) {
        const line = newLineOf.get(added) ?? 0;
        outcome.edits.push({
          file,
          line,
          before: '',
          after: added,
          place: where,
          constraint: added.replace(/^\s*-\s+/, ''),
          spec,
        });
      }
      return { text: out.join('\n'), outcomes };
    },
  };
}

type Rewritten = { entry: string; spec: string } | { unchanged: true } | { conflict: true } | { reason: string };

function rewriteEntry(
  body: string,
  intent: FixIntent,
  spec: (declared: string) => ReturnType<typeof raisedSpec>,
): Rewritten {
  try {
    if (intent.pkg.ecosystem === 'pypi') {
      const requirement = parsePep508(body.trim());
      if (requirement.url) return { reason: `${requirement.name} is a direct reference: change it by hand` };
      const change = spec(requirement.specifier);
      if (!('spec' in change)) return asRewritten(change);
      const extras = requirement.extras.length > 0 ? `[${requirement.extras.join(',')}]` : '';
      const marker = requirement.marker ? ` ; ${requirement.marker}` : '';
      return { entry: `${requirement.name}${extras}${change.spec}${marker}`, spec: change.spec };
    }
    const matchSpec = parseMatchSpec(body.trim());
    if (matchSpec.channel || matchSpec.build || matchSpec.url || matchSpec.subdir)
      return { reason: `"${body.trim()}" names a channel, build or file: edit it by hand` };
    const change = spec(matchSpec.version ?? '');
    if (!('spec' in change)) return asRewritten(change);
    return { entry: `${matchSpec.name} ${change.spec}`, spec: change.spec };
  } catch {
    return { reason: `"${body.trim()}" is not a requirement cvebuild reads: edit it by hand` };
  }
}

function asRewritten(change: Exclude<ReturnType<typeof raisedSpec>, { spec: string }>): Rewritten {
  if ('unchanged' in change) return change;
  if ('conflict' in change) return { conflict: true };
  return { reason: change.unsupported };
}
