import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SCHEMA_VERSION } from '../../../src/intel/store.ts';
import { runCli } from '../../helpers/cli.ts';
import { fixture } from '../../helpers/paths.ts';
import { tempDirectory } from '../../helpers/temp.ts';

describe('cvebuild db import / db status', () => {
  it('imports files into the store named by --db and prints per-feed counts', () => {
    const db = join(tempDirectory(), 'store', 'intel.sqlite');
    const result = runCli(['db', 'import', '--db', db, fixture('intel/osv'), fixture('intel/kev.json')]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^feed +records +written +skipped +source$/m);
    assert.match(result.stdout, /^kev +2 +2 +0 +\S+kev\.json$/m);
    assert.match(result.stdout, /^pypa +2 +2 +0 /m);
    assert.match(result.stdout, /1 record: OSS-Fuzz project of no product in the product map \(OSV-2099-3\)/);
    assert.match(result.stdout, /imported 7 records from 2 sources into .*intel\.sqlite in \d+\.\d s/);
  });

  it('falls back to CVEBUILD_DB, and shows the store in a table and as JSON', () => {
    const db = join(tempDirectory(), 'intel.sqlite');
    const env = { CVEBUILD_DB: db };
    assert.equal(runCli(['db', 'import', fixture('intel/upstream/openssl-secjson-cve5.jsonl')], { env }).status, 0);
    const table = runCli(['db', 'status'], { env });
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, new RegExp(`^store: +${db.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(`, 'm'));
    assert.match(table.stdout, new RegExp(`^schema: +version ${SCHEMA_VERSION}$`, 'm'));
    assert.match(table.stdout, /^health: +ok /m);
    assert.match(table.stdout, /^openssl +\S+ +0\.0 +2 +[0-9a-f]{12} +\S+openssl-secjson-cve5\.jsonl$/m);
    assert.match(table.stdout, /^totals: +2 advisories \(0 malicious, 0 withdrawn\), 0 KEV/m);

    const json = runCli(['db', 'status', '--format', 'json'], { env });
    assert.equal(json.status, 0, json.stderr);
    const status = JSON.parse(json.stdout) as {
      path: string;
      schemaVersion: number;
      feeds: { name: string; count: number; checksum: string; ageHours: number }[];
      totals: { advisories: number };
    };
    assert.equal(status.path, db);
    assert.equal(status.schemaVersion, SCHEMA_VERSION);
    assert.deepEqual(
      status.feeds.map(({ name, count }) => ({ name, count })),
      [{ name: 'openssl', count: 2 }],
    );
    assert.equal(status.feeds[0]?.checksum.length, 64);
    assert.equal(status.totals.advisories, 2);
  });

  it('fails with one line and exit 2 on a missing store, a corrupt store or a bad feed file', () => {
    const directory = tempDirectory();
    const missing = runCli(['db', 'status', '--db', join(directory, 'none.sqlite')]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /^cvebuild: no threat-intel store at .*none\.sqlite; run `cvebuild db update`/);

    const corrupt = join(directory, 'corrupt.sqlite');
    writeFileSync(corrupt, 'garbage bytes, not SQLite at all '.repeat(10));
    const damaged = runCli(['db', 'status', '--db', corrupt]);
    assert.equal(damaged.status, 2);
    assert.match(damaged.stderr, /^cvebuild: .*corrupt\.sqlite: not a usable threat-intel store .*re-import/);

    const bad = join(directory, 'bad.jsonl');
    writeFileSync(bad, '{"id": "PYSEC-1", "modified": "2024-01-01T00:00:00Z"}\n{oops\n');
    const invalid = runCli(['db', 'import', '--db', join(directory, 'intel.sqlite'), bad]);
    assert.equal(invalid.status, 2);
    assert.match(invalid.stderr, /^cvebuild: .*bad\.jsonl:2: not valid JSON-lines/);
    assert.equal(invalid.stderr.trim().split('\n').length, 1);

    const wrongFeed = runCli(['db', 'import', '--db', join(directory, 'intel.sqlite'), '--feed', 'nope', bad]);
    assert.equal(wrongFeed.status, 2);
  });
});
