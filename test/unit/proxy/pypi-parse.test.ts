/** The PyPI front end's pure parts: Accept negotiation, the HTML and JSON page readers, file mapping. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProjectPage, parseSimpleJson } from '../../../src/cooldown/simple-api.ts';
import { negotiate } from '../../../src/proxy/pypi/accept.ts';
import { fileBase, servablePage } from '../../../src/proxy/pypi/files.ts';
import { decodeEntities, parseSimpleHtml } from '../../../src/proxy/pypi/html-page.ts';
import { filterPage } from '../../../src/proxy/pypi/render.ts';

const SHA = 'ab'.repeat(32);

describe('PEP 691 negotiation', () => {
  it('picks by q-value, then the named type over a wildcard, then JSON', () => {
    const cases: [string | undefined, string | undefined][] = [
      ['application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01', 'json'],
      ['application/vnd.pypi.simple.v1+html, application/vnd.pypi.simple.v1+json', 'json'],
      ['text/html, */*;q=0.9', 'text-html'],
      ['*/*;q=0.5, application/vnd.pypi.simple.v1+json;q=0.5', 'json'],
      ['application/*', 'html'],
      ['application/vnd.pypi.simple.v1+json;q=0', undefined],
      ['application/vnd.pypi.simple.v1+json;q=2', undefined],
      ['TEXT/HTML', 'text-html'],
      ['', 'text-html'],
      [undefined, 'text-html'],
    ];
    for (const [accept, format] of cases) assert.equal(negotiate(accept), format, String(accept));
  });
});

describe('simple page readers', () => {
  it('reads PEP 503 HTML: fragments, data attributes, entities, <base>, PEP 792 meta', () => {
    const html = `<!DOCTYPE html><html><head>
      <base href="https://files.example/root/">
      <meta name="pypi:repository-version" content="1.4">
      <meta name="pypi:project-status" content="archived">
      <meta name="pypi:project-status-reason" content="moved &amp; kept">
      </head><body>
      <a href="pkgs/demo-1.0-py3-none-any.whl#sha256=${SHA.toUpperCase()}" data-requires-python="&gt;=3.8" data-dist-info-metadata="sha256=${SHA}" data-yanked="" data-upload-time="2026-01-01T00:00:00Z" data-size="42">demo-1.0-py3-none-any.whl</a>
      <A HREF='/abs/demo-1.1.tar.gz' data-yanked='bad &#x27;release&#39;' data-core-metadata="true">demo-1.1.tar.gz</A>
      <a>no href</a><a href="x"></a>
      </body></html>`;
    const page = parseSimpleHtml(html, 'https://index.example/simple/demo/');
    assert.equal(page.apiVersion, '1.4');
    assert.deepEqual(page.projectStatus, { status: 'archived', reason: 'moved & kept' });
    assert.deepEqual(page.files, [
      {
        filename: 'demo-1.0-py3-none-any.whl',
        url: 'https://files.example/root/pkgs/demo-1.0-py3-none-any.whl',
        hashes: { sha256: SHA },
        requiresPython: '>=3.8',
        coreMetadata: { sha256: SHA },
        yanked: true,
        size: 42,
        uploadTime: '2026-01-01T00:00:00Z',
      },
      {
        filename: 'demo-1.1.tar.gz',
        url: 'https://files.example/abs/demo-1.1.tar.gz',
        hashes: {},
        coreMetadata: true,
        yanked: "bad 'release'",
      },
    ]);
  });

  it("reads a raw '>' inside a quoted value, and skips text that only looks like a tag", () => {
    const page = parseSimpleHtml(
      `<p>it's 1 < 2</p><a href="d-1.0.tar.gz" data-requires-python=">=3.8">d-1.0.tar.gz</a>`,
      'https://i.example/simple/d/',
    );
    assert.deepEqual(
      page.files.map((file) => [file.filename, file.requiresPython, file.url]),
      [['d-1.0.tar.gz', '>=3.8', 'https://i.example/simple/d/d-1.0.tar.gz']],
    );
  });

  it('decodes only well-formed character references', () => {
    assert.equal(decodeEntities('&lt;&#60;&#x3c;&bogus;&#xd800;&#0;'), '<<<&bogus;\ufffd\ufffd');
  });

  it('reads a page of unclosed tags without blowing up', () => {
    const page = parseSimpleHtml(`${'<a href="x" '.repeat(100_000)}${'<meta '.repeat(100_000)}`, 'https://i.example/');
    assert.deepEqual(page.files, []);
  });

  it('reads every PEP 691 field and leaves out the ill-typed ones; the cooldown view is unchanged', () => {
    const text = JSON.stringify({
      meta: { 'api-version': '1.4' },
      name: 'demo',
      versions: ['1.0', 7],
      'project-status': { status: 'quarantined', reason: 'r' },
      files: [
        {
          filename: 'demo-1.0-py3-none-any.whl',
          url: 'u',
          hashes: { SHA256: SHA.toUpperCase(), md5: 'not hex!' },
          'requires-python': '>=3',
          'core-metadata': false,
          'dist-info-metadata': { sha256: SHA },
          yanked: '',
          size: -1,
          'upload-time': '2026-02-03T04:05:06.789Z',
          provenance: null,
          'gpg-sig': true,
        },
      ],
    });
    const page = parseSimpleJson(text, 'u');
    assert.deepEqual(page.versions, ['1.0']);
    assert.deepEqual(page.projectStatus, { status: 'quarantined', reason: 'r' });
    assert.deepEqual(page.files[0], {
      filename: 'demo-1.0-py3-none-any.whl',
      url: 'u',
      hashes: { sha256: SHA },
      requiresPython: '>=3',
      gpgSig: true,
      uploadTime: '2026-02-03T04:05:06.789Z',
    });
    assert.deepEqual(parseProjectPage(text, 'u'), [
      { filename: 'demo-1.0-py3-none-any.whl', sha256: SHA, uploadTime: Date.parse('2026-02-03T04:05:06.789Z') },
    ]);
  });
});

describe('servable files and filtered versions', () => {
  const bases = [fileBase('https://files.example/packages'), fileBase('https://mirror.example/')];
  const entry = (filename: string, url: string) => ({ filename, url, hashes: { sha256: SHA } });

  it('maps files under any configured base to proxy paths, sdists with dashes in the name included', () => {
    const page = servablePage(
      'python-dateutil',
      {
        files: [
          entry('python-dateutil-2.9.0.tar.gz', 'https://files.example/packages/a/python-dateutil-2.9.0.tar.gz'),
          entry(
            'python_dateutil-2.9.0-py2.py3-none-any.whl',
            'https://mirror.example/w/python_dateutil-2.9.0-py2.py3-none-any.whl',
          ),
          entry(
            'python_dateutil-3.0+local-py3-none-any.whl',
            'https://mirror.example/w/python_dateutil-3.0%2Blocal-py3-none-any.whl',
          ),
          entry('python-dateutil-2.8.tar.gz', 'https://files.example/other/python-dateutil-2.8.tar.gz'),
        ],
      },
      'https://index.example/simple/python-dateutil/',
      bases,
      '/pypi/p/',
    );
    assert.deepEqual(
      page.files.map((file) => [file.version, file.path, file.href]),
      [
        [
          '2.9.0',
          'files/python-dateutil/a/python-dateutil-2.9.0.tar.gz',
          '/pypi/p/files/python-dateutil/a/python-dateutil-2.9.0.tar.gz',
        ],
        [
          '2.9.0',
          'files/python-dateutil/w/python_dateutil-2.9.0-py2.py3-none-any.whl',
          '/pypi/p/files/python-dateutil/w/python_dateutil-2.9.0-py2.py3-none-any.whl',
        ],
        [
          '3.0+local',
          'files/python-dateutil/w/python_dateutil-3.0+local-py3-none-any.whl',
          '/pypi/p/files/python-dateutil/w/python_dateutil-3.0%2Blocal-py3-none-any.whl',
        ],
      ],
    );
    assert.deepEqual(page.dropped, [
      { filename: 'python-dateutil-2.8.tar.gz', reason: 'on https://files.example, not under a configured file base' },
    ]);
  });

  it('drops a version whose files are all withheld, keeps one the page lists without files', () => {
    const page = servablePage(
      'demo',
      {
        versions: ['0.9', '1.0', '2.0'],
        files: [
          entry('demo-1.0-py3-none-any.whl', 'https://mirror.example/demo-1.0-py3-none-any.whl'),
          entry('demo-2.0-py3-none-any.whl', 'https://mirror.example/demo-2.0-py3-none-any.whl'),
          entry('demo-2.0.tar.gz', 'https://mirror.example/demo-2.0.tar.gz'),
        ],
      },
      'https://index.example/simple/demo/',
      bases,
      '/m/',
    );
    const reason = [{ source: 'quarantine', id: 'q1', message: 'm' }];
    const filtered = filterPage(
      page,
      new Map([
        ['demo-2.0-py3-none-any.whl', reason],
        ['demo-2.0.tar.gz', reason],
      ]),
    );
    assert.deepEqual(filtered.versions, ['0.9', '1.0']);
    assert.equal(filtered.withheld, 2);
    assert.equal(filtered.status, undefined);
  });
});
