/** Runs SQL on one connection. */
export interface SqlExecutor {
  /** Runs one statement with positional parameters (`$1`, `$2`, ...) and returns its rows. */
  query<Row extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs a script of one or more statements, without parameters. */
  execScript(sql: string): Promise<void>;
}

/**
 * One dedicated connection, held until released, for maintenance work such as migrations and
 * readiness checks. Session state (advisory locks, `SET`) stays with it. Application queries
 * go through Prisma Client instead.
 */
export interface SqlSession extends SqlExecutor {
  /** Runs `work` in a transaction: commits when it resolves, rolls back and rethrows when it throws. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * Gives the connection back. `discard` closes it instead of reusing it, for a connection
   * whose state is unknown after an error.
   */
  release(options?: { discard?: boolean }): Promise<void>;
}
