/**
 * Issue 17, a terminal that helps, checked in a real one: `db update` against loopback feeds in a
 * tmux pane shows each download as it happens (bytes so far, of how many), leaves a line per feed
 * and one for the import, then prints its summary; in CI, or piped, it prints the summary alone,
 * without an escape sequence.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCliAsync } from '../../helpers/cli.ts';
import { type FeedServer, startFeedServer } from '../../helpers/feed-server.ts';
import { fixture } from '../../helpers/paths.ts';
import { tempDirectory } from '../../helpers/temp.ts';
import { cliInTmux, tmuxSkip } from '../../helpers/tmux.ts';
import { zipEntries } from '../../helpers/zip-writer.ts';

const ESC = '\u001b';

describe('db update in a real terminal (tmux)', { skip: tmuxSkip() }, () => {
  let server: FeedServer;
  before(async () => {
    server = await startFeedServer();
  });
  after(() => server?.close());

  let counter = 0;
  /** Fresh paths and a fresh store per case: an OSV archive of the fixture records, and the KEV fixture. */
  function feeds(): { args: string[]; osvPath: string } {
    const prefix = `/t${++counter}`;
    const osv = fixture('intel/osv');
    const records = readdirSync(osv)
      .filter((name) => name.endsWith('.json'))
      .map((name) => ({ name, data: readFileSync(join(osv, name)) }));
    server.serve(`${prefix}/all.zip`, { body: zipEntries(records) });
    server.serve(`${prefix}/kev.json`, { body: readFileSync(fixture('intel/kev.json')) });
    const db = join(tempDirectory(), 'intel.sqlite');
    return {
      osvPath: `${prefix}/all.zip`,
      args: [
        ...['db', 'update', '--db', db, '--only', 'kev,osv-pypi'],
        ...[
          '--feed',
          `kev=${server.url(`${prefix}/kev.json`)}`,
          '--feed',
          `osv-pypi=${server.url(`${prefix}/all.zip`)}`,
        ],
      ],
    };
  }

  it('shows a download in flight, a line per feed and the import, then the summary', async () => {
    const { args, osvPath } = feeds();
    let release = () => {};
    const until = new Promise<void>((resolve) => {
      release = resolve;
    });
    // the archive stops after 100 bytes until the pane has been read: a download caught in flight
    server.fail(osvPath, { holdAfterBytes: 100, until });
    const pane = await cliInTmux(args);
    try {
      const during = await pane.waitFor(/downloading feeds, 1 of 2 done: osv-pypi 100 B of [\d.]+ KiB/);
      assert.match(during, /^✓ kev {7}downloaded 1\.2 KiB {2}\d+\.\d s$/m, during);
      release();
      const { status, shown } = await pane.exited();
      assert.equal(status, 0, shown);
      const lines = shown.split('\n');
      const at = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));
      const order = [
        /^✓ kev /,
        /^✓ osv-pypi {2}downloaded [\d.]+ KiB /,
        /^✓ imported 2 files /,
        /^feed +status +records/,
      ];
      const found = order.map(at);
      assert.ok(
        found.every((index, i) => index >= 0 && (i === 0 || index > (found[i - 1] ?? -1))),
        `in order ${order.join(', ')}:\n${shown}`,
      );
      assert.doesNotMatch(shown, /downloading feeds/, 'the spinner line is gone once the downloads are');
    } finally {
      release();
      await pane.close();
    }
  });

  it('in CI, on the same terminal, prints the summary alone', async () => {
    const pane = await cliInTmux(feeds().args, { CI: 'true' });
    try {
      const { status, shown } = await pane.exited();
      assert.equal(status, 0, shown);
      const first = shown.split('\n').find((line) => line.trim() !== '');
      assert.match(first ?? '', /^feed +status +records +time$/, shown);
      assert.doesNotMatch(shown, /^[✓=✗] /m);
    } finally {
      await pane.close();
    }
  });

  it('piped, prints the same summary without an escape sequence', async () => {
    const result = await runCliAsync(feeds().args, { env: { CI: undefined, FORCE_COLOR: undefined } });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^kev +downloaded 1\.2 KiB +\d+ +\d+\.\d s$/m);
    assert.match(result.stdout, /^osv-pypi +downloaded /m);
    assert.ok(!result.stdout.includes(ESC), JSON.stringify(result.stdout));
    assert.equal(result.stderr, '');
  });
});
