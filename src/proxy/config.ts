/**
 * The proxy's configuration file (TOML), validated as strictly as the policy: an unknown or
 * misspelt key is an error naming the file, line and key, because a silently ignored
 * `exclude-newer` would open the gate without anyone noticing.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CvebuildError } from '../errors.ts';
import { describeSystemError } from '../fs/errors.ts';
import { validateToml } from '../policy/load.ts';
import { zod } from '../policy/zod.ts';
import { parseTomlText } from '../readers/pixi-manifest.ts';
import { parseDuration } from '../util/duration.ts';
import type { UpstreamCooldown } from './judge.ts';

export interface CondaUpstreamConfig {
  name: string;
  url: string;
  subdirs?: string[];
  cooldown: UpstreamCooldown;
  /** A `cvebuild channel audit --state` file whose results for this channel views reuse. */
  channelAuditState?: string;
}

export interface PypiUpstreamConfig {
  name: string;
  url: string;
  files?: string[];
  cooldown: UpstreamCooldown;
}

export interface ProxyConfig {
  file: string;
  server: {
    host: string;
    port: number;
    dataDir: string;
    metadataMaxAgeS: number;
    shutdownGraceMs: number;
  };
  upstream: { concurrency: number; timeoutMs: number; maxDocumentBytes: number; maxStaleMs: number };
  state: { sqlite: string } | { postgres: string };
  propagationMs: number;
  /** The environment variable holding `name=token` pairs, comma-separated. */
  adminTokensEnv: string;
  policy: { file?: string; db?: string; checks?: string[]; bucketMs: number; offline: boolean };
  conda: CondaUpstreamConfig[];
  pypi: PypiUpstreamConfig[];
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

function schema() {
  const z = zod();
  const duration = z.string().refine((value) => parseDuration(value) !== undefined, {
    message: 'not a duration (use e.g. "30s", "5m", "7d")',
  });
  const url = z.string().refine((value) => /^https?:\/\/[^/]/.test(value), { message: 'expected an http(s) URL' });
  const cooldown = {
    'exclude-newer': duration.optional(),
    'exclude-newer-packages': z.record(z.string().min(1), duration).optional(),
    exempt: z.record(z.string().min(1), z.string().min(1)).optional(),
  };
  const name = z.string().regex(NAME, 'expected a lowercase name of letters, digits, ".", "_" or "-"');
  return z.strictObject({
    server: z
      .strictObject({
        listen: z
          .string()
          .regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port, e.g. "127.0.0.1:8080"')
          .optional(),
        'data-dir': z.string().min(1).optional(),
        'metadata-max-age': duration.optional(),
        'shutdown-grace': duration.optional(),
      })
      .optional(),
    upstream: z
      .strictObject({
        concurrency: z.number().int().min(1).max(1024).optional(),
        timeout: duration.optional(),
        'max-document-mib': z.number().int().min(1).max(4096).optional(),
        'max-stale': duration.optional(),
      })
      .optional(),
    state: z
      .strictObject({
        sqlite: z.string().min(1).optional(),
        postgres: z.string().min(1).optional(),
        propagation: duration.optional(),
      })
      .refine((value) => !(value.sqlite && value.postgres), { message: 'give sqlite or postgres, not both' })
      .optional(),
    admin: z
      .strictObject({
        'tokens-env': z
          .string()
          .regex(/^[A-Z_][A-Z0-9_]*$/)
          .optional(),
      })
      .optional(),
    policy: z
      .strictObject({
        file: z.string().min(1).optional(),
        db: z.string().min(1).optional(),
        checks: z.array(z.string().min(1)).optional(),
        'cooldown-bucket': duration.optional(),
        offline: z.boolean().optional(),
      })
      .optional(),
    conda: z
      .array(
        z.strictObject({
          name,
          url,
          subdirs: z.array(z.string().regex(/^[a-z0-9_-]+$/)).optional(),
          'channel-audit-state': z.string().min(1).optional(),
          ...cooldown,
        }),
      )
      .optional(),
    pypi: z.array(z.strictObject({ name, url, files: z.array(url).optional(), ...cooldown })).optional(),
  });
}

type Document = ReturnType<ReturnType<typeof schema>['parse']>;

export function loadProxyConfig(file: string, env: NodeJS.ProcessEnv = process.env): ProxyConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CvebuildError('INPUT_NOT_FOUND', describeSystemError(error), { file });
  }
  return parseProxyConfig(text, file, env);
}

export function parseProxyConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): ProxyConfig {
  const document = parseTomlText(text, file);
  const parsed: Document = validateToml(schema(), { file, text, prefix: [], document });
  const base = dirname(resolve(file));
  const at = (path: string) => resolve(base, path);
  const ms = (value: string | undefined, fallback: number) =>
    value === undefined ? fallback : (parseDuration(value) ?? fallback);
  const conda = (parsed.conda ?? []).map((entry) => ({
    name: entry.name,
    url: entry.url.replace(/\/+$/, ''),
    ...(entry.subdirs ? { subdirs: entry.subdirs } : {}),
    cooldown: cooldownOf(entry),
    ...(entry['channel-audit-state'] ? { channelAuditState: at(entry['channel-audit-state']) } : {}),
  }));
  const pypi = (parsed.pypi ?? []).map((entry) => ({
    name: entry.name,
    url: entry.url.endsWith('/') ? entry.url : `${entry.url}/`,
    ...(entry.files ? { files: entry.files } : {}),
    cooldown: cooldownOf(entry),
  }));
  const names = new Set<string>();
  for (const [kind, list] of [
    ['conda', conda],
    ['pypi', pypi],
  ] as const) {
    for (const [index, entry] of list.entries()) {
      if (names.has(entry.name))
        throw new CvebuildError('MANIFEST_INVALID', `upstream name ${JSON.stringify(entry.name)} is used twice`, {
          file,
          key: `${kind}[${index}].name`,
        });
      names.add(entry.name);
    }
  }
  if (names.size === 0)
    throw new CvebuildError('MANIFEST_INVALID', 'no upstream: add a [[conda]] or [[pypi]] table', { file });
  const [host, port] = (parsed.server?.listen ?? '127.0.0.1:8080').split(/:(?=\d+$)/);
  const portNumber = Number(port);
  if (!(portNumber >= 0 && portNumber <= 65_535))
    throw new CvebuildError('MANIFEST_INVALID', `port ${port} is out of range`, { file, key: 'server.listen' });
  const postgres = parsed.state?.postgres;
  return {
    file,
    server: {
      host: host ?? '127.0.0.1',
      port: portNumber,
      dataDir: at(parsed.server?.['data-dir'] ?? 'proxy-data'),
      metadataMaxAgeS: Math.round(ms(parsed.server?.['metadata-max-age'], 60_000) / 1000),
      shutdownGraceMs: ms(parsed.server?.['shutdown-grace'], 10_000),
    },
    upstream: {
      concurrency: parsed.upstream?.concurrency ?? 16,
      timeoutMs: ms(parsed.upstream?.timeout, 30_000),
      maxDocumentBytes: (parsed.upstream?.['max-document-mib'] ?? 1024) * 1024 * 1024,
      maxStaleMs: ms(parsed.upstream?.['max-stale'], 3_600_000),
    },
    state: postgres
      ? { postgres: expandEnv(postgres, env, file) }
      : { sqlite: at(parsed.state?.sqlite ?? 'proxy-state.db') },
    propagationMs: ms(parsed.state?.propagation, 5_000),
    adminTokensEnv: parsed.admin?.['tokens-env'] ?? 'CVEBUILD_PROXY_TOKENS',
    policy: {
      ...(parsed.policy?.file ? { file: at(parsed.policy.file) } : {}),
      ...(parsed.policy?.db ? { db: at(parsed.policy.db) } : {}),
      ...(parsed.policy?.checks ? { checks: parsed.policy.checks } : {}),
      bucketMs: ms(parsed.policy?.['cooldown-bucket'], 60_000),
      offline: parsed.policy?.offline ?? false,
    },
    conda,
    pypi,
  };
}

function cooldownOf(entry: {
  'exclude-newer'?: string;
  'exclude-newer-packages'?: Record<string, string>;
  exempt?: Record<string, string>;
}): UpstreamCooldown {
  return {
    ...(entry['exclude-newer'] ? { excludeNewer: entry['exclude-newer'] } : {}),
    packages: new Map(Object.entries(entry['exclude-newer-packages'] ?? {})),
    exemptions: new Map(Object.entries(entry.exempt ?? {})),
  };
}

/** `${NAME}` in a connection string comes from the environment, so passwords stay out of the file. */
function expandEnv(value: string, env: NodeJS.ProcessEnv, file: string): string {
  return value.replace(/\$\{([A-Z_][A-Z0-9_]*)\}/g, (_, name: string) => {
    const found = env[name];
    if (found === undefined)
      throw new CvebuildError('MANIFEST_INVALID', `environment variable ${name} is not set`, {
        file,
        key: 'state.postgres',
      });
    return found;
  });
}

/** `alice=token1,bob=token2` → token → name. Tokens shorter than 16 characters are refused. */
export function adminTokens(config: ProxyConfig, env: NodeJS.ProcessEnv = process.env): Map<string, string> {
  const tokens = new Map<string, string>();
  const text = env[config.adminTokensEnv];
  if (!text) return tokens;
  for (const pair of text.split(',')) {
    const at = pair.indexOf('=');
    const name = pair.slice(0, at).trim();
    const token = pair.slice(at + 1).trim();
    if (at <= 0 || token.length < 16)
      throw new CvebuildError(
        'USAGE',
        `${config.adminTokensEnv}: expected name=token pairs separated by commas, each token at least 16 characters`,
      );
    tokens.set(token, name);
  }
  return tokens;
}
