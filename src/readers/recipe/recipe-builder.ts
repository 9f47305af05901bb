/**
 * What both recipe readers collect — outputs, sources, declared dependencies, warnings — from
 * rendered text that may still hold placeholders for unresolvable templates.
 */
import { CvebuildError } from '../../errors.ts';
import type {
  DeclaredDependency,
  DependencyScope,
  InputFormat,
  InventoryWarning,
  RecipeSource,
} from '../../model/inventory.ts';
import { type MatchSpec, parseMatchSpec } from '../../versions/matchspec.ts';
import { condaDependency, groupWithCondition } from '../declared.ts';
import type { ReaderOutput } from '../types.ts';
import type { YamlLines } from '../yaml-lines.ts';
import type { Placeholders } from './template.ts';

export interface DependencyEntry {
  /** Rendered text (may hold placeholders). */
  text: string;
  scope: DependencyScope;
  /** Output the requirement belongs to. */
  group?: string;
  /** Selector / `if:` condition the entry is declared under. */
  condition?: string;
  line?: number;
}

export interface SourceEntry {
  kind: RecipeSource['kind'];
  location: string;
  sha256?: string;
  md5?: string;
  rev?: string;
  line?: number;
}

const SHA256 = /^[0-9a-f]{64}$/i;
const MD5 = /^[0-9a-f]{32}$/i;

export class RecipeBuilder {
  readonly file: string;
  readonly lines: YamlLines;
  readonly placeholders: Placeholders;
  /** conda-build reads `numpy 1.26` as `numpy 1.26.*`; rattler-build does not. */
  private readonly bareVersionIsPrefix: boolean;
  private readonly dependencies: DeclaredDependency[] = [];
  private readonly sources: RecipeSource[] = [];
  private readonly outputs: { name: string; version: string }[] = [];
  private readonly warnings: InventoryWarning[] = [];
  private readonly warned = new Set<string>();

  constructor(file: string, lines: YamlLines, placeholders: Placeholders, bareVersionIsPrefix: boolean) {
    this.file = file;
    this.lines = lines;
    this.placeholders = placeholders;
    this.bareVersionIsPrefix = bareVersionIsPrefix;
  }

  /** Final text of a rendered value: unresolvable templates come back as written, with a warning. */
  text(rendered: string, what: string, line?: number): string {
    const restored = this.placeholders.restore(rendered);
    const unresolved = this.placeholders.unresolvedIn(rendered);
    if (unresolved.length > 0) {
      this.warn(`cannot resolve ${unresolved.join(', ')} in ${what}; kept as written`, line);
    }
    return restored;
  }

  warn(message: string, line?: number): void {
    // A set, not a search of the list: a recipe can hold as many unresolvable templates as lines.
    const key = `${line ?? ''}\u0000${message}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.warnings.push({ message, origin: { file: this.file, line } });
  }

  addOutput(name: string, version: string): void {
    this.outputs.push({ name, version });
  }

  addDependency(entry: DependencyEntry): void {
    if (this.placeholders.isNotAPackage(entry.text) || !entry.text.trim()) return;
    const spec = this.matchSpecOf(entry);
    const what = `dependency "${this.placeholders.restore(entry.text).trim()}"`;
    const restored: MatchSpec = { ...spec, name: this.text(spec.name, what, entry.line) };
    if (spec.version !== undefined) restored.version = this.text(spec.version, what, entry.line);
    if (spec.build !== undefined) restored.build = this.placeholders.restore(spec.build);
    if (spec.channel !== undefined) restored.channel = this.placeholders.restore(spec.channel);
    this.dependencies.push(
      condaDependency(restored, {
        scope: entry.scope,
        group: groupWithCondition(entry.group, entry.condition),
        ...(entry.condition ? { condition: entry.condition } : {}),
        origin: { file: this.file, line: entry.line },
      }),
    );
  }

  addSource(entry: SourceEntry): void {
    const source: RecipeSource = {
      kind: entry.kind,
      location: this.text(entry.location, `source ${entry.kind}`, entry.line),
      origin: { file: this.file, line: entry.line },
    };
    const sha256 = this.digest(entry.sha256, 'sha256', entry.line);
    if (sha256 !== undefined) source.sha256 = sha256;
    const md5 = this.digest(entry.md5, 'md5', entry.line);
    if (md5 !== undefined) source.md5 = md5;
    if (entry.rev !== undefined) source.rev = this.text(entry.rev, 'source revision', entry.line);
    this.sources.push(source);
  }

  result(format: InputFormat): ReaderOutput {
    return {
      source: { path: this.file, format, records: { conda: 0, pypi: 0, condaSource: 0 } },
      environments: [],
      manifest: { dependencies: this.dependencies, recipeSources: this.sources, recipeOutputs: this.outputs },
      warnings: this.warnings,
    };
  }

  /** A spec whose unresolved template breaks MatchSpec syntax is kept whole as the name. */
  private matchSpecOf(entry: DependencyEntry): MatchSpec {
    try {
      return parseMatchSpec(entry.text, {
        code: 'RECIPE_INVALID',
        file: this.file,
        line: entry.line,
        bareVersionIsPrefix: this.bareVersionIsPrefix,
      });
    } catch (error) {
      if (this.placeholders.unresolvedIn(entry.text).length === 0) throw this.restoreMessage(error);
      return { name: entry.text.trim() };
    }
  }

  private digest(rendered: string | undefined, kind: 'sha256' | 'md5', line: number | undefined): string | undefined {
    if (rendered === undefined) return undefined;
    if (this.placeholders.unresolvedIn(rendered).length > 0) {
      this.text(rendered, `source ${kind}`, line);
      return undefined;
    }
    if (!(kind === 'sha256' ? SHA256 : MD5).test(rendered.trim())) {
      throw new CvebuildError('RECIPE_INVALID', `not a ${kind} hex digest: ${JSON.stringify(rendered.slice(0, 80))}`, {
        file: this.file,
        line,
        key: `source.${kind}`,
      });
    }
    return rendered.trim().toLowerCase();
  }

  /** Error messages show the recipe text, not placeholder tokens. */
  private restoreMessage(error: unknown): unknown {
    if (!(error instanceof CvebuildError)) return error;
    return new CvebuildError(error.code, this.placeholders.restore(error.message), error.location);
  }
}
