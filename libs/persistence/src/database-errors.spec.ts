import { DatabaseConnectionError, describeCause } from './database-errors';

describe(describeCause.name, () => {
  it('joins the distinct reasons of an AggregateError (a dual-stack connect that failed twice)', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' });
    const cause = new AggregateError([refused, new Error('connect ECONNREFUSED 127.0.0.1:5432'), refused], '');

    expect(describeCause(cause)).toBe('connect ECONNREFUSED ::1:5432; connect ECONNREFUSED 127.0.0.1:5432');
  });

  it('falls back to the error code when the message is empty', () => {
    expect(describeCause(Object.assign(new Error(''), { code: 'ETIMEDOUT' }))).toBe('ETIMEDOUT');
  });
});

describe(DatabaseConnectionError.name, () => {
  it('names the database and the cause, and keeps the cause', () => {
    const cause = new Error('database "registry" does not exist');
    const error = new DatabaseConnectionError('postgres://app@db:5432/registry', cause);

    expect(error.message).toBe('cannot connect to database postgres://app@db:5432/registry: database "registry" does not exist');
    expect(error.cause).toBe(cause);
  });
});
