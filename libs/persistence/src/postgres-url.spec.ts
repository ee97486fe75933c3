import { DatabaseConfigError } from './database-errors';
import { parsePostgresUrl } from './postgres-url';

describe(parsePostgresUrl.name, () => {
  it('describes the database without password or query parameters', () => {
    const url = parsePostgresUrl('postgres://app:s3cr%40t@db.internal:6543/registry?sslmode=require');

    expect(url.description).toBe('postgres://app@db.internal:6543/registry');
    expect(url.password).toBe('s3cr@t');
  });

  it('pins the session time zone to UTC, keeping options already in the URL', () => {
    const plain = new URL(parsePostgresUrl('postgresql://app@localhost/features').connectionString);
    const withOptions = new URL(parsePostgresUrl('postgresql://app@localhost/features?options=-c%20search_path%3Dx').connectionString);

    expect(plain.searchParams.get('options')).toBe('-c TimeZone=UTC');
    expect(withOptions.searchParams.get('options')).toBe('-c search_path=x -c TimeZone=UTC');
  });

  it('refuses a URL of another scheme without echoing it', () => {
    const attempt = () => parsePostgresUrl('mysql://root:hunter2@localhost/db');

    expect(attempt).toThrow(DatabaseConfigError);
    expect(attempt).toThrow('must start with postgres:// or postgresql://');
    expect(attempt).not.toThrow(/hunter2/);
  });

  it('refuses text that is not a URL without echoing it', () => {
    const attempt = () => parsePostgresUrl('hunter2 is my password');

    expect(attempt).toThrow('the database URL is not a valid URL');
    expect(attempt).not.toThrow(/hunter2/);
  });
});
