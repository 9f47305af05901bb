/**
 * `cvebuild proxy serve`: one proxy node in the foreground, logging JSON lines to stdout, until
 * SIGTERM or SIGINT, then a graceful shutdown. `proxy check` validates a configuration.
 */
import { dirname } from 'node:path';
import { CvebuildError } from '../errors.ts';
import { loadPolicy } from '../policy/load.ts';
import { adminTokens, loadProxyConfig } from '../proxy/config.ts';

export interface ProxyServeOptions {
  config: string;
  port?: string;
}

export async function proxyServeCommand(options: ProxyServeOptions): Promise<void> {
  const config = loadProxyConfig(options.config);
  const port = options.port === undefined ? undefined : parsePort(options.port);
  const { startProxy } = await import('../proxy/start.ts');
  const node = await startProxy(config, port === undefined ? {} : { port });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await node.close();
}

export function proxyCheckCommand(options: ProxyServeOptions): string {
  const config = loadProxyConfig(options.config);
  const tokens = adminTokens(config);
  const policy = config.policy.file ? loadPolicy(dirname(config.policy.file), config.policy.file) : undefined;
  const upstreams = [
    ...config.conda.map((channel) => `conda ${channel.name} → ${channel.url}`),
    ...config.pypi.map((index) => `pypi ${index.name} → ${index.url}`),
  ];
  const lines = [
    ...upstreams,
    `policy: ${policy?.source ?? 'the built-in defaults'}`,
    `state: ${'sqlite' in config.state ? config.state.sqlite : 'PostgreSQL'}`,
    `admin tokens: ${tokens.size} (from $${config.adminTokensEnv})`,
  ];
  return `${options.config}: valid\n${lines.map((line) => `  ${line}\n`).join('')}`;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port > 65_535) throw new CvebuildError('USAGE', `--port ${text}: expected 0 to 65535`);
  return port;
}
