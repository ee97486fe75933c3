import { DatabaseConfigError } from './database-errors';

/** A PostgreSQL connection URL, checked, with a printable form that never shows the password. */
export interface PostgresUrl {
  /** What the pool connects with: the given URL, with the session time zone pinned to UTC. */
  readonly connectionString: string;
  /** `postgres://user@host:port/database` — no password, no query parameters. */
  readonly description: string;
  /** The password, if any, so that error messages can be scrubbed of it. */
  readonly password: string | undefined;
}

/**
 * Checks a `postgres://` / `postgresql://` URL without ever echoing it (it may hold a password).
 *
 * The session time zone is pinned to UTC (`options=-c TimeZone=UTC`) because the Prisma
 * driver adapter writes and reads `timestamptz` as if the session were in UTC: on a server
 * whose default zone is anything else, every stored instant would be shifted by the offset
 * (invisible through Prisma, visible to SQL, `now()` defaults and other readers).
 */
export function parsePostgresUrl(databaseUrl: string): PostgresUrl {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new DatabaseConfigError('the database URL is not a valid URL (expected postgres://user:password@host:port/database)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new DatabaseConfigError(`the database URL must start with postgres:// or postgresql:// (it starts with ${url.protocol}//)`);
  }
  const user = url.username ? `${decodeURIComponent(url.username)}@` : '';
  const description = `${url.protocol}//${user}${url.host}${url.pathname}`;
  const options = url.searchParams.get('options');
  url.searchParams.set('options', options ? `${options} -c TimeZone=UTC` : '-c TimeZone=UTC');
  return {
    connectionString: url.toString(),
    description,
    password: url.password ? decodeURIComponent(url.password) : undefined,
  };
}
