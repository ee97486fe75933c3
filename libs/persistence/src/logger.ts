/**
 * The little this library logs through. A pino logger fits as is; so does `console`.
 * Messages are plain sentences that name what happened and to what.
 */
export interface PersistenceLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** A logger that drops everything: the default when none is given. */
export const silentLogger: PersistenceLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
