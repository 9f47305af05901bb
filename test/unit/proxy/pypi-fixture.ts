/**
 * What the PyPI proxy tests share: a fake judge (blocks by name, version or file name; its version
 * changes with the list), a loopback upstream index serving JSON or HTML project pages and real
 * wheel bytes, the proxy mounted on its own loopback server, and real pip.
 */
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Package } from '../../../src/model/package.ts';
import { createPypiIndex, type PypiIndex } from '../../../src/proxy/pypi/index.ts';
import type { BlockReason, Judge, Judgement, JudgeScope } from '../../../src/proxy/types.ts';
import { UpstreamClient } from '../../../src/proxy/upstream.ts';
import { ViewStore } from '../../../src/proxy/views.ts';
import { tempDirectory } from '../../helpers/temp.ts';

export const JSON_TYPE = 'application/vnd.pypi.simple.v1+json';
export const PIP_ACCEPT =
  'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01';

export interface Rule {
  name?: string;
  version?: string;
  file?: string;
  reason?: Partial<BlockReason>;
}

/** Blocks what its rules match; its version changes whenever the rules do. */
export class FakeJudge implements Judge {
  private rules: Rule[] = [];
  private revision = 0;
  failing = false;
  readonly batches: Package[][] = [];

  block(...rules: Rule[]): void {
    this.rules = rules;
    this.revision++;
  }

  async version(_upstream: string): Promise<string> {
    if (this.failing) throw new Error('threat data is stale');
    return `fake-${this.revision}`;
  }

  async judge(packages: readonly Package[], _scope: JudgeScope): Promise<Judgement> {
    if (this.failing) throw new Error('threat data is stale');
    this.batches.push([...packages]);
    const blocked = new Map<Package, BlockReason[]>();
    for (const pkg of packages) {
      const file = (pkg.url ?? '').split('/').at(-1);
      const reasons = this.rules
        .filter(
          (rule) =>
            (rule.name === undefined || rule.name === pkg.normalizedName) &&
            (rule.version === undefined || rule.version === pkg.version) &&
            (rule.file === undefined || rule.file === file),
        )
        .map((rule) => ({
          source: 'quarantine',
          id: `q-${rule.name ?? ''}-${rule.version ?? ''}-${rule.file ?? ''}`,
          message: `quarantined: ${rule.name ?? rule.file} ${rule.version ?? ''}`.trim(),
          ...rule.reason,
        }));
      if (reasons.length > 0) blocked.set(pkg, reasons);
    }
    return { blocked, version: `fake-${this.revision}` };
  }
}

export interface UpstreamFile {
  filename: string;
  bytes: Buffer;
  uploadTime?: string;
  requiresPython?: string;
  /** The PEP 658 metadata file's bytes (served at `<url>.metadata`, hashed on the page). */
  metadata?: string;
  /** Where the page says the file is (default: this server's `/packages/<sha[0:2]>/<filename>`). */
  url?: string;
  /** The sha256 the page states (default: the bytes'). */
  sha256?: string;
  yanked?: boolean | string;
  provenance?: string;
}

export interface PageOverride {
  status?: number;
  contentType?: string;
  body?: string | Buffer;
  delayMs?: number;
}

export interface Seen {
  method: string;
  path: string;
  accept?: string;
  range?: string;
}

/** A loopback PyPI: `/simple/<project>/` in JSON (default) or HTML, `/packages/…` the files. */
export class UpstreamIndex {
  readonly seen: Seen[] = [];
  private readonly projects = new Map<string, { files: UpstreamFile[]; form: 'json' | 'html'; extra?: object }>();
  private readonly overrides = new Map<string, PageOverride>();
  private readonly blobs = new Map<string, Buffer>();
  private server?: Server;
  origin = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.answer(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  get url(): string {
    return `${this.origin}/simple/`;
  }

  publish(project: string, files: UpstreamFile[], form: 'json' | 'html' = 'json', extra?: object): void {
    this.projects.set(project, { files, form, extra });
    this.overrides.delete(project);
    for (const file of files) {
      this.blobs.set(this.pathOf(file), file.bytes);
      if (file.metadata !== undefined) this.blobs.set(`${this.pathOf(file)}.metadata`, Buffer.from(file.metadata));
    }
  }

  /** Replaces the bytes served for a file (the page keeps the old hash). */
  tamper(file: UpstreamFile, bytes: Buffer): void {
    this.blobs.set(this.pathOf(file), bytes);
  }

  override(project: string, override: PageOverride): void {
    this.overrides.set(project, override);
  }

  pathOf(file: UpstreamFile): string {
    return file.url
      ? new URL(file.url, this.origin).pathname
      : `/packages/${sha256(file.bytes).slice(0, 2)}/${file.filename}`;
  }

  requests(prefix: string): Seen[] {
    return this.seen.filter((request) => request.path.startsWith(prefix));
  }

  close(): Promise<void> {
    this.server?.closeAllConnections();
    return new Promise((resolve) => this.server?.close(() => resolve()));
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', this.origin).pathname;
    this.seen.push({ method: req.method ?? '', path, accept: req.headers.accept, range: req.headers.range });
    const page = /^\/simple\/([^/]+)\/$/.exec(path);
    if (page?.[1]) {
      this.page(req, res, page[1]);
      return;
    }
    const blob = this.blobs.get(path);
    if (!blob) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': blob.byteLength });
    res.end(req.method === 'HEAD' ? undefined : blob);
  }

  private page(req: IncomingMessage, res: ServerResponse, project: string): void {
    const override = this.overrides.get(project);
    const send = () => {
      if (override?.body !== undefined || override?.status !== undefined) {
        res.writeHead(override.status ?? 200, { 'content-type': override.contentType ?? JSON_TYPE });
        res.end(override.body);
        return;
      }
      const known = this.projects.get(project);
      if (!known) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('no such project');
        return;
      }
      const body =
        known.form === 'json' ? this.json(project, known.files, known.extra) : this.html(project, known.files);
      const etag = `"${sha256(Buffer.from(body)).slice(0, 16)}"`;
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { etag }).end();
        return;
      }
      res.writeHead(200, { 'content-type': known.form === 'json' ? JSON_TYPE : 'text/html', etag });
      res.end(body);
    };
    if (override?.delayMs) setTimeout(send, override.delayMs);
    else send();
  }

  private fileUrl(file: UpstreamFile): string {
    return file.url ?? `${this.origin}${this.pathOf(file)}`;
  }

  private json(project: string, files: UpstreamFile[], extra?: object): string {
    const versions = [...new Set(files.map((file) => file.filename.split('-')[1]?.replace(/\.tar\.gz$/, '') ?? ''))];
    return JSON.stringify({
      meta: { '_last-serial': 1, 'api-version': '1.3' },
      name: project,
      versions,
      files: files.map((file) => ({
        filename: file.filename,
        url: this.fileUrl(file),
        hashes: { sha256: file.sha256 ?? sha256(file.bytes) },
        'requires-python': file.requiresPython ?? '>=3.7',
        ...(file.metadata !== undefined
          ? {
              'core-metadata': { sha256: sha256(Buffer.from(file.metadata)) },
              'data-dist-info-metadata': { sha256: sha256(Buffer.from(file.metadata)) },
            }
          : {}),
        size: file.bytes.byteLength,
        ...(file.uploadTime !== undefined ? { 'upload-time': file.uploadTime } : {}),
        yanked: file.yanked ?? false,
        provenance: file.provenance ?? null,
        'gpg-sig': false,
      })),
      ...extra,
    });
  }

  private html(project: string, files: UpstreamFile[]): string {
    const anchors = files.map((file) => {
      const metadata =
        file.metadata !== undefined ? ` data-dist-info-metadata="sha256=${sha256(Buffer.from(file.metadata))}"` : '';
      return `<a href="${this.fileUrl(file)}#sha256=${file.sha256 ?? sha256(file.bytes)}" data-requires-python="${(file.requiresPython ?? '>=3.7').replace(/>/g, '&gt;')}"${metadata}>${file.filename}</a><br/>`;
    });
    return `<!DOCTYPE html>\n<html><head><meta name="pypi:repository-version" content="1.0"><title>Links for ${project}</title></head>\n<body><h1>Links for ${project}</h1>\n${anchors.join('\n')}\n</body></html>\n`;
  }
}

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export interface ProxyUnderTest {
  url: string;
  /** `http://127.0.0.1:<port>/pypi/<name>/simple/` */
  index: string;
  mount: string;
  judge: FakeJudge;
  pypi: PypiIndex;
  upstream: UpstreamClient;
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

/** The proxy on loopback: `/pypi/<name>/…` goes to the index's `handle`, like the real server's router. */
export async function startProxy(
  upstreamIndex: UpstreamIndex,
  options: { name?: string; files?: string[]; timeoutMs?: number; maxDocumentBytes?: number } = {},
): Promise<ProxyUnderTest> {
  const name = options.name ?? 'pypi';
  const mount = `/pypi/${name}/`;
  const dir = tempDirectory();
  const judge = new FakeJudge();
  const logs: Record<string, unknown>[] = [];
  const upstream = new UpstreamClient({
    cacheDir: join(dir, 'upstream'),
    concurrency: 8,
    timeoutMs: options.timeoutMs ?? 5_000,
    maxDocumentBytes: options.maxDocumentBytes ?? 4 * 1024 * 1024,
    maxStaleMs: 0,
  });
  const pypi = createPypiIndex(
    { name, url: upstreamIndex.url, ...(options.files ? { files: options.files } : {}) },
    {
      judge,
      views: new ViewStore({ dir: join(dir, 'views') }),
      upstream,
      log: (line) => logs.push(line),
      metadataMaxAgeS: 0,
      mount,
      downloadIdleTimeoutMs: options.timeoutMs ?? 5_000,
    },
  );
  const server = createServer((req, res) => {
    const raw = new URL(req.url ?? '/', 'http://x').pathname;
    if (!raw.startsWith(mount) || /%2f|%00/i.test(raw)) {
      res.writeHead(404).end();
      return;
    }
    const path = decodeURIComponent(raw.slice(mount.length));
    if (path.split('/').includes('..')) {
      res.writeHead(404).end();
      return;
    }
    pypi.handle(req, res, path).catch((error: unknown) => {
      logs.push({ event: 'handle-threw', error: String(error) });
      res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    index: `${url}${mount}simple/`,
    mount,
    judge,
    pypi,
    upstream,
    logs,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Real pip: `python3 -m pip` with no user or site configuration and no proxy. */
export function pipSkip(): string | false {
  if (pipAvailable() || process.env.CI) return false;
  return 'python3 -m pip is not available (install python3-pip); pip tests skipped';
}

let available: boolean | undefined;
export function pipAvailable(): boolean {
  available ??= spawnSync('python3', ['-m', 'pip', '--version'], { env: pipEnv(), encoding: 'utf8' }).status === 0;
  return available;
}

export function pipEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(pip_|python)|_proxy$/i.test(key)) continue;
    env[key] = value;
  }
  return {
    ...env,
    PIP_CONFIG_FILE: '/dev/null',
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    PIP_NO_INPUT: '1',
    PIP_DEFAULT_TIMEOUT: '20',
    NO_PROXY: '127.0.0.1',
  };
}

export interface PipRun {
  code: number;
  output: string;
}

/** Runs pip without blocking the event loop (the servers pip talks to live in this process). */
export function pip(args: string[]): Promise<PipRun> {
  if (!pipAvailable()) throw new Error('python3 -m pip is required here (CI is set) but is not available');
  return new Promise((resolve) => {
    execFile(
      'python3',
      ['-m', 'pip', ...args],
      { env: pipEnv(), encoding: 'utf8', timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

/**
 * Builds `<name>-<version>-py3-none-any.whl` with real pip from a tiny project whose PEP 517 backend
 * (a few lines of Python, in the tree) writes the wheel: offline, no setuptools or wheel needed.
 */
export async function buildWheel(name: string, version: string): Promise<{ file: string; metadata: string }> {
  const root = tempDirectory();
  const source = join(root, 'src');
  mkdirSync(source, { recursive: true });
  writeFileSync(
    join(source, 'pyproject.toml'),
    '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n',
  );
  writeFileSync(join(source, 'VERSION'), `${name} ${version}\n`);
  writeFileSync(join(source, 'backend.py'), BACKEND);
  const out = join(root, 'out');
  const run = await pip(['wheel', '--no-deps', '--no-build-isolation', '--no-index', '-w', out, source]);
  if (run.code !== 0) throw new Error(`pip wheel failed:\n${run.output}`);
  const [wheel] = readdirSync(out).filter((file) => file.endsWith('.whl'));
  if (!wheel) throw new Error(`pip wheel wrote no wheel:\n${run.output}`);
  return { file: join(out, wheel), metadata: metadataOf(name, version) };
}

/** What the backend writes as METADATA (so the PEP 658 file matches the wheel's). */
function metadataOf(name: string, version: string): string {
  return `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`;
}

const BACKEND = `# A PEP 517 backend in a few lines: pip builds this project into a wheel offline.
import base64, hashlib, os, zipfile
NAME, VERSION = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "VERSION")).read().split()
DIST = f"{NAME}-{VERSION}.dist-info"
def _add(z, path, data):
    z.writestr(path, data)
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}\\n"
def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    filename = f"{NAME}-{VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w") as z:
        rows = _add(z, f"{NAME}/__init__.py", f"VERSION = {VERSION!r}\\n".encode())
        rows += _add(z, f"{DIST}/METADATA", f"Metadata-Version: 2.1\\nName: {NAME}\\nVersion: {VERSION}\\n".encode())
        rows += _add(z, f"{DIST}/WHEEL", b"Wheel-Version: 1.0\\nGenerator: test-backend\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
        z.writestr(f"{DIST}/RECORD", rows + f"{DIST}/RECORD,,\\n")
    return filename
`;

/** Debian's wheels (python3-pip-whl, python3-setuptools-whl), when installed. */
export function debianWheels(): string[] {
  try {
    return readdirSync('/usr/share/python-wheels')
      .filter((file) => file.endsWith('.whl'))
      .map((file) => join('/usr/share/python-wheels', file));
  } catch {
    return [];
  }
}

export function readBytes(path: string): Buffer {
  return readFileSync(path);
}
