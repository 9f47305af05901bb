/**
 * The streaming repodata reader on every real channel of the corpus: each record read, the same
 * ones `JSON.parse` of the whole file gives, each byte span holding exactly its record; and one
 * channel audited whole with the examples' threat data, every record accounted for.
 */
import assert from 'node:assert/strict';
import { createReadStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RepodataStream } from '../../src/conda/repodata-stream.ts';
import { openIntelStore } from '../../src/intel/open.ts';
import { auditChannel } from '../../src/proxy/channel-audit/audit-channel.ts';
import { corpus, hasCorpus, projectRoot } from '../helpers/paths.ts';

function repodataFiles(): string[] {
  const root = corpus('channels');
  const files: string[] = [];
  for (const channel of readdirSync(root)) {
    const dir = join(root, channel);
    for (const subdir of existsSync(dir) ? readdirSync(dir, { withFileTypes: true }) : []) {
      const file = join(dir, subdir.name, 'repodata.json');
      if (subdir.isDirectory() && existsSync(file)) files.push(file);
    }
  }
  return files.sort();
}

describe('corpus channels', { skip: !hasCorpus && 'needs ../shared/corpus' }, () => {
  const files = hasCorpus ? repodataFiles() : [];

  it('the corpus has the channels this test reads', () => {
    assert.ok(files.length >= 20, String(files.length));
    assert.ok(files.some((file) => file.endsWith('rattler-pytorch/linux-64/repodata.json')));
  });

  for (const file of files) {
    it(`${file.slice(corpus('channels').length + 1)}: every record, as JSON.parse reads it`, async () => {
      const bytes = readFileSync(file);
      const document = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
      const expected = new Map<string, unknown>();
      for (const key of ['packages', 'packages.conda'] as const) {
        for (const [name, record] of Object.entries((document[key] ?? {}) as Record<string, unknown>))
          expected.set(`${key}/${name}`, record);
      }
      const stream = new RepodataStream(createReadStream(file, { highWaterMark: 4096 }), { source: file });
      let count = 0;
      for await (const entry of stream) {
        count++;
        const key = `${entry.key}/${entry.filename}`;
        assert.deepEqual(entry.record, expected.get(key), key);
        assert.deepEqual(JSON.parse(bytes.subarray(entry.start, entry.end).toString('utf8')), entry.record);
      }
      assert.equal(count, expected.size);
      assert.deepEqual(stream.top.info, document.info);
      assert.deepEqual(stream.top.removed, document.removed);
      assert.equal(stream.top.repodata_version, document.repodata_version);
    });
  }

  it('audits every record of rattler-pytorch linux-64 and accounts for each', async () => {
    const file = corpus('channels/rattler-pytorch/linux-64/repodata.json');
    const document = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>;
    const records = Object.keys(document.packages ?? {}).length + Object.keys(document['packages.conda'] ?? {}).length;
    const intel = await openIntelStore({ db: join(projectRoot, 'examples/openssl-cve/intel') });
    try {
      const result = await auditChannel({
        channel: corpus('channels/rattler-pytorch'),
        subdirs: ['linux-64'],
        intel,
        statePath: ':memory:',
        clock: () => new Date(),
      });
      assert.equal(result.totals.records, records);
      assert.equal(result.totals.audited + result.totals.skipped.invalid, records);
      assert.equal(result.totals.skipped.invalid, 0);
      assert.ok(result.coverage.names > 0);
      assert.equal(result.coverage.mapped + result.coverage.unmapped, result.coverage.names);
    } finally {
      intel.store.close();
    }
  });
});
