import { MigrationsDirectoryError, type MigrationStatus } from '@strata/persistence';
import { SchemaWaitAbortedError, type SchemaStatusSource, waitForSchema } from './schema-wait';

const aStatus = (overrides: Partial<MigrationStatus> = {}): MigrationStatus => {
  const status = { applied: ['20260101000000_a'], pending: [], changed: [], missing: [], unfinished: [], ...overrides };
  const servesThisBuild = status.pending.length === 0 && status.changed.length === 0 && status.unfinished.length === 0;
  return { ...status, servesThisBuild, isCurrent: servesThisBuild && status.missing.length === 0 };
};

/** A database whose status answers come from a script, one per poll (the last one repeats). */
class ScriptedDatabase implements SchemaStatusSource {
  polls = 0;
  constructor(private readonly answers: ReadonlyArray<MigrationStatus | Error>) {}
  describe(): string {
    return 'postgres://db/test';
  }
  async migrationStatus(): Promise<MigrationStatus> {
    const answer = this.answers[Math.min(this.polls, this.answers.length - 1)]!;
    this.polls += 1;
    if (answer instanceof Error) throw answer;
    return answer;
  }
}

/** A clock that only moves when the waiter sleeps. */
function fakeTime(): { now: () => number; sleep: (ms: number, signal?: AbortSignal) => Promise<void>; sleeps: number[] } {
  let time = 0;
  const sleeps: number[] = [];
  return {
    now: () => time,
    sleep: async (ms, signal) => {
      signal?.throwIfAborted();
      sleeps.push(ms);
      time += ms;
    },
    sleeps,
  };
}

function recordingLogger(): { lines: string[]; info(m: string): void; warn(m: string): void; error(m: string): void } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(`info: ${m}`), warn: (m) => lines.push(`warn: ${m}`), error: (m) => lines.push(`error: ${m}`) };
}

describe(waitForSchema.name, () => {
  it('returns at once, without a line, when the schema already serves this build', async () => {
    const logger = recordingLogger();
    const time = fakeTime();

    const status = await waitForSchema(new ScriptedDatabase([aStatus()]), 'migrations', { logger, ...time });

    expect(status.servesThisBuild).toBe(true);
    expect(time.sleeps).toEqual([]);
    expect(logger.lines).toEqual([]);
  });

  it('polls every 2 s until the pending migrations are applied, naming them', async () => {
    const logger = recordingLogger();
    const time = fakeTime();
    const pending = aStatus({ applied: [], pending: ['20260101000000_a'] });
    const database = new ScriptedDatabase([pending, pending, pending, aStatus()]);

    await waitForSchema(database, 'migrations', { logger, ...time });

    expect(database.polls).toBe(4);
    expect(time.sleeps).toEqual([2_000, 2_000, 2_000]);
    expect(logger.lines).toEqual([
      'info: waiting for database postgres://db/test to serve this build (MIGRATE_ON_START=false; apply with main.js --migrate): pending 20260101000000_a',
      'info: database postgres://db/test now serves this build (1 migration applied)',
    ]);
  });

  it('says what it waits for at most every 15 s', async () => {
    const logger = recordingLogger();
    const time = fakeTime();
    const pending = aStatus({ applied: [], pending: ['20260101000000_a'] });
    // 20 polls 2 s apart: 38 s of waiting, so lines at 0 s, 16 s and 32 s.
    const database = new ScriptedDatabase([...Array.from({ length: 20 }, () => pending), aStatus()]);

    await waitForSchema(database, 'migrations', { logger, ...time });

    expect(logger.lines.filter((line) => line.startsWith('info: waiting'))).toHaveLength(3);
  });

  it('names changed and unfinished migrations as what it waits for', async () => {
    const logger = recordingLogger();
    const stop = new AbortController();
    const time = fakeTime();
    const database = new ScriptedDatabase([aStatus({ changed: ['20260101000000_a'], unfinished: ['20260102000000_b'] })]);
    const sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
      stop.abort(new Error('SIGTERM received'));
      await time.sleep(ms, signal);
    };

    await expect(waitForSchema(database, 'migrations', { logger, signal: stop.signal, now: time.now, sleep })).rejects.toThrow(SchemaWaitAbortedError);

    expect(logger.lines[0]).toContain('changed after they were applied (restore the files) 20260101000000_a; unfinished (repair by hand) 20260102000000_b');
  });

  it('accepts a database ahead of this build (a newer release migrated it) with a warning naming the extra migrations', async () => {
    const logger = recordingLogger();

    const status = await waitForSchema(new ScriptedDatabase([aStatus({ missing: ['20990101000000_newer'] })]), 'migrations', { logger, ...fakeTime() });

    expect(status.servesThisBuild).toBe(true);
    expect(logger.lines).toEqual([expect.stringMatching(/^warn: database postgres:\/\/db\/test is ahead of this build: .*20990101000000_newer\. Serving anyway/)]);
  });

  it('stops with SchemaWaitAbortedError when its signal aborts during the wait', async () => {
    const logger = recordingLogger();
    const stop = new AbortController();
    const pending = aStatus({ applied: [], pending: ['20260101000000_a'] });
    const database = new ScriptedDatabase([pending]);
    const wait = waitForSchema(database, 'migrations', { logger, signal: stop.signal });
    // The real pause (2 s) is cut short by the abort.
    while (database.polls === 0) await new Promise((resolve) => setImmediate(resolve));

    stop.abort(new Error('SIGTERM received'));

    await expect(wait).rejects.toThrow('stopped waiting for database postgres://db/test to serve this build (SIGTERM received)');
    expect(database.polls).toBe(1);
  });

  it('polls through a database error, saying so, but fails at once on a migration error', async () => {
    const logger = recordingLogger();
    const blip = new ScriptedDatabase([new Error('connection terminated unexpectedly'), aStatus()]);

    await waitForSchema(blip, 'migrations', { logger, ...fakeTime() });

    expect(logger.lines[0]).toContain('cannot read its migration history: connection terminated unexpectedly');
    const broken = new ScriptedDatabase([new MigrationsDirectoryError('migrations folder missing')]);
    await expect(waitForSchema(broken, 'migrations', { logger, ...fakeTime() })).rejects.toThrow(MigrationsDirectoryError);
  });
});
