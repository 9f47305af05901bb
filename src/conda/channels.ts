/**
 * Does a record's channel URL belong to a channel as a manifest names it? pixi resolves a channel
 * name through its channel alias (conda.anaconda.org unless configured otherwise, prefix.dev for
 * many users) and then compares URLs exactly. The lock does not record the alias, so a name
 * matches any URL whose path ends with the name's segments: `conda-forge` matches
 * `https://conda.anaconda.org/conda-forge` and `https://prefix.dev/conda-forge`, but not
 * `.../conda-forge/label/dev` or `.../my-conda-forge`. A URL matches only the same URL, compared
 * without credentials, `/t/<token>` segments, trailing slashes or case in scheme and host.
 */

export type ChannelMatch = 'url' | 'name' | undefined;

export function matchChannel(recordChannel: string, configured: string): ChannelMatch {
  const record = canonicalChannel(recordChannel);
  const wanted = canonicalChannel(configured);
  if (record === wanted) return isUrlLike(configured) ? 'url' : 'name';
  if (isUrlLike(configured) || !isUrlLike(recordChannel)) return undefined;
  return record.endsWith(`/${wanted}`) ? 'name' : undefined;
}

function isUrlLike(channel: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(channel);
}

/** Scheme and host lowercased; userinfo, token segments and trailing slashes dropped. */
export function canonicalChannel(channel: string): string {
  const trimmed = channel.trim().replace(/\/+$/, '');
  const match = /^([a-z][a-z0-9+.-]*:\/\/)(?:[^/@]*@)?([^/]*)(.*)$/i.exec(trimmed);
  if (!match) return trimmed;
  const [, scheme = '', host = '', path = ''] = match;
  return `${scheme.toLowerCase()}${host.toLowerCase()}${path.replace(/\/t\/[^/]+(?=\/|$)/, '')}`;
}
