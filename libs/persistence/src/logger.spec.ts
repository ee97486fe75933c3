import pino from 'pino';
import type { PersistenceLogger } from './logger';

describe('PersistenceLogger', () => {
  it('is satisfied by a pino logger and by console (checked by the compiler)', () => {
    const fromPino: PersistenceLogger = pino({ enabled: false });
    const fromConsole: PersistenceLogger = console;

    expect(typeof fromPino.info).toBe('function');
    expect(typeof fromConsole.warn).toBe('function');
  });
});
