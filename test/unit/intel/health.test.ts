/**
 * One notion of a healthy store: what `db status` refuses, the gate refuses, with the same line.
 * Before, status found damage by counting rows while the gate read only the pages it needed and
 * passed on a store missing half its data.
 */
import assert from 'node:assert/strict';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { dbStatusCommand } from '../../../src/cli/db-import.ts';
import { CvebuildError } from '../../../src/errors.ts';
import { assertHealthyStore, HealthMemory } from '../../../src/intel/health.ts';
import { importSources } from '../../../src/intel/import/index.ts';
import { openIntelForAudit } from '../../../src/intel/open.ts';
import { openStore } from '../../../src/intel/store.ts';
import type { IntelStore } from '../../../src/intel/store-api.ts';
import { fixture } from '../../helpers/paths.ts';
import { tempDirectory, writeTemp } from '../../helpers/temp.ts';

async function storeWithData(): Promise<string> {
  const path = join(tempDirectory(), 'intel.sqlite');
  const store = openStore(path, { create: true });
  await importSources(store, [{ path: fixture('audit/intel') }, { path: fixture('confusion/intel') }]);
  store.close(); // checkpoints the write-ahead log into the file
  return path;
}

/** Overwrites the root page of a table the vulnerability audit never reads. */
function damageTable(path: string, table: string): void {
  const db = new DatabaseSync(path);
  const { rootpage } = db.prepare('SELECT rootpage FROM sqlite_master WHERE name = ?').get(table) as {
    rootpage: number;
  };
  const { page_size: pageSize } = db.prepare('PRAGMA page_size').get() as { page_size: number };
  db.close();
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (rootpage - 1) * pageSize);
  closeSync(fd);
}

/** The store, counting the calls of its page-by-page check. */
function countingChecks(store: IntelStore): { counting: IntelStore; checks: () => number } {
  let calls = 0;
  const counting = new Proxy(store, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (property === 'integrityProblems') {
        return () => {
          calls++;
          return target.integrityProblems();
        };
      }
      return value.bind(target);
    },
  });
  return { counting, checks: () => calls };
}

function editFeeds(path: string, sql: string): void {
  const db = new DatabaseSync(path);
  db.exec(sql);
  db.close();
}

async function refusals(path: string): Promise<{ status: string; gate: string }> {
  const line = (error: unknown) => {
    assert.ok(error instanceof CvebuildError, String(error));
    assert.equal(error.code, 'DB_CORRUPT', error.toLine());
    return error.toLine();
  };
  let status = '';
  try {
    dbStatusCommand({ db: path, format: 'json' });
    assert.fail('db status accepted the store');
  } catch (error) {
    status = line(error);
  }
  const gate = await openIntelForAudit({ db: path, maxAgeMs: 1e12, now: new Date() }).then(
    () => assert.fail('the gate accepted the store'),
    line,
  );
  return { status, gate };
}

describe('a healthy threat-intel store', () => {
  it('is what status shows and what the gate uses', async () => {
    const path = await storeWithData();
    assert.equal(JSON.parse(dbStatusCommand({ db: path, format: 'json' })).health, 'ok');
    const opened = await openIntelForAudit({ db: path, maxAgeMs: 1e12, now: new Date() });
    opened.store.close();
  });

  it('has no damaged page anywhere, even in a table this audit would not read', async () => {
    const path = await storeWithData();
    damageTable(path, 'popularity');
    const { status, gate } = await refusals(path);
    assert.equal(gate, status);
    assert.match(gate, /not a usable threat-intel store \(.+\); delete it and re-import/);
  });

  it('has feed records that make sense', async () => {
    for (const [fetchedAt, reason] of [
      ['2026-02-31T00:00:00Z', /fetch time that is no time/],
      ['yesterday', /fetch time that is no time/],
      ['2999-01-01T00:00:00Z', /fetched in the future/],
    ] as const) {
      const path = await storeWithData();
      editFeeds(path, `UPDATE feeds SET fetched_at = '${fetchedAt}' WHERE name = 'kev'`);
      const { status, gate } = await refusals(path);
      assert.equal(gate, status);
      assert.match(gate, reason);
    }
    const path = await storeWithData();
    editFeeds(path, "UPDATE feeds SET count = -1 WHERE name = 'kev'");
    assert.match((await refusals(path)).gate, /record count of -1/);
  });

  it('checks every page once per state of the file: a healthy verdict is remembered until the file changes', async () => {
    const path = await storeWithData();
    const memory = new HealthMemory(tempDirectory());
    const store = openStore(path, { readOnly: true });
    const { counting, checks } = countingChecks(store);
    assertHealthyStore(counting, { memory });
    assertHealthyStore(counting, { memory });
    assert.equal(checks(), 1);
    store.close();
    // damage written after the verdict changes the file, so it is checked, found and refused
    damageTable(path, 'popularity');
    const damaged = openStore(path, { readOnly: true });
    assert.throws(
      () => assertHealthyStore(damaged, { memory }),
      (error) => error instanceof CvebuildError && error.code === 'DB_CORRUPT',
    );
    // and refused again: a damaged store is never remembered
    assert.throws(() => assertHealthyStore(damaged, { memory }), CvebuildError);
    damaged.close();
  });

  it('checks every time when the verdict cannot be remembered (an unwritable cache)', async () => {
    const path = await storeWithData();
    const memory = new HealthMemory(join(writeTemp('not-a-directory', ''), 'cache'));
    const store = openStore(path, { readOnly: true });
    const { counting, checks } = countingChecks(store);
    assertHealthyStore(counting, { memory });
    assertHealthyStore(counting, { memory });
    assert.equal(checks(), 2);
    store.close();
  });
});
