/**
 * The PyPI index front end over HTTP: negotiation, what the filtered pages keep and drop, the
 * proxy's own validators, enforcement at download (GET, HEAD, Range, metadata files) and hostile
 * upstreams. Real pip is in pypi-pip.test.ts.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { parseSimpleHtml } from '../../../src/proxy/pypi/html-page.ts';
import {
  JSON_TYPE,
  PIP_ACCEPT,
  type ProxyUnderTest,
  sha256,
  startProxy,
  type UpstreamFile,
  UpstreamIndex,
} from './pypi-fixture.ts';

const file = (filename: string, extra: Partial<UpstreamFile> = {}): UpstreamFile => ({
  filename,
  bytes: randomBytes(3000 + filename.length),
  uploadTime: '2026-03-04T05:06:07.891011Z',
  ...extra,
});

const a1 = file('alpha-1.0-py3-none-any.whl', { metadata: 'Metadata-Version: 2.1\nName: alpha\nVersion: 1.0\n' });
const a1sdist = file('alpha-1.0.tar.gz', { yanked: 'broken build', requiresPython: '>=3.9,<4' });
const a2 = file('alpha-2.0-py3-none-any.whl', {
  metadata: 'Metadata-Version: 2.1\nName: alpha\nVersion: 2.0\n',
  uploadTime: '2026-08-01T00:00:00Z',
  provenance: 'https://upstream.example/integrity/alpha/2.0/alpha-2.0-py3-none-any.whl/provenance',
});

interface JsonPage {
  meta: { 'api-version': string };
  name: string;
  versions: string[];
  files: Record<string, unknown>[];
  'project-status'?: { status: string; reason?: string };
}

describe('PyPI proxy: project pages', () => {
  let upstream: UpstreamIndex;
  let proxy: ProxyUnderTest;
  before(async () => {
    upstream = await new UpstreamIndex().start();
    upstream.publish('alpha', [a1, a1sdist, a2]);
    upstream.publish('beta', [file('beta-0.1-py3-none-any.whl')], 'html');
    proxy = await startProxy(upstream);
  });
  after(async () => {
    await proxy.close();
    await upstream.close();
  });
  const page = (project: string, accept?: string, init: RequestInit = {}) =>
    fetch(`${proxy.index}${project}`, {
      redirect: 'manual',
      ...init,
      headers: { ...(accept ? { accept } : {}), ...(init.headers as Record<string, string>) },
    });

  it('negotiates JSON or HTML by Accept with q-values, and always says Vary: Accept', async () => {
    const cases: [string | undefined, string | undefined][] = [
      [PIP_ACCEPT, JSON_TYPE],
      ['application/vnd.pypi.simple.v1+json;q=0.2, text/html;q=0.9', 'text/html; charset=utf-8'],
      ['text/html;q=0.5, application/vnd.pypi.simple.v1+html', 'application/vnd.pypi.simple.v1+html; charset=utf-8'],
      ['application/vnd.pypi.simple.latest+json', JSON_TYPE],
      [undefined, 'text/html; charset=utf-8'],
      ['*/*', 'text/html; charset=utf-8'],
    ];
    const etags = new Set<string>();
    for (const [accept, type] of cases) {
      const response = await page('alpha/', accept);
      assert.equal(response.status, 200, String(accept));
      assert.equal(response.headers.get('content-type'), type, String(accept));
      assert.equal(response.headers.get('vary'), 'Accept');
      etags.add(`${type} ${response.headers.get('etag')}`);
      await response.arrayBuffer();
    }
    assert.equal(new Set([...etags].map((tag) => tag.split(' ').at(-1))).size, 3, 'one ETag per form');
    const refused = await page('alpha/', 'image/png');
    assert.equal(refused.status, 406);
    assert.match(((await refused.json()) as { error: string }).error, /vnd\.pypi\.simple\.v1\+json/);
  });

  it('keeps upload-time, size, hashes, requires-python, yanked and metadata hashes; all file URLs point at the proxy', async () => {
    const body = (await (await page('alpha/', PIP_ACCEPT)).json()) as JsonPage;
    assert.equal(body.meta['api-version'], '1.1');
    assert.equal(body.name, 'alpha');
    assert.deepEqual(body.versions, ['1.0', '2.0']);
    const byName = new Map(body.files.map((entry) => [entry.filename, entry]));
    const wheel = byName.get(a1.filename) as Record<string, unknown>;
    assert.equal(wheel['upload-time'], '2026-03-04T05:06:07.891011Z', 'the upstream upload time, not the fetch time');
    assert.equal(wheel.size, a1.bytes.byteLength);
    assert.deepEqual(wheel.hashes, { sha256: sha256(a1.bytes) });
    assert.deepEqual(wheel['core-metadata'], { sha256: sha256(a1.metadata as string) });
    assert.equal(wheel.yanked, false);
    assert.equal(wheel.url, `/pypi/pypi/files/alpha${upstream.pathOf(a1)}`);
    const sdist = byName.get(a1sdist.filename) as Record<string, unknown>;
    assert.equal(sdist.yanked, 'broken build');
    assert.equal(sdist['requires-python'], '>=3.9,<4');
    assert.equal(sdist['core-metadata'], undefined);
    const latest = byName.get(a2.filename) as Record<string, unknown>;
    assert.equal(latest.provenance, undefined, 'provenance URLs would lead clients to upstream');
    assert.equal(latest['gpg-sig'], undefined);
    for (const entry of body.files) assert.match(String(entry.url), /^\/pypi\/pypi\/files\/alpha\//);
    assert.ok(!JSON.stringify(body).includes(upstream.origin), 'no upstream URL anywhere');
  });

  it('renders PEP 503 HTML with data-* attributes and uv’s data-upload-time, readable by the HTML parser', async () => {
    const response = await page('alpha/', 'text/html');
    const html = await response.text();
    assert.ok(!html.includes(upstream.origin));
    const parsed = parseSimpleHtml(html, `${proxy.index}alpha/`);
    assert.deepEqual(
      parsed.files.map((entry) => entry.filename),
      [a1.filename, a1sdist.filename, a2.filename],
    );
    const [wheel, sdist] = parsed.files;
    assert.equal(wheel?.url, `${proxy.url}/pypi/pypi/files/alpha${upstream.pathOf(a1)}`);
    assert.deepEqual(wheel?.hashes, { sha256: sha256(a1.bytes) });
    assert.equal(wheel?.uploadTime, '2026-03-04T05:06:07.891011Z');
    assert.deepEqual(wheel?.coreMetadata, { sha256: sha256(a1.metadata as string) });
    assert.equal(sdist?.yanked, 'broken build');
    assert.equal(sdist?.requiresPython, '>=3.9,<4');
    assert.match(html, /data-requires-python="&gt;=3\.9,&lt;4"/);
  });

  it('reads an HTML upstream page and serves it as JSON', async () => {
    const body = (await (await page('beta/', PIP_ACCEPT)).json()) as JsonPage;
    assert.deepEqual(
      body.files.map((entry) => entry.filename),
      ['beta-0.1-py3-none-any.whl'],
    );
    assert.deepEqual(body.versions, ['0.1']);
    assert.equal(
      upstream.requests('/simple/beta/')[0]?.accept?.startsWith('application/vnd.pypi.simple.v1+json'),
      true,
    );
  });

  it('withholds blocked files and versions left without a file; the ETag follows the judge version; 304; HEAD', async () => {
    proxy.judge.block();
    const open = await page('alpha/', PIP_ACCEPT);
    const openTag = open.headers.get('etag') as string;
    await open.arrayBuffer();
    const again = await page('alpha/', PIP_ACCEPT, { headers: { 'if-none-match': openTag } });
    assert.equal(again.status, 304);
    assert.equal(again.headers.get('vary'), 'Accept');

    proxy.judge.block({ name: 'alpha', version: '2.0' });
    const filtered = await page('alpha/', PIP_ACCEPT, { headers: { 'if-none-match': openTag } });
    assert.equal(filtered.status, 200, 'a new judge version is a new view');
    const filteredTag = filtered.headers.get('etag') as string;
    assert.notEqual(filteredTag, openTag);
    const body = (await filtered.json()) as JsonPage;
    assert.deepEqual(body.versions, ['1.0']);
    assert.deepEqual(
      body.files.map((entry) => entry.filename),
      [a1.filename, a1sdist.filename],
    );
    assert.equal(body['project-status'], undefined);
    assert.ok(proxy.logs.some((line) => line.event === 'filter-view' && line.withheld === 1));

    const head = await page('alpha/', PIP_ACCEPT, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('etag'), filteredTag);
    assert.equal(await head.text(), '');
    proxy.judge.block();
  });

  it('a project with every file blocked is a 200 page with PEP 792 project-status, never a 404', async () => {
    proxy.judge.block({ name: 'alpha' });
    const json = await page('alpha/', PIP_ACCEPT);
    assert.equal(json.status, 200);
    const body = (await json.json()) as JsonPage;
    assert.deepEqual(body.files, []);
    assert.deepEqual(body.versions, []);
    assert.equal(body.meta['api-version'], '1.4');
    assert.deepEqual(body['project-status'], { status: 'quarantined', reason: 'quarantined: alpha' });
    const html = await (await page('alpha/', 'text/html')).text();
    assert.match(html, /<meta name="pypi:project-status" content="quarantined">/);
    assert.doesNotMatch(html, /<a /);
    proxy.judge.block();
  });

  it('redirects unnormalized and slashless names; 404 for what upstream does not have and the project list', async () => {
    for (const path of ['Alpha/', 'alpha', 'ALPHA_', 'Al.pha/']) {
      const response = await page(path, PIP_ACCEPT);
      if (path === 'ALPHA_') {
        assert.equal(response.status, 404, 'not a valid project name');
        continue;
      }
      assert.equal(response.status, 301, path);
      assert.equal(
        response.headers.get('location'),
        path.startsWith('Al.') ? '/pypi/pypi/simple/al-pha/' : '/pypi/pypi/simple/alpha/',
      );
    }
    assert.equal((await page('no-such-project/', PIP_ACCEPT)).status, 404);
    assert.equal((await page('', PIP_ACCEPT)).status, 404);
    assert.equal((await page('alpha/extra', PIP_ACCEPT)).status, 404);
    const post = await page('alpha/', PIP_ACCEPT, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
  });

  it('fails closed with 503 when the judge cannot decide', async () => {
    proxy.judge.failing = true;
    try {
      const response = await page('alpha/', PIP_ACCEPT);
      assert.equal(response.status, 503);
      assert.match(((await response.json()) as { error: string }).error, /could not decide: threat data is stale/);
      const download = await fetch(`${proxy.url}/pypi/pypi/files/alpha${upstream.pathOf(a1)}`);
      assert.equal(download.status, 503);
      await download.arrayBuffer();
    } finally {
      proxy.judge.failing = false;
    }
  });
});

describe('PyPI proxy: downloads', () => {
  let upstream: UpstreamIndex;
  let proxy: ProxyUnderTest;
  before(async () => {
    upstream = await new UpstreamIndex().start();
    upstream.publish('alpha', [a1, a1sdist, a2]);
    proxy = await startProxy(upstream);
  });
  after(async () => {
    await proxy.close();
    await upstream.close();
  });
  const fileUrl = (entry: UpstreamFile, suffix = '') =>
    `${proxy.url}/pypi/pypi/files/alpha${upstream.pathOf(entry)}${suffix}`;

  it('streams an allowed file with its length; HEAD has no body; a Range request gets the whole verified file', async () => {
    proxy.judge.block({ name: 'alpha', version: '2.0' });
    const get = await fetch(fileUrl(a1));
    assert.equal(get.status, 200);
    assert.equal(get.headers.get('content-length'), String(a1.bytes.byteLength));
    assert.deepEqual(Buffer.from(await get.arrayBuffer()), a1.bytes);
    const head = await fetch(fileUrl(a1), { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(a1.bytes.byteLength));
    assert.equal(head.headers.get('accept-ranges'), 'none');
    assert.equal(await head.text(), '');
    const ranged = await fetch(fileUrl(a1), { headers: { range: 'bytes=-100' } });
    assert.equal(ranged.status, 200);
    assert.deepEqual(Buffer.from(await ranged.arrayBuffer()), a1.bytes);
    assert.equal(
      upstream.requests('/packages/').filter((request) => request.range).length,
      0,
      'no range goes upstream',
    );
  });

  it('refuses a blocked file with 403 and JSON reasons on GET, HEAD and Range, and logs it', async () => {
    proxy.judge.block({
      name: 'alpha',
      version: '2.0',
      reason: { source: 'cooldown', id: 'cooldown/too-new', until: Date.now() + 3_600_000 },
    });
    const before = upstream.requests('/packages/').length;
    for (const init of [{}, { method: 'HEAD' }, { headers: { range: 'bytes=0-99' } }] as RequestInit[]) {
      const response = await fetch(fileUrl(a2), init);
      assert.equal(response.status, 403, JSON.stringify(init));
      assert.ok(Number(response.headers.get('retry-after')) > 3000, 'cooldown says when to retry');
      if (init.method === 'HEAD') continue;
      const body = (await response.json()) as { error: string; reasons: { source: string; id: string }[] };
      assert.match(body.error, /alpha-2\.0-py3-none-any\.whl is blocked/);
      assert.deepEqual(
        body.reasons.map((reason) => [reason.source, reason.id]),
        [['cooldown', 'cooldown/too-new']],
      );
    }
    const metadata = await fetch(fileUrl(a2, '.metadata'));
    assert.equal(metadata.status, 403, 'the metadata of a blocked file is blocked too');
    await metadata.arrayBuffer();
    assert.equal(upstream.requests('/packages/').length, before, 'nothing blocked is fetched from upstream');
    assert.equal(proxy.logs.filter((line) => line.event === 'block-download').length, 4);
  });

  it('serves PEP 658 metadata files checked against the page, and 404 for files it does not list', async () => {
    proxy.judge.block();
    const metadata = await fetch(fileUrl(a1, '.metadata'));
    assert.equal(metadata.status, 200);
    assert.equal(await metadata.text(), a1.metadata);
    for (const url of [
      fileUrl(a1sdist, '.metadata'), // the page offers none
      fileUrl(a2, '.provenance'), // not passed through
      `${proxy.url}/pypi/pypi/files/alpha/packages/00/alpha-9.9-py3-none-any.whl`,
      `${proxy.url}/pypi/pypi/files/beta${upstream.pathOf(a1)}`,
      `${proxy.url}/pypi/pypi/files/Alpha${upstream.pathOf(a1)}`,
    ]) {
      const response = await fetch(url);
      assert.equal(response.status, 404, url);
      await response.arrayBuffer();
    }
  });

  it('aborts a tampered file mid-stream (same size, other bytes) so the client never gets all of it', async () => {
    proxy.judge.block();
    const tampered = Buffer.from(a1.bytes);
    tampered[10] = (tampered[10] ?? 0) ^ 0xff;
    upstream.tamper(a1, tampered);
    try {
      // the headers may have gone out: the body never completes
      await assert.rejects(fetch(fileUrl(a1)).then((response) => response.arrayBuffer()));
      const aborted = proxy.logs.filter((line) => line.event === 'download-aborted').at(-1);
      assert.match(String(aborted?.reason), /is not the page's/);
      // a longer body is refused before any byte is sent: its length already disagrees with the page
      upstream.tamper(a1, Buffer.concat([a1.bytes, Buffer.from('extra')]));
      const longer = await fetch(fileUrl(a1));
      assert.equal(longer.status, 502);
      assert.match(((await longer.json()) as { error: string }).error, /the page says/);
    } finally {
      upstream.tamper(a1, a1.bytes);
    }
    const healed = await fetch(fileUrl(a1));
    assert.deepEqual(Buffer.from(await healed.arrayBuffer()), a1.bytes);
  });

  it('treats an upstream PEP 792 quarantine as blocking every file', async () => {
    upstream.publish('gamma', [file('gamma-1.0-py3-none-any.whl')], 'json', {
      'project-status': { status: 'quarantined', reason: 'malware report' },
    });
    const body = (await (await fetch(`${proxy.index}gamma/`, { headers: { accept: PIP_ACCEPT } })).json()) as JsonPage;
    assert.deepEqual(body.files, []);
    assert.equal(body['project-status']?.status, 'quarantined');
    const [entry] = upstream.requests('/simple/gamma/');
    assert.ok(entry);
  });
});

describe('PyPI proxy: hostile and broken upstreams', () => {
  let upstream: UpstreamIndex;
  let proxy: ProxyUnderTest;
  before(async () => {
    upstream = await new UpstreamIndex().start();
    upstream.publish('alpha', [a1]);
    proxy = await startProxy(upstream, { timeoutMs: 800, maxDocumentBytes: 256 * 1024 });
  });
  after(async () => {
    await proxy.close();
    await upstream.close();
  });
  const get = (project: string) => fetch(`${proxy.index}${project}/`, { headers: { accept: PIP_ACCEPT } });

  it('answers broken pages with a JSON 502 or 504, and keeps serving', async () => {
    const cases: [string, Parameters<UpstreamIndex['override']>[1], number, RegExp][] = [
      ['bad-json', { body: '{"files": [', contentType: JSON_TYPE }, 502, /not JSON/],
      ['no-files', { body: '{"name": "x"}', contentType: JSON_TYPE }, 502, /no `files` list/],
      ['not-utf8', { body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), contentType: JSON_TYPE }, 502, /not UTF-8/],
      ['png', { body: 'PNG', contentType: 'image/png' }, 502, /image\/png, not a simple-API page/],
      [
        'huge',
        { body: `{"files": [], "pad": "${'x'.repeat(300 * 1024)}"}`, contentType: JSON_TYPE },
        502,
        /exceeds the 262144-byte cap/,
      ],
      ['broken', { status: 500, body: 'oops', contentType: 'text/plain' }, 502, /HTTP 500/],
      ['slow', { body: '{"files": []}', contentType: JSON_TYPE, delayMs: 4_000 }, 504, /timed out|no answer/],
    ];
    for (const [project, override, status, message] of cases) {
      upstream.override(project, override);
      const response = await get(project);
      assert.equal(response.status, status, project);
      assert.equal(response.headers.get('content-type'), 'application/json');
      assert.match(((await response.json()) as { error: string }).error, message, project);
    }
    upstream.override('garbage-html', { body: '<<<a<a href=>>></a', contentType: 'text/html' });
    const garbage = (await (await get('garbage-html')).json()) as JsonPage;
    assert.deepEqual(garbage.files, [], 'an HTML page without anchors lists nothing');
    const healthy = await get('alpha');
    assert.equal(healthy.status, 200);
    assert.equal(((await healthy.json()) as JsonPage).files.length, 1);
  });

  it('drops files on foreign hosts, with hostile names, of other projects or without a sha256, and logs them', async () => {
    const good = a1;
    const foreign = file('delta-1.0-py3-none-any.whl', {
      url: 'https://evil.example/packages/delta-1.0-py3-none-any.whl',
    });
    const body = JSON.stringify({
      meta: { 'api-version': '1.1' },
      name: 'delta',
      files: [
        { filename: 'delta-1.0-py3-none-any.whl', url: foreign.url, hashes: { sha256: sha256(foreign.bytes) } },
        { filename: '../../etc/passwd', url: '/packages/x/passwd', hashes: { sha256: 'a'.repeat(64) } },
        {
          filename: 'delta-1.1"><script>alert(1)</script>-py3-none-any.whl',
          url: '/p/x.whl',
          hashes: { sha256: 'a'.repeat(64) },
        },
        { filename: 'delta-1.2-py3-none-any.whl', url: '/packages/other-name.whl', hashes: { sha256: 'a'.repeat(64) } },
        { filename: 'alpha-1.0-py3-none-any.whl', url: upstream.pathOf(good), hashes: { sha256: sha256(good.bytes) } },
        {
          filename: 'delta-1.3-py3-none-any.whl',
          url: '/packages/delta-1.3-py3-none-any.whl',
          hashes: { md5: 'ab'.repeat(16) },
        },
        {
          filename: 'delta-1.4-py3-none-any.whl',
          url: '/packages/a%2fb/delta-1.4-py3-none-any.whl',
          hashes: { sha256: 'a'.repeat(64) },
        },
        { filename: 'delta-1.5-py3-none-any.whl\u0000', url: '/packages/x', hashes: { sha256: 'a'.repeat(64) } },
        {
          filename: 'delta-1.6-py3-none-any.whl',
          url: 'javascript:alert(1)//delta-1.6-py3-none-any.whl',
          hashes: { sha256: 'a'.repeat(64) },
        },
        {
          filename: 'delta-2.0-py3-none-any.whl',
          url: '/packages/ab/delta-2.0-py3-none-any.whl',
          hashes: { sha256: 'b'.repeat(64) },
        },
        'not an object',
        { filename: 42 },
      ],
    });
    upstream.override('delta', { body, contentType: JSON_TYPE });
    const response = await get('delta');
    assert.equal(response.status, 200);
    const page = (await response.json()) as JsonPage;
    assert.deepEqual(
      page.files.map((entry) => [entry.filename, entry.url]),
      [['delta-2.0-py3-none-any.whl', '/pypi/pypi/files/delta/packages/ab/delta-2.0-py3-none-any.whl']],
    );
    const dropped = proxy.logs.find((line) => line.event === 'pypi-files-dropped' && line.project === 'delta');
    assert.equal(dropped?.count, 9);
    const html = await (await fetch(`${proxy.index}delta/`, { headers: { accept: 'text/html' } })).text();
    assert.doesNotMatch(html, /<script>|evil\.example/);
    // the foreign file cannot be fetched through the proxy under any path
    const relay = await fetch(`${proxy.url}/pypi/pypi/files/delta/packages/delta-1.0-py3-none-any.whl`);
    assert.equal(relay.status, 404);
    await relay.arrayBuffer();
  });
});
