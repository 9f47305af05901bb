import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { openProxyState } from '../../../src/proxy/state/open.ts';
import { assertCvebuildErrorAsync } from '../../helpers/errors.ts';
import { tempDirectory } from '../../helpers/temp.ts';
import { assertAllWritten, killWriterMidRun, storeContract } from './state-contract.ts';

describe('proxy state on SQLite', () => {
  storeContract(() => openProxyState({ sqlite: join(tempDirectory(), 'sub', 'state.db') }));

  it('keeps its entries across a reopen', async () => {
    const path = join(tempDirectory(), 'state.db');
    const first = await openProxyState({ sqlite: path });
    const entry = await first.quarantine(
      { ecosystem: 'conda', upstream: 'conda-forge', name: 'xz' },
      { reason: 'backdoor', by: 'alice' },
      new Date(),
    );
    await first.close();
    const again = await openProxyState({ sqlite: path });
    assert.deepEqual(
      (await again.active(new Date())).map((e) => e.id),
      [entry.id],
    );
    assert.equal(await again.revision(), 1);
    await again.close();
  });

  it('loses no write when the writer is killed with SIGKILL mid-run', async () => {
    const spec = { sqlite: join(tempDirectory(), 'durable.db') };
    const ids = await killWriterMidRun(spec);
    await assertAllWritten(spec, ids);
  });

  it('refuses a file that is not its store, naming it', async () => {
    const text = join(tempDirectory(), 'notes.txt');
    writeFileSync(text, 'hello, this is not a database\n');
    await assertCvebuildErrorAsync(
      () => openProxyState({ sqlite: text }),
      'STATE_UNAVAILABLE',
      text,
      'not an SQLite database',
    );
    const foreign = join(tempDirectory(), 'other.db');
    const db = new DatabaseSync(foreign);
    db.exec('CREATE TABLE t (x)');
    db.close();
    await assertCvebuildErrorAsync(
      () => openProxyState({ sqlite: foreign }),
      'STATE_UNAVAILABLE',
      foreign,
      'not a cvebuild proxy state',
    );
  });

  it('says which file it cannot create', async () => {
    const blocker = join(tempDirectory(), 'file');
    writeFileSync(blocker, '');
    const path = join(blocker, 'state.db');
    await assertCvebuildErrorAsync(() => openProxyState({ sqlite: path }), 'STATE_UNAVAILABLE', path);
  });
});
