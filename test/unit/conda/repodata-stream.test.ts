import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type RepodataEntry, RepodataStream } from '../../../src/conda/repodata-stream.ts';
import { CvebuildError } from '../../../src/errors.ts';

/** The document cut into chunks of `size` bytes (1: every byte boundary is a chunk boundary). */
async function* chunks(text: string | Buffer, size: number): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function read(text: string | Buffer, size = 1): Promise<{ entries: RepodataEntry[]; stream: RepodataStream }> {
  const stream = new RepodataStream(chunks(text, size), { source: 'test/repodata.json' });
  const entries: RepodataEntry[] = [];
  for await (const entry of stream) entries.push(entry);
  return { entries, stream };
}

async function failure(text: string, size = 1): Promise<CvebuildError> {
  try {
    await read(text, size);
  } catch (error) {
    assert.ok(error instanceof CvebuildError, String(error));
    return error;
  }
  assert.fail('expected an error');
}

const TRICKY = {
  // a string full of what the scanner looks for: quotes, escaped backslashes, braces, a \u escape
  name: 'we"ird\\',
  version: '1.0',
  build: 'h_{0}[1]',
  depends: ['a }', 'b {', '\\"', '\u00e9\u4e2d\ud83d\ude00', 'x\\\\'],
  nested: { deep: [{ a: [1, 2, { b: '}' }] }], empty: {}, list: [] },
  num: -1.5e3,
  flag: true,
  none: null,
};

describe('repodata stream', () => {
  for (const size of [1, 3, 7, 64, 65536]) {
    it(`reads every record with its byte span, whatever the chunk size (${size})`, async () => {
      const document = {
        removed: ['gone-1.0-0.tar.bz2'],
        'packages.conda': {
          'b-1.0-0.conda': { name: 'b', version: '1.0', build: '0' },
          'tri\\"cky-1.0-0.conda': TRICKY,
        },
        info: { subdir: 'linux-64', base_url: './' },
        packages: { 'a-1.0-0.tar.bz2': { name: 'a', version: '1.0', build: '0' } },
        repodata_version: 2,
        signatures: { x: 1 },
      };
      const text = JSON.stringify(document, null, size % 2 === 0 ? 2 : undefined);
      const bytes = Buffer.from(text);
      const { entries, stream } = await read(text, size);
      assert.deepEqual(
        entries.map((entry) => [entry.key, entry.filename]),
        [
          ['packages.conda', 'b-1.0-0.conda'],
          ['packages.conda', 'tri\\"cky-1.0-0.conda'],
          ['packages', 'a-1.0-0.tar.bz2'],
        ],
      );
      assert.deepEqual(entries[1]?.record, TRICKY);
      for (const entry of entries) {
        assert.deepEqual(JSON.parse(bytes.subarray(entry.start, entry.end).toString('utf8')), entry.record);
      }
      assert.deepEqual(stream.top.info, document.info);
      assert.deepEqual(stream.top.removed, document.removed);
      assert.equal(stream.top.repodata_version, 2);
      assert.deepEqual(stream.top.other, { signatures: { x: 1 } });
      assert.equal(stream.records, 3);
      assert.equal(stream.bytes, bytes.length);
    });
  }

  it('reads empty maps and a document with no package maps', async () => {
    assert.equal((await read('{"packages":{},"packages.conda":{}}')).entries.length, 0);
    const { entries, stream } = await read(' \n{ "info" : { "subdir" : "noarch" } }\n ');
    assert.equal(entries.length, 0);
    assert.deepEqual(stream.top.info, { subdir: 'noarch' });
  });

  it('says where a truncated document ends', async () => {
    const text = '{"packages":{"a-1-0.tar.bz2":{"name":"a","version":"1"';
    const error = await failure(text);
    // the offset is the document's length: where the bytes ran out
    assert.ok(error.toLine().startsWith('test/repodata.json: truncated'), error.toLine());
    assert.ok(error.message.endsWith(`at byte ${Buffer.byteLength(text)}`), error.message);
    assert.match((await failure('{"packages":{"a-1-0.tar.bz2":{"name":"a"}}')).message, /truncated/);
    assert.match((await failure('')).message, /truncated/);
  });

  it('names the byte offset of invalid JSON', async () => {
    // a record whose slice is not JSON: the error points at the record's first byte
    const broken = '{"packages":{"a-1-0.tar.bz2":{"name":"a",}}}';
    assert.match((await failure(broken, 4)).message, /record "a-1-0\.tar\.bz2".* at byte 29$/);
    assert.match((await failure('{"packages":{"a-1-0.tar.bz2" {"name":"a"}}}')).message, /expected ":" at byte 29$/);
    assert.match((await failure('{"packages":{"a":{}} x')).message, /expected "," or "}" at byte 21$/);
    assert.match((await failure('{"packages":{"a":{}}} x')).message, /unexpected data after the document at byte 22$/);
    assert.match((await failure('{"packages":{"a":[]}}')).message, /packages\.a is not an object at byte 17$/);
    assert.match((await failure('{"packages":[]}')).message, /packages is not an object at byte 12$/);
    assert.match((await failure('[1]')).message, /not a JSON object at byte 0$/);
    assert.match((await failure('{"packages":{"a":{},}}')).message, /expected a key at byte 20$/);
    assert.match((await failure('{"info":{"a":1,}}')).message, /value of "info".* at byte 8$/);
  });

  it('refuses a value longer than the limit instead of buffering it', async () => {
    const big = JSON.stringify({ packages: { 'a-1-0.conda': { name: 'x'.repeat(5000) } } });
    const stream = new RepodataStream(chunks(big, 100), { source: 'big.json', maxValueBytes: 1000 });
    await assert.rejects(
      (async () => {
        for await (const _ of stream);
      })(),
      /a value longer than 1000 bytes at byte 27/,
    );
  });
});
