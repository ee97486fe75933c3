/** The database could not be reached or opened. The message names it (never with a password) and the cause. */
export class DatabaseConnectionError extends Error {
  override readonly name = 'DatabaseConnectionError';

  constructor(
    /** What was being opened, as `Database.describe()` shows it. */
    readonly database: string,
    cause: unknown,
  ) {
    super(`cannot connect to database ${database}: ${describeCause(cause)}`, { cause });
  }
}

/** The database options are unusable (e.g. a DATABASE_URL that is not a postgres:// URL). */
export class DatabaseConfigError extends Error {
  override readonly name = 'DatabaseConfigError';
}

/**
 * One line saying why something failed. Duck-typed, because errors raised by Node itself may
 * come from another realm (e.g. under Jest) where `instanceof Error` is false.
 */
export function describeCause(cause: unknown): string {
  if (typeof cause !== 'object' || cause === null) {
    return String(cause);
  }
  const { message, code, errors } = cause as { message?: unknown; code?: unknown; errors?: unknown };
  // An AggregateError, e.g. from a dual-stack (IPv6 + IPv4) connect that failed twice.
  if (Array.isArray(errors) && errors.length > 0) {
    return [...new Set(errors.map(describeCause))].join('; ');
  }
  if (typeof message === 'string' && message !== '') {
    return message;
  }
  return typeof code === 'string' ? code : String(cause);
}
