/**
 * A `--channel` as the solver takes it: an http(s) URL without a trailing slash, or a channel
 * name under conda.anaconda.org (as conda, pixi and rattler read `conda-forge`). rattler's
 * WebAssembly build reaches channels only through `fetch`: it cannot read a `file://` channel or
 * a directory (it has no file system), and a URL with credentials in it is refused by `fetch`, so
 * both are refused here with what to do instead.
 */
import { CvebuildError } from '../../errors.ts';

const CHANNEL_ALIAS = 'https://conda.anaconda.org';
const CHANNEL_NAME = /^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/;
const LOCAL_PATH = /^(?:\.{1,2}(?:[/\\]|$)|[/\\~]|[A-Za-z]:[/\\])/;

export function solveChannel(text: string): string {
  const channel = text.trim();
  const refuse = (why: string) => new CvebuildError('USAGE', `--channel ${JSON.stringify(text)}: ${why}`);
  if (/^https?:\/\//i.test(channel)) {
    let url: URL;
    try {
      url = new URL(channel);
    } catch {
      throw refuse('not a URL');
    }
    if (url.username || url.password)
      throw refuse('credentials in a channel URL are refused by fetch; use a token path (…/t/<token>/…)');
    if (url.search || url.hash) throw refuse('a channel URL has no query or fragment');
    return url.href.replace(/\/+$/, '');
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(channel) || LOCAL_PATH.test(channel))
    throw refuse(
      'the solver reads channels over http(s) only; serve a local channel over HTTP (python3 -m http.server), or put a pixi.lock beside the recipe',
    );
  if (!CHANNEL_NAME.test(channel)) throw refuse('neither an http(s) URL nor a channel name');
  return `${CHANNEL_ALIAS}/${channel}`;
}
