/** Opening the proxy's state store named by the config: an SQLite file, or a PostgreSQL URL. */
import type { ProxyState } from '../types.ts';

export type StateSpec = { sqlite: string } | { postgres: string };

/** The store, with its schema ready; a STATE_UNAVAILABLE error naming the file or (masked) URL when it cannot be opened. */
export async function openProxyState(spec: StateSpec): Promise<ProxyState> {
  if ('sqlite' in spec) {
    const { openSqliteState } = await import('./sqlite.ts');
    return openSqliteState(spec.sqlite);
  }
  // Loaded only for PostgreSQL: a single-node proxy never loads the driver.
  const { openPostgresState } = await import('./postgres.ts');
  return openPostgresState(spec.postgres);
}
