/**
 * The recipe's build, host and run requirements solved against the channels: one rattler solve
 * per environment that has requirements, every way it can fail turned into one line. An
 * unsatisfiable requirement names the spec(s) rattler's explanation starts from, with the
 * explanation flattened and trimmed; a channel that cannot be read names the request that failed.
 */
import { matchChannel } from '../../conda/channels.ts';
import { channelAndSubdirOf } from '../../conda/url.ts';
import { CvebuildError } from '../../errors.ts';
import type { ManifestSettings } from '../../model/inventory.ts';
import { buildPlatform, hostPlatform, virtualPackages } from './platforms.ts';
import { type EnvironmentRequest, type LeftOut, type RequestedSpec, solveRequests } from './requests.ts';
import type { SolvedEnvironment } from './solved.ts';
import { type SolveAnswer, type SolveOptions, solveInWorker } from './solver.ts';

export interface ResolveInput {
  recipeFile: string;
  manifest: ManifestSettings;
  /** Channel URLs, in priority order. */
  channels: readonly string[];
  targetPlatform: string;
  solver?: SolveOptions;
}

export interface Resolution {
  environments: SolvedEnvironment[];
  leftOut: LeftOut[];
  /** Per platform solved for: the virtual packages the solver was told it has (`__glibc 2.17 0`). */
  virtualPackages: Record<string, string[]>;
}

const UNSOLVABLE = 'Cannot solve the request because of:';
const MAX_EXPLANATION = 400;

export async function resolveRequirements(input: ResolveInput): Promise<Resolution> {
  const build = buildPlatform();
  const host = hostPlatform(input.targetPlatform, build);
  const channels = [...input.channels];
  const { environments, leftOut } = solveRequests({
    manifest: input.manifest,
    buildPlatform: build,
    hostPlatform: host,
    channels,
  });
  const asked = environments.filter((environment) => environment.specs.length > 0);
  const virtual = new Map(
    asked.map((environment) => [environment.platform, virtualPackages(environment.platform, build)]),
  );
  const resolution: Resolution = {
    environments: environments.map(({ name, platform }) => ({ name, platform, records: [] })),
    leftOut,
    virtualPackages: Object.fromEntries(
      [...virtual].map(([platform, packages]) => [platform, packages.map((p) => `${p.name} ${p.version} ${p.build}`)]),
    ),
  };
  if (asked.length === 0) return resolution;
  const outcome = await solveInWorker(
    asked.map((environment) => ({
      specs: environment.specs.map((requested) => requested.spec),
      channels,
      platforms: [environment.platform, 'noarch'],
      virtualPackages: virtual.get(environment.platform) ?? [],
    })),
    input.solver,
  );
  if (outcome.status === 'timeout')
    throw new CvebuildError(
      'NETWORK',
      `solving against ${channels.join(', ')} took longer than ${outcome.ms / 1000} s; stopped`,
    );
  if (outcome.status === 'crashed')
    throw new CvebuildError('SOLVE_FAILED', `rattler's solver failed: ${outcome.message}`, { file: input.recipeFile });
  asked.forEach((environment, index) => {
    const answer = outcome.answers[index];
    if (!answer?.ok) throw solveError(environment, answer, channels, input.recipeFile);
    checkChannels(environment, answer.records, input.recipeFile);
    const solved = resolution.environments.find((candidate) => candidate.name === environment.name);
    if (solved) solved.records = answer.records;
  });
  return resolution;
}

function solveError(
  environment: EnvironmentRequest,
  answer: Extract<SolveAnswer, { ok: false }> | undefined,
  channels: readonly string[],
  recipeFile: string,
): CvebuildError {
  const against = channels.join(', ');
  const message = answer?.message.trim() ?? 'no answer';
  if (message.startsWith(UNSOLVABLE)) {
    const explanation = message.slice(UNSOLVABLE.length);
    const named = namedSpecs(environment.specs, explanation);
    const [first] = named;
    return new CvebuildError(
      'SOLVE_FAILED',
      `cannot solve ${named.map((requested) => JSON.stringify(requested.written)).join(', ')} against ${against} for ${environment.platform}: ${flatten(explanation)}`,
      {
        file: first?.dependency.origin.file ?? recipeFile,
        ...(first?.dependency.origin.line ? { line: first.dependency.origin.line } : {}),
        key: `requirements.${environment.name}`,
      },
    );
  }
  const [failed, ...more] = answer?.failedRequests ?? [];
  if (failed)
    return new CvebuildError(
      'NETWORK',
      `cannot read the repodata of ${against}: ${failed.url}: ${failed.reason}${more.length > 0 ? ` (and ${more.length} more request(s))` : ''}`,
    );
  return new CvebuildError(
    'SOLVE_FAILED',
    `cannot solve against ${against} for ${environment.platform}: ${flatten(message)}`,
    {
      file: recipeFile,
      key: `requirements.${environment.name}`,
    },
  );
}

/**
 * The requested specs rattler's explanation starts from: those named on its top-level lines (the
 * tree's roots), else anywhere in it, else all of them (the explanation named none we asked for).
 */
function namedSpecs(specs: readonly RequestedSpec[], explanation: string): RequestedSpec[] {
  const lines = explanation.replace(/^\s+/, '').split('\n');
  const roots = lines.filter((line, index) => index === 0 || /^[├└]/.test(line));
  const naming = (text: readonly string[]) =>
    specs.filter((requested) => {
      const name = requested.dependency.name.replace(/[.+]/g, '\\$&');
      return text.some((line) => new RegExp(`(?:^|[\\s(─])${name}(?=[\\s,.:]|$)`, 'i').test(line));
    });
  const named = naming(roots);
  if (named.length > 0) return named;
  const anywhere = naming(lines);
  return anywhere.length > 0 ? anywhere : [...specs];
}

/** rattler's explanation tree as one line, at most `MAX_EXPLANATION` characters. */
function flatten(text: string): string {
  const line = text
    .split('\n')
    .map((part) => part.replace(/^[\s│├└─]+/u, '').trim())
    .filter(Boolean)
    .join(' ')
    .replace(/\s+/g, ' ')
    .replace(/\.$/, '');
  return line.length > MAX_EXPLANATION ? `${line.slice(0, MAX_EXPLANATION)}…` : line;
}

/** A requirement that names its channel was solved by name: its record must come from that channel. */
function checkChannels(
  environment: EnvironmentRequest,
  records: readonly { name: string; channel?: string; url: string }[],
  recipeFile: string,
): void {
  for (const requested of environment.specs) {
    if (requested.channel === undefined) continue;
    const record = records.find((candidate) => candidate.name.toLowerCase() === requested.dependency.normalizedName);
    const from = record ? (record.channel ?? channelAndSubdirOf(record.url).channel) : undefined;
    if (record && from && matchChannel(from, requested.channel) === undefined)
      throw new CvebuildError(
        'SOLVE_FAILED',
        `"${requested.written}" was solved from ${from}, not from the channel it names (${requested.channel})`,
        {
          file: requested.dependency.origin.file ?? recipeFile,
          ...(requested.dependency.origin.line ? { line: requested.dependency.origin.line } : {}),
          key: `requirements.${environment.name}`,
        },
      );
  }
}
