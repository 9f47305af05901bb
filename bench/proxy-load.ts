/**
 * The proxy under load, as clients feel it: wrk on loopback against a filtered repodata.json and a
 * filtered PyPI project page served by `cvebuild proxy serve` (a real process, real judge, real
 * threat data), each against a baseline measured in the same run: a bare `node:http` server
 * sending the same bytes from memory. Prints requests per second, p99 latency and errors, and the
 * proxy's figures as ratios to the baseline's. Figures only, never asserted.
 * Env: PROXY_BENCH_SECONDS (default 10), PROXY_BENCH_CONNECTIONS (default 64).
 */
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { buildIntelStore } from '../test/helpers/build-recipe.ts';
import { corpus, hasCorpus, projectRoot } from '../test/helpers/paths.ts';
import { tempDirectory } from '../test/helpers/temp.ts';

if (!hasCorpus) {
  console.log('proxy load bench skipped: ../shared/corpus not found');
  process.exit(0);
}
if (spawnSync('wrk', ['--version']).error) {
  console.log('proxy load bench skipped: wrk not on PATH (Debian: apt-get install wrk)');
  process.exit(0);
}

const seconds = Number(process.env.PROXY_BENCH_SECONDS ?? 10);
const connections = Number(process.env.PROXY_BENCH_CONNECTIONS ?? 64);
const CHANNEL = corpus('channels/rattler-pytorch');
const PROJECT = 'demo';

/** The upstream: the corpus channel's files, and a PyPI project page with 40 releases. */
function upstreamServer(): Promise<Server> {
  const page = {
    meta: { 'api-version': '1.1' },
    name: PROJECT,
    versions: [] as string[],
    files: [] as Record<string, unknown>[],
  };
  for (let minor = 0; minor < 40; minor++) {
    const version = `1.${minor}.0`;
    page.versions.push(version);
    for (const tag of ['py3-none-any', 'cp312-cp312-manylinux_2_17_x86_64']) {
      const filename = `${PROJECT}-${version}-${tag}.whl`;
      page.files.push({
        filename,
        url: `/files/${filename}`,
        hashes: { sha256: `${minor.toString(16).padStart(2, '0')}`.repeat(32) },
        size: 1000 + minor,
        'upload-time': `2025-0${1 + (minor % 9)}-01T00:00:00Z`,
      });
    }
  }
  const pageBody = JSON.stringify(page);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === `/simple/${PROJECT}/`) {
      res.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json', etag: '"p1"' });
      res.end(pageBody);
      return;
    }
    try {
      const body = readFileSync(join(CHANNEL, path));
      res.writeHead(200, { 'content-type': 'application/octet-stream', etag: `"${body.length}"` });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function baselineServer(bodies: Map<string, { body: Buffer; type: string }>): Promise<Server> {
  const server = createServer((req, res) => {
    const found = bodies.get(req.url ?? '');
    if (!found) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': found.type, 'content-length': found.body.length, etag: '"x"' });
    res.end(found.body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

interface WrkFigures {
  rps: number;
  p99Ms: number;
  errors: number;
  requests: number;
}

/** Asynchronous: the baseline server lives in this process and must keep answering. */
async function wrk(url: string, accept?: string): Promise<WrkFigures> {
  const args = [
    '-t2',
    `-c${connections}`,
    `-d${seconds}s`,
    '--latency',
    ...(accept ? ['-H', `Accept: ${accept}`] : []),
    url,
  ];
  const out = await new Promise<string>((resolve, reject) =>
    execFile('wrk', args, { encoding: 'utf8' }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
  );
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? Number.NaN);
  const p99 = /99%\s+([\d.]+)(us|ms|s)\b/.exec(out);
  const p99Ms = p99 ? Number(p99[1]) * (p99[2] === 'us' ? 0.001 : p99[2] === 's' ? 1000 : 1) : Number.NaN;
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = non2xx + (socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0);
  return { rps, p99Ms, errors, requests };
}

async function waitForHealth(url: string, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`the proxy exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) return;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the proxy did not become healthy');
}

const upstream = await upstreamServer();
const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
const dir = tempDirectory();
const db = buildIntelStore([
  join(projectRoot, 'examples/openssl-cve/intel'),
  join(projectRoot, 'test/fixtures/intel/kev.json'),
  join(projectRoot, 'test/fixtures/intel/osv'),
]);
const configFile = join(dir, 'proxy.toml');
writeFileSync(
  configFile,
  [
    '[server]',
    'listen = "127.0.0.1:0"',
    '[policy]',
    `db = ${JSON.stringify(db)}`,
    'offline = true',
    '[[conda]]',
    'name = "pytorch"',
    `url = "${upstreamUrl}"`,
    '[[pypi]]',
    'name = "pypi"',
    `url = "${upstreamUrl}/simple/"`,
    '',
  ].join('\n'),
);
const port = 20_000 + Math.floor(Math.random() * 20_000);
const child = spawn(
  process.execPath,
  [join(projectRoot, 'bin/cvebuild.js'), 'proxy', 'serve', '--config', configFile, '--port', String(port)],
  {
    stdio: ['ignore', 'ignore', 'inherit'],
  },
);
const proxyUrl = `http://127.0.0.1:${port}`;
try {
  await waitForHealth(proxyUrl, child);
  const targets = [
    {
      name: 'repodata.json (linux-64, 2,181 records)',
      path: '/conda/pytorch/linux-64/repodata.json',
      type: 'application/json',
    },
    {
      name: 'PyPI project page (JSON, 80 files)',
      path: `/pypi/pypi/simple/${PROJECT}/`,
      type: 'application/vnd.pypi.simple.v1+json',
      accept: 'application/vnd.pypi.simple.v1+json',
    },
  ];
  const bodies = new Map<string, { body: Buffer; type: string }>();
  for (const target of targets) {
    // warm the view, and keep the exact bytes for the baseline
    const response = await fetch(`${proxyUrl}${target.path}`, {
      headers: target.accept ? { accept: target.accept } : {},
    });
    if (!response.ok) throw new Error(`${target.path}: HTTP ${response.status} ${await response.text()}`);
    bodies.set(target.path, { body: Buffer.from(await response.arrayBuffer()), type: target.type });
  }
  const baseline = await baselineServer(bodies);
  const baselineUrl = `http://127.0.0.1:${(baseline.address() as AddressInfo).port}`;
  console.log(`proxy load (wrk, ${connections} connections, ${seconds} s each, loopback)`);
  for (const target of targets) {
    const bare = await wrk(`${baselineUrl}${target.path}`, target.accept);
    const proxied = await wrk(`${proxyUrl}${target.path}`, target.accept);
    const size = bodies.get(target.path)?.body.length ?? 0;
    console.log(`  ${target.name}, ${size.toLocaleString('en')} bytes`);
    console.log(
      `    baseline node:http: ${bare.rps.toFixed(0)} req/s, p99 ${bare.p99Ms.toFixed(2)} ms, ${bare.errors} errors of ${bare.requests}`,
    );
    console.log(
      `    cvebuild proxy:     ${proxied.rps.toFixed(0)} req/s (${(proxied.rps / bare.rps).toFixed(2)}× baseline), p99 ${proxied.p99Ms.toFixed(2)} ms (${(proxied.p99Ms / bare.p99Ms).toFixed(2)}×), ${proxied.errors} errors of ${proxied.requests}`,
    );
  }
  baseline.close();
} finally {
  child.kill('SIGTERM');
  upstream.close();
}
